package ctdc

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"nanduti/internal/stats"
)

// FuzzReader feeds the reader arbitrary files: it must never panic, every failure must be an
// *Error that names the file, and every record it accepts must hold only vocabulary values.
func FuzzReader(f *testing.F) {
	for _, name := range []string{"synthetic_v2024.csv", "synthetic_v2024_sector.csv", "global_2017.csv", "subset_2020.csv"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(strings.Join(Core, ",") + "\n\"2016\",\"Fe\"\"male\",,PY,1,,\n"))
	f.Add([]byte("\ufeff" + strings.Join(Core, ",") + "\r\n2016.0,Man,48+,-99,0.0,1.0,XK\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(strings.NewReader(string(data)), "fuzz.csv")
		if err != nil {
			checkErr(t, err)
			return
		}
		var v stats.Victim
		for {
			err := r.Read(&v)
			if err == io.EOF {
				return
			}
			if err != nil {
				checkErr(t, err)
				return
			}
			if v.Sex != stats.Unknown && !slices.Contains([]string{stats.SexFemale, stats.SexMale, stats.SexTransgenderNonConforming}, v.Sex) {
				t.Fatalf("sex %q", v.Sex)
			}
			if v.AgeBand != stats.Unknown && !slices.Contains(stats.AgeBands, v.AgeBand) {
				t.Fatalf("age band %q", v.AgeBand)
			}
			if v.Year != 0 && (v.Year < 1900 || v.Year > 2200) {
				t.Fatalf("year %d", v.Year)
			}
			for _, c := range []string{v.Citizenship, v.ExploitationCountry} {
				if c != stats.Unknown && (len(c) < 2 || len(c) > 3 || strings.ToUpper(c) != c) {
					t.Fatalf("country %q", c)
				}
			}
			_ = v.Exploitation()
		}
	})
}

func checkErr(t *testing.T, err error) {
	t.Helper()
	var ce *Error
	if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), "fuzz.csv") {
		t.Fatalf("error %v (%T) does not name the file", err, err)
	}
}
