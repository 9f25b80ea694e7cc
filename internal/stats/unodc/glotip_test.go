package unodc

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nanduti/internal/stats"
	"nanduti/internal/testutil"
)

func sharedRows(t *testing.T) ([]Row, []byte) {
	t.Helper()
	path := testutil.SharedFile(t, "data/statistics/py_unodc_glotip_2025-04-14_paraguay_rows.csv")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewReader(bytes.NewReader(raw), path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows, raw
}

// TestParaguayRows reads UNODC's rows for Paraguay and reproduces figures read off the file
// independently (a csv.DictReader pass during development).
func TestParaguayRows(t *testing.T) {
	rows, raw := sharedRows(t)
	if len(rows) != 435 {
		t.Fatalf("%d rows, want 435", len(rows))
	}
	byYear := map[int]Value{}
	small := 0
	for _, r := range rows {
		if r.Value.Below == 5 {
			small++
		}
		if r.Indicator == DetectedVictims && r.Dimension == "Total" && r.Sex == "Total" && r.Age == "Total" {
			byYear[r.Year] = r.Value
		}
	}
	want := map[int]int64{2007: 35, 2008: 50, 2009: 88, 2010: 63, 2011: 148, 2012: 84, 2013: 66, 2014: 108,
		2015: 132, 2016: 105, 2017: 20, 2019: 96, 2020: 170, 2021: 7, 2022: 75}
	if len(byYear) != len(want) {
		t.Errorf("detected victims for %d years, want %d", len(byYear), len(want))
	}
	for y, n := range want {
		if v := byYear[y]; v.Below != 0 || v.Count != n {
			t.Errorf("detected victims %d: %v, want %d", y, v, n)
		}
	}
	if small != 138 {
		t.Errorf("%d values written <5, want 138", small)
	}
	// The block of 2020 forced-labour victims adds up: girls 71 and boys 59 are the 130
	// minors, and 130 minors with 22 adults are the 152 victims.
	cell := func(year int, cat, sex, age string) Value {
		for _, r := range rows {
			if r.Indicator == DetectedVictims && r.Year == year && r.Category == cat && r.Sex == sex && r.Age == age {
				return r.Value
			}
		}
		t.Fatalf("no row %d %s %s %s", year, cat, sex, age)
		return Value{}
	}
	fl := func(sex, age string) int64 { return cell(2020, "Forced labour", sex, age).Count }
	if fl("Female", "0 to 17 years")+fl("Male", "0 to 17 years") != fl("Total", "0 to 17 years") ||
		fl("Total", "0 to 17 years")+fl("Total", "18 years or over") != fl("Total", "Total") || fl("Total", "Total") != 152 {
		t.Errorf("2020 forced labour block does not add up")
	}
	if v := cell(2020, "Forced labour", "Male", "18 years or over"); v.Below != 5 || v.String() != "<5" {
		t.Errorf("small cell reads as %v", v)
	}
	// Writing the rows back gives the file byte for byte (CRLF lines, no quoting needed).
	var buf bytes.Buffer
	w, err := NewWriter(&buf, true)
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		if err := w.Write(&rows[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), raw) {
		t.Errorf("rewritten file differs from UNODC's (%d vs %d bytes)", buf.Len(), len(raw))
	}
}

type victims []stats.Victim

func (s victims) Each(ctx context.Context, fn func(*stats.Victim) error) error {
	for i := range s {
		if err := fn(&s[i]); err != nil {
			return err
		}
	}
	return nil
}

func TestFromTable(t *testing.T) {
	var pop victims
	add := func(n, year int, sex, group, form string) {
		for range n {
			var v stats.Victim
			v.Reset()
			v.Year, v.Sex, v.AgeGroup = year, sex, group
			switch form {
			case stats.ExploitLabour:
				v.Flags[stats.IsForcedLabour] = stats.FlagYes
			case stats.ExploitSexual:
				v.Flags[stats.IsSexualExploit] = stats.FlagYes
			}
			pop = append(pop, v)
		}
	}
	add(30, 2025, stats.SexFemale, stats.AgeMinor, stats.ExploitLabour)
	add(25, 2025, stats.SexMale, stats.AgeMinor, stats.ExploitLabour)
	add(3, 2025, stats.SexMale, stats.AgeAdult, stats.ExploitLabour)
	add(12, 2025, stats.SexFemale, stats.AgeAdult, stats.ExploitSexual)
	add(9, 2025, stats.SexFemale, stats.AgeMinor, stats.ExploitSexual)
	add(1, 2025, stats.Unknown, stats.AgeAdult, stats.ExploitSexual)
	res, err := stats.Tabulate(context.Background(), pop, stats.Query{By: []string{"year", "exploitation", "sex", "age_group"}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := stats.Protect(res.Table, 5)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := FromTable(p, Paraguay)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, false)
	for i := range rows {
		if err := w.Write(&rows[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	golden(t, "detected_2025.csv", buf.Bytes())
	// And it reads back.
	r, err := NewReader(bytes.NewReader(buf.Bytes()), "out.csv")
	if err != nil {
		t.Fatal(err)
	}
	back, err := r.ReadAll()
	if err != nil || len(back) != len(rows) {
		t.Fatalf("read back %d of %d rows: %v", len(back), len(rows), err)
	}
	if _, err := FromTable(p, Template{}); err != nil {
		t.Fatal(err)
	}
	res, _ = stats.Tabulate(context.Background(), pop, stats.Query{By: []string{"sex"}})
	p, _ = stats.Protect(res.Table, 5)
	if _, err := FromTable(p, Paraguay); err == nil || !strings.Contains(err.Error(), "year") {
		t.Errorf("a table without year must be refused: %v", err)
	}
}

func TestReaderErrors(t *testing.T) {
	head := strings.Join(Header, ",") + "\n"
	for input, want := range map[string]string{
		"":      "empty",
		"a,b\n": "13",
		strings.Replace(head, "Sex", "Gender", 1):                                                            `"Gender"`,
		head + "PRY,Paraguay,Americas,LAC,Persons convicted,Total,Total,Total,Total,20x,Counts,5,GLOTIP\n":   "f.csv:2: column Year",
		head + "PRY,Paraguay,Americas,LAC,Persons convicted,Total,Total,Total,Total,2020,Counts,<x,GLOTIP\n": "column txtVALUE",
		head + "PRY,Paraguay\n": "f.csv:2",
	} {
		r, err := NewReader(strings.NewReader(input), "f.csv")
		if err == nil {
			_, err = r.ReadAll()
		}
		var ge *Error
		if !errors.As(err, &ge) || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want one mentioning %q", input, err, want)
		}
	}
}

func FuzzReader(f *testing.F) {
	head := strings.Join(Header, ",") + "\r\n"
	f.Add([]byte(head + "PRY,Paraguay,Americas,LAC,Detected trafficking victims,Total,Total,Female,0 to 17 years,2007,Counts,11,GLOTIP\r\n"))
	f.Add([]byte(head + "PRY,Paraguay,Americas,LAC,Persons convicted,Total,Total,Total,Total,2020,Counts,<5,GLOTIP\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), "fuzz.csv")
		if err == nil {
			var rows []Row
			rows, err = r.ReadAll()
			for _, row := range rows {
				if v, perr := ParseValue(row.Value.String()); perr != nil || v != row.Value {
					t.Fatalf("value %v does not round-trip", row.Value)
				}
			}
		}
		var ge *Error
		if err != nil && !errors.As(err, &ge) {
			t.Fatalf("error %v (%T) is not located", err, err)
		}
	})
}

// golden compares got with testdata/golden/name; see testutil.Golden.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	testutil.Golden(t, filepath.Join("testdata", "golden", name), got)
}
