package screening

// Outcomes, as in section 5 of the screening reference.
const (
	OutcomeIndicated     = "indicated"
	OutcomeNotIndicated  = "not_indicated"
	OutcomeNotAssessed   = "not_assessed"
	OutcomeChildLabour   = "child_labour"
	OutcomeNoChildLabour = "not_child_labour"
	OutcomeNotApplicable = "not_applicable"
)

// Child-labour categories, in the order results list them.
const (
	CategoryWorstForm       = "worst_form"
	CategoryHazardous       = "hazardous"
	CategoryBelowMinimumAge = "below_minimum_age"
	CategoryExcessiveHours  = "excessive_hours"
	CategoryHouseholdChores = "household_chores"
	CategoryNightWork       = "night_work"
	CategoryCriadazgo       = "criadazgo"
)

var categoryOrder = []string{CategoryWorstForm, CategoryHazardous, CategoryBelowMinimumAge,
	CategoryExcessiveHours, CategoryHouseholdChores, CategoryNightWork, CategoryCriadazgo}

// Reasons given with not_assessed and not_applicable outcomes.
const (
	ReasonListNotLoaded = "list_not_loaded"
	ReasonAdult         = "adult"
)

// Result is a screening: the input, the rulebook version that judged it and one result per
// framework. It is self-contained: stored as JSON, it renders again as text without the
// rulebook, and with the input and the rulebook version it can be recomputed.
type Result struct {
	Rulebook Ref               `json:"rulebook"`
	Lang     Lang              `json:"lang"`
	Input    Input             `json:"input"`
	Results  []FrameworkResult `json:"results"`
	// Caution reminds the reader that this supports, and does not replace, their judgement.
	Caution string `json:"caution"`
}

// Framework returns the result of the named framework.
func (r *Result) Framework(name string) (*FrameworkResult, bool) {
	for i := range r.Results {
		if r.Results[i].Framework == name {
			return &r.Results[i], true
		}
	}
	return nil, false
}

// FrameworkResult is the verdict of one framework with what decided it. Fields that do not
// apply to a framework are left out of its JSON form.
type FrameworkResult struct {
	Framework string `json:"framework"`
	Title     string `json:"title"`
	Rulebook  Ref    `json:"rulebook"`
	// Outcome is empty for the ILO 11 indicators, which never give a verdict.
	Outcome string `json:"outcome,omitempty"`
	// Reason is a code explaining not_assessed or not_applicable.
	Reason string `json:"reason,omitempty"`
	// List is the Delphi list applied: adult or child.
	List       string            `json:"list,omitempty"`
	Dimensions []DimensionResult `json:"dimensions,omitzero"`
	Clauses    []ClauseResult    `json:"clauses,omitzero"`
	// Indicators are the ids of the ILO 11 indicators present.
	Indicators []string `json:"indicators,omitzero"`
	// Evidence says which recorded facts produced each mapped indicator (ILO 11, ICLS).
	Evidence []MappedResult `json:"evidence,omitzero"`
	// Categories are the child-labour categories met.
	Categories  []string     `json:"categories,omitzero"`
	Explanation string       `json:"explanation"`
	ToVerify    []VerifyFlag `json:"to_verify,omitzero"`
}

// DimensionResult is a Delphi dimension: the indicators recorded in it and whether it is
// positive under the dimension rule.
type DimensionResult struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Positive bool   `json:"positive"`
	// Threshold is the first threshold of the dimension rule that was met, in words.
	Threshold  string            `json:"threshold,omitempty"`
	Counts     Counts            `json:"counts"`
	Indicators []IndicatorResult `json:"indicators"`
}

// Counts are the indicators of a dimension by strength.
type Counts struct {
	Strong int `json:"strong"`
	Medium int `json:"medium"`
	Weak   int `json:"weak"`
}

// IndicatorResult is a recorded Delphi indicator with its strength on the list applied;
// strength "none" means it is not on that list and counts for nothing.
type IndicatorResult struct {
	ID       string   `json:"id"`
	Strength Strength `json:"strength"`
	Label    string   `json:"label"`
	ToVerify bool     `json:"to_verify,omitempty"`
}

// ClauseResult is one condition a framework checked, whether it was met and by what.
type ClauseResult struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Met   bool   `json:"met"`
	// By lists the ids (dimensions, indicators, activities, hazards...) that met it.
	By []string `json:"by,omitzero"`
	// Detail explains, in the result's language, how it was met.
	Detail string `json:"detail,omitempty"`
	// Via is "evidence" when the clause was met by its or_evidence path rather than by a
	// positive dimension; By then lists the recorded indicators and the positive dimensions
	// that allowed it.
	Via string `json:"via,omitempty"`
	// Category is the child-labour category the clause establishes.
	Category string `json:"category,omitempty"`
	// Source is the citation of the rule.
	Source   string `json:"source,omitempty"`
	ToVerify bool   `json:"to_verify,omitempty"`
}

// MappedResult is an ILO 11 or ICLS indicator found present, and the recorded facts behind it.
type MappedResult struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	// Kind is involuntariness or coercion for the ICLS definition; empty for ILO 11.
	Kind string   `json:"kind,omitempty"`
	From []string `json:"from"`
}

// VerifyFlag names a rule or parameter the result relied on that is still to be verified.
type VerifyFlag struct {
	ID   string `json:"id"`
	Note string `json:"note"`
}
