package screening

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestInputErrorsNameTheField(t *testing.T) {
	cases := []struct {
		name, doc, field, reason string
	}{
		{"age missing", `{"subject": {}, "exploitation": "labour"}`, "subject.age", "is required"},
		{"age negative", `{"subject": {"age": -1}, "exploitation": "labour"}`, "subject.age", "between 0 and 120"},
		{"age too high", `{"subject": {"age": 121}, "exploitation": "labour"}`, "subject.age", "between 0 and 120"},
		{"age not whole", `{"subject": {"age": 16.5}, "exploitation": "labour"}`, "subject.age", "whole number"},
		{"age as text", `{"subject": {"age": "16"}, "exploitation": "labour"}`, "subject.age", "whole number"},
		{"sex", `{"subject": {"age": 16, "sex": "f"}, "exploitation": "labour"}`, "subject.sex", "female, male, other or unknown"},
		{"exploitation missing", `{"subject": {"age": 16}}`, "exploitation", "is required"},
		{"exploitation unknown", `{"subject": {"age": 16}, "exploitation": "organ"}`, "exploitation", "labour or sexual"},
		{"unknown indicator", `{"subject": {"age": 16}, "exploitation": "labour", "indicators": ["dr_wages", "dr_wage"]}`, "indicators[1]", `unknown indicator id "dr_wage"`},
		{"repeated indicator", `{"subject": {"age": 16}, "exploitation": "labour", "indicators": ["dr_wages", "dr_wages"]}`, "indicators[1]", "listed twice"},
		{"unknown act", `{"subject": {"age": 16}, "exploitation": "labour", "act": ["kidnap"]}`, "act[0]", "unknown trafficking act"},
		{"negative hours", `{"subject": {"age": 16}, "exploitation": "labour", "work": {"economic_hours_per_week": -2}}`, "work.economic_hours_per_week", "must not be negative"},
		{"too many hours", `{"subject": {"age": 16}, "exploitation": "labour", "work": {"household_chores_hours_per_week": 169}}`, "work.household_chores_hours_per_week", "at most 168"},
		{"hours beyond a week together", `{"subject": {"age": 16}, "exploitation": "labour", "work": {"economic_hours_per_week": 100, "household_chores_hours_per_week": 100}}`, "work.household_chores_hours_per_week", "exceed the 168 hours"},
		{"unknown activity", `{"subject": {"age": 16}, "exploitation": "labour", "work": {"activities": ["juggling"]}}`, "work.activities[0]", `unknown activity "juggling"`},
		{"unknown hazard", `{"subject": {"age": 16}, "exploitation": "labour", "work": {"hazards": ["noise"]}}`, "work.hazards[0]", `unknown hazard "noise"`},
		{"unknown worst form", `{"subject": {"age": 16}, "exploitation": "labour", "work": {"worst_forms": ["theft"]}}`, "work.worst_forms[0]", `unknown worst form "theft"`},
		{"unknown field", `{"subject": {"age": 16}, "exploitation": "labour", "indicator": ["dr_wages"]}`, "indicator", "unknown field"},
		{"nested unknown field", `{"subject": {"age": 16, "name": "x"}, "exploitation": "labour"}`, "subject.name", "unknown field"},
		{"list as text", `{"subject": {"age": 16}, "exploitation": "labour", "indicators": "dr_wages"}`, "indicators", "must be a list"},
		{"not JSON", `subject: 16`, "", "invalid JSON"},
		{"two documents", `{"subject": {"age": 16}, "exploitation": "labour"} {}`, "", "unexpected data"},
	}
	rb := embeddedBook(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := rb.ParseInput([]byte(tc.doc))
			var errs InputErrors
			if !errors.As(err, &errs) {
				t.Fatalf("error %T %v, want InputErrors", err, err)
			}
			for _, e := range errs {
				if e.Field == tc.field && strings.Contains(e.Reason, tc.reason) {
					return
				}
			}
			t.Errorf("got %q, want field %q with %q", err, tc.field, tc.reason)
		})
	}
}

func TestInputErrorsDoNotRepeatFreeText(t *testing.T) {
	rb := embeddedBook(t)
	_, err := rb.ParseInput([]byte(`{"subject": {"age": 16}, "exploitation": "labour", "indicators": ["María Benítez, Ciudad del Este"]}`))
	if err == nil || strings.Contains(err.Error(), "María") || !strings.Contains(err.Error(), "indicators[0]") {
		t.Errorf("error %q must name the field without repeating what was typed", err)
	}
}

func TestInputTooLarge(t *testing.T) {
	rb := embeddedBook(t)
	doc := `{"subject": {"age": 16}, "exploitation": "labour", "act": [` + strings.Repeat(`"receipt",`, MaxInputSize/9) + `"receipt"]}`
	if _, err := rb.ParseInput([]byte(doc)); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("error %v", err)
	}
}

func TestInputNormalised(t *testing.T) {
	rb := embeddedBook(t)
	in, err := rb.ParseInput([]byte(`{"subject": {"age": 0}, "exploitation": "sexual"}`))
	if err != nil {
		t.Fatal(err)
	}
	if in.Subject.Sex != "unknown" || in.Act == nil || in.Indicators == nil || in.Work.Activities == nil || in.Work.Hazards == nil || in.Work.WorstForms == nil {
		t.Errorf("not normalised: %+v", in)
	}
}

// FuzzParseInput feeds arbitrary documents to the input parser: it must never panic, every
// accepted input must screen in both languages, and its normalised form must parse back to
// the same input.
func FuzzParseInput(f *testing.F) {
	rb, err := Embedded()
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		`{"subject": {"age": 16, "sex": "female"}, "exploitation": "labour", "act": ["recruitment"], "indicators": ["dr_wages", "ex_excessive_hours", "cd_confiscation_docs"], "work": {"economic_hours_per_week": 30, "activities": ["domestic_work"], "hazards": ["agrochemicals"], "lives_in_employer_household": true}}`,
		`{"subject": {"age": 12}, "exploitation": "sexual", "work": {"worst_forms": ["pornography"], "night_work": true}}`,
		`{"subject": {"age": 120}, "exploitation": "labour", "work": {"economic_hours_per_week": 168}}`,
		`{"subject": {"age": -1}}`,
		`{"subject": {"age": 1e400}}`,
		`{"a": [[[[{}]]]]}`,
		`[]`, `null`, `"x"`, `{`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := rb.ParseInput(data)
		if err != nil {
			var errs InputErrors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("error %T %v is not InputErrors", err, err)
			}
			return
		}
		var a, b bytes.Buffer
		for _, lang := range []Lang{Spanish, English} {
			r := rb.Screen(in, lang)
			if len(r.Results) != 4 {
				t.Fatalf("%d results", len(r.Results))
			}
			if err := r.WriteText(&a); err != nil {
				t.Fatal(err)
			}
		}
		norm, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		again, err := rb.ParseInput(norm)
		if err != nil {
			t.Fatalf("normalised input %s rejected: %v", norm, err)
		}
		rb.Screen(again, English).WriteJSON(&b)
		var c bytes.Buffer
		rb.Screen(in, English).WriteJSON(&c)
		if !bytes.Equal(b.Bytes(), c.Bytes()) {
			t.Fatalf("normalised input screens differently")
		}
	})
}
