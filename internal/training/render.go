package training

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/go-pdf/fpdf"
	"github.com/xuri/excelize/v2"
)

// Translate turns a catalogue key and arguments into text in the reader's language; the
// renderers take one so that this package need not know the catalogues.
type Translate func(key string, args ...any) string

// ReportTable flattens the report into rows under a header: one row per department, agency
// and generation, with empty cells where a figure is not known (no case data, too few
// scores). Every format writes this same table.
func ReportTable(rep *Report, t Translate) (header []string, rows [][]string) {
	header = []string{t("training.col.section"), t("training.col.key"), t("training.col.label"), t("training.officers_trained"),
		t("training.completed"), t("training.first_training"), t("training.col.paired"), t("training.col.pre_mean"),
		t("training.col.post_mean"), t("training.col.gain"), t("training.col.victims_before"), t("training.col.victims_after"),
		t("training.col.cases_before"), t("training.col.cases_after")}
	mean := func(k Knowledge, v float64) string {
		if !k.Shown {
			return ""
		}
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	add := func(section string, r EffectRow) {
		row := []string{section, r.Key, r.Label, strconv.Itoa(r.OfficersTrained), strconv.Itoa(r.Completed),
			r.FirstTraining.Format("2006-01-02"), strconv.Itoa(r.Knowledge.Paired), mean(r.Knowledge, r.Knowledge.PreMean),
			mean(r.Knowledge, r.Knowledge.PostMean), mean(r.Knowledge, r.Knowledge.Gain), "", "", "", ""}
		if f := r.Field; f != nil {
			row[10], row[11] = strconv.Itoa(f.Before.VictimsIdentified), strconv.Itoa(f.After.VictimsIdentified)
			row[12], row[13] = strconv.Itoa(f.Before.CasesOpened), strconv.Itoa(f.After.CasesOpened)
		}
		rows = append(rows, row)
	}
	for _, r := range rep.ByDepartment {
		add(t("training.col.department"), r)
	}
	for _, r := range rep.ByAgency {
		add(t("training.col.agency"), r)
	}
	if rep.Cascade != nil {
		for _, g := range rep.Cascade.ByGeneration {
			rows = append(rows, []string{t("training.col.generation"), g.Key, t("training.generation_n", parseIntOr(g.Key)),
				strconv.Itoa(g.People), strconv.Itoa(g.Completed), "", "", "", "", "", "", "", "", ""})
		}
	}
	return header, rows
}

func parseIntOr(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// reportNotes are the lines every format prints under the table: the caveat, whether case
// data exists, and the method.
func reportNotes(rep *Report, t Translate) []string {
	notes := []string{t("training.report_caveat_title") + " " + t("training.report_caveat")}
	if !rep.CaseData {
		notes = append(notes, t("training.no_case_data"))
	}
	return append(notes, t("training.report_method"))
}

// WriteReportCSV writes the report as CSV: the table, an empty line, then the notes.
func WriteReportCSV(w io.Writer, rep *Report, t Translate) error {
	cw := csv.NewWriter(w)
	header, rows := ReportTable(rep, t)
	cw.Write(header)
	cw.WriteAll(rows)
	cw.Write([]string{})
	for _, n := range reportNotes(rep, t) {
		cw.Write([]string{n})
	}
	cw.Flush()
	return cw.Error()
}

// WriteReportXLSX writes the report as a workbook: the table on the first sheet, numbers as
// numbers, and the notes below it.
func WriteReportXLSX(w io.Writer, rep *Report, t Translate) error {
	x := excelize.NewFile()
	defer x.Close()
	sheet := x.GetSheetName(0)
	header, rows := ReportTable(rep, t)
	put := func(r int, cells []string) error {
		vals := make([]any, len(cells))
		for i, c := range cells {
			if f, err := strconv.ParseFloat(c, 64); err == nil && i >= 3 && i != 5 {
				vals[i] = f
			} else {
				vals[i] = c
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, r)
		return x.SetSheetRow(sheet, cell, &vals)
	}
	if err := put(1, header); err != nil {
		return err
	}
	for i, r := range rows {
		if err := put(i+2, r); err != nil {
			return err
		}
	}
	for i, n := range reportNotes(rep, t) {
		cell, _ := excelize.CoordinatesToCellName(1, len(rows)+3+i)
		x.SetCellStr(sheet, cell, n)
	}
	return x.Write(w)
}

// WriteReportPDF writes the report as an A4 landscape PDF.
func WriteReportPDF(w io.Writer, rep *Report, t Translate) error {
	pdf := fpdf.New("L", "mm", "A4", "")
	pdf.SetCreationDate(rep.GeneratedAt)
	pdf.SetModificationDate(rep.GeneratedAt)
	tr := pdf.UnicodeTranslatorFromDescriptor("cp1252")
	pdf.SetMargins(12, 12, 12)
	pdf.SetAutoPageBreak(true, 12)
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 16)
	pdf.CellFormat(0, 9, tr(t("training.report")), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 9)
	pdf.CellFormat(0, 5, rep.GeneratedAt.UTC().Format("2006-01-02 15:04 UTC"), "", 1, "L", false, 0, "")
	pdf.Ln(2)
	pdf.SetFont("Helvetica", "B", 10)
	pdf.MultiCell(0, 5, tr(t("training.report_caveat_title")+" "+t("training.report_caveat")), "1", "L", false)
	pdf.Ln(3)
	header, rows := ReportTable(rep, t)
	// Columns: section, label, then the figures; the key column is for programs, not people.
	cols := []int{0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}
	widths := []float64{22, 62, 18, 16, 20, 14, 15, 15, 14, 19, 19, 19, 19}
	pdf.SetFont("Helvetica", "B", 7)
	y := pdf.GetY()
	x := 12.0
	for i, c := range cols {
		pdf.SetXY(x, y)
		pdf.MultiCell(widths[i], 3.5, tr(header[c]), "", "L", false)
		x += widths[i]
	}
	pdf.SetY(y + 11)
	pdf.SetFont("Helvetica", "", 8)
	for _, r := range rows {
		for i, c := range cols {
			align := "R"
			if i < 2 {
				align = "L"
			}
			text := r[c]
			if i == 1 && len([]rune(text)) > 40 {
				text = string([]rune(text)[:39]) + "…"
			}
			pdf.CellFormat(widths[i], 5, tr(text), "B", 0, align, false, 0, "")
		}
		pdf.Ln(-1)
	}
	pdf.Ln(4)
	pdf.SetFont("Helvetica", "", 9)
	k := rep.Overall
	if k.Shown {
		pdf.MultiCell(0, 5, tr(t("training.knowledge_text", k.Paired, fmt.Sprintf("%.1f", k.PreMean), fmt.Sprintf("%.1f", k.PostMean),
			fmt.Sprintf("%+.1f", k.Gain))), "", "L", false)
	}
	for _, n := range reportNotes(rep, t)[1:] {
		pdf.MultiCell(0, 5, tr(n), "", "L", false)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}
