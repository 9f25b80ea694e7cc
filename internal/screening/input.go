package screening

import (
	"fmt"
	"strings"
)

// MaxInputSize bounds an input document; a real one is a few hundred bytes.
const MaxInputSize = 64 << 10

// HoursPerWeek is the number of hours in a week, the ceiling of any weekly hour count.
const HoursPerWeek = 168

// Input is what an officer records (section 1 of the screening reference). It holds no names:
// a screening is about observations, and identities live elsewhere, sealed.
type Input struct {
	Subject Subject `json:"subject"`
	// Exploitation is labour or sexual: which Delphi list applies.
	Exploitation string `json:"exploitation"`
	// Act lists the trafficking acts observed (Palermo Protocol art. 3(a)).
	Act []string `json:"act"`
	// Indicators are Delphi indicator ids.
	Indicators []string `json:"indicators"`
	Work       Work     `json:"work"`
}

// Subject is the little the rules need to know about the person screened.
type Subject struct {
	// Age in completed years, 0-120; a pointer because it is required and 0 is a valid age.
	Age *int `json:"age"`
	// Sex is female, male, other or unknown (the default).
	Sex string `json:"sex"`
}

// Work describes the work situation. A missing boolean means false: the form always sends them.
type Work struct {
	EconomicHoursPerWeek        float64  `json:"economic_hours_per_week"`
	HouseholdChoresHoursPerWeek float64  `json:"household_chores_hours_per_week"`
	NightWork                   bool     `json:"night_work"`
	Activities                  []string `json:"activities"`
	Hazards                     []string `json:"hazards"`
	WorstForms                  []string `json:"worst_forms"`
	LivesInEmployerHousehold    bool     `json:"lives_in_employer_household"`
	EmployerIsFamily            bool     `json:"employer_is_family"`
	AttendsSchool               bool     `json:"attends_school"`
}

// AgeYears returns the subject's age; it is valid only for a validated input.
func (in *Input) AgeYears() int {
	if in.Subject.Age == nil {
		return -1
	}
	return *in.Subject.Age
}

// InputError names the field of an input document that is wrong and why, without repeating
// anything the officer typed unless it has the shape of an id.
type InputError struct {
	Field  string
	Reason string
	// Line is the line of the document, when the error was found while decoding it.
	Line int
}

// Error reads "line N: field: reason", leaving out what is unknown.
func (e *InputError) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Reason)
	return b.String()
}

// InputErrors is every problem found in an input document.
type InputErrors []*InputError

// Error lists every problem, one a line.
func (es InputErrors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

func (es *InputErrors) add(field, format string, args ...any) {
	*es = append(*es, &InputError{Field: field, Reason: fmt.Sprintf(format, args...)})
}

// quoted repeats a value in an error only when it looks like an id, so that a name typed into
// the wrong field never ends up in an error message or a log.
func quoted(s string) string {
	if validID(s) && len(s) <= 40 {
		return fmt.Sprintf(" %q", s)
	}
	return ""
}

// ParseInput decodes and validates an input document against the rulebook's vocabularies.
// The returned Input is normalised (default sex, empty lists instead of null) so that its
// JSON form is stable. Errors are InputErrors.
func (r *Rulebook) ParseInput(data []byte) (Input, error) {
	if len(data) > MaxInputSize {
		return Input{}, InputErrors{{Reason: fmt.Sprintf("the document is larger than %d bytes", MaxInputSize)}}
	}
	var in Input
	if err := decodeStrict(data, &in); err != nil {
		if de, ok := err.(*decodeError); ok {
			return Input{}, InputErrors{{Field: de.Path, Reason: de.Reason, Line: de.Line}}
		}
		return Input{}, InputErrors{{Reason: err.Error()}}
	}
	if err := r.Validate(&in); err != nil {
		return Input{}, err
	}
	return in, nil
}

// Validate checks an input against the rulebook and normalises it in place.
func (r *Rulebook) Validate(in *Input) error {
	var errs InputErrors
	switch {
	case in.Subject.Age == nil:
		errs.add("subject.age", "is required")
	case *in.Subject.Age < 0 || *in.Subject.Age > 120:
		errs.add("subject.age", "must be a whole number of years between 0 and 120")
	}
	switch in.Subject.Sex {
	case "":
		in.Subject.Sex = "unknown"
	case "female", "male", "other", "unknown":
	default:
		errs.add("subject.sex", "must be female, male, other or unknown")
	}
	switch in.Exploitation {
	case "labour", "sexual":
	case "":
		errs.add("exploitation", "is required (labour or sexual)")
	default:
		errs.add("exploitation", "must be labour or sexual")
	}
	in.Act = checkIDs(&errs, "act", in.Act, "trafficking act", func(id string) bool { return r.idx.acts[id] != nil })
	in.Indicators = checkIDs(&errs, "indicators", in.Indicators, "indicator id", func(id string) bool { return r.idx.indicators[id] != nil })
	w := &in.Work
	for _, h := range []struct {
		field string
		v     float64
	}{{"work.economic_hours_per_week", w.EconomicHoursPerWeek}, {"work.household_chores_hours_per_week", w.HouseholdChoresHoursPerWeek}} {
		switch {
		case h.v < 0:
			errs.add(h.field, "must not be negative")
		case h.v > HoursPerWeek:
			errs.add(h.field, "must be at most %d (the hours in a week)", HoursPerWeek)
		}
	}
	if w.EconomicHoursPerWeek >= 0 && w.HouseholdChoresHoursPerWeek >= 0 &&
		w.EconomicHoursPerWeek <= HoursPerWeek && w.HouseholdChoresHoursPerWeek <= HoursPerWeek &&
		w.EconomicHoursPerWeek+w.HouseholdChoresHoursPerWeek > HoursPerWeek {
		errs.add("work.household_chores_hours_per_week", "economic and household hours together exceed the %d hours of a week", HoursPerWeek)
	}
	w.Activities = checkIDs(&errs, "work.activities", w.Activities, "activity", func(id string) bool { return r.idx.activities[id] != nil })
	w.Hazards = checkIDs(&errs, "work.hazards", w.Hazards, "hazard", func(id string) bool { return r.idx.hazards[id] != nil })
	w.WorstForms = checkIDs(&errs, "work.worst_forms", w.WorstForms, "worst form", func(id string) bool { return r.idx.worstForms[id] != nil })
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// checkIDs rejects unknown and repeated ids (a repeated indicator would be counted twice) and
// turns a missing list into an empty one.
func checkIDs(errs *InputErrors, field string, list []string, what string, known func(string) bool) []string {
	seen := make(map[string]bool, len(list))
	for i, id := range list {
		f := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case !known(id):
			errs.add(f, "unknown %s%s", what, quoted(id))
		case seen[id]:
			errs.add(f, "%s%s is listed twice", what, quoted(id))
		}
		seen[id] = true
	}
	if list == nil {
		return []string{}
	}
	return list
}
