package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"nanduti/internal/testutil"
)

const ctdcSubset = "data/ctdc/ctdc_global_dataset_2020-04-14_subset_dados_app.csv"

func runStatsCLI(t testing.TB, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = (&CLI{Stdout: &out, Stderr: &errb}).Run(context.Background(), append([]string{"stats"}, args...))
	return code, out.String(), errb.String()
}

// tableCounts parses CSV output into "code,code" -> value text.
func tableCounts(t *testing.T, out string) map[string]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("output is not CSV: %v\n%s", err, out)
	}
	m := map[string]string{}
	for _, r := range rows[1:] {
		m[strings.Join(r[:len(r)-3], ",")] = r[len(r)-3]
	}
	return m
}

// TestStatsTableCTDCCounts checks the tables of the issue against counts computed
// independently from the raw file with awk (for example
// awk -F, 'NR>1 && $1==2016 {print $5}' FILE | sort | uniq -c).
func TestStatsTableCTDCCounts(t *testing.T) {
	file := testutil.SharedFile(t, ctdcSubset)
	for _, tc := range []struct {
		by, filter string
		want       map[string]string
	}{
		{"yearOfRegistration", "", map[string]string{"2002": "1026", "2003": "357", "2016": "16399", "2018": "5818", "Total": "48773"}},
		{"gender", "", map[string]string{"Female": "35506", "Male": "13267", "Total": "48773"}},
		{"citizenship", "", map[string]string{"PHL": "11365", "UKR": "7761", "MDA": "5901", "BGD": "11", "KOR": "12",
			"Unknown": "9136", "Total": "48773"}},
		{"CountryOfExploitation", "", map[string]string{"USA": "12512", "UKR": "5399", "CYP": "11", "Unknown": "11019"}},
		{"yearOfRegistration,isForcedLabour", "", map[string]string{"2016,Yes": "2988", "2016,No": "3069", "2016,Unknown": "10342",
			"2002,No": "919", "2002,Unknown": "107", "2002,Yes": "0", "Total,Yes": "9772", "Total,No": "16302", "Total,Total": "48773"}},
		{"ageBroad", "", map[string]string{"0--8": "1556", "9--17": "8645", "48+": "1560", "Unknown": "12348"}},
		{"age_group", "", map[string]string{"0-17": "10201", "18+": "26224", "Unknown": "12348"}},
		{"exploitation", "", map[string]string{"ForcedLabour": "9464", "SexualExploitation": "15731",
			"SexualExploitationAndForcedLabour": "308", "OtherExploitation": "976", "Unknown": "22294"}},
		{"sex", "year=2015..2018,citizenship=PHL", map[string]string{"Female": "8174", "Male": "3191", "Total": "11365"}},
	} {
		t.Run(tc.by+"|"+tc.filter, func(t *testing.T) {
			args := []string{"table", "--source", "ctdc:" + file, "--by", tc.by}
			if tc.filter != "" {
				args = append(args, "--filter", tc.filter)
			}
			code, out, errs := runStatsCLI(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			got := tableCounts(t, out)
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s: %q, want %s", k, got[k], v)
				}
			}
			if !strings.Contains(errs, "read 48773 records") {
				t.Errorf("summary: %q", errs)
			}
		})
	}
}

