package screening

import (
	"fmt"
	"io"
	"reflect"
	"strings"
)

// VerifyItem is a rule or parameter of a rulebook still to be verified against its source.
type VerifyItem struct {
	Framework string `json:"framework"`
	// Path locates the item inside its framework book, e.g. "night_work" or
	// "indicators[rv_travel_difficulty]" (list items are named by id).
	Path   string `json:"path"`
	Source string `json:"source"`
	Note   Text   `json:"note"`
}

// ToVerify lists every item of the rulebook marked to verify (confidence U), in file order.
func (r *Rulebook) ToVerify() []VerifyItem {
	var out []VerifyItem
	for _, b := range r.books() {
		h := headerOf(b)
		walkProvenance(reflect.ValueOf(b), "", func(p string, pv *Provenance) {
			if pv.ToVerify() {
				item := VerifyItem{Framework: h.Framework, Path: p, Source: pv.Source}
				if pv.Note != nil {
					item.Note = *pv.Note
				}
				out = append(out, item)
			}
		})
	}
	return out
}

func (r *Rulebook) books() []any { return []any{r.Trafficking, r.ILO11, r.ICLS, r.ChildLabour} }

// walkProvenance calls fn for every Provenance in v, with its JSON path.
func walkProvenance(v reflect.Value, p string, fn func(string, *Provenance)) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		if pv, ok := v.Interface().(*Provenance); ok {
			fn(p, pv)
			return
		}
		walkProvenance(v.Elem(), p, fn)
	case reflect.Slice:
		for i := range v.Len() {
			// Name list items by their id rather than their position, for people to read.
			seg := fmt.Sprintf("[%d]", i)
			if e := v.Index(i); e.Kind() == reflect.Struct {
				if f := e.FieldByName("ID"); f.IsValid() && f.Kind() == reflect.String && f.String() != "" {
					seg = "[" + f.String() + "]"
				}
			}
			walkProvenance(v.Index(i), p+seg, fn)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			if f.Type == reflect.TypeFor[Provenance]() {
				fn(p, v.Field(i).Addr().Interface().(*Provenance))
				continue
			}
			child := p
			if !f.Anonymous {
				child = joinPath(p, jsonName(f))
			}
			walkProvenance(v.Field(i), child, fn)
		}
	}
}

// Summary is one line of `nanduti rules list`: a framework book and what it holds.
type Summary struct {
	Framework string
	Ref       Ref
	Title     Text
	Counts    string
	ToVerify  int
}

// Summaries describes each framework book of the rulebook.
func (r *Rulebook) Summaries() []Summary {
	verify := map[string]int{}
	for _, v := range r.ToVerify() {
		verify[v.Framework]++
	}
	t, cl := r.Trafficking, r.ChildLabour
	return []Summary{
		{FrameworkTrafficking, t.Ref(), t.Title, fmt.Sprintf("%d indicators in %d dimensions, %d acts", len(t.Indicators), len(t.Dimensions), len(t.Acts)), verify[FrameworkTrafficking]},
		{FrameworkILO11, r.ILO11.Ref(), r.ILO11.Title, fmt.Sprintf("%d indicators", len(r.ILO11.Indicators)), verify[FrameworkILO11]},
		{FrameworkICLS, r.ICLS.Ref(), r.ICLS.Title, fmt.Sprintf("%d involuntariness and %d coercion items", len(r.ICLS.Involuntariness), len(r.ICLS.Coercion)), verify[FrameworkICLS]},
		{FrameworkChildLabour, cl.Ref(), cl.Title, fmt.Sprintf("%d SDG bands, %d activities, %d hazards, %d worst forms", len(cl.SDGBands), len(cl.Activities), len(cl.Hazards), len(cl.WorstForms)), verify[FrameworkChildLabour]},
	}
}

