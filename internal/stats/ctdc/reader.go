// Package ctdc reads and writes the open data files of the Counter Trafficking Data
// Collaborative: the Global Synthetic Dataset v2024 (27 columns, typeOf* or sectorOf* names),
// the k-anonymised Global Dataset of 2017-2021 (63 columns, -99 for missing) and subsets of
// it such as the April 2020 extract (flags written 0.0/1.0, extra columns). Every layout is
// turned into stats.Victim, so Paraguay's figures and the regional picture are counted alike.
package ctdc

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"nanduti/internal/stats"
)

// Layout is a family of CTDC files, recognised from the header.
type Layout int

// The layouts the reader recognises.
const (
	// LayoutSubset is any file with the seven core columns (yearOfRegistration, gender,
	// ageBroad, citizenship, isForcedLabour, isSexualExploit, CountryOfExploitation).
	LayoutSubset Layout = iota
	// LayoutGlobal2017 is the k-anonymised Global Dataset, 63 columns.
	LayoutGlobal2017
	// LayoutSynthetic2024 is the Global Synthetic Dataset v2024, 27 columns.
	LayoutSynthetic2024
)

// String names the layout for messages and metadata.
func (l Layout) String() string {
	switch l {
	case LayoutGlobal2017:
		return "CTDC global dataset (k-anonymised, 63 columns)"
	case LayoutSynthetic2024:
		return "CTDC global synthetic dataset v2024 (27 columns)"
	}
	return "CTDC subset (core columns)"
}

// Core lists the seven columns every recognised layout has.
var Core = []string{"yearOfRegistration", "gender", "ageBroad", "citizenship", "isForcedLabour", "isSexualExploit", "CountryOfExploitation"}

// Synthetic2024Columns is the v2024 header in order, with the typeOf* spelling.
var Synthetic2024Columns = []string{"yearOfRegistration", "gender", "ageBroad", "citizenship",
	"CountryOfExploitation", "traffickMonths", "meansDebtBondageEarnings", "meansThreats",
	"meansAbusePsyPhySex", "meansFalsePromises", "meansDrugsAlcohol", "meansDenyBasicNeeds",
	"meansExcessiveWorkHours", "meansWithholdDocs", "isForcedLabour", "isSexualExploit",
	"isOtherExploit", "typeOfLabourAgriculture", "typeOfLabourConstruction",
	"typeOfLabourDomesticWork", "typeOfLabourHospitality", "typeOfSexProstitution",
	"typeOfSexPornography", "recruiterRelationIntimatePartner", "recruiterRelationFriend",
	"recruiterRelationFamily", "recruiterRelationOther"}

// Global2017Columns is the k-anonymised dataset's header (its column order varies between
// releases; the reader goes by name).
var Global2017Columns = []string{"yearOfRegistration", "Datasource", "gender", "ageBroad",
	"majorityStatus", "majorityStatusAtExploit", "majorityEntry", "citizenship",
	"meansOfControlDebtBondage", "meansOfControlTakesEarnings", "meansOfControlRestrictsFinancialAccess",
	"meansOfControlThreats", "meansOfControlPsychologicalAbuse", "meansOfControlPhysicalAbuse",
	"meansOfControlSexualAbuse", "meansOfControlFalsePromises", "meansOfControlPsychoactiveSubstances",
	"meansOfControlRestrictsMovement", "meansOfControlRestrictsMedicalCare",
	"meansOfControlExcessiveWorkingHours", "meansOfControlUsesChildren",
	"meansOfControlThreatOfLawEnforcement", "meansOfControlWithholdsNecessities",
	"meansOfControlWithholdsDocuments", "meansOfControlOther", "meansOfControlNotSpecified",
	"meansOfControlConcatenated", "isForcedLabour", "isSexualExploit", "isOtherExploit",
	"isSexAndLabour", "isForcedMarriage", "isForcedMilitary", "isOrganRemoval",
	"isSlaveryAndPractices", "typeOfExploitConcatenated", "typeOfLabourAgriculture",
	"typeOfLabourAquafarming", "typeOfLabourBegging", "typeOfLabourConstruction",
	"typeOfLabourDomesticWork", "typeOfLabourHospitality", "typeOfLabourIllicitActivities",
	"typeOfLabourManufacturing", "typeOfLabourMiningOrDrilling", "typeOfLabourPeddling",
	"typeOfLabourTransportation", "typeOfLabourOther", "typeOfLabourNotSpecified",
	"typeOfLabourConcatenated", "typeOfSexProstitution", "typeOfSexPornography",
	"typeOfSexRemoteInteractiveServices", "typeOfSexPrivateSexualServices", "typeOfSexConcatenated",
	"isAbduction", "RecruiterRelationship", "CountryOfExploitation", "recruiterRelationIntimatePartner",
	"recruiterRelationFriend", "recruiterRelationFamily", "recruiterRelationOther", "recruiterRelationUnknown"}

// Error is a problem in a CTDC file, located so that it can be fixed.
type Error struct {
	File   string
	Line   int
	Column string
	Msg    string
}

func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc += ":" + strconv.Itoa(e.Line)
	}
	if e.Column != "" {
		return fmt.Sprintf("%s: column %s: %s", loc, e.Column, e.Msg)
	}
	return loc + ": " + e.Msg
}

// rowState is what a row says beyond the record itself, settled once the row is read.
type rowState struct {
	majority string
}

type setter func(v *stats.Victim, st *rowState, val string) error

// columns maps a folded column name to how its value fills the record.
var columns = map[string]setter{}

func fold(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

func init() {
	set := func(names []string, s setter) {
		for _, n := range names {
			columns[fold(n)] = s
		}
	}
	set([]string{"yearOfRegistration", "yearRegister"}, setYear)
	set([]string{"gender"}, setGender)
	set([]string{"ageBroad"}, setAgeBand)
	set([]string{"majorityStatus"}, setMajority)
	set([]string{"citizenship"}, func(v *stats.Victim, _ *rowState, s string) error {
		return setCountry(&v.Citizenship, s)
	})
	set([]string{"CountryOfExploitation"}, func(v *stats.Victim, _ *rowState, s string) error {
		return setCountry(&v.ExploitationCountry, s)
	})
	set([]string{"traffickMonths"}, setTraffickMonths)
	// The v2024 flags under their own names, and the six sector flags' sectorOf* spelling.
	for id := stats.FlagID(0); id < stats.NumFlags; id++ {
		names := []string{id.Name()}
		if rest, ok := strings.CutPrefix(id.Name(), "typeOf"); ok {
			names = append(names, "sectorOf"+rest)
		}
		set(names, orFlag(id))
	}
	// The 63-column dataset's detailed means of control fold into v2024's coarse ones.
	for name, id := range map[string]stats.FlagID{
		"meansOfControlDebtBondage": stats.MeansDebtBondageEarnings, "meansOfControlTakesEarnings": stats.MeansDebtBondageEarnings,
		"meansOfControlThreats": stats.MeansThreats, "meansOfControlThreatOfLawEnforcement": stats.MeansThreats,
		"meansOfControlPsychologicalAbuse": stats.MeansAbusePsyPhySex, "meansOfControlPhysicalAbuse": stats.MeansAbusePsyPhySex,
		"meansOfControlSexualAbuse": stats.MeansAbusePsyPhySex, "meansOfControlFalsePromises": stats.MeansFalsePromises,
		"meansOfControlPsychoactiveSubstances": stats.MeansDrugsAlcohol, "meansOfControlWithholdsNecessities": stats.MeansDenyBasicNeeds,
		"meansOfControlExcessiveWorkingHours": stats.MeansExcessiveWorkHours, "meansOfControlWithholdsDocuments": stats.MeansWithholdDocs,
		"isForcedMarriage": stats.IsOtherExploit, "isForcedMilitary": stats.IsOtherExploit,
		"isOrganRemoval": stats.IsOtherExploit, "isSlaveryAndPractices": stats.IsOtherExploit,
	} {
		set([]string{name}, orFlag(id))
	}
	// Sectors and types with no v2024 column still imply the form of exploitation, but their
	// "no" says nothing about it.
	for _, name := range []string{"typeOfLabourAquafarming", "typeOfLabourBegging", "typeOfLabourIllicitActivities",
		"typeOfLabourManufacturing", "typeOfLabourMiningOrDrilling", "typeOfLabourPeddling",
		"typeOfLabourTransportation", "typeOfLabourOther"} {
		set([]string{name}, impliesFlag(stats.IsForcedLabour))
	}
	set([]string{"typeOfSexRemoteInteractiveServices", "typeOfSexPrivateSexualServices"}, impliesFlag(stats.IsSexualExploit))
	set([]string{"isSexAndLabour"}, func(v *stats.Victim, _ *rowState, s string) error {
		f, err := parseFlag(s)
		if f == stats.FlagYes {
			v.Flags[stats.IsForcedLabour] = v.Flags[stats.IsForcedLabour].Or(f)
			v.Flags[stats.IsSexualExploit] = v.Flags[stats.IsSexualExploit].Or(f)
		}
		return err
	})
}

// missing reports the spellings CTDC files use for "not recorded".
func missing(s string) bool {
	switch s {
	case "", "-99", "-99.0", "NULL", "null", "Unknown", "unknown", "nan", "NaN":
		return true
	}
	return false
}

func setYear(v *stats.Victim, _ *rowState, s string) error {
	if missing(s) {
		return nil
	}
	s = strings.TrimSuffix(s, ".0")
	n, err := strconv.Atoi(s)
	if err != nil || n < 1900 || n > 2200 {
		return fmt.Errorf("%q is not a year of registration; write a four-digit year such as 2016, or leave it empty or -99 when unknown", s)
	}
	v.Year = n
	return nil
}

func setGender(v *stats.Victim, _ *rowState, s string) error {
	switch strings.ToLower(s) {
	case "woman", "female", "f", "girl":
		v.Sex = stats.SexFemale
	case "man", "male", "m", "boy":
		v.Sex = stats.SexMale
	case "trans/transgender/nonconforming", "transgender/nonconforming", "transgender", "trans", "nonconforming", "non-conforming":
		v.Sex = stats.SexTransgenderNonConforming
	default:
		if !missing(s) {
			return fmt.Errorf("%q is not a CTDC gender; use Woman, Man or Trans/Transgender/NonConforming (v2024), Female or Male (older files), or leave it empty or -99 when unknown", s)
		}
	}
	return nil
}

func setAgeBand(v *stats.Victim, _ *rowState, s string) error {
	if missing(s) {
		return nil
	}
	band := s
	if !strings.Contains(band, "--") {
		band = strings.Replace(band, "-", "--", 1)
	}
	if !slices.Contains(stats.AgeBands, band) {
		return fmt.Errorf("%q is not a CTDC age band; use one of %s, or leave it empty or -99 when unknown", s, strings.Join(stats.AgeBands, ", "))
	}
	v.AgeBand = band
	return nil
}

func setMajority(_ *stats.Victim, st *rowState, s string) error {
	switch strings.ToLower(s) {
	case "adult":
		st.majority = stats.AgeAdult
	case "minor":
		st.majority = stats.AgeMinor
	default:
		if !missing(s) {
			return fmt.Errorf("%q is not a majority status; use Adult or Minor, or leave it empty or -99 when unknown", s)
		}
	}
	return nil
}

func setCountry(dst *string, s string) error {
	// "0" and "00" are how a third-party extract of the 2020 dataset wrote missing codes.
	if missing(s) || s == "0" || s == "00" {
		return nil
	}
	if c, ok := stats.LookupCountry(s); ok {
		*dst = c.Alpha3
		return nil
	}
	if len(s) >= 2 && len(s) <= 3 && strings.IndexFunc(s, func(r rune) bool { return (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') }) < 0 {
		// A code outside ISO 3166 (user-assigned or withdrawn) is kept as written: it still
		// names one place consistently within the file.
		*dst = strings.ToUpper(s)
		return nil
	}
	return fmt.Errorf("%q is not a country code; write an ISO 3166 alpha-3 (v2024) or alpha-2 (older files) code such as PRY or PY, or leave it empty or -99 when unknown", s)
}

func setTraffickMonths(v *stats.Victim, _ *rowState, s string) error {
	if missing(s) {
		return nil
	}
	if !slices.Contains(stats.TraffickMonthsBands, s) {
		return fmt.Errorf("%q is not a CTDC traffickMonths band; use one of %q, or leave it empty when unknown", s, stats.TraffickMonthsBands)
	}
	v.TraffickMonths = s
	return nil
}

func parseFlag(s string) (stats.Flag, error) {
	switch strings.ToLower(s) {
	case "1", "1.0", "true", "yes":
		return stats.FlagYes, nil
	case "0", "0.0", "false", "no":
		return stats.FlagNo, nil
	}
	if missing(s) {
		return stats.FlagUnknown, nil
	}
	return stats.FlagUnknown, fmt.Errorf("%q is not a flag; write 1 (or 1.0) for yes, 0 (or 0.0) for no, and leave it empty or -99 when unknown", s)
}

func orFlag(id stats.FlagID) setter {
	return func(v *stats.Victim, _ *rowState, s string) error {
		f, err := parseFlag(s)
		v.Flags[id] = v.Flags[id].Or(f)
		return err
	}
}

func impliesFlag(id stats.FlagID) setter {
	return func(v *stats.Victim, _ *rowState, s string) error {
		f, err := parseFlag(s)
		if f == stats.FlagYes {
			v.Flags[id] = stats.FlagYes
		}
		return err
	}
}

// Reader reads a CTDC file one row at a time, in constant memory.
type Reader struct {
	file    string
	csv     *csv.Reader
	layout  Layout
	header  []string
	setters []setter
	state   rowState
}

// NewReader reads the header of a CTDC file and recognises its layout; name is the file's
// name as errors should show it.
func NewReader(r io.Reader, name string) (*Reader, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &Error{File: name, Line: 1, Msg: "the file is empty; a CTDC file starts with a header line such as " + strings.Join(Core, ",")}
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	header = slices.Clone(header)
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	rd := &Reader{file: name, csv: cr, header: header, setters: make([]setter, len(header))}
	have := map[string]bool{}
	for i, h := range header {
		f := fold(h)
		if have[f] {
			return nil, &Error{File: name, Line: 1, Column: h, Msg: "the column appears twice in the header; keep one"}
		}
		have[f] = true
		rd.setters[i] = columns[f]
	}
	hasAll := func(names []string, alt func(string) string) bool {
		for _, n := range names {
			if !have[fold(n)] && (alt == nil || !have[fold(alt(n))]) {
				return false
			}
		}
		return true
	}
	sector := func(n string) string { return strings.Replace(n, "typeOf", "sectorOf", 1) }
	switch {
	case hasAll(Synthetic2024Columns, sector):
		rd.layout = LayoutSynthetic2024
	case hasAll(Global2017Columns, nil):
		rd.layout = LayoutGlobal2017
	case hasAll(Core, nil):
		rd.layout = LayoutSubset
	default:
		var miss []string
		for _, n := range Core {
			if !have[fold(n)] {
				miss = append(miss, n)
			}
		}
		return nil, &Error{File: name, Line: 1, Msg: fmt.Sprintf("not a CTDC file: the header lacks %s; CTDC files have at least the columns %s",
			strings.Join(miss, ", "), strings.Join(Core, ", "))}
	}
	return rd, nil
}

// Layout is the recognised layout.
func (r *Reader) Layout() Layout { return r.layout }

// Read fills v with the next row; it returns io.EOF after the last one, and an *Error naming
// file, line and column for a row it cannot read.
func (r *Reader) Read(v *stats.Victim) error {
	rec, err := r.csv.Read()
	if err != nil {
		if err == io.EOF {
			return err
		}
		return csvError(r.file, err)
	}
	v.Reset()
	r.state = rowState{}
	for i, val := range rec {
		s := r.setters[i]
		if s == nil {
			continue
		}
		if err := s(v, &r.state, strings.TrimSpace(val)); err != nil {
			line, _ := r.csv.FieldPos(i)
			return &Error{File: r.file, Line: line, Column: r.header[i], Msg: err.Error()}
		}
	}
	if v.AgeBand != stats.Unknown {
		v.AgeGroup = stats.AgeGroupOfBand(v.AgeBand)
	} else if r.state.majority != "" {
		v.AgeGroup = r.state.majority
	}
	return nil
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		msg := pe.Err.Error()
		switch {
		case errors.Is(pe.Err, csv.ErrFieldCount):
			msg += "; every row must have as many fields as the header (check for a stray or missing comma)"
		case errors.Is(pe.Err, csv.ErrQuote), errors.Is(pe.Err, csv.ErrBareQuote):
			msg += fmt.Sprintf(" at character %d; a field containing a quote must be quoted and the quote doubled (\"\")", pe.Column)
		}
		return &Error{File: name, Line: pe.Line, Msg: msg}
	}
	return &Error{File: name, Msg: err.Error()}
}

// Source is a CTDC file as a stats.Source.
type Source struct {
	// Name is how errors name the file.
	Name string
	// Open opens the file anew for each pass.
	Open func() (io.ReadCloser, error)
	// Layout is set after the first pass.
	Layout Layout
}

// FileSource is a Source reading the file at path.
func FileSource(path string) *Source {
	return &Source{Name: path, Open: func() (io.ReadCloser, error) { return os.Open(path) }}
}

// Each streams every row of the file through fn, checking ctx between rows now and then.
func (s *Source) Each(ctx context.Context, fn func(*stats.Victim) error) error {
	f, err := s.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := NewReader(f, s.Name)
	if err != nil {
		return err
	}
	s.Layout = r.Layout()
	var v stats.Victim
	for n := 0; ; n++ {
		if n&4095 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := r.Read(&v); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		if err := fn(&v); err != nil {
			return err
		}
	}
}
