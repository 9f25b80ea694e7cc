package ctdc

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nanduti/internal/stats"
	"nanduti/internal/testutil"
)

// golden compares got with testdata/golden/name; see testutil.Golden.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	testutil.Golden(t, filepath.Join("testdata", "golden", name), got)
}

func readAll(t *testing.T, path string) ([]stats.Victim, Layout) {
	t.Helper()
	src := FileSource(path)
	var out []stats.Victim
	if err := src.Each(context.Background(), func(v *stats.Victim) error { out = append(out, *v); return nil }); err != nil {
		t.Fatal(err)
	}
	return out, src.Layout
}

func export(t *testing.T, vs []stats.Victim, opt WriterOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, opt)
	if err != nil {
		t.Fatal(err)
	}
	for i := range vs {
		if err := w.Write(&vs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestLayoutsExportToV2024(t *testing.T) {
	for _, tc := range []struct {
		file   string
		layout Layout
	}{
		{"synthetic_v2024.csv", LayoutSynthetic2024},
		{"synthetic_v2024_sector.csv", LayoutSynthetic2024},
		{"global_2017.csv", LayoutGlobal2017},
		{"subset_2020.csv", LayoutSubset},
	} {
		t.Run(tc.file, func(t *testing.T) {
			vs, layout := readAll(t, filepath.Join("testdata", tc.file))
			if layout != tc.layout {
				t.Errorf("layout = %v, want %v", layout, tc.layout)
			}
			golden(t, strings.TrimSuffix(tc.file, ".csv")+".v2024.csv", export(t, vs, WriterOptions{}))
		})
	}
}

func TestV2024RoundTrip(t *testing.T) {
	// A v2024 file in canonical form comes back byte for byte, in either header spelling.
	for _, tc := range []struct {
		file string
		opt  WriterOptions
	}{{"synthetic_v2024.csv", WriterOptions{}}, {"synthetic_v2024_sector.csv", WriterOptions{SectorNames: true}}} {
		want, err := os.ReadFile(filepath.Join("testdata", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		vs, _ := readAll(t, filepath.Join("testdata", tc.file))
		if got := export(t, vs, tc.opt); !bytes.Equal(got, want) {
			t.Errorf("%s: round trip differs\ngot:\n%s\nwant:\n%s", tc.file, got, want)
		}
	}
}

func TestNormalisation(t *testing.T) {
	g, _ := readAll(t, filepath.Join("testdata", "global_2017.csv"))
	first := g[0]
	if first.Year != 2017 || first.Sex != stats.SexFemale || first.AgeBand != "18--20" || first.AgeGroup != stats.AgeAdult ||
		first.Citizenship != "PRY" || first.ExploitationCountry != "ARG" {
		t.Errorf("first k-anonymised row: %+v", first)
	}
	if first.Flags[stats.MeansDebtBondageEarnings] != stats.FlagYes {
		t.Errorf("takes earnings must fold into meansDebtBondageEarnings")
	}
	if first.Exploitation() != stats.ExploitSexual {
		t.Errorf("exploitation = %s", first.Exploitation())
	}
	second := g[1]
	if second.AgeBand != stats.Unknown || second.AgeGroup != stats.AgeMinor {
		t.Errorf("majorityStatus must give the age group when ageBroad is -99: %+v", second)
	}
	if second.Flags[stats.MeansAbusePsyPhySex] != stats.FlagYes || second.Flags[stats.MeansDenyBasicNeeds] != stats.FlagYes {
		t.Errorf("means of control not folded: %v", second.Flags)
	}
	if g[2].Exploitation() != stats.ExploitOther || g[2].Flags[stats.IsOtherExploit] != stats.FlagYes {
		t.Errorf("forced marriage must count as other exploitation: %v", g[2].Exploitation())
	}
	if g[3].Citizenship != "NAM" || g[3].Exploitation() != stats.ExploitSexualAndLabor || g[3].ExploitationCountry != stats.Unknown {
		t.Errorf("NA is Namibia and isSexAndLabour both forms: %+v", g[3])
	}
	if g[4].Year != 0 || g[4].Exploitation() != stats.Unknown {
		t.Errorf("-99 everywhere must be unknown: %+v", g[4])
	}
	s, _ := readAll(t, filepath.Join("testdata", "subset_2020.csv"))
	if s[2].Citizenship != stats.Unknown || s[3].ExploitationCountry != stats.Unknown {
		t.Errorf(`"0" is the extract's missing country: %+v %+v`, s[2], s[3])
	}
	if s[1].Exploitation() != stats.ExploitLabour || s[4].Exploitation() != stats.ExploitOther || s[2].Exploitation() != stats.Unknown {
		t.Errorf("0.0/1.0/empty flags: %s %s %s", s[1].Exploitation(), s[4].Exploitation(), s[2].Exploitation())
	}
}

func TestErrorsSayWhereAndWhat(t *testing.T) {
	header := strings.Join(Core, ",") + "\n"
	for _, tc := range []struct {
		name, input string
		want        []string
	}{
		{"empty", "", []string{"f.csv:1", "empty"}},
		{"not ctdc", "a,b,c\n1,2,3\n", []string{"f.csv:1", "not a CTDC file", "yearOfRegistration"}},
		{"missing column", "yearOfRegistration,gender\n", []string{"lacks ageBroad, citizenship"}},
		{"duplicate", header[:len(header)-1] + ",gender\n", []string{"column gender", "twice"}},
		{"bad gender", header + "2016,Female,,PY,0,1,AR\n2016,Femme,,PY,0,1,AR\n", []string{"f.csv:3", "column gender", `"Femme"`, "Woman"}},
		{"bad year", header + "16,Female,,PY,0,1,AR\n", []string{"f.csv:2", "column yearOfRegistration", "four-digit"}},
		{"bad band", header + "2016,Female,5--9,PY,0,1,AR\n", []string{"column ageBroad", "0--8"}},
		{"bad flag", header + "2016,Female,,PY,2,1,AR\n", []string{"column isForcedLabour", "1 (or 1.0)"}},
		{"bad country", header + "2016,Female,,P1,0,1,AR\n", []string{"column citizenship", "ISO 3166"}},
		{"field count", header + "2016,Female,,PY,0,1\n", []string{"f.csv:2", "as many fields as the header"}},
		{"quote", header + "2016,Fe\"male,,PY,0,1,AR\n", []string{"f.csv:2", "quote"}},
		{"multi-line field", header + "2016,\"Female\",,PY,0,1,AR\n2016,\"Fe\nmale\",,PY,0,1,AR\n", []string{"f.csv:3", "column gender"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := readString(tc.input)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *ctdc.Error", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func readString(input string) error {
	r, err := NewReader(strings.NewReader(input), "f.csv")
	if err != nil {
		return err
	}
	var v stats.Victim
	for {
		if err := r.Read(&v); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

// TestSharedSubset2020 reads the shared April 2020 extract and checks counts computed
// independently with awk over the raw file (cut -d, -f1 | sort | uniq -c, and so on).
func TestSharedSubset2020(t *testing.T) {
	path := testutil.SharedFile(t, "data/ctdc/ctdc_global_dataset_2020-04-14_subset_dados_app.csv")
	vs, layout := readAll(t, path)
	if layout != LayoutSubset {
		t.Errorf("layout = %v", layout)
	}
	if len(vs) != 48773 {
		t.Fatalf("%d records, want 48773", len(vs))
	}
	count := func(pred func(*stats.Victim) bool) int {
		n := 0
		for i := range vs {
			if pred(&vs[i]) {
				n++
			}
		}
		return n
	}
	for name, c := range map[string]struct{ got, want int }{
		"2016":             {count(func(v *stats.Victim) bool { return v.Year == 2016 }), 16399},
		"2002":             {count(func(v *stats.Victim) bool { return v.Year == 2002 }), 1026},
		"female":           {count(func(v *stats.Victim) bool { return v.Sex == stats.SexFemale }), 35506},
		"male":             {count(func(v *stats.Victim) bool { return v.Sex == stats.SexMale }), 13267},
		"age unknown":      {count(func(v *stats.Victim) bool { return v.AgeBand == stats.Unknown }), 12348},
		"9--17":            {count(func(v *stats.Victim) bool { return v.AgeBand == "9--17" }), 8645},
		"PHL":              {count(func(v *stats.Victim) bool { return v.Citizenship == "PHL" }), 11365},
		"citizenship 0/''": {count(func(v *stats.Victim) bool { return v.Citizenship == stats.Unknown }), 8858 + 278},
		"exploited in USA": {count(func(v *stats.Victim) bool { return v.ExploitationCountry == "USA" }), 12512},
		"forced labour":    {count(func(v *stats.Victim) bool { return v.ForcedLabour() == stats.FlagYes }), 9772},
		"sexual":           {count(func(v *stats.Victim) bool { return v.SexualExploitation() == stats.FlagYes }), 16039},
		"both":             {count(func(v *stats.Victim) bool { return v.Exploitation() == stats.ExploitSexualAndLabor }), 308},
		"neither":          {count(func(v *stats.Victim) bool { return v.Exploitation() == stats.ExploitOther }), 976},
		"form unknown":     {count(func(v *stats.Victim) bool { return v.Exploitation() == stats.Unknown }), 22294},
	} {
		if c.got != c.want {
			t.Errorf("%s: %d, want %d", name, c.got, c.want)
		}
	}
}

func TestExportDerivesCoarseFlags(t *testing.T) {
	var v stats.Victim
	v.Reset()
	v.Flags[stats.LabourDomesticWork] = stats.FlagYes
	v.Flags[stats.SexPornography] = stats.FlagYes
	v.Flags[stats.IsForcedLabour] = stats.FlagNo
	out := string(export(t, []stats.Victim{v}, WriterOptions{}))
	row := strings.Split(strings.Split(out, "\n")[1], ",")
	if row[6+int(stats.IsForcedLabour)] != "1" || row[6+int(stats.IsSexualExploit)] != "1" {
		t.Errorf("coarse flags not derived from sectors: %q", row)
	}
}
