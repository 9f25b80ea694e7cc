// Package unodc reads and writes UNODC's GLOTIP long format (one line per indicator, year,
// dimension, category, sex and age), in which countries report trafficking statistics and
// UNODC publishes them with counts under five written "<5".
package unodc

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"nanduti/internal/stats"
)

// Header is the GLOTIP column order.
var Header = []string{"Iso3_code", "Country", "Region", "Subregion", "Indicator", "Dimension", "Category",
	"Sex", "Age", "Year", "Unit of measurement", "txtVALUE", "Source"}

// Indicator names used by GLOTIP.
const (
	DetectedVictims   = "Detected trafficking victims"
	PersonsProsecuted = "Persons prosecuted"
	PersonsConvicted  = "Persons convicted"
)

// Value is a GLOTIP txtVALUE: a count, or "below N" for a withheld small count.
type Value struct {
	Count int64
	// Below is N for "<N", 0 for an exact count.
	Below int
}

// String renders the value as txtVALUE.
func (v Value) String() string {
	if v.Below > 0 {
		return "<" + strconv.Itoa(v.Below)
	}
	return strconv.FormatInt(v.Count, 10)
}

// ParseValue reads a txtVALUE.
func ParseValue(s string) (Value, error) {
	if rest, ok := strings.CutPrefix(s, "<"); ok {
		n, err := strconv.Atoi(rest)
		if err != nil || n < 1 {
			return Value{}, fmt.Errorf("%q is not a value; write a count such as 12 or a withheld small count such as <5", s)
		}
		return Value{Below: n}, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return Value{}, fmt.Errorf("%q is not a value; write a count such as 12 or a withheld small count such as <5", s)
	}
	return Value{Count: n}, nil
}

// Row is one GLOTIP line.
type Row struct {
	Iso3, Country, Region, Subregion string
	Indicator, Dimension, Category   string
	Sex, Age                         string
	Year                             int
	Unit                             string
	Value                            Value
	Source                           string
}

func (r *Row) fields() []string {
	return []string{r.Iso3, r.Country, r.Region, r.Subregion, r.Indicator, r.Dimension, r.Category,
		r.Sex, r.Age, strconv.Itoa(r.Year), r.Unit, r.Value.String(), r.Source}
}

// Error locates a problem in a GLOTIP file.
type Error struct {
	File   string
	Line   int
	Column string
	Msg    string
}

func (e *Error) Error() string {
	s := e.File + ":" + strconv.Itoa(e.Line) + ": "
	if e.Column != "" {
		s += "column " + e.Column + ": "
	}
	return s + e.Msg
}

// Reader reads GLOTIP rows one at a time.
type Reader struct {
	file string
	csv  *csv.Reader
}

// NewReader checks the header; name is how errors name the file.
func NewReader(r io.Reader, name string) (*Reader, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	h, err := cr.Read()
	if err != nil {
		if err == io.EOF {
			return nil, &Error{File: name, Line: 1, Msg: "the file is empty; a GLOTIP file starts with the header " + strings.Join(Header, ",")}
		}
		return nil, parseErr(name, err)
	}
	if len(h) > 0 {
		h[0] = strings.TrimPrefix(h[0], "\ufeff")
	}
	if len(h) != len(Header) {
		return nil, &Error{File: name, Line: 1, Msg: fmt.Sprintf("the header has %d columns; GLOTIP has %d: %s", len(h), len(Header), strings.Join(Header, ","))}
	}
	for i, want := range Header {
		if h[i] != want {
			return nil, &Error{File: name, Line: 1, Column: strconv.Itoa(i + 1), Msg: fmt.Sprintf("header says %q where GLOTIP has %q", h[i], want)}
		}
	}
	return &Reader{file: name, csv: cr}, nil
}

// Read returns the next row, or io.EOF after the last.
func (r *Reader) Read() (Row, error) {
	rec, err := r.csv.Read()
	if err != nil {
		if err == io.EOF {
			return Row{}, err
		}
		return Row{}, parseErr(r.file, err)
	}
	row := Row{Iso3: rec[0], Country: rec[1], Region: rec[2], Subregion: rec[3], Indicator: rec[4],
		Dimension: rec[5], Category: rec[6], Sex: rec[7], Age: rec[8], Unit: rec[10], Source: rec[12]}
	line, _ := r.csv.FieldPos(9)
	if row.Year, err = strconv.Atoi(rec[9]); err != nil {
		return Row{}, &Error{File: r.file, Line: line, Column: "Year", Msg: fmt.Sprintf("%q is not a year; write it with four digits", rec[9])}
	}
	if row.Value, err = ParseValue(rec[11]); err != nil {
		return Row{}, &Error{File: r.file, Line: line, Column: "txtVALUE", Msg: err.Error()}
	}
	return row, nil
}

