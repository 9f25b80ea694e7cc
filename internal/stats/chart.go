package stats

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"unicode/utf8"
)

// ChartOptions describe a bar chart.
type ChartOptions struct {
	// Title names the chart for screen readers (the SVG's title).
	Title string
	// Label names a category of an axis for people; nil uses the category's label.
	Label func(a Axis, c Category) string
}

// Chart geometry, in viewBox units: the SVG scales to its container, so the same drawing
// serves a phone, a desktop and paper.
const (
	chartWidth  = 640
	chartLabelW = 230
	chartBarMax = 320
	chartRow    = 26
	chartGroup  = 30
	chartLabelN = 30 // characters of a label before it is shortened
)

// ChartRow is one line of a chart or of the table beneath it: a group heading (the first
// axis's category, with two axes or more) or a bar.
type ChartRow struct {
	Label string
	// Cell is the table cell the row shows.
	Cell    int
	Heading bool
	// Indent marks a bar inside a group.
	Indent bool
}

// ChartRows lists the lines of a chart of p: one per category of its first axis or, with two
// axes or more, a heading per category of the first axis followed by one line per category of
// the second (further axes at their Total). label names categories; nil uses their labels.
func ChartRows(p *Protected, label func(a Axis, c Category) string) []ChartRow {
	t := p.Table
	name := func(d int, c int) string {
		cat := t.Axes[d].Categories[c]
		if label != nil {
			return label(t.Axes[d], cat)
		}
		return cat.Label
	}
	coord := make([]int, len(t.Axes))
	for d := range coord {
		coord[d] = len(t.Axes[d].Categories) // Total everywhere
	}
	var rows []ChartRow
	switch len(t.Axes) {
	case 0:
	case 1:
		for c := range t.Axes[0].Categories {
			coord[0] = c
			rows = append(rows, ChartRow{Label: name(0, c), Cell: t.Index(coord)})
		}
	default:
		for g := range t.Axes[0].Categories {
			coord[0] = g
			coord[1] = len(t.Axes[1].Categories)
			rows = append(rows, ChartRow{Label: name(0, g), Cell: t.Index(coord), Heading: true})
			for c := range t.Axes[1].Categories {
				coord[1] = c
				rows = append(rows, ChartRow{Label: name(1, c), Cell: t.Index(coord), Indent: true})
			}
		}
	}
	return rows
}

// ChartMax is the largest published value among the bars of rows, the length bars scale to.
func ChartMax(p *Protected, rows []ChartRow) int64 {
	var m int64
	for _, r := range rows {
		if v, ok := p.Published(r.Cell); ok && !r.Heading && v > m {
			m = v
		}
	}
	return m
}

// BarChartSVG draws a protected table as horizontal bars (see ChartRows). Every bar carries
// its category and its published value as text, so nothing depends on colour; withheld cells
// have no bar, only a dashed outline and their symbol ("<5", "x"). Bars are scaled to the
// largest published value drawn.
func BarChartSVG(p *Protected, opt ChartOptions) []byte {
	rows := ChartRows(p, opt.Label)
	maxV := ChartMax(p, rows)
	height := 8
	for _, r := range rows {
		if r.Heading {
			height += chartGroup
		} else {
			height += chartRow
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" class="chart" role="img" font-family="system-ui, sans-serif" font-size="15">`+"\n", chartWidth, height)
	fmt.Fprintf(&b, "<title>%s</title>\n", esc(opt.Title))
	y := 4
	for _, r := range rows {
		val := p.Text(r.Cell)
		if r.Heading {
			fmt.Fprintf(&b, `<text x="0" y="%d" font-weight="bold" fill="#0b0c0c">%s: %s</text>`+"\n", y+21, esc(short(r.Label, 40)), esc(val))
			y += chartGroup
			continue
		}
		indent := 0
		if r.Indent {
			indent = 12
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#0b0c0c">%s</text>`+"\n", indent, y+18, esc(short(r.Label, chartLabelN)))
		x := chartLabelW
		if v, ok := p.Published(r.Cell); ok && maxV > 0 && v > 0 {
			w := max(int(float64(v)/float64(maxV)*chartBarMax), 2)
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="18" fill="#1d70b8"/>`+"\n", chartLabelW, y+4, w)
			x += w
		} else if !ok {
			// A withheld cell: an outline stub, so the row is visibly neither empty nor zero.
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="10" height="18" fill="none" stroke="#505a5f" stroke-dasharray="3 2"/>`+"\n", chartLabelW, y+4)
			x += 10
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#0b0c0c">%s</text>`+"\n", x+6, y+18, esc(val))
		y += chartRow
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

func short(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func esc(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
