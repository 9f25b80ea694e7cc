package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestCLITrainingReport(t *testing.T) {
	eachDB(t, func(t *testing.T, dbArgs []string) {
		// The identity key file: PostgreSQL deployments must name one.
		dbArgs = append(dbArgs, "--kek-file", filepath.Join(t.TempDir(), "kek.json"))
		if code, _, errs := run(t, "", append([]string{"demo", "--no-serve"}, dbArgs...)...); code != 0 {
			t.Fatalf("demo: %d %s", code, errs)
		}
		code, out, errs := run(t, "", append([]string{"training", "report"}, dbArgs...)...)
		if code != 0 {
			t.Fatalf("report: %d %s", code, errs)
		}
		// The notes under the table are rows of one cell.
		r := csv.NewReader(strings.NewReader(out))
		r.FieldsPerRecord = -1
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		find := func(section, key string) []string {
			for _, row := range rows {
				if len(row) > 2 && row[0] == section && row[1] == key {
					return row
				}
			}
			t.Fatalf("no row %s %s in\n%s", section, key, out)
			return nil
		}
		// Alto Paraná: the TOT participants posted there, the cadets and the Hernandarias workshop.
		ap := find("departamento", "10")
		if ap[2] != "Alto Paraná" || ap[3] == "0" {
			t.Errorf("Alto Paraná row %v", ap)
		}
		// Its figures from the case data, counted here independently over the same windows:
		// a year (or the time since) before and after the day after the first training ends.
		first, err := time.Parse("2006-01-02", ap[5])
		if err != nil {
			t.Fatal(err)
		}
		pivot := first.AddDate(0, 0, 1)
		w := min(365*24*time.Hour, time.Since(pivot))
		raw := rawDB(t, dbArgs)
		field := func(from, to time.Time) (victims, cases string) {
			cond := fmt.Sprintf(`c.department = '10' AND c.reported_on >= '%s' AND c.reported_on < '%s'`,
				from.Format("2006-01-02"), to.Format("2006-01-02"))
			return strconv.Itoa(count(t, raw, `SELECT count(DISTINCT cp.person_id) FROM case_persons cp JOIN cases c ON c.id = cp.case_id
					WHERE cp.victim_status = 'actual' AND `+cond)),
				strconv.Itoa(count(t, raw, `SELECT count(*) FROM cases c WHERE `+cond))
		}
		vb, cb := field(pivot.Add(-w), pivot)
		va, ca := field(pivot, pivot.Add(w))
		if got, want := ap[10:14], []string{vb, va, cb, ca}; !slices.Equal(got, want) {
			t.Errorf("Alto Paraná's victims and cases before and after: %v, want %v", got, want)
		}
		if va == "0" && ca == "0" {
			t.Error("the demo should show case figures after the first training in Alto Paraná")
		}
		for g, want := range []string{"1", "20", "67"} {
			if row := find("generación", []string{"0", "1", "2"}[g]); row[3] != want {
				t.Errorf("generation %d: %s people, want %s", g, row[3], want)
			}
		}
		if !strings.Contains(out, "Asociación, no causa.") || strings.Contains(out, "Todavía no hay datos de casos") {
			t.Error("the report does not carry its caveat, or claims there is no case data")
		}

		dir := t.TempDir()
		xlsx, pdf := filepath.Join(dir, "r.xlsx"), filepath.Join(dir, "r.pdf")
		for _, f := range []struct{ format, path string }{{"xlsx", xlsx}, {"pdf", pdf}} {
			if code, _, errs := run(t, "", append([]string{"training", "report", "--format", f.format, "--out", f.path}, dbArgs...)...); code != 0 {
				t.Fatalf("%s: %d %s", f.format, code, errs)
			}
		}
		x, err := excelize.OpenFile(xlsx)
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		if v, _ := x.GetCellValue(x.GetSheetName(0), "A1"); v != "Sección" {
			t.Errorf("xlsx A1 = %q", v)
		}
		b, _ := os.ReadFile(pdf)
		if !bytes.HasPrefix(b, []byte("%PDF-")) {
			t.Error("not a PDF")
		}
	})
}

func TestCLITrainingReportUsage(t *testing.T) {
	for _, args := range [][]string{{"training"}, {"training", "nope"}, {"training", "report", "--format", "odt"},
		{"training", "report", "--format", "pdf"}, {"training", "report", "extra"}} {
		if code, _, _ := run(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
