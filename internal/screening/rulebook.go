package screening

import (
	"embed"
	"fmt"
	"os"
	"path"
	"reflect"
	"sync"
)

// Lang is a language in which results and labels are written.
type Lang string

// The languages the rulebooks and explanations are written in; Spanish is the default because
// most users work in it.
const (
	Spanish Lang = "es"
	English Lang = "en"
)

// ParseLang accepts "es" or "en"; an empty string means Spanish.
func ParseLang(s string) (Lang, error) {
	switch s {
	case "", "es":
		return Spanish, nil
	case "en":
		return English, nil
	}
	return "", fmt.Errorf("unknown language %q (want es or en)", s)
}

// Text is a short text in every supported language.
type Text struct {
	ES string `json:"es"`
	EN string `json:"en"`
}

// In returns the text in lang, falling back to Spanish.
func (t Text) In(lang Lang) string {
	if lang == English && t.EN != "" {
		return t.EN
	}
	return t.ES
}

// Confidence tags, as in the screening reference: how sure the project is that a rule or a
// parameter matches its source.
const (
	Verified          = "V"  // read in the official text or a faithful copy
	VerifiedSecondary = "V2" // read in the official text, second reading of the reference
	Secondary         = "S"  // from a secondary source that matches the official counts
	Unconfirmed       = "U"  // unconfirmed: a parameter to verify
)

// Provenance says where a rule, parameter or vocabulary item comes from and how sure that is.
// Every item of a rulebook carries one.
type Provenance struct {
	// Source is the id of an entry of the rulebook's sources list.
	Source string `json:"source"`
	// Confidence is one of V, V2, S, U; U means "to verify" and is flagged in results.
	Confidence string `json:"confidence"`
	// Note explains the item or, for a U item, what remains to verify.
	Note *Text `json:"note,omitempty"`

	at location
}

// ToVerify reports whether the item is still to be verified against its source.
func (p Provenance) ToVerify() bool { return p.Confidence == Unconfirmed }

func (p *Provenance) setAt(l location) { p.at = l }
func (p *Provenance) where() location  { return p.at }

// Source is a publication a rulebook cites.
type Source struct {
	ID       string `json:"id"`
	Citation string `json:"citation"`

	at location
}

func (s *Source) setAt(l location) { s.at = l }
func (s *Source) where() location  { return s.at }
func (s Source) key() string       { return s.ID }

// Header is what every framework rulebook file starts with.
type Header struct {
	// Framework names the slot the file fills: trafficking, forced_labour_ilo11,
	// forced_labour_icls or child_labour.
	Framework string   `json:"framework"`
	ID        string   `json:"id"`
	Version   string   `json:"version"`
	Title     Text     `json:"title"`
	Sources   []Source `json:"sources"`

	modifiedBy string // the deployment rulebook that changed this framework, if any
	at         location
}

func (h *Header) setAt(l location) { h.at = l }

// Ref returns the id and version that results quote for this framework.
func (h *Header) Ref() Ref { return Ref{ID: h.ID, Version: h.Version, ModifiedBy: h.modifiedBy} }

// Ref names a rulebook version in results, so that a stored result can be reproduced.
type Ref struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	// Extends is "id@version" of the embedded rulebook a deployment's rulebook builds on.
	Extends string `json:"extends,omitempty"`
	// ModifiedBy is "id@version" of the deployment rulebook that changed this framework.
	ModifiedBy string `json:"modified_by,omitempty"`
}

// Term is an item of a vocabulary: a trafficking act, a hazard, a worst form.
type Term struct {
	ID    string `json:"id"`
	Label Text   `json:"label"`
	Provenance
}

func (t Term) key() string { return t.ID }

// IntParameter is a numeric parameter such as an age limit.
type IntParameter struct {
	Value int  `json:"value"`
	Label Text `json:"label"`
	Provenance
}

// Strength is how strongly a Delphi indicator points to trafficking.
type Strength string

// The strengths of the Delphi survey; StrengthNone marks an indicator absent from a list (the
// child list lacks some adult indicators), which counts for nothing.
const (
	Strong       Strength = "strong"
	Medium       Strength = "medium"
	Weak         Strength = "weak"
	StrengthNone Strength = "none"
)

