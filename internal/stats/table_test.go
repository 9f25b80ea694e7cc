package stats

import (
	"context"
	"strings"
	"testing"
)

func TestMarginsAddUp(t *testing.T) {
	tb := gridTable([]int{2, 3, 2}, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	if tb.GrandTotal() != 78 {
		t.Fatalf("grand total %d", tb.GrandTotal())
	}
	// Every line of the extended grid: categories add up to the Total.
	coord := make([]int, 3)
	for d := range 3 {
		n := len(tb.Axes[d].Categories)
		for i := range tb.Len() {
			coord = tb.Coord(i, coord)
			if coord[d] != n {
				continue
			}
			var s int64
			for c := range n {
				s += tb.At(i - (n-c)*tb.Stride(d))
			}
			if s != tb.At(i) {
				t.Errorf("line through %v along %d sums to %d, total %d", tb.CellCodes(i), d, s, tb.At(i))
			}
		}
	}
	if got := tb.Value(1, 3, 2); got != 7+8+9+10+11+12 {
		t.Errorf("margin (a1, Total, Total) = %d", got)
	}
}

func TestDimensionNamesAndFilters(t *testing.T) {
	for name, key := range map[string]string{"yearOfRegistration": "year", "gender": "sex", "ageBroad": "age_band",
		"CountryOfExploitation": "exploitation_country", "isForcedLabour": "forced_labour", "Age-Group": "age_group"} {
		d, err := LookupDimension(name)
		if err != nil || d.Key != key {
			t.Errorf("%s: %v %v", name, d, err)
		}
	}
	_, err := LookupDimension("colour")
	if err == nil || !strings.Contains(err.Error(), "year, exploitation, forced_labour") || !strings.Contains(err.Error(), "gender") {
		t.Errorf("unknown dimension error must list the names: %v", err)
	}
	fs, err := ParseFilters("year=2015..2018, citizenship=PHL|id,sex=female")
	if err != nil {
		t.Fatal(err)
	}
	var v Victim
	v.Reset()
	v.Year, v.Citizenship, v.Sex = 2016, "IDN", SexFemale
	for _, f := range fs {
		if !f.Match(&v) {
			t.Errorf("%s rejects %+v", f, v)
		}
	}
	v.Year = 2019
	if fs[0].Match(&v) {
		t.Errorf("%s accepts 2019", fs[0])
	}
	if got := fs[1].String(); got != "citizenship=IDN|PHL" {
		t.Errorf("filter renders as %q", got)
	}
	for spec, want := range map[string]string{
		"year":                "write dimension=value",
		"colour=red":          "unknown dimension",
		"sex=X":               "Female, Male, TransgenderNonConforming",
		"citizenship=ZZZ":     "ISO 3166",
		"year=2019..2015":     "empty",
		"sex=Female..Male":    "ranges",
		"year=twenty":         "not a number",
		"age_band=18-20":      "0--8, 9--17",
		"exploitation=labour": "ForcedLabour",
	} {
		if _, err := ParseFilters(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want it to mention %q", spec, err, want)
		}
	}
}

func TestTabulateCountsAndOrders(t *testing.T) {
	fs, _ := ParseFilters("year=2020..")
	res, err := Tabulate(context.Background(), syntheticVictims(), Query{By: []string{"gender", "age_group"}, Filters: fs})
	if err != nil {
		t.Fatal(err)
	}
	if res.Read != 80 || res.Matched != 56 || res.Table.GrandTotal() != 56 {
		t.Fatalf("read %d matched %d total %d", res.Read, res.Matched, res.Table.GrandTotal())
	}
	tb := res.Table
	var codes []string
	for _, c := range tb.Axes[0].Categories {
		codes = append(codes, c.Code)
	}
	if strings.Join(codes, ",") != "Female,Male,Unknown" || tb.Axes[0].Name != "gender" || tb.Axes[0].Key != "sex" {
		t.Errorf("axis %+v", tb.Axes[0])
	}
	// Female minors: 20 in 2020; male minors: 11 in 2021.
	if tb.Value(0, 0) != 20 || tb.Value(1, 0) != 11 || tb.Value(0, 3) != 29 {
		t.Errorf("counts %d %d %d", tb.Value(0, 0), tb.Value(1, 0), tb.Value(0, 3))
	}
	if _, err := Tabulate(context.Background(), syntheticVictims(), Query{By: []string{"sex", "gender"}}); err == nil {
		t.Error("a dimension asked for twice must be refused")
	}
}

func TestAgeBandsAndExploitation(t *testing.T) {
	for age, band := range map[int]string{0: "0--8", 8: "0--8", 9: "9--17", 17: "9--17", 18: "18--20", 29: "27--29", 47: "39--47", 48: "48+", -1: Unknown} {
		if got := AgeBandOfAge(age); got != band {
			t.Errorf("age %d: %s, want %s", age, got, band)
		}
	}
	var v Victim
	v.Reset()
	if v.Exploitation() != Unknown {
		t.Error("nothing known must be Unknown")
	}
	v.Flags[LabourAgriculture] = FlagYes
	if v.Exploitation() != ExploitLabour {
		t.Error("a labour sector is forced labour")
	}
	v.Flags[IsSexualExploit] = FlagYes
	if v.Exploitation() != ExploitSexualAndLabor {
		t.Error("both forms")
	}
}

func TestCountriesAgainstSharedRegionTable(t *testing.T) {
	if c, ok := LookupCountry("py"); !ok || c.Alpha3 != "PRY" {
		t.Fatalf("PY: %+v", c)
	}
	checkRegionTable(t)
}
