package stats

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// TotalCode is the category code of a margin: the sum over a dimension's categories.
const TotalCode = "Total"

// Category is one value of an axis: the code files carry and the label people read.
type Category struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

// Axis is one dimension of a table with the categories that occur in it.
type Axis struct {
	// Name is the dimension's name as the table was asked for (gender, yearOfRegistration...).
	Name string `json:"name"`
	// Key is the canonical dimension key (sex, year...).
	Key string `json:"key"`
	// Title describes the axis for people.
	Title      string     `json:"title"`
	Categories []Category `json:"categories"`
}

// Table is a cross-tabulation of counts with all its margins. Every axis has its categories
// followed by one Total position, and every cell of that extended grid is stored: the cell at
// (Total, Total, ...) is the grand total, and a cell with Total in some axes is the sum over
// those axes. Disclosure control works on this whole grid, because margins are published too.
type Table struct {
	Axes    []Axis
	values  []int64
	strides []int
}

// NewTable returns a table of zeros over the given axes.
func NewTable(axes []Axis) *Table {
	t := &Table{Axes: axes, strides: make([]int, len(axes))}
	n := 1
	for d := len(axes) - 1; d >= 0; d-- {
		t.strides[d] = n
		n *= len(axes[d].Categories) + 1
	}
	t.values = make([]int64, n)
	return t
}

// Len is the number of cells of the extended grid, margins included.
func (t *Table) Len() int { return len(t.values) }

// Size returns the number of positions (categories plus Total) of axis d.
func (t *Table) Size(d int) int { return len(t.Axes[d].Categories) + 1 }

// IsTotal reports whether position i of axis d is its Total.
func (t *Table) IsTotal(d, i int) bool { return i == len(t.Axes[d].Categories) }

// Index returns the cell index of a coordinate (one position per axis).
func (t *Table) Index(coord []int) int {
	i := 0
	for d, c := range coord {
		i += c * t.strides[d]
	}
	return i
}

// Coord writes the coordinate of cell i into dst (grown as needed) and returns it.
func (t *Table) Coord(i int, dst []int) []int {
	dst = slices.Grow(dst[:0], len(t.Axes))[:len(t.Axes)]
	for d := range t.Axes {
		dst[d] = i / t.strides[d]
		i %= t.strides[d]
	}
	return dst
}

// At returns the count of cell i.
func (t *Table) At(i int) int64 { return t.values[i] }

// Value returns the count at a coordinate.
func (t *Table) Value(coord ...int) int64 { return t.values[t.Index(coord)] }

// GrandTotal is the count of the whole table.
func (t *Table) GrandTotal() int64 { return t.values[len(t.values)-1] }

// IsMargin reports whether cell i has Total in at least one axis.
func (t *Table) IsMargin(i int) bool {
	for d := range t.Axes {
		if t.IsTotal(d, (i/t.strides[d])%t.Size(d)) {
			return true
		}
	}
	return false
}

// Stride is the index distance between neighbouring positions of axis d.
func (t *Table) Stride(d int) int { return t.strides[d] }

// CellCodes returns the category codes of cell i, TotalCode for margins.
func (t *Table) CellCodes(i int) []string {
	codes := make([]string, len(t.Axes))
	for d, c := range t.Coord(i, nil) {
		if t.IsTotal(d, c) {
			codes[d] = TotalCode
		} else {
			codes[d] = t.Axes[d].Categories[c].Code
		}
	}
	return codes
}

// computeMargins fills every margin from the interior cells, one axis after another: after
// axis d, every cell whose Total positions are all among axes 0..d holds its sum.
func (t *Table) computeMargins() {
	coord := make([]int, len(t.Axes))
	for d := range t.Axes {
		n := len(t.Axes[d].Categories)
		for i := range t.values {
			coord = t.Coord(i, coord)
			if coord[d] != n {
				continue
			}
			var s int64
			base := i - n*t.strides[d]
			for k := 0; k < n; k++ {
				s += t.values[base+k*t.strides[d]]
			}
			t.values[i] = s
		}
	}
}

