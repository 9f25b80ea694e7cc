package stats

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// Formats lists the file formats every table can be written in.
var Formats = []string{"csv", "xlsx", "json"}

// Document is a protected table with what a reader needs to trust it: where the counts come
// from, what was filtered, and the disclosure control applied. Nothing in it is timed or
// random, so the same data give the same bytes.
type Document struct {
	Title   string
	Source  string
	Filters []string
	// Read is the number of records read, Counted those that passed the filters.
	Read, Counted int64
	Table         *Protected
}

func (d *Document) header() []string {
	h := make([]string, 0, len(d.Table.Table.Axes)+3)
	for _, a := range d.Table.Table.Axes {
		h = append(h, a.Name)
	}
	return append(h, "value", "suppression", "threshold")
}

func (d *Document) row(i int, dst []string) []string {
	p := d.Table
	dst = append(dst[:0], p.Table.CellCodes(i)...)
	supp := ""
	if s := p.Status(i); s != Published {
		supp = s.String()
	}
	return append(dst, p.Text(i), supp, strconv.Itoa(p.Threshold))
}

// WriteCSV writes the table in long form, one line per cell and margin ("Total" in the
// margins' axes), with the cell's suppression (empty, primary or secondary) and the threshold
// on every line so that the file describes itself.
func WriteCSV(w io.Writer, d *Document) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(d.header()); err != nil {
		return err
	}
	var row []string
	for i := range d.Table.Table.Len() {
		row = d.row(i, row)
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

type jsonCell struct {
	Cell        []string `json:"cell"`
	Value       *int64   `json:"value"`
	Text        string   `json:"text"`
	Suppression string   `json:"suppression,omitempty"`
}

type jsonDoc struct {
	Title      string     `json:"title"`
	Source     string     `json:"source"`
	Filters    []string   `json:"filters"`
	Read       int64      `json:"records_read"`
	Counted    int64      `json:"records_counted"`
	Disclosure Metadata   `json:"disclosure_control"`
	Axes       []Axis     `json:"axes"`
	Cells      []jsonCell `json:"cells"`
}

// WriteJSON writes the table with its axes, its cells (value null where withheld) and the
// disclosure-control metadata listing every withheld cell.
func WriteJSON(w io.Writer, d *Document) error {
	p := d.Table
	doc := jsonDoc{Title: d.Title, Source: d.Source, Filters: d.Filters, Read: d.Read, Counted: d.Counted,
		Disclosure: p.Metadata(), Axes: p.Table.Axes, Cells: make([]jsonCell, p.Table.Len())}
	if doc.Filters == nil {
		doc.Filters = []string{}
	}
	for i := range doc.Cells {
		c := jsonCell{Cell: p.Table.CellCodes(i), Text: p.Text(i)}
		if v, ok := p.Published(i); ok {
			c.Value = &v
		} else {
			c.Suppression = p.Status(i).String()
		}
		doc.Cells[i] = c
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// "<5" stays readable: these files are read by people as well as programs.
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

// WriteXLSX writes a workbook with the table (counts as numbers, withheld cells as text) on
// a "Table" sheet and the provenance and disclosure control on a "Metadata" sheet.
func WriteXLSX(w io.Writer, d *Document) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "Table"); err != nil {
		return err
	}
	set := func(sheet string, col, row int, v any) error {
		cell, err := excelize.CoordinatesToCellName(col, row)
		if err != nil {
			return err
		}
		return f.SetCellValue(sheet, cell, v)
	}
	for c, h := range d.header() {
		if err := set("Table", c+1, 1, h); err != nil {
			return err
		}
	}
	p := d.Table
	var row []string
	na := len(p.Table.Axes)
	for i := range p.Table.Len() {
		row = d.row(i, row)
		for c, v := range row {
			var val any = v
			if c == na {
				if n, ok := p.Published(i); ok {
					val = n
				}
			} else if c == na+2 {
				val = p.Threshold
			}
			if err := set("Table", c+1, i+2, val); err != nil {
				return err
			}
		}
	}
	if _, err := f.NewSheet("Metadata"); err != nil {
		return err
	}
	md := p.Metadata()
	lines := [][]any{
		{"title", d.Title}, {"source", d.Source}, {"records read", d.Read}, {"records counted", d.Counted},
		{"threshold", md.Threshold}, {"method", md.Method},
		{"primary suppressed", md.PrimarySuppressed}, {"secondary suppressed", md.SecondarySuppressed},
	}
	for _, flt := range d.Filters {
		lines = append(lines, []any{"filter", flt})
	}
	lines = append(lines, []any{}, []any{"suppressed cell", "kind"})
	for _, sc := range md.SuppressedCells {
		lines = append(lines, []any{fmt.Sprint(sc.Codes), sc.Kind})
	}
	for r, l := range lines {
		for c, v := range l {
			if err := set("Metadata", c+1, r+1, v); err != nil {
				return err
			}
		}
	}
	return f.Write(w)
}

// Write writes d in the named format, one of Formats.
func Write(w io.Writer, format string, d *Document) error {
	switch format {
	case "csv":
		return WriteCSV(w, d)
	case "json":
		return WriteJSON(w, d)
	case "xlsx":
		return WriteXLSX(w, d)
	}
	return fmt.Errorf("unknown format %q; use csv, xlsx or json", format)
}
