package ctdc

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"nanduti/internal/stats"
)

// WriterOptions chooses between the two spellings of the v2024 header.
type WriterOptions struct {
	// SectorNames writes sectorOf* instead of typeOf* for the six sector columns, as newer
	// releases do.
	SectorNames bool
}

// Writer writes victims in the CTDC Global Synthetic Dataset v2024 layout: 27 columns,
// ISO alpha-3 countries, flags 1 or empty.
type Writer struct {
	w   *csv.Writer
	row []string
}

// NewWriter writes the header and returns a writer for the rows.
func NewWriter(w io.Writer, opt WriterOptions) (*Writer, error) {
	cw := csv.NewWriter(w)
	header := make([]string, len(Synthetic2024Columns))
	for i, h := range Synthetic2024Columns {
		if opt.SectorNames {
			h = strings.Replace(h, "typeOf", "sectorOf", 1)
		}
		header[i] = h
	}
	if err := cw.Write(header); err != nil {
		return nil, err
	}
	return &Writer{w: cw, row: make([]string, len(header))}, nil
}

var genderOut = map[string]string{
	stats.SexFemale: "Woman", stats.SexMale: "Man", stats.SexTransgenderNonConforming: "Trans/Transgender/NonConforming",
}

func known(s string) string {
	if s == stats.Unknown {
		return ""
	}
	return s
}

func flagOut(f stats.Flag) string {
	if f == stats.FlagYes {
		return "1"
	}
	return ""
}

// Write writes one victim. The coarse isForcedLabour and isSexualExploit columns are derived
// from the detailed ones too (a labour sector means forced labour), as the v2024 file has
// them; "no" and "unknown" both become an empty field, the layout having no way to tell them
// apart.
func (w *Writer) Write(v *stats.Victim) error {
	r := w.row
	r[0] = ""
	if v.Year != 0 {
		r[0] = strconv.Itoa(v.Year)
	}
	r[1] = genderOut[v.Sex]
	r[2] = known(v.AgeBand)
	r[3] = known(v.Citizenship)
	r[4] = known(v.ExploitationCountry)
	r[5] = known(v.TraffickMonths)
	for id := stats.FlagID(0); id < stats.NumFlags; id++ {
		f := v.Flags[id]
		switch id {
		case stats.IsForcedLabour:
			f = v.ForcedLabour()
		case stats.IsSexualExploit:
			f = v.SexualExploitation()
		}
		r[6+int(id)] = flagOut(f)
	}
	return w.w.Write(r)
}

// Flush writes buffered rows out and reports any write error.
func (w *Writer) Flush() error {
	w.w.Flush()
	return w.w.Error()
}
