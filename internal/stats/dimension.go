package stats

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Dimension is one way of classifying victims: its key, the other names it answers to (the
// CTDC column names, so that analysts can ask with the words of the file they hold), the
// closed list of its categories when there is one, and how to read a victim's category.
type Dimension struct {
	// Key is the canonical name, as used in metadata and documentation.
	Key string
	// Aliases are further accepted names; matching ignores case, '_' and '-'.
	Aliases []string
	// Title describes the dimension for people.
	Title string
	// Values is the closed vocabulary in display order (Unknown excluded), or nil when the
	// categories are open (years, countries).
	Values []string

	code    func(*Victim) string
	label   func(string) string
	numeric bool
}

// Code returns v's category in this dimension.
func (d *Dimension) Code(v *Victim) string { return d.code(v) }

// Label names a category code of this dimension for people.
func (d *Dimension) Label(code string) string {
	if d.label != nil {
		return d.label(code)
	}
	return code
}

// Compare orders two category codes: the vocabulary's order, numbers numerically, other
// codes alphabetically, and Unknown last.
func (d *Dimension) Compare(a, b string) int {
	if (a == Unknown) != (b == Unknown) {
		if a == Unknown {
			return 1
		}
		return -1
	}
	if d.Values != nil {
		ia, ib := slices.Index(d.Values, a), slices.Index(d.Values, b)
		if ia >= 0 && ib >= 0 {
			return cmp.Compare(ia, ib)
		}
	}
	if d.numeric {
		na, ea := strconv.Atoi(a)
		nb, eb := strconv.Atoi(b)
		if ea == nil && eb == nil {
			return cmp.Compare(na, nb)
		}
	}
	return strings.Compare(a, b)
}

func flagDimension(key, alias, title string, of func(*Victim) Flag) *Dimension {
	return &Dimension{Key: key, Aliases: []string{alias}, Title: title, Values: []string{"Yes", "No"},
		code: func(v *Victim) string { return of(v).Code() }}
}

var exploitationLabels = map[string]string{
	ExploitSexual:         "Sexual exploitation",
	ExploitLabour:         "Forced labour",
	ExploitSexualAndLabor: "Sexual exploitation and forced labour",
	ExploitOther:          "Other forms of exploitation",
}

var sexLabels = map[string]string{
	SexFemale: "Female", SexMale: "Male", SexTransgenderNonConforming: "Transgender or non-conforming",
}

var ageGroupLabels = map[string]string{AgeMinor: "0 to 17 years", AgeAdult: "18 years or over"}

func mapLabel(m map[string]string) func(string) string {
	return func(code string) string {
		if l, ok := m[code]; ok {
			return l
		}
		return code
	}
}

// dimensions is the vocabulary, in the order documentation lists it.
var dimensions = []*Dimension{
	{Key: "year", Aliases: []string{"yearOfRegistration", "yearRegister"}, Title: "Year of registration",
		numeric: true,
		code: func(v *Victim) string {
			if v.Year == 0 {
				return Unknown
			}
			return strconv.Itoa(v.Year)
		}},
	{Key: "exploitation", Aliases: []string{"typeOfExploitation", "form"}, Title: "Form of exploitation",
		Values: []string{ExploitSexual, ExploitLabour, ExploitSexualAndLabor, ExploitOther},
		code:   (*Victim).Exploitation, label: mapLabel(exploitationLabels)},
	flagDimension("forced_labour", "isForcedLabour", "Forced labour", (*Victim).ForcedLabour),
	flagDimension("sexual_exploitation", "isSexualExploit", "Sexual exploitation", (*Victim).SexualExploitation),
	flagDimension("other_exploitation", "isOtherExploit", "Other forms of exploitation",
		func(v *Victim) Flag { return v.Flags[IsOtherExploit] }),
	{Key: "sex", Aliases: []string{"gender"}, Title: "Sex",
		Values: []string{SexFemale, SexMale, SexTransgenderNonConforming},
		code:   func(v *Victim) string { return v.Sex }, label: mapLabel(sexLabels)},
	{Key: "age_group", Aliases: []string{"majorityStatus", "age"}, Title: "Age group",
		Values: []string{AgeMinor, AgeAdult},
		code:   func(v *Victim) string { return v.AgeGroup }, label: mapLabel(ageGroupLabels)},
	{Key: "age_band", Aliases: []string{"ageBroad"}, Title: "Age band (CTDC)", Values: AgeBands,
		code: func(v *Victim) string { return v.AgeBand }},
	{Key: "citizenship", Aliases: []string{"nationality"}, Title: "Citizenship",
		code: func(v *Victim) string { return v.Citizenship }, label: countryLabel},
	{Key: "exploitation_country", Aliases: []string{"CountryOfExploitation", "country"}, Title: "Country of exploitation",
		code: func(v *Victim) string { return v.ExploitationCountry }, label: countryLabel},
	{Key: "department", Aliases: []string{"departamento"}, Title: "Department (INE code)",
		numeric: true, code: func(v *Victim) string { return v.Department }},
	{Key: "traffick_months", Aliases: []string{"traffickMonths", "duration"}, Title: "Length of exploitation",
		Values: TraffickMonthsBands, code: func(v *Victim) string { return v.TraffickMonths }},
}

// Dimensions returns the vocabulary of dimensions.
func Dimensions() []*Dimension { return slices.Clone(dimensions) }

func foldName(s string) string {
	return strings.ToLower(strings.NewReplacer("_", "", "-", "", " ", "").Replace(s))
}

// DimensionNames lists every accepted dimension name, keys first, for error messages.
func DimensionNames() []string {
	var keys, aliases []string
	for _, d := range dimensions {
		keys = append(keys, d.Key)
		aliases = append(aliases, d.Aliases...)
	}
	return append(keys, aliases...)
}

// LookupDimension finds a dimension by key or alias; the error lists the accepted names.
func LookupDimension(name string) (*Dimension, error) {
	f := foldName(name)
	for _, d := range dimensions {
		if foldName(d.Key) == f {
			return d, nil
		}
		for _, a := range d.Aliases {
			if foldName(a) == f {
				return d, nil
			}
		}
	}
	return nil, fmt.Errorf("unknown dimension %q; use one of: %s", name, strings.Join(DimensionNames(), ", "))
}

// normalizeValue turns a category as typed by a person into the dimension's code, or
// explains which values are allowed.
func (d *Dimension) normalizeValue(s string) (string, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, Unknown) {
		return Unknown, nil
	}
	switch {
	case d.Key == "citizenship" || d.Key == "exploitation_country":
		if c, ok := LookupCountry(s); ok {
			return c.Alpha3, nil
		}
		return "", fmt.Errorf("%s: %q is not an ISO 3166 alpha-2 or alpha-3 country code (for example PRY or PY), nor Unknown", d.Key, s)
	case d.numeric:
		if _, err := strconv.Atoi(s); err != nil {
			return "", fmt.Errorf("%s: %q is not a number, nor Unknown", d.Key, s)
		}
		if d.Key == "department" && len(s) == 1 {
			s = "0" + s
		}
		return s, nil
	}
	for _, v := range d.Values {
		if strings.EqualFold(v, s) || (d.label != nil && strings.EqualFold(d.label(v), s)) {
			return v, nil
		}
	}
	return "", fmt.Errorf("%s: %q is not one of %s, Unknown", d.Key, s, strings.Join(d.Values, ", "))
}

// Filter keeps the victims whose category in one dimension is among a set of codes or, for
// numeric dimensions, inside a range.
type Filter struct {
	Dim    *Dimension
	codes  map[string]bool
	ranges [][2]int
}

// Match reports whether v passes the filter.
func (f *Filter) Match(v *Victim) bool {
	c := f.Dim.code(v)
	if f.codes[c] {
		return true
	}
	if len(f.ranges) > 0 {
		if n, err := strconv.Atoi(c); err == nil {
			for _, r := range f.ranges {
				if n >= r[0] && n <= r[1] {
					return true
				}
			}
		}
	}
	return false
}

// String renders the filter back in the syntax ParseFilters reads, for metadata.
func (f *Filter) String() string {
	var parts []string
	for _, r := range f.ranges {
		parts = append(parts, fmt.Sprintf("%d..%d", r[0], r[1]))
	}
	codes := make([]string, 0, len(f.codes))
	for c := range f.codes {
		codes = append(codes, c)
	}
	slices.SortFunc(codes, f.Dim.Compare)
	return f.Dim.Key + "=" + strings.Join(append(parts, codes...), "|")
}

// ParseFilters reads "dim=value[|value...][,dim=value...]"; numeric dimensions (year,
// department) also take ranges "2015..2018" and open ones "2015..", "..2018".
func ParseFilters(spec string) ([]*Filter, error) {
	var out []*Filter
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, values, ok := strings.Cut(part, "=")
		if !ok || strings.TrimSpace(values) == "" {
			return nil, fmt.Errorf("filter %q: write dimension=value, for example year=2015..2018 or citizenship=PHL|IDN", part)
		}
		d, err := LookupDimension(strings.TrimSpace(name))
		if err != nil {
			return nil, fmt.Errorf("filter %q: %w", part, err)
		}
		f := &Filter{Dim: d, codes: map[string]bool{}}
		for _, v := range strings.Split(values, "|") {
			v = strings.TrimSpace(v)
			if lo, hi, isRange := strings.Cut(v, ".."); isRange {
				if !d.numeric {
					return nil, fmt.Errorf("filter %q: ranges (a..b) work only for year and department", part)
				}
				r, err := parseRange(lo, hi)
				if err != nil {
					return nil, fmt.Errorf("filter %q: %w", part, err)
				}
				f.ranges = append(f.ranges, r)
				continue
			}
			code, err := d.normalizeValue(v)
			if err != nil {
				return nil, fmt.Errorf("filter %q: %w", part, err)
			}
			f.codes[code] = true
		}
		out = append(out, f)
	}
	return out, nil
}

func parseRange(lo, hi string) ([2]int, error) {
	r := [2]int{-1 << 31, 1<<31 - 1}
	for i, s := range []string{lo, hi} {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return r, fmt.Errorf("range bound %q is not a whole number", s)
		}
		r[i] = n
	}
	if r[0] > r[1] {
		return r, fmt.Errorf("range %s..%s is empty: the first bound must not exceed the second", lo, hi)
	}
	return r, nil
}