// WriteBookText writes one framework book (named by framework or book id) for a person to
// read: every rule and parameter with its source, and what is still to verify.
func (r *Rulebook) WriteBookText(w io.Writer, id string, lang Lang) error {
	h, ok := r.Book(id)
	if !ok {
		return fmt.Errorf("no framework or rulebook %q", id)
	}
	var b strings.Builder
	pr := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	tag := func(p Provenance) string {
		s := "[" + p.Source + ", " + p.Confidence
		if p.ToVerify() {
			s += ", TO VERIFY"
		}
		return s + "]"
	}
	note := func(p Provenance, indent string) {
		if p.Note != nil {
			wrap(&b, p.Note.In(lang), indent, 96)
		}
	}
	pr("%s %s (%s)\n", h.ID, h.Version, h.Framework)
	if h.modifiedBy != "" {
		pr("modified by %s\n", h.modifiedBy)
	}
	wrap(&b, h.Title.In(lang), "", 96)
	pr("\nSources:\n")
	for _, s := range h.Sources {
		pr("  %s: ", s.ID)
		b.WriteString(strings.TrimLeft(wrapString(s.Citation, "      ", 96), " "))
	}
	mappedList := func(title string, items []MappedIndicator) {
		pr("\n%s:\n", title)
		for _, it := range items {
			pr("  %s: %s %s\n", it.ID, it.Label.In(lang), tag(it.Provenance))
			from := append(slicesClone(it.From.Indicators), it.From.WorstForms...)
			if len(from) > 0 {
				wrap(&b, "<- "+strings.Join(from, ", "), "      ", 96)
			}
			note(it.Provenance, "      ")
		}
	}
	intParam := func(name string, p *IntParameter) {
		pr("  %s = %d: %s %s\n", name, p.Value, p.Label.In(lang), tag(p.Provenance))
		note(p.Provenance, "      ")
	}
	switch h.Framework {
	case FrameworkTrafficking:
		t := r.Trafficking
		pr("\nExploitation list: %s\n\nParameters:\n", t.Exploitation)
		intParam("child_age_limit", t.ChildAgeLimit)
		pr("\nActs:\n")
		for _, a := range t.Acts {
			pr("  %s: %s %s\n", a.ID, a.Label.In(lang), tag(a.Provenance))
		}
		for _, d := range t.Dimensions {
			pr("\nDimension %s: %s %s\n", d.ID, d.Name.In(lang), tag(d.Provenance))
			for _, ind := range t.Indicators {
				if ind.Dimension == d.ID {
					pr("  %-28s adult %-6s child %-6s %s", ind.ID, ind.Adult, ind.Child, ind.Label.In(lang))
					if ind.ToVerify() {
						pr(" [TO VERIFY]")
					}
					pr("\n")
					note(ind.Provenance, "      ")
				}
			}
		}
		pr("\nDimension rule %s: positive when any of\n", tag(t.DimensionRule.Provenance))
		s := &screening{m: msgs(lang)}
		for _, th := range t.DimensionRule.Thresholds {
			pr("  - %s\n", s.describeThreshold(th))
		}
		for _, c := range []struct {
			name string
			rule *CombinationRule
		}{{"adult", t.Combination.Adult}, {"child", t.Combination.Child}} {
			pr("\nCombination rule, %s %s:\n", c.name, tag(c.rule.Provenance))
			if c.rule.RequireAct {
				pr("  - %s\n", msgs(lang).actClause)
			}
			for _, cl := range c.rule.AllOf {
				pr("  - %s: %s (any of %s)\n", cl.ID, cl.Label.In(lang), strings.Join(cl.AnyOf, ", "))
				if ev := cl.OrEvidence; ev != nil {
					pr("    or %s: an indicator of %s recorded while %s positive\n", tag(ev.Provenance), strings.Join(ev.IndicatorIn, ", "), strings.Join(ev.WhenPositive, ", "))
					note(ev.Provenance, "      ")
				}
			}
			note(c.rule.Provenance, "    ")
		}
	case FrameworkILO11:
		pr("\nListing rule %s\n", tag(*r.ILO11.ListingRule))
		note(*r.ILO11.ListingRule, "  ")
		mappedList("Indicators", r.ILO11.Indicators)
	case FrameworkICLS:
		ic := r.ICLS
		pr("\nDefinition %s\n", tag(*ic.Definition))
		note(*ic.Definition, "  ")
		mappedList("Involuntariness", ic.Involuntariness)
		mappedList("Coercion", ic.Coercion)
		ch := ic.Children
		pr("\nChildren (under %d) %s: coercion suffices: %t; worst forms: %s\n", ch.AgeLimit, tag(ch.Provenance), ch.CoercionSuffices, strings.Join(ch.WorstForms, ", "))
		note(ch.Provenance, "  ")
	case FrameworkChildLabour:
		cl := r.ChildLabour
		pr("\nParameters:\n")
		intParam("age_limit", cl.AgeLimit)
		intParam("minimum_age", cl.MinimumAge)
		intParam("hazardous_age_limit", cl.HazardousAgeLimit)
		pr("\nSDG 8.7.1 bands:\n")
		for _, band := range cl.SDGBands {
			pr("  %s: ages %d-%d", band.ID, band.MinAge, band.MaxAge)
			if band.Economic != nil {
				pr("; economic %s %s h/week -> %s", band.Economic.Comparison, hours(band.Economic.Hours), band.EconomicCategory)
			}
			if band.Chores != nil {
				pr("; chores %s %s h/week", band.Chores.Comparison, hours(band.Chores.Hours))
			}
			pr(" %s\n", tag(band.Provenance))
		}
		pr("\nAdolescent hour limits:\n")
		for _, l := range cl.AdolescentHours {
			pr("  %s: ages %d-%d, %s h/day, %s h/week %s\n", l.ID, l.MinAge, l.MaxAge, hours(l.MaxHoursPerDay), hours(l.MaxHoursPerWeek), tag(l.Provenance))
			note(l.Provenance, "      ")
		}
		nw := cl.NightWork
		pr("\nNight work: forbidden under %d between %s and %s %s\n", nw.AgeLimit, nw.From, nw.To, tag(nw.Provenance))
		note(nw.Provenance, "      ")
		cz := cl.Criadazgo
		pr("\nCriadazgo: under %d, activity %s, living in the employer's household, employer not family %s\n", cz.AgeLimit, cz.Activity, tag(cz.Provenance))
		note(cz.Provenance, "      ")
		pr("\nActivities:\n")
		for _, a := range cl.Activities {
			pr("  %s: %s (hazardous: %s", a.ID, a.Label.In(lang), a.Hazardous)
			if a.WorstForm != "" {
				pr("; worst form: %s", a.WorstForm)
			}
			pr(") %s\n", tag(a.Provenance))
		}
		for _, list := range []struct {
			title string
			terms []Term
		}{{"Hazards", cl.Hazards}, {"Worst forms", cl.WorstForms}} {
			pr("\n%s:\n", list.title)
			for _, t := range list.terms {
				pr("  %s: %s %s\n", t.ID, t.Label.In(lang), tag(t.Provenance))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func wrapString(text, indent string, width int) string {
	var b strings.Builder
	wrap(&b, text, indent, width)
	return b.String()
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }
