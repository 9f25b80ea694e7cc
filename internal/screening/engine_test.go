package screening

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func embeddedBook(t testing.TB) *Rulebook {
	t.Helper()
	rb, err := Embedded()
	if err != nil {
		t.Fatalf("embedded rulebook: %v", err)
	}
	return rb
}

// person builds a valid labour-screening input for a synthetic person of the given age.
func person(age int, mods ...func(*Input)) Input {
	in := Input{Subject: Subject{Age: &age}, Exploitation: "labour"}
	for _, m := range mods {
		m(&in)
	}
	return in
}

func indicators(ids ...string) func(*Input) { return func(in *Input) { in.Indicators = ids } }
func acts(ids ...string) func(*Input)       { return func(in *Input) { in.Act = ids } }
func work(f func(*Work)) func(*Input)       { return func(in *Input) { f(&in.Work) } }

func screenIt(t *testing.T, in Input) *Result {
	t.Helper()
	rb := embeddedBook(t)
	if err := rb.Validate(&in); err != nil {
		t.Fatalf("input rejected: %v", err)
	}
	return rb.Screen(in, English)
}

func framework(t *testing.T, r *Result, name string) *FrameworkResult {
	t.Helper()
	f, ok := r.Framework(name)
	if !ok {
		t.Fatalf("no %s result", name)
	}
	return f
}

func dimension(t *testing.T, f *FrameworkResult, id string) DimensionResult {
	t.Helper()
	for _, d := range f.Dimensions {
		if d.ID == id {
			return d
		}
	}
	t.Fatalf("no dimension %s", id)
	return DimensionResult{}
}

func clause(f *FrameworkResult, id string) (ClauseResult, bool) {
	for _, c := range f.Clauses {
		if c.ID == id {
			return c, true
		}
	}
	return ClauseResult{}, false
}

func TestDimensionRuleThresholds(t *testing.T) {
	// Each clause of the Delphi dimension rule, and the near misses around it.
	cases := []struct {
		name string
		c    Counts
		want bool
		rule string
	}{
		{"nothing", Counts{}, false, ""},
		{"2 strong", Counts{Strong: 2}, true, "2 strong"},
		{"1 strong alone", Counts{Strong: 1}, false, ""},
		{"1 strong + 1 medium", Counts{Strong: 1, Medium: 1}, true, "1 strong + 1 medium or weak"},
		{"1 strong + 1 weak", Counts{Strong: 1, Weak: 1}, true, "1 strong + 1 medium or weak"},
		{"3 medium", Counts{Medium: 3}, true, "3 medium"},
		{"2 medium", Counts{Medium: 2}, false, ""},
		{"2 medium + 1 weak", Counts{Medium: 2, Weak: 1}, true, "2 medium + 1 weak"},
		{"1 medium + 2 weak", Counts{Medium: 1, Weak: 2}, false, ""},
		{"4 weak", Counts{Weak: 4}, false, ""},
		{"1 medium + 1 weak", Counts{Medium: 1, Weak: 1}, false, ""},
		{"3 strong", Counts{Strong: 3}, true, "2 strong"},
	}
	rb := embeddedBook(t)
	s := &screening{m: msgs(English)}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, rule := false, ""
			for _, th := range rb.Trafficking.DimensionRule.Thresholds {
				if thresholdMet(th, tc.c) {
					got, rule = true, s.describeThreshold(th)
					break
				}
			}
			if got != tc.want || rule != tc.rule {
				t.Errorf("positive = %v by %q, want %v by %q", got, rule, tc.want, tc.rule)
			}
		})
	}
}

func TestDimensionRuleOnRecordedIndicators(t *testing.T) {
	cases := []struct {
		name      string
		age       int
		ids       []string
		dimension string
		positive  bool
		counts    Counts
	}{
		{"adult 2 strong at destination", 30, []string{"cd_debt_bondage", "cd_violence"}, "coercion_destination", true, Counts{Strong: 2}},
		{"adult 1 strong + 1 weak at destination", 30, []string{"cd_debt_bondage", "cd_threat_inform"}, "coercion_destination", true, Counts{Strong: 1, Weak: 1}},
		{"adult 3 medium deceptive", 30, []string{"dr_wages", "dr_conditions", "dr_housing"}, "deceptive_recruitment", true, Counts{Medium: 3}},
		{"adult 2 medium + 1 weak deceptive", 30, []string{"dr_wages", "dr_conditions", "dr_education"}, "deceptive_recruitment", true, Counts{Medium: 2, Weak: 1}},
		{"adult 2 weak vulnerability", 30, []string{"rv_cultural_beliefs", "rv_general_context"}, "recruitment_vulnerability", false, Counts{Weak: 2}},
		{"child: dr_education is strong", 12, []string{"dr_education", "dr_wages"}, "deceptive_recruitment", true, Counts{Strong: 1, Medium: 1}},
		{"adult: dr_education is weak", 40, []string{"dr_education", "dr_wages"}, "deceptive_recruitment", false, Counts{Medium: 1, Weak: 1}},
		{"child: threats are strong at destination", 15, []string{"cd_threat_violence", "cd_forced_tasks"}, "coercion_destination", true, Counts{Strong: 2}},
		{"adult: the same threats are medium", 25, []string{"cd_threat_violence", "cd_forced_tasks"}, "coercion_destination", false, Counts{Medium: 2}},
		{"child: not on the child list counts nothing", 16, []string{"ex_no_social_protection", "ex_excessive_hours"}, "exploitative_conditions", false, Counts{Strong: 1}},
		{"adult: the same indicator counts", 19, []string{"ex_no_social_protection", "ex_excessive_hours"}, "exploitative_conditions", true, Counts{Strong: 1, Medium: 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := framework(t, screenIt(t, person(tc.age, indicators(tc.ids...))), FrameworkTrafficking)
			d := dimension(t, f, tc.dimension)
			if d.Positive != tc.positive || d.Counts != tc.counts {
				t.Errorf("positive = %v counts %+v, want %v %+v", d.Positive, d.Counts, tc.positive, tc.counts)
			}
			if len(d.Indicators) != len(tc.ids) {
				t.Errorf("dimension shows %d indicators, want every recorded one (%d), counted or not", len(d.Indicators), len(tc.ids))
			}
		})
	}
}

func TestNotOnChildListIsShownAsNone(t *testing.T) {
	f := framework(t, screenIt(t, person(10, indicators("rv_false_info_law"))), FrameworkTrafficking)
	d := dimension(t, f, "recruitment_vulnerability")
	if len(d.Indicators) != 1 || d.Indicators[0].Strength != StrengthNone {
		t.Fatalf("indicators = %+v, want rv_false_info_law with strength none", d.Indicators)
	}
	if !strings.Contains(f.Explanation, "rv_false_info_law") {
		t.Errorf("explanation does not mention the uncounted indicator: %s", f.Explanation)
	}
}

var (
	deceptive   = []string{"dr_nature_job", "dr_wages"}
	coercive    = []string{"cr_violence", "cr_debt_bondage"}
	vulnerable  = []string{"rv_economic", "rv_illegal_status", "rv_lack_information"}
	exploited   = []string{"ex_excessive_hours", "ex_low_no_salary"}
	coercedDest = []string{"cd_debt_bondage", "cd_confiscation_docs"}
	vulnDest    = []string{"vd_dependency", "vd_economic", "vd_unknown_area"}
)

func join(lists ...[]string) []string { return slices.Concat(lists...) }

func TestTraffickingCombination(t *testing.T) {
	cases := []struct {
		name    string
		age     int
		acts    []string
		ids     []string
		outcome string
		list    string
		missing string
	}{
		{"adult deceptive+exploitation+coercion", 30, nil, join(deceptive, exploited, coercedDest), OutcomeIndicated, "adult", ""},
		{"adult coercive recruitment", 30, nil, join(coercive, exploited, vulnDest), OutcomeIndicated, "adult", ""},
		{"adult recruitment by vulnerability", 30, nil, join(vulnerable, exploited, coercedDest), OutcomeIndicated, "adult", ""},
		{"adult without recruitment", 30, nil, join(exploited, coercedDest), OutcomeNotIndicated, "adult", "recruitment"},
		{"adult without exploitation", 30, nil, join(deceptive, coercedDest), OutcomeNotIndicated, "adult", "exploitation"},
		{"adult without means at destination", 30, nil, join(deceptive, exploited), OutcomeNotIndicated, "adult", "means_at_destination"},
		{"adult needs no act", 18, nil, join(deceptive, exploited, coercedDest), OutcomeIndicated, "adult", ""},
		{"child act+exploitation", 17, []string{"transport"}, exploited, OutcomeIndicated, "child", ""},
		{"child without act", 17, nil, join(deceptive, exploited, coercedDest), OutcomeNotIndicated, "child", "act"},
		{"child without exploitation", 9, []string{"recruitment"}, join(deceptive, coercedDest), OutcomeNotIndicated, "child", "exploitation"},
		{"age 18 uses the adult rule", 18, []string{"transport"}, exploited, OutcomeNotIndicated, "adult", "recruitment"},
		// The scenario as an officer records it: one deception at recruitment
		// (medium: the dimension is not positive) but coercion at destination positive.
		{"adult one recruitment indicator, coercion at destination", 34, nil, []string{"dr_wages", "ex_excessive_hours", "ex_low_no_salary", "cd_confiscation_docs", "cd_debt_bondage"}, OutcomeIndicated, "adult", ""},
		{"adult one coercive recruitment indicator, coercion at destination", 34, nil, join([]string{"cr_withhold_money"}, exploited, coercedDest), OutcomeIndicated, "adult", ""},
		{"adult one recruitment indicator, only vulnerability at destination", 34, nil, join([]string{"dr_wages"}, exploited, vulnDest), OutcomeNotIndicated, "adult", "recruitment"},
		{"adult one recruitment indicator, coercion at destination not positive", 34, nil, join([]string{"dr_wages"}, exploited, []string{"cd_threat_worse", "cd_withhold_wages"}), OutcomeNotIndicated, "adult", "recruitment"},
		{"adult one recruitment indicator, no exploitation", 34, nil, join([]string{"dr_wages"}, []string{"ex_bad_living"}, coercedDest), OutcomeNotIndicated, "adult", "exploitation"},
		{"adult one medium in each dimension", 41, []string{"recruitment"}, []string{"dr_conditions", "cr_isolation", "rv_economic", "ex_bad_living", "cd_threat_worse", "vd_economic"}, OutcomeNotIndicated, "adult", "recruitment"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := framework(t, screenIt(t, person(tc.age, acts(tc.acts...), indicators(tc.ids...))), FrameworkTrafficking)
			if f.Outcome != tc.outcome || f.List != tc.list {
				t.Fatalf("outcome %s on the %s list, want %s on the %s list\n%s", f.Outcome, f.List, tc.outcome, tc.list, f.Explanation)
			}
			if tc.missing != "" {
				c, ok := clause(f, tc.missing)
				if !ok || c.Met {
					t.Errorf("clause %s = %+v, want present and not met", tc.missing, c)
				}
			}
			for _, c := range f.Clauses {
				if c.Met != (len(c.By) > 0) {
					t.Errorf("clause %s met=%v but by=%v", c.ID, c.Met, c.By)
				}
			}
		})
	}
}

func TestRecruitmentByEvidence(t *testing.T) {
	in := person(34, indicators("dr_wages", "ex_excessive_hours", "ex_low_no_salary", "cd_confiscation_docs", "cd_debt_bondage"))
	for _, lang := range []Lang{Spanish, English} {
		f := framework(t, embeddedBook(t).Screen(in, lang), FrameworkTrafficking)
		c, ok := clause(f, "recruitment")
		if !ok || !c.Met || c.Via != "evidence" || !slices.Equal(c.By, []string{"dr_wages", "coercion_destination"}) || !c.ToVerify {
			t.Fatalf("%s: recruitment clause %+v", lang, c)
		}
		if !strings.Contains(c.Source, "Palermo") {
			t.Errorf("%s: the evidence path cites %q", lang, c.Source)
		}
		if dimension(t, f, "deceptive_recruitment").Positive {
			t.Errorf("%s: one medium indicator made the dimension positive", lang)
		}
		flagged := false
		for _, v := range f.ToVerify {
			flagged = flagged || v.ID == "combination.adult.recruitment.or_evidence"
		}
		if !flagged {
			t.Errorf("%s: the evidence path is not flagged to verify: %+v", lang, f.ToVerify)
		}
		want := map[Lang]string{Spanish: "evidencia registrada: engaño", English: "recorded evidence: deceived about wages"}[lang]
		if !strings.Contains(f.Explanation, want) {
			t.Errorf("%s: explanation %q lacks %q", lang, f.Explanation, want)
		}
	}
	// A clause met by its dimensions does not say "evidence".
	f := framework(t, screenIt(t, person(30, indicators(join(deceptive, exploited, coercedDest)...))), FrameworkTrafficking)
	if c, _ := clause(f, "recruitment"); c.Via != "" {
		t.Errorf("positive dimension reported as evidence: %+v", c)
	}
}

// TestArchivedRulebookKeepsItsRules: version 1.0.0, which had no evidence path, still judges
// as it did, so that screenings it stored are reproduced exactly.
func TestArchivedRulebookKeepsItsRules(t *testing.T) {
	old, err := Archived()
	if err != nil || len(old) == 0 {
		t.Fatalf("archived rulebooks: %v, %d", err, len(old))
	}
	var v1 *Rulebook
	for _, rb := range old {
		if rb.Version == "1.0.0" {
			v1 = rb
		}
	}
	if v1 == nil || v1.ID != EmbeddedID {
		t.Fatal("py-2026@1.0.0 is not archived")
	}
	in := person(34, indicators("dr_wages", "ex_excessive_hours", "ex_low_no_salary", "cd_confiscation_docs", "cd_debt_bondage"))
	if f := framework(t, v1.Screen(in, English), FrameworkTrafficking); f.Outcome != OutcomeNotIndicated {
		t.Errorf("1.0.0 now says %s", f.Outcome)
	}
	if r := v1.Screen(in, English); r.Rulebook.Version != "1.0.0" {
		t.Errorf("result names %+v", r.Rulebook)
	}
	cur := embeddedBook(t)
	if cur.Version == v1.Version {
		t.Error("the current rulebook has an archived version number")
	}
}

func TestChildMeansAreEvidenceNotRequired(t *testing.T) {
	f := framework(t, screenIt(t, person(14, acts("recruitment"), indicators(join(exploited, coercedDest)...))), FrameworkTrafficking)
	if f.Outcome != OutcomeIndicated {
		t.Fatalf("outcome %s", f.Outcome)
	}
	if !dimension(t, f, "coercion_destination").Positive {
		t.Error("the means dimension is not reported as evidence")
	}
	if _, ok := clause(f, "means_at_destination"); ok {
		t.Error("the child rule must not require means")
	}
}

func TestSexualScreeningIsNotAssessed(t *testing.T) {
	r := screenIt(t, person(20, func(in *Input) { in.Exploitation = "sexual" }, indicators(join(deceptive, exploited, coercedDest)...)))
	for _, name := range []string{FrameworkTrafficking, FrameworkICLS} {
		f := framework(t, r, name)
		if f.Outcome != OutcomeNotAssessed || f.Reason != ReasonListNotLoaded {
			t.Errorf("%s: outcome %s reason %s, want not_assessed list_not_loaded", name, f.Outcome, f.Reason)
		}
		if !strings.Contains(f.Explanation, "not loaded") || len(f.Dimensions) > 0 || len(f.Clauses) > 0 {
			t.Errorf("%s: must say plainly the list is not loaded and decide nothing: %+v", name, f)
		}
	}
}

func TestICLSForcedLabour(t *testing.T) {
	cases := []struct {
		name    string
		in      Input
		outcome string
		clause  string
	}{
		{"involuntariness and coercion", person(30, indicators("ex_low_no_salary", "cd_confiscation_docs")), OutcomeIndicated, "involuntariness_and_coercion"},
		{"involuntariness only", person(30, indicators("ex_low_no_salary", "ex_excessive_hours")), OutcomeNotIndicated, ""},
		{"coercion only, adult", person(30, indicators("cd_debt_bondage")), OutcomeNotIndicated, ""},
		{"coercion only, child", person(17, indicators("cd_debt_bondage")), OutcomeIndicated, "child_third_party_coercion"},
		{"worst form, child", person(12, work(func(w *Work) { w.WorstForms = []string{"illicit_activities"} })), OutcomeIndicated, "child_worst_form"},
		{"worst form recorded for an adult", person(18, work(func(w *Work) { w.WorstForms = []string{"forced_labour"} })), OutcomeNotIndicated, ""},
		{"unmapped indicators", person(30, indicators("vd_economic", "rv_economic")), OutcomeNotIndicated, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := framework(t, screenIt(t, tc.in), FrameworkICLS)
			if f.Outcome != tc.outcome {
				t.Fatalf("outcome %s, want %s: %s", f.Outcome, tc.outcome, f.Explanation)
			}
			if tc.clause != "" {
				if c, ok := clause(f, tc.clause); !ok || !c.Met {
					t.Errorf("clause %s not met: %+v", tc.clause, f.Clauses)
				}
			}
		})
	}
}

func TestICLSMappingExamplesOfTheReference(t *testing.T) {
	// The reference gives these mappings as examples; they are part of the contract.
	rb := embeddedBook(t)
	want := map[string]string{
		"dr_nature_job":        "job_other_than_agreed",
		"ex_low_no_salary":     "very_low_or_no_wages",
		"cd_confiscation_docs": "withholding_documents",
		"cd_debt_bondage":      "debt_bondage",
	}
	got := map[string]string{}
	for _, list := range [][]MappedIndicator{rb.ICLS.Involuntariness, rb.ICLS.Coercion} {
		for _, m := range list {
			for _, id := range m.From.Indicators {
				got[id] = m.ID
			}
		}
	}
	for id, item := range want {
		if got[id] != item {
			t.Errorf("%s maps to %q, want %q", id, got[id], item)
		}
	}
}

func TestILO11ListsWithoutVerdict(t *testing.T) {
	f := framework(t, screenIt(t, person(30, indicators("cd_debt_bondage", "dr_wages", "ex_excessive_hours"), work(func(w *Work) { w.WorstForms = []string{"debt_bondage"} }))), FrameworkILO11)
	if f.Outcome != "" {
		t.Errorf("ILO 11 gave a verdict %q; it must only list", f.Outcome)
	}
	if want := []string{"deception", "debt_bondage", "excessive_overtime"}; !slices.Equal(f.Indicators, want) {
		t.Errorf("indicators %v, want %v", f.Indicators, want)
	}
	for _, e := range f.Evidence {
		if e.ID == "debt_bondage" && !slices.Equal(e.From, []string{"cd_debt_bondage", "debt_bondage"}) {
			t.Errorf("debt bondage evidence %v", e.From)
		}
	}
	none := framework(t, screenIt(t, person(30)), FrameworkILO11)
	if none.Indicators == nil || len(none.Indicators) != 0 {
		t.Errorf("no indicators must give an empty list, got %#v", none.Indicators)
	}
}

func TestChildLabourRules(t *testing.T) {
	hours := func(economic, chores float64) func(*Input) {
		return work(func(w *Work) { w.EconomicHoursPerWeek, w.HouseholdChoresHoursPerWeek = economic, chores })
	}
	domestic := func(lives, family bool) func(*Input) {
		return work(func(w *Work) {
			w.Activities = []string{"domestic_work"}
			w.LivesInEmployerHousehold, w.EmployerIsFamily = lives, family
		})
	}
	cases := []struct {
		name       string
		in         Input
		outcome    string
		categories []string
		clause     string // a clause that must be met
	}{
		{"adult 18", person(18, hours(60, 0), work(func(w *Work) { w.NightWork = true })), OutcomeNotApplicable, nil, ""},
		{"17 with nothing", person(17), OutcomeNoChildLabour, []string{}, ""},
		{"4 with 1 hour: below minimum age, no SDG band", person(4, hours(1, 0)), OutcomeChildLabour, []string{"below_minimum_age"}, "below_minimum_age"},
		{"5 with 0.5 hours: Paraguay minimum age only", person(5, hours(0.5, 0)), OutcomeChildLabour, []string{"below_minimum_age"}, "below_minimum_age"},
		{"11 with 1 hour: SDG 5-11 at least 1", person(11, hours(1, 0)), OutcomeChildLabour, []string{"below_minimum_age"}, "sdg_age_5_11_economic"},
		{"11 with no work", person(11), OutcomeNoChildLabour, []string{}, ""},
		{"13 with 1 hour: below 14", person(13, hours(1, 0)), OutcomeChildLabour, []string{"below_minimum_age"}, "below_minimum_age"},
		{"13 with 14 hours: below 14 and SDG 12-14", person(13, hours(14, 0)), OutcomeChildLabour, []string{"below_minimum_age", "excessive_hours"}, "sdg_age_12_14_economic"},
		{"14 with 13 hours: allowed", person(14, hours(13, 0)), OutcomeNoChildLabour, []string{}, ""},
		{"14 with 14 hours: SDG 12-14 at least 14", person(14, hours(14, 0)), OutcomeChildLabour, []string{"excessive_hours"}, "sdg_age_12_14_economic"},
		{"12 chores 21 hours: not more than 21", person(12, hours(0, 21)), OutcomeNoChildLabour, []string{}, ""},
		{"12 chores 21.5 hours", person(12, hours(0, 21.5)), OutcomeChildLabour, []string{"household_chores"}, "sdg_age_12_14_chores"},
		{"8 chores 22 hours", person(8, hours(0, 22)), OutcomeChildLabour, []string{"household_chores"}, "sdg_age_5_11_chores"},
		{"15 chores 30 hours: no chores threshold at 15-17", person(15, hours(0, 30)), OutcomeNoChildLabour, []string{}, ""},
		{"15 with 24 hours: at the adolescent limit", person(15, hours(24, 0)), OutcomeNoChildLabour, []string{}, ""},
		{"15 with 25 hours: over the younger adolescents' limit", person(15, hours(25, 0)), OutcomeChildLabour, []string{"excessive_hours"}, "adolescent_hours_younger_adolescents"},
		{"16 with 36 hours: at the older adolescents' limit", person(16, hours(36, 0)), OutcomeNoChildLabour, []string{}, ""},
		{"16 with 37 hours", person(16, hours(37, 0)), OutcomeChildLabour, []string{"excessive_hours"}, "adolescent_hours_older_adolescents"},
		{"17 with 43 hours: not more than 43 but over 36", person(17, hours(43, 0)), OutcomeChildLabour, []string{"excessive_hours"}, "adolescent_hours_older_adolescents"},
		{"17 with 44 hours: SDG 15-17", person(17, hours(44, 0)), OutcomeChildLabour, []string{"excessive_hours"}, "sdg_age_15_17_economic"},
		{"17 night work", person(17, hours(10, 0), work(func(w *Work) { w.NightWork = true })), OutcomeChildLabour, []string{"night_work"}, "night_work"},
		{"16 hazard", person(16, work(func(w *Work) { w.Hazards = []string{"agrochemicals"} })), OutcomeChildLabour, []string{"hazardous"}, "hazardous"},
		{"17 R190 hazard", person(17, work(func(w *Work) { w.Hazards = []string{"heights"} })), OutcomeChildLabour, []string{"hazardous"}, "hazardous"},
		{"16 domestic work for a third party, living out", person(16, domestic(false, false)), OutcomeChildLabour, []string{"hazardous"}, "hazardous"},
		{"16 domestic work for the family", person(16, domestic(true, true)), OutcomeNoChildLabour, []string{}, ""},
		{"16 criadazgo", person(16, domestic(true, false)), OutcomeChildLabour, []string{"hazardous", "criadazgo"}, "criadazgo"},
		{"17 criadazgo", person(17, domestic(true, false)), OutcomeChildLabour, []string{"hazardous", "criadazgo"}, "criadazgo"},
		{"16 living in, family employer: no criadazgo", person(16, domestic(true, true), hours(10, 0)), OutcomeNoChildLabour, []string{}, ""},
		{"16 living in, other activity: no criadazgo", person(16, work(func(w *Work) {
			w.Activities, w.LivesInEmployerHousehold = []string{"retail"}, true
		})), OutcomeNoChildLabour, []string{}, ""},
		{"15 worst form recorded", person(15, work(func(w *Work) { w.WorstForms = []string{"debt_bondage"} })), OutcomeChildLabour, []string{"worst_form"}, "worst_form"},
		{"16 sex work is a worst form", person(16, work(func(w *Work) { w.Activities = []string{"sex_work"} })), OutcomeChildLabour, []string{"worst_form"}, "worst_form"},
		{"12-year-old girl in criadazgo, 35 hours, no school", person(12, domestic(true, false), hours(35, 0)), OutcomeChildLabour,
			[]string{"hazardous", "below_minimum_age", "excessive_hours", "criadazgo"}, "criadazgo"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := framework(t, screenIt(t, tc.in), FrameworkChildLabour)
			if f.Outcome != tc.outcome || !slices.Equal(f.Categories, tc.categories) {
				t.Fatalf("outcome %s %v, want %s %v\n%s", f.Outcome, f.Categories, tc.outcome, tc.categories, f.Explanation)
			}
			if tc.clause != "" {
				c, ok := clause(f, tc.clause)
				if !ok || !c.Met || c.Detail == "" || c.Source == "" {
					t.Errorf("clause %s = %+v, want met with a detail and a source", tc.clause, c)
				}
			}
		})
	}
}