func writeTemp(t testing.TB, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// smallCTDC is a synthetic v2024 file with groups small enough to need suppression.
func smallCTDC(t testing.TB) string {
	var b strings.Builder
	b.WriteString("yearOfRegistration,gender,ageBroad,citizenship,CountryOfExploitation,traffickMonths,meansDebtBondageEarnings,meansThreats,meansAbusePsyPhySex,meansFalsePromises,meansDrugsAlcohol,meansDenyBasicNeeds,meansExcessiveWorkHours,meansWithholdDocs,isForcedLabour,isSexualExploit,isOtherExploit,sectorOfLabourAgriculture,sectorOfLabourConstruction,sectorOfLabourDomesticWork,sectorOfLabourHospitality,sectorOfSexProstitution,sectorOfSexPornography,recruiterRelationIntimatePartner,recruiterRelationFriend,recruiterRelationFamily,recruiterRelationOther\n")
	row := func(n int, year, gender, band, cit string, labour bool) {
		fl, se := "", "1"
		if labour {
			fl, se = "1", ""
		}
		for range n {
			fmt.Fprintf(&b, "%s,%s,%s,%s,PRY,,,,,,,,,,%s,%s,,,,,,,,,,,\n", year, gender, band, cit, fl, se)
		}
	}
	row(14, "2024", "Woman", "9--17", "PRY", false)
	row(3, "2024", "Man", "9--17", "PRY", true)
	row(22, "2024", "Man", "18--20", "PRY", true)
	row(17, "2025", "Woman", "21--23", "PRY", false)
	row(9, "2025", "Man", "0--8", "BOL", true)
	row(2, "2025", "Woman", "30--38", "BRA", true)
	return writeTemp(t, "small.csv", b.String())
}

func TestStatsTableSuppressionAndFormats(t *testing.T) {
	file := smallCTDC(t)
	code, out, errs := runStatsCLI(t, "table", "--source", "ctdc:"+file, "--by", "year,sex")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	got := tableCounts(t, out)
	if got["2024,Male"] != "25" || got["2025,Female"] != "19" || got["Total,Total"] != "67" {
		t.Errorf("counts: %v", got)
	}
	code, out, _ = runStatsCLI(t, "table", "--source", "ctdc:"+file, "--by", "year,exploitation,age_group")
	got = tableCounts(t, out)
	if code != 0 || got["2025,ForcedLabour,18+"] != "<5" || !strings.Contains(out, ",x,secondary,5") {
		t.Errorf("exit %d, small cell %q; output:\n%s", code, got["2025,ForcedLabour,18+"], out)
	}
	code, out, _ = runStatsCLI(t, "table", "--source", "ctdc:"+file, "--by", "year,exploitation,age_group", "--suppress", "0")
	if got = tableCounts(t, out); code != 0 || got["2025,ForcedLabour,18+"] != "2" {
		t.Errorf("--suppress 0: exit %d, %q", code, got["2025,ForcedLabour,18+"])
	}
	code, out, _ = runStatsCLI(t, "table", "--source", "ctdc:"+file, "--by", "year,exploitation,age_group", "--suppress", "3")
	if got = tableCounts(t, out); code != 0 || got["2025,ForcedLabour,18+"] != "<3" {
		t.Errorf("--suppress 3: exit %d, %q", code, got["2025,ForcedLabour,18+"])
	}

	code, out, errs = runStatsCLI(t, "table", "--source", "ctdc:"+file, "--by", "year,exploitation,age_group", "--format", "json")
	if code != 0 {
		t.Fatalf("json: exit %d %s", code, errs)
	}
	var doc struct {
		Disclosure struct {
			Threshold, PrimarySuppressed int
			Cells                        []struct{ Kind string } `json:"suppressed_cells"`
		} `json:"disclosure_control"`
		Cells []struct {
			Cell  []string
			Value *int64
			Text  string
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Disclosure.Threshold != 5 || len(doc.Disclosure.Cells) == 0 || len(doc.Cells) != 3*3*3 {
		t.Errorf("json document: %+v", doc)
	}

	xlsx := filepath.Join(t.TempDir(), "t.xlsx")
	code, out, errs = runStatsCLI(t, "table", "--source", "ctdc:"+file, "--by", "sex", "--format", "xlsx", "--out", xlsx)
	if code != 0 || out != "" {
		t.Fatalf("xlsx: exit %d %s (stdout %d bytes)", code, errs, len(out))
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, _ := f.GetCellValue("Table", "B2"); v != "33" {
		t.Errorf("xlsx Female = %q", v)
	}
	if v, _ := f.GetCellValue("Metadata", "B5"); v != "5" {
		t.Errorf("xlsx threshold = %q", v)
	}
}

func TestStatsTableUsageErrors(t *testing.T) {
	file := smallCTDC(t)
	bad := writeTemp(t, "bad.csv", "yearOfRegistration,gender,ageBroad,citizenship,isForcedLabour,isSexualExploit,CountryOfExploitation\n2016,Female,,PY,0,1,AR\n2016,Femme,,PY,0,1,AR\n")
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"table", "--source", "db:other", "--by", "year"}, []string{"unknown --source db:other", "db:presumed"}},
		{[]string{"table", "--source", "ctdc:" + file, "--by", "year", "--as", "analista@prueba.example"}, []string{"--as applies to --source db only"}},
		{[]string{"table", "--by", "year"}, []string{"--source is required", "ctdc:FILE", "db"}},
		{[]string{"table", "--source", "sql:x", "--by", "year"}, []string{"unknown --source"}},
		{[]string{"table", "--source", "ctdc:" + file}, []string{"--by is required", "exploitation"}},
		{[]string{"table", "--source", "ctdc:" + file, "--by", "year,colour"}, []string{`"colour"`, "year, exploitation", "CountryOfExploitation"}},
		{[]string{"table", "--source", "ctdc:" + file, "--by", "year", "--filter", "sex=X"}, []string{"--filter", "Female, Male"}},
		{[]string{"table", "--source", "ctdc:" + file, "--by", "year", "--filter", "year=2020..2010"}, []string{"empty"}},
		{[]string{"table", "--source", "ctdc:" + file, "--by", "year", "--format", "pdf"}, []string{"csv, xlsx, json"}},
		{[]string{"table", "--source", "ctdc:" + file, "--by", "year", "--suppress", "2"}, []string{"at least 3"}},
		{[]string{"table", "--source", "ctdc:" + file, "--by", "year,year"}, []string{"same dimension"}},
		{[]string{"table", "--source", "ctdc:" + bad, "--by", "year"}, []string{"bad.csv:3", "column gender", "Woman"}},
		{[]string{"table", "--source", "ctdc:/nonexistent/x.csv", "--by", "year"}, []string{"x.csv"}},
		{[]string{"tabel"}, []string{"unknown stats subcommand"}},
		{nil, []string{"subcommand"}},
	} {
		code, _, errs := runStatsCLI(t, tc.args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", tc.args, code, errs)
		}
		for _, w := range tc.want {
			if !strings.Contains(errs, w) {
				t.Errorf("%v: stderr %q lacks %q", tc.args, errs, w)
			}
		}
	}
	if code, out, _ := runStatsCLI(t, "table", "--help"); code != 0 || !strings.Contains(out, "--suppress") {
		t.Errorf("--help: exit %d\n%s", code, out)
	}
}

// replicatedCTDC writes a file of the shared CTDC rows repeated until it has at least n rows.
func replicatedCTDC(t testing.TB, n int) (string, int) {
	t.Helper()
	src, err := os.ReadFile(testutil.SharedFile(t, ctdcSubset))
	if err != nil {
		t.Fatal(err)
	}
	header, body, _ := bytes.Cut(src, []byte("\n"))
	per := bytes.Count(body, []byte("\n"))
	path := filepath.Join(t.TempDir(), fmt.Sprintf("ctdc_x%d.csv", n))
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.Write(header)
	w.WriteString("\n")
	rows := 0
	for rows < n {
		w.Write(body)
		rows += per
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path, rows
}

// peakHeap runs fn while sampling the live heap, and returns the highest sample.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	fn()
	close(stop)
	wg.Wait()
	return peak.Load()
}

// TestStatsTableStreamsInLittleMemory counts a file of several hundred thousand rows and
// checks that the heap never holds more than a small fixed amount: the file is streamed,
// never loaded.
func TestStatsTableStreamsInLittleMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 30 MB file")
	}
	path, rows := replicatedCTDC(t, 300000)
	var code int
	var errs string
	peak := peakHeap(func() {
		code, _, errs = runStatsCLI(t, "table", "--source", "ctdc:"+path, "--by", "year,sex,exploitation")
	})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, fmt.Sprintf("read %d records", rows)) {
		t.Errorf("summary %q, want %d records", errs, rows)
	}
	t.Logf("%d rows counted with a peak heap of %.1f MB", rows, float64(peak)/1e6)
	// The file is 25 MB: holding it, or a record per row, would need far more than this.
	if peak > 16<<20 {
		t.Errorf("peak heap %.1f MB for %d rows: the table is not streamed", float64(peak)/1e6, rows)
	}
}

