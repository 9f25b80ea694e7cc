package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
		if ap := find("departamento", "10"); ap[2] != "Alto Paraná" || ap[3] == "0" || ap[10] != "" {
			t.Errorf("Alto Paraná row %v", ap)
		}
		for g, want := range []string{"1", "20", "67"} {
			if row := find("generación", []string{"0", "1", "2"}[g]); row[3] != want {
				t.Errorf("generation %d: %s people, want %s", g, row[3], want)
			}
		}
		if !strings.Contains(out, "Asociación, no causa.") || !strings.Contains(out, "Todavía no hay datos de casos") {
			t.Error("the report does not carry its caveat and the missing case data")
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