func TestToVerifyIsFlaggedInResults(t *testing.T) {
	f := framework(t, screenIt(t, person(17, work(func(w *Work) { w.NightWork = true }))), FrameworkChildLabour)
	c, _ := clause(f, "night_work")
	if !c.ToVerify || !strings.Contains(c.Detail, "20:00") {
		t.Errorf("night-work clause %+v, want flagged to verify with the hours", c)
	}
	if !slices.ContainsFunc(f.ToVerify, func(v VerifyFlag) bool { return v.ID == "night_work" && v.Note != "" }) {
		t.Errorf("to_verify %+v lacks night_work", f.ToVerify)
	}
	tr := framework(t, screenIt(t, person(30, indicators("rv_travel_difficulty"))), FrameworkTrafficking)
	if !slices.ContainsFunc(tr.ToVerify, func(v VerifyFlag) bool { return v.ID == "rv_travel_difficulty" }) {
		t.Errorf("an indicator to verify is not flagged: %+v", tr.ToVerify)
	}
	if d := dimension(t, tr, "recruitment_vulnerability"); !d.Indicators[0].ToVerify {
		t.Error("the indicator itself is not flagged")
	}
	adult := framework(t, screenIt(t, person(30, work(func(w *Work) { w.NightWork = true }))), FrameworkChildLabour)
	if len(adult.ToVerify) != 0 {
		t.Errorf("a rule not applied must not be flagged: %+v", adult.ToVerify)
	}
}

