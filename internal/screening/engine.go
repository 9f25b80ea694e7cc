package screening

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Screen applies every framework of the rulebook to a validated input (see ParseInput and
// Validate) and explains the outcome in lang. It is pure and deterministic.
func (r *Rulebook) Screen(in Input, lang Lang) *Result {
	m := msgs(lang)
	res := &Result{Rulebook: r.Ref(), Lang: lang, Input: in, Caution: m.caution}
	present := make(map[string]bool, len(in.Indicators))
	for _, id := range in.Indicators {
		present[id] = true
	}
	s := &screening{r: r, in: &in, lang: lang, m: m, present: present, age: in.AgeYears()}
	res.Results = []FrameworkResult{s.trafficking(), s.ilo11(), s.icls(), s.childLabour()}
	return res
}

type screening struct {
	r       *Rulebook
	in      *Input
	lang    Lang
	m       *messages
	present map[string]bool
	age     int
}

func (s *screening) flag(flags []VerifyFlag, id string, p *Provenance) []VerifyFlag {
	if !p.ToVerify() {
		return flags
	}
	note := ""
	if p.Note != nil {
		note = p.Note.In(s.lang)
	}
	return append(flags, VerifyFlag{ID: id, Note: note})
}

func citation(h *Header, p *Provenance) string {
	for _, src := range h.Sources {
		if src.ID == p.Source {
			return src.Citation
		}
	}
	return p.Source
}

func (s *screening) trafficking() FrameworkResult {
	b := s.r.Trafficking
	m := s.m
	out := FrameworkResult{Framework: FrameworkTrafficking, Title: b.Title.In(s.lang), Rulebook: b.Ref()}
	if s.in.Exploitation != b.Exploitation {
		out.Outcome, out.Reason = OutcomeNotAssessed, ReasonListNotLoaded
		out.Explanation = fmt.Sprintf(m.trafNotAssessed, m.exploitation[s.in.Exploitation])
		return out
	}
	child := s.age < b.ChildAgeLimit.Value
	rule, listName := b.Combination.Adult, m.listAdult
	out.List = "adult"
	if child {
		rule, listName = b.Combination.Child, m.listChild
		out.List = "child"
	}
	out.ToVerify = s.flag(out.ToVerify, "dimension_rule", &b.DimensionRule.Provenance)
	out.ToVerify = s.flag(out.ToVerify, "combination."+out.List, &rule.Provenance)

	// Dimensions in rulebook order, indicators in rulebook order within each.
	out.Dimensions = make([]DimensionResult, len(b.Dimensions))
	for i, d := range b.Dimensions {
		out.Dimensions[i] = DimensionResult{ID: d.ID, Name: d.Name.In(s.lang), Indicators: []IndicatorResult{}}
	}
	var notCounted []string
	for i := range b.Indicators {
		ind := &b.Indicators[i]
		if !s.present[ind.ID] {
			continue
		}
		st := ind.Adult
		if child {
			st = ind.Child
		}
		d := &out.Dimensions[s.r.idx.dimensionPos[ind.Dimension]]
		d.Indicators = append(d.Indicators, IndicatorResult{ID: ind.ID, Strength: st, Label: ind.Label.In(s.lang), ToVerify: ind.ToVerify()})
		switch st {
		case Strong:
			d.Counts.Strong++
		case Medium:
			d.Counts.Medium++
		case Weak:
			d.Counts.Weak++
		default:
			notCounted = append(notCounted, ind.ID)
		}
		out.ToVerify = s.flag(out.ToVerify, ind.ID, &ind.Provenance)
	}
	positive := map[string]bool{}
	for i := range out.Dimensions {
		d := &out.Dimensions[i]
		for _, th := range b.DimensionRule.Thresholds {
			if thresholdMet(th, d.Counts) {
				d.Positive, d.Threshold = true, s.describeThreshold(th)
				positive[d.ID] = true
				break
			}
		}
	}

	src := citation(&b.Header, &rule.Provenance)
	var metLabels, missingLabels []string
	all := true
	if rule.RequireAct {
		c := ClauseResult{ID: "act", Label: m.actClause, Met: len(s.in.Act) > 0, By: slices.Clone(s.in.Act), Source: citation(&b.Header, &b.ChildAgeLimit.Provenance)}
		if c.Met {
			labels := make([]string, len(s.in.Act))
			for i, a := range s.in.Act {
				labels[i] = s.r.idx.acts[a].Label.In(s.lang)
			}
			c.Detail = strings.Join(labels, ", ")
			metLabels = append(metLabels, m.actClause+" ("+c.Detail+")")
		} else {
			all = false
			missingLabels = append(missingLabels, m.actClause)
		}
		out.Clauses = append(out.Clauses, c)
	}
	for _, cl := range rule.AllOf {
		c := ClauseResult{ID: cl.ID, Label: cl.Label.In(s.lang), Source: src, ToVerify: rule.ToVerify()}
		var names []string
		for _, d := range cl.AnyOf {
			if positive[d] {
				c.By = append(c.By, d)
				names = append(names, out.Dimensions[s.r.idx.dimensionPos[d]].Name)
			}
		}
		c.Met = len(c.By) > 0
		if !c.Met && cl.OrEvidence != nil {
			s.clauseByEvidence(&c, cl.OrEvidence, &out, positive)
			if c.Met {
				c.Source = citation(&b.Header, &cl.OrEvidence.Provenance)
				out.ToVerify = s.flag(out.ToVerify, "combination."+out.List+"."+cl.ID+".or_evidence", &cl.OrEvidence.Provenance)
				metLabels = append(metLabels, c.Label+" ("+c.Detail+")")
				out.Clauses = append(out.Clauses, c)
				continue
			}
		}
		if c.Met {
			c.Detail = strings.Join(names, ", ")
			metLabels = append(metLabels, c.Label+" ("+c.Detail+")")
		} else {
			all = false
			missingLabels = append(missingLabels, c.Label)
		}
		out.Clauses = append(out.Clauses, c)
	}

	var expl strings.Builder
	if all {
		out.Outcome = OutcomeIndicated
		fmt.Fprintf(&expl, m.trafIndicated, listName, strings.Join(metLabels, "; "))
	} else {
		out.Outcome = OutcomeNotIndicated
		fmt.Fprintf(&expl, m.trafNotIndicated, listName, strings.Join(missingLabels, "; "))
		if len(metLabels) > 0 {
			fmt.Fprintf(&expl, m.trafAlsoMet, strings.Join(metLabels, "; "))
		}
	}
	if child {
		expl.WriteString(m.trafChildMeans)
	}
	if len(notCounted) > 0 {
		fmt.Fprintf(&expl, m.trafNotCounted, strings.Join(notCounted, ", "))
	}
	out.Explanation = expl.String()
	return out
}

// clauseByEvidence meets c when every dimension of ev.WhenPositive is positive and at least
// one indicator of a dimension of ev.IndicatorIn was recorded (and counts on the list applied).
// By then names those indicators, then the positive dimensions that allowed them.
func (s *screening) clauseByEvidence(c *ClauseResult, ev *ClauseEvidence, out *FrameworkResult, positive map[string]bool) {
	var dims []string
	for _, d := range ev.WhenPositive {
		if !positive[d] {
			return
		}
		dims = append(dims, out.Dimensions[s.r.idx.dimensionPos[d]].Name)
	}
	var ids, labels []string
	for _, d := range ev.IndicatorIn {
		for _, ind := range out.Dimensions[s.r.idx.dimensionPos[d]].Indicators {
			if ind.Strength == Strong || ind.Strength == Medium || ind.Strength == Weak {
				ids = append(ids, ind.ID)
				labels = append(labels, ind.Label)
			}
		}
	}
	if len(ids) == 0 {
		return
	}
	c.Met, c.Via = true, "evidence"
	c.By = append(ids, ev.WhenPositive...)
	c.Detail = fmt.Sprintf(s.m.clauseEvidence, strings.Join(labels, ", "), strings.Join(dims, ", "))
	if ev.ToVerify() {
		c.ToVerify = true
	}
}

func thresholdMet(th Threshold, c Counts) bool {
	return c.Strong >= th.Strong && c.Medium >= th.Medium && c.Weak >= th.Weak &&
		c.Medium+c.Weak >= th.MediumOrWeak
}

func (s *screening) describeThreshold(th Threshold) string {
	var parts []string
	add := func(n int, one, many string) {
		switch {
		case n == 1:
			parts = append(parts, "1 "+one)
		case n > 1:
			parts = append(parts, strconv.Itoa(n)+" "+many)
		}
	}
	m := s.m
	add(th.Strong, m.strength[Strong], m.strengths[Strong])
	add(th.Medium, m.strength[Medium], m.strengths[Medium])
	add(th.MediumOrWeak, m.mediumOrWeak, m.mediumsWeaks)
	add(th.Weak, m.strength[Weak], m.strengths[Weak])
	return strings.Join(parts, " + ")
}

// mapped returns the items whose evidence is present, with the recorded facts behind each.
func (s *screening) mapped(items []MappedIndicator, kind string) []MappedResult {
	var out []MappedResult
	for i := range items {
		it := &items[i]
		var from []string
		for _, id := range it.From.Indicators {
			if s.present[id] {
				from = append(from, id)
			}
		}
		for _, wf := range it.From.WorstForms {
			if slices.Contains(s.in.Work.WorstForms, wf) {
				from = append(from, wf)
			}
		}
		if len(from) > 0 {
			out = append(out, MappedResult{ID: it.ID, Label: it.Label.In(s.lang), Kind: kind, From: from})
		}
	}
	return out
}

func labels(items []MappedResult) string {
	l := make([]string, len(items))
	for i, it := range items {
		l[i] = it.Label
	}
	return strings.Join(l, ", ")
}

func mappedIDs(items []MappedResult) []string {
	l := make([]string, len(items))
	for i, it := range items {
		l[i] = it.ID
	}
	return l
}

func (s *screening) ilo11() FrameworkResult {
	b := s.r.ILO11
	out := FrameworkResult{Framework: FrameworkILO11, Title: b.Title.In(s.lang), Rulebook: b.Ref()}
	found := s.mapped(b.Indicators, "")
	out.Indicators = mappedIDs(found)
	out.Evidence = found
	if len(found) == 0 {
		out.Explanation = s.m.iloNone
	} else {
		out.Explanation = fmt.Sprintf(s.m.iloPresent, len(found), len(b.Indicators), labels(found))
	}
	for i := range b.Indicators {
		if slices.Contains(out.Indicators, b.Indicators[i].ID) {
			out.ToVerify = s.flag(out.ToVerify, b.Indicators[i].ID, &b.Indicators[i].Provenance)
		}
	}
	return out
}

func (s *screening) icls() FrameworkResult {
	b := s.r.ICLS
	m := s.m
	out := FrameworkResult{Framework: FrameworkICLS, Title: b.Title.In(s.lang), Rulebook: b.Ref()}
	if s.in.Exploitation != s.r.Trafficking.Exploitation {
		out.Outcome, out.Reason = OutcomeNotAssessed, ReasonListNotLoaded
		out.Explanation = fmt.Sprintf(m.iclsNotAssessed, m.exploitation[s.in.Exploitation])
		return out
	}
	invol := s.mapped(b.Involuntariness, "involuntariness")
	coerc := s.mapped(b.Coercion, "coercion")
	out.Evidence = append(slices.Clone(invol), coerc...)
	out.ToVerify = s.flag(out.ToVerify, "definition", b.Definition)

	adult := ClauseResult{ID: "involuntariness_and_coercion", Label: m.iclsAdultClause, Met: len(invol) > 0 && len(coerc) > 0,
		By: append(mappedIDs(invol), mappedIDs(coerc)...), Source: citation(&b.Header, b.Definition), ToVerify: b.Definition.ToVerify()}
	var reasons []string
	if len(invol) > 0 {
		reasons = append(reasons, fmt.Sprintf(m.iclsInvoluntary, labels(invol)))
	} else {
		reasons = append(reasons, m.iclsNoInvoluntary)
	}
	if len(coerc) > 0 {
		reasons = append(reasons, fmt.Sprintf(m.iclsCoercion, labels(coerc)))
	} else {
		reasons = append(reasons, m.iclsNoCoercion)
	}
	adult.Detail = strings.Join(reasons, m.and)
	out.Clauses = []ClauseResult{adult}
	indicated := adult.Met
	decisive := adult.Detail

	ch := b.Children
	if s.age < ch.AgeLimit {
		out.ToVerify = s.flag(out.ToVerify, "children", &ch.Provenance)
		src := citation(&b.Header, &ch.Provenance)
		cc := ClauseResult{ID: "child_third_party_coercion", Label: m.iclsChildClause1, Met: ch.CoercionSuffices && len(coerc) > 0,
			Source: src, ToVerify: ch.ToVerify()}
		if cc.Met {
			cc.By = mappedIDs(coerc)
			cc.Detail = fmt.Sprintf(m.iclsChildCoercion, labels(coerc))
		}
		cw := ClauseResult{ID: "child_worst_form", Label: m.iclsChildClause2, Source: src, ToVerify: ch.ToVerify()}
		var wl []string
		for _, wf := range s.in.Work.WorstForms {
			if slices.Contains(ch.WorstForms, wf) {
				cw.By = append(cw.By, wf)
				wl = append(wl, s.r.idx.worstForms[wf].Label.In(s.lang))
			}
		}
		cw.Met = len(cw.By) > 0
		if cw.Met {
			cw.Detail = fmt.Sprintf(m.iclsChildWorst, strings.Join(wl, ", "))
		}
		out.Clauses = append(out.Clauses, cc, cw)
		if !indicated {
			var why []string
			for _, c := range []ClauseResult{cc, cw} {
				if c.Met {
					why = append(why, c.Detail)
				}
			}
			if len(why) > 0 {
				indicated, decisive = true, strings.Join(why, m.and)
			}
		}
	}
	if indicated {
		out.Outcome = OutcomeIndicated
		out.Explanation = fmt.Sprintf(m.iclsIndicated, decisive)
	} else {
		out.Outcome = OutcomeNotIndicated
		out.Explanation = fmt.Sprintf(m.iclsNotIndicated, decisive)
	}
	return out
}

func hours(h float64) string { return strconv.FormatFloat(h, 'f', -1, 64) }

func (s *screening) comparison(c string) string {
	if c == "at_least" {
		return s.m.atLeast
	}
	return s.m.moreThan
}

func (s *screening) childLabour() FrameworkResult {
	b := s.r.ChildLabour
	m := s.m
	w := &s.in.Work
	out := FrameworkResult{Framework: FrameworkChildLabour, Title: b.Title.In(s.lang), Rulebook: b.Ref()}
	if s.age >= b.AgeLimit.Value {
		out.Outcome, out.Reason = OutcomeNotApplicable, ReasonAdult
		out.Explanation = fmt.Sprintf(m.clNotApplicable, b.AgeLimit.Value)
		return out
	}
	clause := func(id, category, label string, p *Provenance) ClauseResult {
		out.ToVerify = s.flag(out.ToVerify, id, p)
		return ClauseResult{ID: id, Label: label, Category: category, Source: citation(&b.Header, p), ToVerify: p.ToVerify()}
	}

	// Worst forms: recorded directly, or implied by an activity (sex work of a child).
	c := clause("worst_form", CategoryWorstForm, m.clWorstForm, &b.WorstForms[0].Provenance)
	var wl []string
	for _, wf := range w.WorstForms {
		c.By = append(c.By, wf)
		wl = append(wl, s.r.idx.worstForms[wf].Label.In(s.lang))
	}
	for _, a := range w.Activities {
		if act := s.r.idx.activities[a]; act.WorstForm != "" && !slices.Contains(c.By, act.WorstForm) {
			c.By = append(c.By, a)
			wl = append(wl, s.r.idx.worstForms[act.WorstForm].Label.In(s.lang)+" ("+act.Label.In(s.lang)+")")
		}
	}
	c.Met = len(c.By) > 0
	if c.Met {
		c.Detail = fmt.Sprintf(m.clWorstFormD, strings.Join(wl, ", "))
	}
	out.Clauses = append(out.Clauses, c)

	// Hazardous work: a hazard recorded, or an activity hazardous in itself.
	hz := b.HazardousAgeLimit
	c = clause("hazardous", CategoryHazardous, fmt.Sprintf(m.clHazardous, hz.Value), &hz.Provenance)
	if s.age < hz.Value {
		var hl []string
		for _, a := range w.Activities {
			act := s.r.idx.activities[a]
			if act.Hazardous == "always" || (act.Hazardous == "third_party" && !w.EmployerIsFamily) {
				c.By = append(c.By, a)
				hl = append(hl, act.Label.In(s.lang))
				out.ToVerify = s.flag(out.ToVerify, a, &act.Provenance)
			}
		}
		for _, h := range w.Hazards {
			t := s.r.idx.hazards[h]
			c.By = append(c.By, h)
			hl = append(hl, t.Label.In(s.lang))
			out.ToVerify = s.flag(out.ToVerify, h, &t.Provenance)
		}
		c.Met = len(c.By) > 0
		if c.Met {
			c.Detail = fmt.Sprintf(m.clHazardousD, strings.Join(hl, ", "))
		}
	}
	out.Clauses = append(out.Clauses, c)

	// Paraguay's minimum age for employment.
	ma := b.MinimumAge
	if s.age < ma.Value {
		c = clause("below_minimum_age", CategoryBelowMinimumAge, fmt.Sprintf(m.clBelowMin, ma.Value), &ma.Provenance)
		c.Met = w.EconomicHoursPerWeek > 0
		if c.Met {
			c.By = []string{"economic_hours_per_week"}
			c.Detail = fmt.Sprintf(m.clBelowMinD, hours(w.EconomicHoursPerWeek), ma.Value)
		}
		out.Clauses = append(out.Clauses, c)
	}

	// SDG 8.7.1 hour thresholds for the subject's age band.
	for i := range b.SDGBands {
		band := &b.SDGBands[i]
		if s.age < band.MinAge || s.age > band.MaxAge {
			continue
		}
		if t := band.Economic; t != nil {
			c = clause("sdg_"+band.ID+"_economic", band.EconomicCategory, fmt.Sprintf(m.clSDGEconomic, band.MinAge, band.MaxAge), &band.Provenance)
			c.Met = t.Exceeded(w.EconomicHoursPerWeek)
			if c.Met {
				c.By = []string{"economic_hours_per_week"}
				c.Detail = fmt.Sprintf(m.clSDGEconomicD, hours(w.EconomicHoursPerWeek), band.MinAge, band.MaxAge, s.comparison(t.Comparison), hours(t.Hours))
			}
			out.Clauses = append(out.Clauses, c)
		}
		if t := band.Chores; t != nil {
			c = clause("sdg_"+band.ID+"_chores", CategoryHouseholdChores, fmt.Sprintf(m.clSDGChores, band.MinAge, band.MaxAge), &band.Provenance)
			c.Met = t.Exceeded(w.HouseholdChoresHoursPerWeek)
			if c.Met {
				c.By = []string{"household_chores_hours_per_week"}
				c.Detail = fmt.Sprintf(m.clSDGChoresD, hours(w.HouseholdChoresHoursPerWeek), band.MinAge, band.MaxAge, s.comparison(t.Comparison), hours(t.Hours))
			}
			out.Clauses = append(out.Clauses, c)
		}
	}

	// Paraguay's weekly hour limits for adolescents allowed to work.
	for i := range b.AdolescentHours {
		lim := &b.AdolescentHours[i]
		if s.age < lim.MinAge || s.age > lim.MaxAge {
			continue
		}
		c = clause("adolescent_hours_"+lim.ID, CategoryExcessiveHours, fmt.Sprintf(m.clAdolescent, lim.MinAge, lim.MaxAge), &lim.Provenance)
		c.Met = w.EconomicHoursPerWeek > lim.MaxHoursPerWeek
		if c.Met {
			c.By = []string{"economic_hours_per_week"}
			c.Detail = fmt.Sprintf(m.clAdolescentD, hours(w.EconomicHoursPerWeek), hours(lim.MaxHoursPerWeek), lim.MinAge, lim.MaxAge)
		}
		out.Clauses = append(out.Clauses, c)
	}

	nw := b.NightWork
	if s.age < nw.AgeLimit {
		c = clause("night_work", CategoryNightWork, m.clNight, &nw.Provenance)
		c.Met = w.NightWork
		if c.Met {
			c.By = []string{"night_work"}
			c.Detail = fmt.Sprintf(m.clNightD, nw.From, nw.To, nw.AgeLimit)
		}
		out.Clauses = append(out.Clauses, c)
	}

	cz := b.Criadazgo
	if s.age < cz.AgeLimit {
		c = clause("criadazgo", CategoryCriadazgo, m.clCriadazgo, &cz.Provenance)
		c.Met = slices.Contains(w.Activities, cz.Activity) && w.LivesInEmployerHousehold && !w.EmployerIsFamily
		if c.Met {
			c.By = []string{cz.Activity, "lives_in_employer_household", "employer_is_family"}
			c.Detail = m.clCriadazgoD
			if !w.AttendsSchool {
				c.Detail += m.clNoSchool
			}
		}
		out.Clauses = append(out.Clauses, c)
	}

	met := map[string]bool{}
	var details []string
	for _, c := range out.Clauses {
		if c.Met {
			met[c.Category] = true
			details = append(details, c.Detail)
		}
	}
	out.Categories = []string{}
	var words []string
	for _, cat := range categoryOrder {
		if met[cat] {
			out.Categories = append(out.Categories, cat)
			words = append(words, m.category[cat])
		}
	}
	if len(out.Categories) > 0 {
		out.Outcome = OutcomeChildLabour
		out.Explanation = fmt.Sprintf(m.clIs, strings.Join(words, ", ")) + " " + upperFirst(strings.Join(details, "; ")) + "."
	} else {
		out.Outcome = OutcomeNoChildLabour
		out.Explanation = m.clIsNot
	}
	return out
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = []rune(strings.ToUpper(string(r[0])))[0]
	return string(r)
}