// Dimension is one of the six Delphi dimensions.
type Dimension struct {
	ID   string `json:"id"`
	Name Text   `json:"name"`
	Provenance
}

func (d Dimension) key() string { return d.ID }

// Indicator is a Delphi indicator with its strength on the adult and the child lists.
type Indicator struct {
	ID        string   `json:"id"`
	Dimension string   `json:"dimension"`
	Adult     Strength `json:"adult"`
	Child     Strength `json:"child"`
	// Label is the one-line explanation a form shows beside the indicator.
	Label Text `json:"label"`
	Provenance
}

func (i Indicator) key() string { return i.ID }

// Threshold is one way for a dimension to be positive: at least so many indicators of each
// strength. MediumOrWeak counts medium and weak indicators together.
type Threshold struct {
	Strong       int `json:"strong,omitempty"`
	Medium       int `json:"medium,omitempty"`
	Weak         int `json:"weak,omitempty"`
	MediumOrWeak int `json:"medium_or_weak,omitempty"`
}

// DimensionRule makes a dimension positive when any of its thresholds is met.
type DimensionRule struct {
	Thresholds []Threshold `json:"thresholds"`
	Provenance
}

// Clause is one element of a combination rule: met when any of its dimensions is positive,
// or, when the clause allows it, by the weaker evidence of OrEvidence.
type Clause struct {
	ID    string   `json:"id"`
	Label Text     `json:"label"`
	AnyOf []string `json:"any_of"`
	// OrEvidence, when set, also meets the clause without a positive dimension.
	OrEvidence *ClauseEvidence `json:"or_evidence,omitempty"`

	at location
}

// ClauseEvidence meets a clause on recorded indicators rather than on a positive dimension,
// provided that other dimensions are positive. The adult rule uses it for the Palermo reading:
// when coercion at destination is established, the means element of the definition is met
// there, and the recruitment element needs only to be evidenced by a recorded indicator.
type ClauseEvidence struct {
	// IndicatorIn lists dimensions: at least one indicator of one of them must be recorded.
	IndicatorIn []string `json:"indicator_in"`
	// WhenPositive lists dimensions that must all be positive for the evidence to count.
	WhenPositive []string `json:"when_positive"`
	Provenance
}

func (c *Clause) setAt(l location) { c.at = l }

// CombinationRule says which positive dimensions together indicate trafficking.
type CombinationRule struct {
	// RequireAct demands at least one trafficking act (Palermo art. 3(a)) in the input.
	RequireAct bool     `json:"require_act"`
	AllOf      []Clause `json:"all_of"`
	Provenance
}

// Combination holds the adult and the child combination rules.
type Combination struct {
	Adult *CombinationRule `json:"adult,omitempty"`
	Child *CombinationRule `json:"child,omitempty"`
}

// TraffickingBook is the Delphi 2009 rulebook.
type TraffickingBook struct {
	Header
	// Exploitation is the form of exploitation whose list this book holds (labour).
	Exploitation  string         `json:"exploitation"`
	ChildAgeLimit *IntParameter  `json:"child_age_limit,omitempty"`
	Acts          []Term         `json:"acts,omitempty"`
	Dimensions    []Dimension    `json:"dimensions,omitempty"`
	Indicators    []Indicator    `json:"indicators,omitempty"`
	DimensionRule *DimensionRule `json:"dimension_rule,omitempty"`
	Combination   *Combination   `json:"combination,omitempty"`
}

// Evidence lists what makes a mapped indicator present: Delphi indicator ids recorded, or
// worst forms of child labour recorded.
type Evidence struct {
	Indicators []string `json:"indicators,omitempty"`
	WorstForms []string `json:"worst_forms,omitempty"`
}

// MappedIndicator is an indicator of another framework derived from the recorded evidence.
type MappedIndicator struct {
	ID    string   `json:"id"`
	Label Text     `json:"label"`
	From  Evidence `json:"from"`
	Provenance
}

func (m MappedIndicator) key() string { return m.ID }

// ILO11Book is the rulebook of ILO's 11 forced-labour indicators.
type ILO11Book struct {
	Header
	// ListingRule cites why the engine lists indicators without a verdict.
	ListingRule *Provenance       `json:"listing_rule,omitempty"`
	Indicators  []MappedIndicator `json:"indicators,omitempty"`
}

// ChildrenRule is the ICLS definition of forced labour of children.
type ChildrenRule struct {
	AgeLimit int `json:"age_limit"`
	// CoercionSuffices: for a child, coercion by a third party is enough; involuntariness is
	// not required.
	CoercionSuffices bool `json:"coercion_suffices"`
	// WorstForms lists the worst forms (C182 art. 3(a)-(c)) that are forced labour of children.
	WorstForms []string `json:"worst_forms"`
	Provenance
}

// ICLSBook is the 20th ICLS (2018) statistical definition of forced labour.
type ICLSBook struct {
	Header
	Definition      *Provenance       `json:"definition,omitempty"`
	Involuntariness []MappedIndicator `json:"involuntariness,omitempty"`
	Coercion        []MappedIndicator `json:"coercion,omitempty"`
	Children        *ChildrenRule     `json:"children,omitempty"`
}

// HourThreshold is a weekly hour threshold: at_least or more_than Hours.
type HourThreshold struct {
	Comparison string  `json:"comparison"`
	Hours      float64 `json:"hours"`
}

// Exceeded reports whether hours cross the threshold.
func (h *HourThreshold) Exceeded(hours float64) bool {
	if h.Comparison == "at_least" {
		return hours >= h.Hours
	}
	return hours > h.Hours
}

// SDGBand is an age band of the SDG 8.7.1 operational thresholds. Ages are inclusive.
type SDGBand struct {
	ID       string         `json:"id"`
	MinAge   int            `json:"min_age"`
	MaxAge   int            `json:"max_age"`
	Economic *HourThreshold `json:"economic,omitempty"`
	Chores   *HourThreshold `json:"chores,omitempty"`
	// EconomicCategory is the result category when the economic threshold is crossed.
	EconomicCategory string `json:"economic_category"`
	Provenance
}

func (b SDGBand) key() string { return b.ID }

// HourLimit is a national limit on the working hours of adolescents. Ages are inclusive.
type HourLimit struct {
	ID              string  `json:"id"`
	MinAge          int     `json:"min_age"`
	MaxAge          int     `json:"max_age"`
	MaxHoursPerDay  float64 `json:"max_hours_per_day"`
	MaxHoursPerWeek float64 `json:"max_hours_per_week"`
	Provenance
}

func (h HourLimit) key() string { return h.ID }

// NightWorkRule forbids work in the night-rest hours under AgeLimit.
type NightWorkRule struct {
	AgeLimit int    `json:"age_limit"`
	From     string `json:"from"`
	To       string `json:"to"`
	Provenance
}

// CriadazgoRule flags a child living in a non-family household and doing Activity there.
type CriadazgoRule struct {
	AgeLimit int    `json:"age_limit"`
	Activity string `json:"activity"`
	Provenance
}

// Activity is a kind of work in the input vocabulary.
type Activity struct {
	ID    string `json:"id"`
	Label Text   `json:"label"`
	// Hazardous is "no", "always" (hazardous for under-18s in itself) or "third_party"
	// (hazardous when done for someone outside the family).
	Hazardous string `json:"hazardous"`
	// WorstForm, when set, is the worst form this activity is for a child.
	WorstForm string `json:"worst_form,omitempty"`
	Provenance
}

func (a Activity) key() string { return a.ID }

// ChildLabourBook is the child-labour rulebook with the Paraguay overlay.
type ChildLabourBook struct {
	Header
	AgeLimit          *IntParameter  `json:"age_limit,omitempty"`
	MinimumAge        *IntParameter  `json:"minimum_age,omitempty"`
	HazardousAgeLimit *IntParameter  `json:"hazardous_age_limit,omitempty"`
	SDGBands          []SDGBand      `json:"sdg_bands,omitempty"`
	AdolescentHours   []HourLimit    `json:"adolescent_hours,omitempty"`
	NightWork         *NightWorkRule `json:"night_work,omitempty"`
	Criadazgo         *CriadazgoRule `json:"criadazgo,omitempty"`
	Activities        []Activity     `json:"activities,omitempty"`
	Hazards           []Term         `json:"hazards,omitempty"`
	WorstForms        []Term         `json:"worst_forms,omitempty"`
}

// The framework names, used in files, results and the CLI.
const (
	FrameworkTrafficking = "trafficking"
	FrameworkILO11       = "forced_labour_ilo11"
	FrameworkICLS        = "forced_labour_icls"
	FrameworkChildLabour = "child_labour"
)

// Rulebook is the complete set of rules a screening runs against: one book per framework.
type Rulebook struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Title   Text   `json:"title"`
	// Extends is "id@version" of the embedded rulebook a deployment's file builds on.
	Extends     string           `json:"extends,omitempty"`
	Trafficking *TraffickingBook `json:"trafficking"`
	ILO11       *ILO11Book       `json:"forced_labour_ilo11"`
	ICLS        *ICLSBook        `json:"forced_labour_icls"`
	ChildLabour *ChildLabourBook `json:"child_labour"`

	idx index
}

// Ref returns the id and version results quote for the whole rulebook.
func (r *Rulebook) Ref() Ref { return Ref{ID: r.ID, Version: r.Version, Extends: r.Extends} }

// Book returns the framework book whose framework name or id is id, as its Header.
func (r *Rulebook) Book(id string) (*Header, bool) {
	for _, h := range r.headers() {
		if h.Framework == id || h.ID == id {
			return h, true
		}
	}
	return nil, false
}

func (r *Rulebook) headers() []*Header {
	return []*Header{&r.Trafficking.Header, &r.ILO11.Header, &r.ICLS.Header, &r.ChildLabour.Header}
}

// index holds the lookups the engine needs, built once when a rulebook is loaded.
type index struct {
	indicators   map[string]*Indicator
	dimensionPos map[string]int
	acts         map[string]*Term
	activities   map[string]*Activity
	hazards      map[string]*Term
	worstForms   map[string]*Term
}

// The current rulebook is rulebooks/*.json; every earlier version stays embedded under
// rulebooks/archive/VERSION/ so that a screening stored years ago can be judged again by the
// exact rules that judged it.
//
//go:embed rulebooks/*.json rulebooks/archive
var embedded embed.FS

// EmbeddedID is the id of the rulebook built into the binary.
const EmbeddedID = "py-2026"

// setFile is the manifest of the embedded rulebook.
type setFile struct {
	ID      string   `json:"id"`
	Version string   `json:"version"`
	Title   Text     `json:"title"`
	Files   []string `json:"files"`
}

// loadSet compiles the rulebook whose manifest is dir/set.json in the embedded files.
func loadSet(dir string) (*Rulebook, error) {
	read := func(name string) ([]byte, error) { return embedded.ReadFile(path.Join(dir, name)) }
	data, err := read("set.json")
	if err != nil {
		return nil, err
	}
	var set setFile
	if err := decodeStrict(data, &set); err != nil {
		return nil, fileError(path.Join(dir, "set.json"), err)
	}
	rb := &Rulebook{ID: set.ID, Version: set.Version, Title: set.Title}
	for _, name := range set.Files {
		data, err := read(name)
		if err != nil {
			return nil, err
		}
		if err := rb.addFile(path.Join(dir, name), data); err != nil {
			return nil, err
		}
	}
	if err := rb.compile(); err != nil {
		return nil, err
	}
	return rb, nil
}

var loadEmbedded = sync.OnceValues(func() (*Rulebook, error) { return loadSet("rulebooks") })

var loadArchived = sync.OnceValues(func() ([]*Rulebook, error) {
	entries, err := embedded.ReadDir("rulebooks/archive")
	if err != nil {
		return nil, err
	}
	var books []*Rulebook
	for _, e := range entries {
		rb, err := loadSet(path.Join("rulebooks/archive", e.Name()))
		if err != nil {
			return nil, err
		}
		if rb.ID != EmbeddedID || rb.Version != e.Name() {
			return nil, fmt.Errorf("rulebooks/archive/%s holds %s@%s: an archived rulebook's folder is named after its version", e.Name(), rb.ID, rb.Version)
		}
		books = append(books, rb)
	}
	return books, nil
})