// TableFromCounts builds a table from interior counts given by category codes, in the order
// of the axes' categories; it is how callers holding already aggregated data (a GROUP BY of
// the case database, a published table) make a table.
func TableFromCounts(axes []Axis, count func(codes []string) int64) *Table {
	t := NewTable(axes)
	codes := make([]string, len(axes))
	coord := make([]int, len(axes))
	for i := range t.values {
		coord = t.Coord(i, coord)
		interior := true
		for d, c := range coord {
			if t.IsTotal(d, c) {
				interior = false
				break
			}
			codes[d] = axes[d].Categories[c].Code
		}
		if interior {
			t.values[i] = count(codes)
		}
	}
	t.computeMargins()
	return t
}

// Tabulator counts victims by a list of dimensions, keeping only one counter per combination
// of categories that occurs: its memory does not grow with the number of records.
type Tabulator struct {
	dims    []*Dimension
	names   []string
	counts  map[string]int64
	seen    []map[string]bool
	codes   []string
	key     []byte
	Records int64
}

// NewTabulator counts by dims; names are the names the dimensions were asked for (they head
// the table's axes) and may be nil to use the keys.
func NewTabulator(dims []*Dimension, names []string) *Tabulator {
	t := &Tabulator{dims: dims, names: names, counts: map[string]int64{},
		seen: make([]map[string]bool, len(dims)), codes: make([]string, len(dims))}
	for d := range dims {
		t.seen[d] = map[string]bool{}
	}
	return t
}

// Add counts one victim.
func (t *Tabulator) Add(v *Victim) {
	for d, dim := range t.dims {
		t.codes[d] = dim.code(v)
	}
	t.AddCodes(t.codes, 1)
}

// AddCodes adds n to the combination of category codes given in dimension order.
func (t *Tabulator) AddCodes(codes []string, n int64) {
	t.Records += n
	t.key = t.key[:0]
	for _, c := range codes {
		t.key = append(t.key, c...)
		t.key = append(t.key, 0x1f)
	}
	if _, ok := t.counts[string(t.key)]; !ok {
		for d, c := range codes {
			t.seen[d][c] = true
		}
	}
	t.counts[string(t.key)] += n
}

// Table returns the counts so far as a table whose axes hold the categories that occurred,
// in each dimension's order; combinations that never occurred are zero cells.
func (t *Tabulator) Table() *Table {
	axes := make([]Axis, len(t.dims))
	for d, dim := range t.dims {
		codes := make([]string, 0, len(t.seen[d]))
		for c := range t.seen[d] {
			codes = append(codes, c)
		}
		slices.SortFunc(codes, dim.Compare)
		name := dim.Key
		if t.names != nil && t.names[d] != "" {
			name = t.names[d]
		}
		axes[d] = Axis{Name: name, Key: dim.Key, Title: dim.Title}
		for _, c := range codes {
			axes[d].Categories = append(axes[d].Categories, Category{Code: c, Label: dim.Label(c)})
		}
	}
	var key strings.Builder
	return TableFromCounts(axes, func(codes []string) int64 {
		key.Reset()
		for _, c := range codes {
			key.WriteString(c)
			key.WriteByte(0x1f)
		}
		return t.counts[key.String()]
	})
}

// Source hands victims over one at a time. The record passed to fn is reused for the next
// one: fn must copy what it keeps. CTDC files are a Source today; the case database, which
// counts each person once across cases and agencies, will be another.
type Source interface {
	Each(ctx context.Context, fn func(*Victim) error) error
}

// Query asks for a table: the dimensions by name, and filters.
type Query struct {
	By      []string
	Filters []*Filter
}

// Result is a tabulated table and how many records were read and kept.
type Result struct {
	Table   *Table
	Read    int64
	Matched int64
}

// Tabulate streams src through the filters into a table by q.By.
func Tabulate(ctx context.Context, src Source, q Query) (*Result, error) {
	dims := make([]*Dimension, len(q.By))
	for i, name := range q.By {
		d, err := LookupDimension(name)
		if err != nil {
			return nil, err
		}
		for _, prev := range dims[:i] {
			if prev == d {
				return nil, fmt.Errorf("dimension %q is asked for twice", name)
			}
		}
		dims[i] = d
	}
	tab := NewTabulator(dims, q.By)
	var read int64
	err := src.Each(ctx, func(v *Victim) error {
		read++
		for _, f := range q.Filters {
			if !f.Match(v) {
				return nil
			}
		}
		tab.Add(v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Result{Table: tab.Table(), Read: read, Matched: tab.Records}, nil
}
