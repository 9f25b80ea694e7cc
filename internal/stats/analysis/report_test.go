package analysis_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"maps"
	"os"
	"strconv"
	"strings"
	"testing"

	"nanduti/internal/stats"
	"nanduti/internal/stats/analysis"
	"nanduti/internal/store"
	"nanduti/internal/store/storetest"
	"nanduti/internal/testutil"
)

// The report's text, read from the uncompressed PDF: title, metadata, the tables' headings,
// and protected values only.
func TestReportPDFText(t *testing.T) {
	db := storetest.OpenSQLite(t)
	e := newEnv(t, db, 0)
	ctx := context.Background()
	d, err := e.svc.ImportCTDC(ctx, e.analyst, "Sintético", "s.csv", strings.NewReader(syntheticCTDC(61)), nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	req := analysis.ReportRequest{Request: request(t, "source="+analysis.DatasetSource(d.ID)+"&threshold=5"),
		Year: 2020, Lang: "es", Uncompressed: true}
	if err := e.svc.Report(ctx, e.analyst, req, &buf); err != nil {
		t.Fatal(err)
	}
	// The core fonts write Windows-1252, which matches Latin-1 for every letter used here.
	runes := make([]rune, buf.Len())
	for i, b := range buf.Bytes() {
		runes[i] = rune(b)
	}
	pdf := string(runes)
	if !strings.HasPrefix(pdf, "%PDF-") {
		t.Fatalf("not a PDF: %q", pdf[:20])
	}
	for _, want := range []string{
		"informe 2020", "Fuente", `CTDC dataset "Sint`, "umbral 5, con supresi", "Generado", "2026-03-02 10:00 UTC",
		"Víctimas identificadas por año", "Trabajo forzoso", "Explotación sexual", "Mujeres: 20", "18 años o más",
		"(Total)Tj", "(20)Tj", // 2020 holds 20 of the 61 synthetic records
		"(<5)Tj", "1 celdas pequeñas y 1 complementarias",
	} {
		if !strings.Contains(pdf, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	// Bars are drawn with the PDF's rectangles, not images.
	if strings.Count(pdf, " re f") < 4 {
		t.Errorf("%d filled rectangles", strings.Count(pdf, " re f"))
	}
	// A year without data and a bad year are refused or empty, never a crash.
	if err := e.svc.Report(ctx, e.analyst, analysis.ReportRequest{Request: req.Request, Year: 12}, io.Discard); err == nil {
		t.Error("year 12 accepted")
	}
	if err := e.svc.Report(ctx, e.other, req, io.Discard); err == nil {
		t.Error("another agency's analyst got the report")
	}
}

// Checks against published numbers: the shared April 2020 CTDC extract, imported as a
// dataset, gives by year of registration exactly the counts read straight from the file.
func TestSharedCTDCSubsetByYear(t *testing.T) {
	path := testutil.SharedFile(t, "data/ctdc/ctdc_global_dataset_2020-04-14_subset_dados_app.csv")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for i, h := range header {
		if strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")) == "yearOfRegistration" {
			col = i
		}
	}
	want := map[string]int64{}
	var total int64
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		y := strings.TrimSuffix(strings.TrimSpace(rec[col]), ".0")
		if _, err := strconv.Atoi(y); err != nil || y == "-99" {
			y = stats.Unknown
		}
		want[y]++
		total++
	}
	byYear := want
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		want := maps.Clone(byYear)
		e := newEnv(t, db, 5000)
		ctx := context.Background()
		in, _ := os.Open(path)
		defer in.Close()
		d, err := e.svc.ImportCTDC(ctx, e.admin, "CTDC 2020", "subset.csv", in, nil)
		if err != nil {
			t.Fatal(err)
		}
		if d.Rows != total {
			t.Fatalf("imported %d rows, the file has %d", d.Rows, total)
		}
		docs, err := e.svc.Tables(ctx, e.analyst, request(t, "source="+analysis.DatasetSource(d.ID)+"&threshold=3"), analysis.StandardSpecs[:1])
		if err != nil {
			t.Fatal(err)
		}
		p := docs[0].Table
		for i := range p.Table.Len() {
			code := p.Table.CellCodes(i)[0]
			if code == stats.TotalCode {
				if p.Table.At(i) != total {
					t.Errorf("total %d, want %d", p.Table.At(i), total)
				}
				continue
			}
			if p.Table.At(i) != want[code] {
				t.Errorf("year %s: %d, want %d", code, p.Table.At(i), want[code])
			}
			v, ok := p.Published(i)
			if ok && v != want[code] {
				t.Errorf("year %s published as %d", code, v)
			}
			if !ok && want[code] >= 3 && p.Status(i) == stats.Primary {
				t.Errorf("year %s (%d) shown as small", code, want[code])
			}
			delete(want, code)
		}
		if len(want) != 0 {
			t.Errorf("years missing from the table: %v", want)
		}
	})
}
