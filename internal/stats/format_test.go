package stats

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"nanduti/internal/testutil"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// golden compares got with testdata/golden/name; see testutil.Golden.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	testutil.Golden(t, filepath.Join("testdata", "golden", name), got)
}

// sliceSource is a Source over synthetic victims.
type sliceSource []Victim

func (s sliceSource) Each(ctx context.Context, fn func(*Victim) error) error {
	for i := range s {
		v := s[i]
		if err := fn(&v); err != nil {
			return err
		}
	}
	return nil
}

// syntheticVictims makes a reproducible population: years 2019-2021, both sexes, minors and
// adults, with a few small groups so that the table needs suppression.
func syntheticVictims() sliceSource {
	var out sliceSource
	add := func(n, year int, sex, band string, fl, se Flag, cit string) {
		for range n {
			var v Victim
			v.Reset()
			v.Year, v.Sex, v.AgeBand, v.AgeGroup, v.Citizenship = year, sex, band, AgeGroupOfBand(band), cit
			v.Flags[IsForcedLabour], v.Flags[IsSexualExploit] = fl, se
			out = append(out, v)
		}
	}
	add(12, 2019, SexFemale, "18--20", FlagNo, FlagYes, "PRY")
	add(3, 2019, SexMale, "9--17", FlagYes, FlagNo, "PRY")
	add(9, 2019, SexMale, "30--38", FlagYes, FlagNo, "BOL")
	add(20, 2020, SexFemale, "9--17", FlagNo, FlagYes, "PRY")
	add(15, 2020, SexMale, "21--23", FlagYes, FlagNo, "PRY")
	add(2, 2020, SexFemale, "48+", FlagYes, FlagYes, "BRA")
	add(7, 2021, SexFemale, "24--26", FlagUnknown, FlagYes, "PRY")
	add(11, 2021, SexMale, "0--8", FlagYes, FlagNo, "PRY")
	add(1, 2021, Unknown, Unknown, FlagUnknown, FlagUnknown, Unknown)
	return out
}

func syntheticDocument(t *testing.T, by []string, k int) *Document {
	t.Helper()
	res, err := Tabulate(context.Background(), syntheticVictims(), Query{By: by})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Protect(res.Table, k)
	if err != nil {
		t.Fatal(err)
	}
	return &Document{Title: "Victims by " + strings.Join(by, ", "), Source: "synthetic test population",
		Read: res.Read, Counted: res.Matched, Table: p}
}

func TestFormatsGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		by   []string
		k    int
	}{
		{"year_sex", []string{"year", "sex"}, 5},
		{"year_exploitation_agegroup", []string{"yearOfRegistration", "exploitation", "age_group"}, 5},
		{"citizenship_unprotected", []string{"citizenship"}, 0},
	} {
		d := syntheticDocument(t, tc.by, tc.k)
		if tc.k > 0 {
			checkProtected(t, d.Table)
		}
		for _, format := range Formats {
			var buf bytes.Buffer
			if err := Write(&buf, format, d); err != nil {
				t.Fatal(err)
			}
			got := buf.Bytes()
			if format == "xlsx" {
				got = dumpXLSX(t, got)
				format = "xlsx.txt"
			}
			golden(t, tc.name+"."+format, got)
		}
	}
}

// dumpXLSX renders a workbook's sheets as text: the zip bytes carry nothing worth comparing
// beyond the cells, and the cells must come back with their types (numbers stay numbers).
func dumpXLSX(t *testing.T, b []byte) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out strings.Builder
	for _, sheet := range f.GetSheetList() {
		fmt.Fprintf(&out, "== %s\n", sheet)
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			for c, v := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				typ, _ := f.GetCellType(sheet, cell)
				if c > 0 {
					out.WriteString("\t")
				}
				if typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset && v != "" && strings.Trim(v, "0123456789") == "" {
					out.WriteString("#")
				}
				out.WriteString(v)
			}
			out.WriteString("\n")
		}
	}
	return []byte(out.String())
}

func TestJSONValuesAndMetadataAgree(t *testing.T) {
	d := syntheticDocument(t, []string{"year", "sex"}, 5)
	var buf bytes.Buffer
	if err := WriteJSON(&buf, d); err != nil {
		t.Fatal(err)
	}
	var doc jsonDoc
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	withheld := 0
	for _, c := range doc.Cells {
		if c.Value == nil {
			withheld++
			if c.Text != "<5" && c.Text != SecondarySymbol {
				t.Errorf("withheld cell %v shows %q", c.Cell, c.Text)
			}
		}
	}
	md := doc.Disclosure
	if md.Threshold != 5 || withheld != md.PrimarySuppressed+md.SecondarySuppressed || withheld != len(md.SuppressedCells) || withheld == 0 {
		t.Errorf("withheld %d cells, metadata %+v", withheld, md)
	}
	if doc.Read != 80 || doc.Counted != 80 {
		t.Errorf("records %d/%d", doc.Read, doc.Counted)
	}
}