// Embedded returns the rulebook built into the binary. It is shared and must not be modified.
func Embedded() (*Rulebook, error) { return loadEmbedded() }

// Archived returns the earlier versions of the embedded rulebook, oldest first, kept so that
// stored screenings can be reproduced. They are shared and must not be modified.
func Archived() ([]*Rulebook, error) { return loadArchived() }

// embeddedVersion returns the embedded rulebook, current or archived, named by ref ("py-2026"
// for the current one, or "py-2026@VERSION"), or nil.
func embeddedVersion(ref string) (*Rulebook, error) {
	cur, err := Embedded()
	if err != nil {
		return nil, err
	}
	if ref == cur.ID || ref == cur.ID+"@"+cur.Version {
		return cur, nil
	}
	old, err := Archived()
	if err != nil {
		return nil, err
	}
	for _, rb := range old {
		if ref == rb.ID+"@"+rb.Version {
			return rb, nil
		}
	}
	return nil, nil
}

// addFile decodes one framework file into its slot.
func (r *Rulebook) addFile(name string, data []byte) error {
	var head struct {
		Framework string `json:"framework"`
	}
	if err := decodeLoose(data, &head); err != nil {
		return fileError(name, err)
	}
	src := newSourceMap(data)
	var target any
	switch head.Framework {
	case FrameworkTrafficking:
		r.Trafficking = &TraffickingBook{}
		target = r.Trafficking
	case FrameworkILO11:
		r.ILO11 = &ILO11Book{}
		target = r.ILO11
	case FrameworkICLS:
		r.ICLS = &ICLSBook{}
		target = r.ICLS
	case FrameworkChildLabour:
		r.ChildLabour = &ChildLabourBook{}
		target = r.ChildLabour
	default:
		return &RulebookError{File: name, Line: src.lineOf("framework"), Path: "framework",
			Reason: fmt.Sprintf("unknown framework %q (want trafficking, forced_labour_ilo11, forced_labour_icls or child_labour)", head.Framework)}
	}
	if err := decodeStrict(data, target); err != nil {
		return fileError(name, err)
	}
	locate(reflect.ValueOf(target), "", name, src)
	return nil
}

// decodeLoose reads a few fields of a document, ignoring the rest.
func decodeLoose(data []byte, v any) error { return decodeStrictWith(data, v, false) }

// LoadFile reads a deployment's rulebook file, which extends the embedded rulebook: see
// docs/screening.md. Errors name the file, the line and the reason.
func LoadFile(name string) (*Rulebook, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return LoadOverlay(name, data)
}

// location is where an item of a rulebook was read: its file, its JSON path and the file's map.
type location struct {
	file string
	path string
	src  *sourceMap
}

type locatable interface{ setAt(location) }

var locatableType = reflect.TypeFor[locatable]()

// locate records in every locatable item where it was read, so that errors found after
// merging and cross-checking can still point at the right file and line.
func locate(v reflect.Value, p, file string, src *sourceMap) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			locate(v.Elem(), p, file, src)
		}
	case reflect.Slice:
		for i := range v.Len() {
			locate(v.Index(i), fmt.Sprintf("%s[%d]", p, i), file, src)
		}
	case reflect.Struct:
		if v.CanAddr() && v.Addr().Type().Implements(locatableType) {
			v.Addr().Interface().(locatable).setAt(location{file: file, path: p, src: src})
		}
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name := jsonName(f)
			if name == "-" {
				continue
			}
			child := p
			if !f.Anonymous {
				child = joinPath(p, name)
			}
			locate(v.Field(i), child, file, src)
		}
	}
}

func jsonName(f reflect.StructField) string {
	tag := f.Tag.Get("json")
	name := tag
	for i := range len(tag) {
		if tag[i] == ',' {
			name = tag[:i]
			break
		}
	}
	if name == "" {
		return f.Name
	}
	return name
}
