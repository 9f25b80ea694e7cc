package analysis

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/go-pdf/fpdf"

	"nanduti/internal/core"
	"nanduti/internal/i18n"
	"nanduti/internal/stats"
)

// Labeler names categories and dimensions in lang: from the statistics catalogue when it has
// a word for them, otherwise the vocabulary's own label (years, country names).
func Labeler(lang string) func(a stats.Axis, c stats.Category) string {
	return func(a stats.Axis, c stats.Category) string {
		if key := "stats.cat." + a.Key + "." + c.Code; i18n.Has(lang, key) {
			return i18n.T(lang, key)
		}
		if c.Code == stats.Unknown {
			return i18n.T(lang, "stats.cat.unknown")
		}
		return c.Label
	}
}

// ReportRequest asks for the PDF report of one year.
type ReportRequest struct {
	Request
	Year int
	// Lang is the report's language (es, en).
	Lang string
	// Uncompressed leaves the PDF's page streams readable, for tests that check its text.
	Uncompressed bool
}

// ReportSpecs are the report's tables: the trend by year up to the report's year, then the
// year's victims by form of exploitation, by sex and age group, and by citizenship.
var ReportSpecs = []Spec{
	{ID: "year", By: []string{"year"}},
	{ID: "exploitation", By: []string{"exploitation"}},
	{ID: "sex_age", By: []string{"sex", "age_group"}},
	{ID: "citizenship", By: []string{"citizenship"}},
}

// Report writes the PDF report of a year: its main tables, disclosure-controlled with the
// request's threshold, each with a bar chart, and the metadata a reader needs (source,
// threshold, method, cells withheld, when it was made). It is audited as an export.
func (s *Service) Report(ctx context.Context, actor core.Actor, req ReportRequest, w io.Writer) error {
	if req.Year < 1900 || req.Year > 2200 {
		return invalidField("year", "stats.error.year")
	}
	o, err := s.open(ctx, actor, req.Request)
	if err != nil {
		return err
	}
	yearRange := func(spec string) ([]*stats.Filter, error) { return stats.ParseFilters(spec) }
	trendFilter, err := yearRange("year=.." + strconv.Itoa(req.Year))
	if err != nil {
		return err
	}
	yearFilter, err := yearRange("year=" + strconv.Itoa(req.Year))
	if err != nil {
		return err
	}
	trendReq, yearReq := req.Request, req.Request
	trendReq.Filters = append(append([]*stats.Filter(nil), req.Filters...), trendFilter...)
	yearReq.Filters = append(append([]*stats.Filter(nil), req.Filters...), yearFilter...)
	trend, err := s.tabulate(ctx, o, trendReq, ReportSpecs[:1])
	if err != nil {
		return err
	}
	inYear, err := s.tabulate(ctx, o, yearReq, ReportSpecs[1:])
	if err != nil {
		return err
	}
	docs := append(trend, inYear...)
	params := append([]string{"format", "year"}, req.Params...)
	if err := s.auditExport(ctx, actor, o, params); err != nil {
		return err
	}
	return writeReport(w, req, docs, s.cfg.Clock.Now().UTC().Format("2006-01-02 15:04 UTC"), s.cfg.Clock)
}

func writeReport(w io.Writer, req ReportRequest, docs []*stats.Document, generated string, clock core.Clock) error {
	lang := req.Lang
	if !i18n.Supported(lang) {
		lang = i18n.Default
	}
	T := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	label := Labeler(lang)
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(!req.Uncompressed)
	pdf.SetCreationDate(clock.Now())
	pdf.SetTitle(T("stats.report.title", req.Year), true)
	pdf.SetCreator("Ñandutí", true)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetMargins(18, 18, 18)
	pdf.SetAutoPageBreak(true, 18)
	pdf.AliasNbPages("")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.SetFont("Helvetica", "", 8)
		pdf.CellFormat(0, 5, tr(T("stats.report.page", pdf.PageNo())), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 18)
	pdf.MultiCell(0, 9, tr(T("stats.report.title", req.Year)), "", "L", false)
	pdf.Ln(2)
	pdf.SetFont("Helvetica", "", 9)
	meta := [][2]string{
		{T("stats.report.source"), docs[0].Source},
		{T("stats.report.threshold"), T("stats.report.threshold_text", req.Threshold)},
		{T("stats.report.generated"), generated},
	}
	for _, f := range docs[len(docs)-1].Filters {
		meta = append(meta, [2]string{T("stats.report.filter"), f})
	}
	for _, m := range meta {
		pdf.SetFont("Helvetica", "B", 9)
		pdf.CellFormat(38, 5, tr(m[0]), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 9)
		pdf.MultiCell(0, 5, tr(m[1]), "", "L", false)
	}
	pdf.Ln(1)
	pdf.MultiCell(0, 4.5, tr(T("stats.report.method", req.Threshold)), "", "L", false)
	titles := []string{T("stats.table.year"), T("stats.table.exploitation_year", req.Year),
		T("stats.table.sex_age_year", req.Year), T("stats.table.citizenship_year", req.Year)}
	const labelW, barX, barMax, row = 62.0, 82.0, 80.0, 5.5
	for i, d := range docs {
		p := d.Table
		rows := stats.ChartRows(p, label)
		need := float64(len(rows)+3) * row
		if pdf.GetY()+min(need, 120) > 279 {
			pdf.AddPage()
		}
		pdf.Ln(4)
		pdf.SetFont("Helvetica", "B", 13)
		pdf.MultiCell(0, 7, tr(titles[i]), "", "L", false)
		md := p.Metadata()
		pdf.SetFont("Helvetica", "", 8)
		pdf.MultiCell(0, 4, tr(T("stats.report.table_meta", d.Counted, md.PrimarySuppressed, md.SecondarySuppressed)), "", "L", false)
		pdf.Ln(1)
		maxV := stats.ChartMax(p, rows)
		for _, r := range rows {
			if pdf.GetY()+row > 279 {
				pdf.AddPage()
			}
			y := pdf.GetY()
			text := p.Text(r.Cell)
			if r.Heading {
				pdf.SetFont("Helvetica", "B", 9)
				pdf.CellFormat(0, row, tr(r.Label+": "+text), "", 1, "L", false, 0, "")
				continue
			}
			pdf.SetFont("Helvetica", "", 9)
			x := 18.0
			if r.Indent {
				x += 4
			}
			pdf.SetX(x)
			pdf.CellFormat(labelW-(x-18), row, tr(r.Label), "", 0, "L", false, 0, "")
			bar := 0.0
			if v, ok := p.Published(r.Cell); ok && maxV > 0 && v > 0 {
				bar = max(float64(v)/float64(maxV)*barMax, 0.6)
				pdf.SetFillColor(29, 112, 184)
				pdf.Rect(barX, y+1, bar, row-2, "F")
			} else if !ok {
				// Withheld: an outline, never a bar that would suggest a size.
				pdf.SetDrawColor(80, 90, 95)
				pdf.Rect(barX, y+1, 3, row-2, "D")
				bar = 3
			}
			pdf.SetXY(barX+bar+1.5, y)
			pdf.CellFormat(20, row, text, "", 1, "L", false, 0, "")
		}
		pdf.SetFont("Helvetica", "B", 9)
		pdf.CellFormat(labelW, row, tr(T("stats.total")), "T", 0, "L", false, 0, "")
		pdf.CellFormat(0, row, p.Text(p.Table.Len()-1), "T", 1, "L", false, 0, "")
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return pdf.Output(w)
}