func TestExplanationsInBothLanguages(t *testing.T) {
	rb := embeddedBook(t)
	in := person(12, acts("recruitment"), indicators("dr_wages", "ex_excessive_hours"), work(func(w *Work) {
		w.Activities, w.LivesInEmployerHousehold, w.EconomicHoursPerWeek = []string{"domestic_work"}, true, 35
	}))
	if err := rb.Validate(&in); err != nil {
		t.Fatal(err)
	}
	es, en := rb.Screen(in, Spanish), rb.Screen(in, English)
	for i := range es.Results {
		if es.Results[i].Explanation == "" || en.Results[i].Explanation == "" || es.Results[i].Explanation == en.Results[i].Explanation {
			t.Errorf("%s: explanations es=%q en=%q", es.Results[i].Framework, es.Results[i].Explanation, en.Results[i].Explanation)
		}
	}
	if f, _ := es.Framework(FrameworkChildLabour); !strings.Contains(f.Explanation, "criadazgo") || !strings.Contains(f.Explanation, "Trabajo infantil") {
		t.Errorf("Spanish child-labour explanation: %s", f.Explanation)
	}
	if es.Caution == en.Caution || !strings.Contains(en.Caution, "not a legal determination") {
		t.Errorf("caution es=%q en=%q", es.Caution, en.Caution)
	}
}

func TestScreenIsDeterministicAndSelfContained(t *testing.T) {
	rb := embeddedBook(t)
	in := person(15, acts("transport"), indicators("cd_isolation", "ex_hazardous", "rv_economic", "dr_nature_job"),
		work(func(w *Work) { w.Hazards, w.EconomicHoursPerWeek, w.NightWork = []string{"heavy_loads"}, 50, true }))
	if err := rb.Validate(&in); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []Lang{Spanish, English} {
		var a, b bytes.Buffer
		r1 := rb.Screen(in, lang)
		if err := r1.WriteJSON(&a); err != nil {
			t.Fatal(err)
		}
		if err := rb.Screen(in, lang).WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatal("two screenings of the same input differ")
		}
		// A stored result renders the same text as the fresh one.
		var stored Result
		if err := json.Unmarshal(a.Bytes(), &stored); err != nil {
			t.Fatal(err)
		}
		var fresh, again bytes.Buffer
		r1.WriteText(&fresh)
		stored.WriteText(&again)
		if fresh.String() != again.String() {
			t.Errorf("stored result renders differently:\n%s\n---\n%s", fresh.String(), again.String())
		}
		// The stored input reproduces the result.
		reparsed, err := rb.ParseInput(mustJSON(t, stored.Input))
		if err != nil {
			t.Fatal(err)
		}
		var c bytes.Buffer
		rb.Screen(reparsed, lang).WriteJSON(&c)
		if !bytes.Equal(a.Bytes(), c.Bytes()) {
			t.Error("screening the stored input again gives another result")
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestForm(t *testing.T) {
	rb := embeddedBook(t)
	es, en := rb.Form(Spanish), rb.Form(English)
	if len(es.Dimensions) != 6 {
		t.Fatalf("%d dimensions", len(es.Dimensions))
	}
	n := 0
	for i, d := range es.Dimensions {
		n += len(d.Indicators)
		for j, ind := range d.Indicators {
			if ind.Label == "" || en.Dimensions[i].Indicators[j].Label == "" || ind.Label == en.Dimensions[i].Indicators[j].Label {
				t.Errorf("%s: labels es %q en %q, want both, translated", ind.ID, ind.Label, en.Dimensions[i].Indicators[j].Label)
			}
			if !strings.HasPrefix(ind.ID, map[string]string{"deceptive_recruitment": "dr_", "coercive_recruitment": "cr_", "recruitment_vulnerability": "rv_",
				"exploitative_conditions": "ex_", "coercion_destination": "cd_", "vulnerability_destination": "vd_"}[d.ID]) {
				t.Errorf("%s grouped under %s", ind.ID, d.ID)
			}
		}
	}
	if n != 67 || len(es.Activities) != 19 || len(es.Hazards) != 12 || len(es.WorstForms) != 7 || len(es.Acts) != 5 {
		t.Errorf("form has %d indicators, %d activities, %d hazards, %d worst forms, %d acts", n, len(es.Activities), len(es.Hazards), len(es.WorstForms), len(es.Acts))
	}
	if es.Dimensions[0].Name == en.Dimensions[0].Name {
		t.Error("dimension names are not translated")
	}
}