// BenchmarkStatsTable reports rows per second of "stats table" over files of the shared
// rows replicated to 50,000 and 500,000 rows, beside a plain csv.Reader pass over the same
// file in the same run (baseline-rows/s, and the ratio), and the peak heap, which stays
// flat as the file grows tenfold.
func BenchmarkStatsTable(b *testing.B) {
	for _, n := range []int{50000, 500000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			path, rows := replicatedCTDC(b, n)
			var tableDur, baseDur time.Duration
			var peak uint64
			b.ResetTimer()
			for range b.N {
				start := time.Now()
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				r := csv.NewReader(bufio.NewReader(f))
				r.ReuseRecord = true
				for {
					if _, err := r.Read(); err == io.EOF {
						break
					} else if err != nil {
						b.Fatal(err)
					}
				}
				f.Close()
				baseDur += time.Since(start)
				start = time.Now()
				p := peakHeap(func() {
					if code, _, errs := runStatsCLI(b, "table", "--source", "ctdc:"+path, "--by", "year,sex,age_group,exploitation"); code != 0 {
						b.Fatal(errs)
					}
				})
				tableDur += time.Since(start)
				peak = max(peak, p)
			}
			total := float64(rows) * float64(b.N)
			b.ReportMetric(total/tableDur.Seconds(), "rows/s")
			b.ReportMetric(total/baseDur.Seconds(), "baseline-rows/s")
			b.ReportMetric(tableDur.Seconds()/baseDur.Seconds(), "x-baseline-time")
			b.ReportMetric(float64(peak)/1e6, "peak-heap-MB")
		})
	}
}
