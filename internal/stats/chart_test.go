package stats

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"nanduti/internal/testutil"
)

// chartTable is a small synthetic table by year and sex with one small cell, so that the
// chart shows a bar, a "<5" and a complementary "x".
func chartTable(t *testing.T) *Protected {
	t.Helper()
	counts := map[string]int64{"2024/Female": 12, "2024/Male": 3, "2025/Female": 20, "2025/Male": 9, "2026/Female": 7, "2026/Male": 11}
	axes := []Axis{
		{Name: "year", Key: "year", Title: "Year", Categories: []Category{{"2024", "2024"}, {"2025", "2025"}, {"2026", "2026"}}},
		{Name: "sex", Key: "sex", Title: "Sex", Categories: []Category{{SexFemale, "Female"}, {SexMale, "Male"}}},
	}
	p, err := Protect(TableFromCounts(axes, func(c []string) int64 { return counts[strings.Join(c, "/")] }), 5)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBarChartSVGGolden(t *testing.T) {
	p := chartTable(t)
	svg := BarChartSVG(p, ChartOptions{Title: "Victims by year & sex"})
	testutil.Golden(t, filepath.Join("testdata", "golden", "chart_year_sex.svg"), svg)
	for _, want := range []string{`viewBox="0 0 640 `, "<title>Victims by year &amp; sex</title>", ">&lt;5</text>", ">x</text>", "2024: 15"} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("chart lacks %q", want)
		}
	}
	var csv bytes.Buffer
	if err := WriteCSV(&csv, &Document{Title: "t", Table: p}); err != nil {
		t.Fatal(err)
	}
	testutil.Golden(t, filepath.Join("testdata", "golden", "chart_year_sex.csv"), csv.Bytes())

	// One axis: a bar per category, none for a withheld one; labels come from the caller.
	// A small cell among three: it and one other are withheld, one bar remains.
	cats := []Category{{SexFemale, "Female"}, {SexMale, "Male"}, {Unknown, "Unknown"}}
	one, err := Protect(TableFromCounts([]Axis{{Name: "sex", Key: "sex", Categories: cats}},
		func(c []string) int64 { return map[string]int64{SexFemale: 40, SexMale: 30, Unknown: 2}[c[0]] }), 5)
	if err != nil {
		t.Fatal(err)
	}
	svg = BarChartSVG(one, ChartOptions{Title: "s", Label: func(_ Axis, c Category) string { return "L-" + c.Code }})
	if n := bytes.Count(svg, []byte(`fill="#1d70b8"`)); n != 1 {
		t.Errorf("%d filled bars, want 1 (withheld cells have none)", n)
	}
	if !bytes.Contains(svg, []byte(">L-Female</text>")) || !bytes.Contains(svg, []byte(`stroke-dasharray`)) {
		t.Errorf("labels or withheld outline missing:\n%s", svg)
	}
}
