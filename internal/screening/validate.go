package screening

import (
	"regexp"
	"strconv"
)

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,63}$`)

func validID(s string) bool { return idPattern.MatchString(s) }

var clockPattern = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// checker collects the semantic problems of a rulebook; a rulebook with any is rejected.
type checker struct {
	errs    RulebookErrors
	sources map[string]bool
}

func (c *checker) add(at location, sub, format string, args ...any) {
	c.errs.add(at, sub, format, args...)
}

func (c *checker) header(h *Header, framework string) {
	if h.Framework != framework {
		c.add(h.at, "framework", "must be %q", framework)
	}
	if !validID(h.ID) {
		c.add(h.at, "id", "must be lower-case letters, digits, '-' or '_'")
	}
	if h.Version == "" {
		c.add(h.at, "version", "is required")
	}
	c.text(h.at, "title", h.Title)
	c.sources = map[string]bool{}
	for i, s := range h.Sources {
		switch {
		case s.ID == "":
			c.add(h.at, "sources["+strconv.Itoa(i)+"].id", "is required")
		case c.sources[s.ID]:
			c.add(s.at, "id", "duplicate source id %q", s.ID)
		case s.Citation == "":
			c.add(s.at, "citation", "every source needs a citation")
		}
		c.sources[s.ID] = true
	}
}

func (c *checker) text(at location, sub string, t Text) {
	if t.ES == "" {
		c.add(at, joinPath(sub, "es"), "the Spanish text is required")
	}
	if t.EN == "" {
		c.add(at, joinPath(sub, "en"), "the English text is required")
	}
}

// provenance checks that an item cites a known source with a known confidence, and that an
// item to verify says what to verify.
func (c *checker) provenance(at location, p *Provenance) {
	switch {
	case p.Source == "":
		c.add(at, "source", "every rule and parameter must cite its source")
	case !c.sources[p.Source]:
		c.add(at, "source", "unknown source %q (not in this framework's sources)", p.Source)
	}
	switch p.Confidence {
	case Verified, VerifiedSecondary, Secondary:
	case Unconfirmed:
		if p.Note == nil {
			c.add(at, "note", "an item to verify (confidence U) needs a note saying what to verify")
		}
	default:
		c.add(at, "confidence", "must be V, V2, S or U")
	}
	if p.Note != nil {
		c.text(at, "note", *p.Note)
	}
}

func (c *checker) required(at location, sub string, present bool) bool {
	if !present {
		c.add(at, sub, "is required")
	}
	return present
}

func (c *checker) intParam(h *Header, sub string, p *IntParameter, min, max int) {
	if !c.required(h.at, sub, p != nil) {
		return
	}
	if p.Value < min || p.Value > max {
		c.add(p.at, "value", "must be between %d and %d", min, max)
	}
	c.text(p.at, "label", p.Label)
	c.provenance(p.at, &p.Provenance)
}

// checkKeys checks a keyed list: valid, unique ids. It returns the ids seen.
func checkKeys[T keyed](c *checker, items []T, at func(int) location) map[string]bool {
	seen := make(map[string]bool, len(items))
	for i, item := range items {
		id := item.key()
		switch {
		case !validID(id):
			c.add(at(i), "id", "must be lower-case letters, digits, '-' or '_'")
		case seen[id]:
			c.add(at(i), "id", "duplicate id %q", id)
		}
		seen[id] = true
	}
	return seen
}

func (c *checker) terms(terms []Term) map[string]bool {
	seen := checkKeys(c, terms, func(i int) location { return terms[i].at })
	for i := range terms {
		c.text(terms[i].at, "label", terms[i].Label)
		c.provenance(terms[i].at, &terms[i].Provenance)
	}
	return seen
}

func validStrength(s Strength) bool {
	return s == Strong || s == Medium || s == Weak || s == StrengthNone
}

// compile checks the rulebook as a whole (cross references between frameworks included) and
// builds the lookups the engine uses.
func (r *Rulebook) compile() error {
	c := &checker{}
	top := location{}
	if r.Trafficking == nil || r.ILO11 == nil || r.ICLS == nil || r.ChildLabour == nil {
		c.add(top, "", "a rulebook needs the four frameworks: trafficking, forced_labour_ilo11, forced_labour_icls, child_labour")
		return c.errs
	}
	cl := r.ChildLabour
	t := r.Trafficking

	// Child labour first: its vocabularies are referenced by the other frameworks.
	c.header(&cl.Header, FrameworkChildLabour)
	c.intParam(&cl.Header, "age_limit", cl.AgeLimit, 1, 120)
	c.intParam(&cl.Header, "minimum_age", cl.MinimumAge, 0, 120)
	c.intParam(&cl.Header, "hazardous_age_limit", cl.HazardousAgeLimit, 1, 120)
	checkKeys(c, cl.SDGBands, func(i int) location { return cl.SDGBands[i].at })
	for i := range cl.SDGBands {
		b := &cl.SDGBands[i]
		if b.MinAge < 0 || b.MaxAge < b.MinAge || b.MaxAge > 120 {
			c.add(b.at, "max_age", "the band must satisfy 0 <= min_age <= max_age <= 120")
		}
		for _, th := range []struct {
			sub string
			h   *HourThreshold
		}{{"economic", b.Economic}, {"chores", b.Chores}} {
			sub, h := th.sub, th.h
			if h == nil {
				continue
			}
			if h.Comparison != "at_least" && h.Comparison != "more_than" {
				c.add(b.at, sub+".comparison", "must be at_least or more_than")
			}
			if h.Hours < 0 || h.Hours > HoursPerWeek {
				c.add(b.at, sub+".hours", "must be between 0 and %d", HoursPerWeek)
			}
		}
		if b.Economic != nil && b.EconomicCategory != CategoryBelowMinimumAge && b.EconomicCategory != CategoryExcessiveHours {
			c.add(b.at, "economic_category", "must be below_minimum_age or excessive_hours")
		}
		c.provenance(b.at, &b.Provenance)
	}
	checkKeys(c, cl.AdolescentHours, func(i int) location { return cl.AdolescentHours[i].at })
	for i := range cl.AdolescentHours {
		h := &cl.AdolescentHours[i]
		if h.MinAge < 0 || h.MaxAge < h.MinAge || h.MaxAge > 120 {
			c.add(h.at, "max_age", "the band must satisfy 0 <= min_age <= max_age <= 120")
		}
		if h.MaxHoursPerWeek <= 0 || h.MaxHoursPerWeek > HoursPerWeek {
			c.add(h.at, "max_hours_per_week", "must be more than 0 and at most %d", HoursPerWeek)
		}
		if h.MaxHoursPerDay <= 0 || h.MaxHoursPerDay > 24 {
			c.add(h.at, "max_hours_per_day", "must be more than 0 and at most 24")
		}
		c.provenance(h.at, &h.Provenance)
	}
	if c.required(cl.at, "night_work", cl.NightWork != nil) {
		n := cl.NightWork
		if !clockPattern.MatchString(n.From) {
			c.add(n.at, "from", "must be a time HH:MM")
		}
		if !clockPattern.MatchString(n.To) {
			c.add(n.at, "to", "must be a time HH:MM")
		}
		if n.AgeLimit < 1 || n.AgeLimit > 120 {
			c.add(n.at, "age_limit", "must be between 1 and 120")
		}
		c.provenance(n.at, &n.Provenance)
	}
	c.terms(cl.Hazards)
	worstForms := c.terms(cl.WorstForms)
	activities := checkKeys(c, cl.Activities, func(i int) location { return cl.Activities[i].at })
	for i := range cl.Activities {
		a := &cl.Activities[i]
		c.text(a.at, "label", a.Label)
		if a.Hazardous != "no" && a.Hazardous != "always" && a.Hazardous != "third_party" {
			c.add(a.at, "hazardous", "must be no, always or third_party")
		}
		if a.WorstForm != "" && !worstForms[a.WorstForm] {
			c.add(a.at, "worst_form", "unknown worst form %q", a.WorstForm)
		}
		c.provenance(a.at, &a.Provenance)
	}
	if c.required(cl.at, "criadazgo", cl.Criadazgo != nil) {
		k := cl.Criadazgo
		if !activities[k.Activity] {
			c.add(k.at, "activity", "unknown activity %q", k.Activity)
		}
		if k.AgeLimit < 1 || k.AgeLimit > 120 {
			c.add(k.at, "age_limit", "must be between 1 and 120")
		}
		c.provenance(k.at, &k.Provenance)
	}

	// Trafficking.
	c.header(&t.Header, FrameworkTrafficking)
	if t.Exploitation != "labour" && t.Exploitation != "sexual" {
		c.add(t.at, "exploitation", "must be labour or sexual")
	}
	c.intParam(&t.Header, "child_age_limit", t.ChildAgeLimit, 1, 120)
	c.terms(t.Acts)
	dims := checkKeys(c, t.Dimensions, func(i int) location { return t.Dimensions[i].at })
	for i := range t.Dimensions {
		c.text(t.Dimensions[i].at, "name", t.Dimensions[i].Name)
		c.provenance(t.Dimensions[i].at, &t.Dimensions[i].Provenance)
	}
	indicators := checkKeys(c, t.Indicators, func(i int) location { return t.Indicators[i].at })
	for i := range t.Indicators {
		ind := &t.Indicators[i]
		if !dims[ind.Dimension] {
			c.add(ind.at, "dimension", "unknown dimension %q", ind.Dimension)
		}
		if !validStrength(ind.Adult) {
			c.add(ind.at, "adult", "must be strong, medium, weak or none")
		}
		if !validStrength(ind.Child) {
			c.add(ind.at, "child", "must be strong, medium, weak or none")
		}
		c.text(ind.at, "label", ind.Label)
		c.provenance(ind.at, &ind.Provenance)
	}
	if c.required(t.at, "dimension_rule", t.DimensionRule != nil) {
		dr := t.DimensionRule
		if len(dr.Thresholds) == 0 {
			c.add(dr.at, "thresholds", "needs at least one threshold")
		}
		for i, th := range dr.Thresholds {
			if th.Strong < 0 || th.Medium < 0 || th.Weak < 0 || th.MediumOrWeak < 0 ||
				th.Strong+th.Medium+th.Weak+th.MediumOrWeak == 0 {
				c.add(dr.at, "thresholds["+strconv.Itoa(i)+"]", "counts must be positive and at least one must be set")
			}
		}
		c.provenance(dr.at, &dr.Provenance)
	}
	if c.required(t.at, "combination", t.Combination != nil) {
		for _, cr := range []struct {
			sub  string
			rule *CombinationRule
		}{{"combination.adult", t.Combination.Adult}, {"combination.child", t.Combination.Child}} {
			sub, rule := cr.sub, cr.rule
			if !c.required(t.at, sub, rule != nil) {
				continue
			}
			if len(rule.AllOf) == 0 {
				c.add(rule.at, "all_of", "needs at least one clause")
			}
			seen := map[string]bool{}
			for j := range rule.AllOf {
				cl := &rule.AllOf[j]
				if !validID(cl.ID) || seen[cl.ID] {
					c.add(cl.at, "id", "needs a valid id, unique in the rule")
				}
				seen[cl.ID] = true
				c.text(cl.at, "label", cl.Label)
				if len(cl.AnyOf) == 0 {
					c.add(cl.at, "any_of", "needs at least one dimension")
				}
				for k, d := range cl.AnyOf {
					if !dims[d] {
						c.add(cl.at, "any_of["+strconv.Itoa(k)+"]", "unknown dimension %q", d)
					}
				}
				if ev := cl.OrEvidence; ev != nil {
					if len(ev.IndicatorIn) == 0 {
						c.add(ev.at, "indicator_in", "needs at least one dimension")
					}
					if len(ev.WhenPositive) == 0 {
						c.add(ev.at, "when_positive", "needs at least one dimension (evidence alone never meets a clause)")
					}
					for _, list := range []struct {
						name string
						ids  []string
					}{{"indicator_in", ev.IndicatorIn}, {"when_positive", ev.WhenPositive}} {
						for k, d := range list.ids {
							if !dims[d] {
								c.add(ev.at, list.name+"["+strconv.Itoa(k)+"]", "unknown dimension %q", d)
							}
						}
					}
					c.provenance(ev.at, &ev.Provenance)
				}
			}
			c.provenance(rule.at, &rule.Provenance)
		}
	}

	evidence := func(m *MappedIndicator) {
		for k, id := range m.From.Indicators {
			if !indicators[id] {
				c.add(m.at, "from.indicators["+strconv.Itoa(k)+"]", "unknown indicator id %q", id)
			}
		}
		for k, id := range m.From.WorstForms {
			if !worstForms[id] {
				c.add(m.at, "from.worst_forms["+strconv.Itoa(k)+"]", "unknown worst form %q", id)
			}
		}
	}
	mapped := func(list []MappedIndicator) {
		checkKeys(c, list, func(i int) location { return list[i].at })
		for i := range list {
			c.text(list[i].at, "label", list[i].Label)
			evidence(&list[i])
			c.provenance(list[i].at, &list[i].Provenance)
		}
	}

	// ILO 11.
	c.header(&r.ILO11.Header, FrameworkILO11)
	if c.required(r.ILO11.at, "listing_rule", r.ILO11.ListingRule != nil) {
		c.provenance(r.ILO11.ListingRule.at, r.ILO11.ListingRule)
	}
	mapped(r.ILO11.Indicators)

	// ICLS.
	ic := r.ICLS
	c.header(&ic.Header, FrameworkICLS)
	if c.required(ic.at, "definition", ic.Definition != nil) {
		c.provenance(ic.Definition.at, ic.Definition)
	}
	mapped(ic.Involuntariness)
	mapped(ic.Coercion)
	// One recorded fact must not satisfy both halves of the definition on its own.
	involuntary := map[string]string{}
	for _, m := range ic.Involuntariness {
		for _, id := range m.From.Indicators {
			involuntary[id] = m.ID
		}
	}
	for _, m := range ic.Coercion {
		for k, id := range m.From.Indicators {
			if other, ok := involuntary[id]; ok {
				c.add(m.at, "from.indicators["+strconv.Itoa(k)+"]", "indicator %q is already mapped to the involuntariness item %q; one fact cannot prove both halves of the definition", id, other)
			}
		}
	}
	if c.required(ic.at, "children", ic.Children != nil) {
		ch := ic.Children
		if ch.AgeLimit < 1 || ch.AgeLimit > 120 {
			c.add(ch.at, "age_limit", "must be between 1 and 120")
		}
		for k, id := range ch.WorstForms {
			if !worstForms[id] {
				c.add(ch.at, "worst_forms["+strconv.Itoa(k)+"]", "unknown worst form %q", id)
			}
		}
		c.provenance(ch.at, &ch.Provenance)
	}
	if len(c.errs) > 0 {
		return c.errs
	}
	r.buildIndex()
	return nil
}

func (r *Rulebook) buildIndex() {
	t, cl := r.Trafficking, r.ChildLabour
	x := index{
		indicators:   make(map[string]*Indicator, len(t.Indicators)),
		dimensionPos: make(map[string]int, len(t.Dimensions)),
		acts:         make(map[string]*Term, len(t.Acts)),
		activities:   make(map[string]*Activity, len(cl.Activities)),
		hazards:      make(map[string]*Term, len(cl.Hazards)),
		worstForms:   make(map[string]*Term, len(cl.WorstForms)),
	}
	for i := range t.Indicators {
		x.indicators[t.Indicators[i].ID] = &t.Indicators[i]
	}
	for i := range t.Dimensions {
		x.dimensionPos[t.Dimensions[i].ID] = i
	}
	for i := range t.Acts {
		x.acts[t.Acts[i].ID] = &t.Acts[i]
	}
	for i := range cl.Activities {
		x.activities[cl.Activities[i].ID] = &cl.Activities[i]
	}
	for i := range cl.Hazards {
		x.hazards[cl.Hazards[i].ID] = &cl.Hazards[i]
	}
	for i := range cl.WorstForms {
		x.worstForms[cl.WorstForms[i].ID] = &cl.WorstForms[i]
	}
	r.idx = x
}