// ReadAll reads every row.
func (r *Reader) ReadAll() ([]Row, error) {
	var out []Row
	for {
		row, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, row)
	}
}

func parseErr(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		msg := pe.Err.Error()
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			msg += fmt.Sprintf("; every line must have the %d GLOTIP fields", len(Header))
		}
		return &Error{File: name, Line: pe.Line, Msg: msg}
	}
	return &Error{File: name, Msg: err.Error()}
}

// Writer writes GLOTIP rows after the header.
type Writer struct{ w *csv.Writer }

// NewWriter writes the header; crlf ends lines as UNODC's files do.
func NewWriter(w io.Writer, crlf bool) (*Writer, error) {
	cw := csv.NewWriter(w)
	cw.UseCRLF = crlf
	return &Writer{w: cw}, cw.Write(Header)
}

// Write writes one row.
func (w *Writer) Write(r *Row) error { return w.w.Write(r.fields()) }

// Flush writes buffered rows and reports any write error.
func (w *Writer) Flush() error {
	w.w.Flush()
	return w.w.Error()
}

// Template holds what a table does not say about its GLOTIP rows.
type Template struct {
	Iso3, Country, Region, Subregion string
	Indicator                        string
	Source                           string
}

// Paraguay is the template for Paraguay's rows.
var Paraguay = Template{Iso3: "PRY", Country: "Paraguay", Region: "Americas",
	Subregion: "Latin America and the Caribbean", Indicator: DetectedVictims, Source: "Ñandutí"}

var glotipSex = map[string]string{stats.SexFemale: "Female", stats.SexMale: "Male", stats.TotalCode: "Total"}
var glotipAge = map[string]string{stats.AgeMinor: "0 to 17 years", stats.AgeAdult: "18 years or over", stats.TotalCode: "Total"}
var glotipForm = map[string]string{stats.ExploitLabour: "Forced labour", stats.ExploitSexual: "Sexual exploitation",
	stats.ExploitOther: "Other forms of exploitation", stats.ExploitSexualAndLabor: "Sexual exploitation and forced labour"}

// FromTable turns a protected table by year (required) and any of sex, age_group,
// exploitation or citizenship (not both of the last two: GLOTIP has one Dimension column)
// into GLOTIP rows. Small cells become "<K"; cells withheld as complementary suppression are
// left out, as GLOTIP has no symbol for them; so are unknown years, sexes other than female
// and male, and unknown ages, which remain inside the Totals.
func FromTable(p *stats.Protected, tpl Template) ([]Row, error) {
	t := p.Table
	axis := map[string]int{}
	for d, a := range t.Axes {
		switch a.Key {
		case "year", "sex", "age_group", "exploitation", "citizenship":
			axis[a.Key] = d
		default:
			return nil, fmt.Errorf("GLOTIP has no place for dimension %s; use year, sex, age_group and one of exploitation or citizenship", a.Name)
		}
	}
	if _, ok := axis["year"]; !ok {
		return nil, errors.New("a GLOTIP table needs the year dimension")
	}
	_, hasForm := axis["exploitation"]
	_, hasCit := axis["citizenship"]
	if hasForm && hasCit {
		return nil, errors.New("GLOTIP rows carry one dimension: tabulate by exploitation or by citizenship, not both")
	}
	var rows []Row
	for i := range t.Len() {
		if p.Status(i) == stats.Secondary {
			continue
		}
		codes := t.CellCodes(i)
		get := func(key string) string {
			if d, ok := axis[key]; ok {
				return codes[d]
			}
			return stats.TotalCode
		}
		year, err := strconv.Atoi(get("year"))
		if err != nil {
			continue
		}
		sex, okS := glotipSex[get("sex")]
		age, okA := glotipAge[get("age_group")]
		if !okS || !okA {
			continue
		}
		row := Row{Iso3: tpl.Iso3, Country: tpl.Country, Region: tpl.Region, Subregion: tpl.Subregion,
			Indicator: tpl.Indicator, Dimension: "Total", Category: "Total", Sex: sex, Age: age, Year: year,
			Unit: "Counts", Source: tpl.Source}
		if c := get("exploitation"); c != stats.TotalCode {
			if row.Category = glotipForm[c]; row.Category == "" {
				continue
			}
			row.Dimension = "by form of exploitation"
		}
		if c := get("citizenship"); c != stats.TotalCode {
			if c == stats.Unknown {
				continue
			}
			row.Dimension = "by citizenship"
			row.Category = c
			if country, ok := stats.LookupCountry(c); ok {
				row.Category = country.Name
			}
		}
		if v, ok := p.Published(i); ok {
			row.Value = Value{Count: v}
		} else {
			row.Value = Value{Below: p.Threshold}
		}
		rows = append(rows, row)
	}
	return rows, nil
}
