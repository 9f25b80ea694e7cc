package stats

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// gridTable builds a table from interior counts given as nested rows: dims[d] categories in
// axis d, values in row-major order.
func gridTable(dims []int, values []int64) *Table {
	axes := make([]Axis, len(dims))
	for d, n := range dims {
		axes[d] = Axis{Name: fmt.Sprintf("d%d", d), Key: fmt.Sprintf("d%d", d)}
		for c := range n {
			code := fmt.Sprintf("%c%d", 'a'+d, c)
			axes[d].Categories = append(axes[d].Categories, Category{Code: code, Label: code})
		}
	}
	i := 0
	return TableFromCounts(axes, func([]string) int64 { v := values[i]; i++; return v })
}

// checkProtected asserts the rules of the published table and that the attacker cannot pin
// any withheld cell.
func checkProtected(t *testing.T, p *Protected) {
	t.Helper()
	tb := p.Table
	k := int64(p.Threshold)
	primary, secondary := 0, 0
	for i := range tb.Len() {
		v, s := tb.At(i), p.Status(i)
		switch {
		case v >= 1 && v < k && s != Primary:
			t.Errorf("cell %v = %d is small but %s", tb.CellCodes(i), v, s)
		case v == 0 && s != Published:
			t.Errorf("zero cell %v is withheld as %s; a withheld zero would make the symbols lie", tb.CellCodes(i), s)
		case s == Secondary && v < k:
			t.Errorf("secondary cell %v = %d is below the threshold", tb.CellCodes(i), v)
		}
		switch s {
		case Primary:
			primary++
		case Secondary:
			secondary++
		}
	}
	if primary != p.PrimaryCount || secondary != p.SecondaryCount {
		t.Errorf("counts say %d primary, %d secondary; cells say %d, %d", p.PrimaryCount, p.SecondaryCount, primary, secondary)
	}
	for i, r := range attackRanges(p) {
		v := float64(tb.At(i))
		if math.IsNaN(r[0]) || v < r[0]-1e-6 || v > r[1]+1e-6 {
			t.Fatalf("attacker is wrong: cell %v = %v outside its range %v", tb.CellCodes(i), v, r)
		}
		if r[1]-r[0] < 0.5 {
			t.Errorf("cell %v (%s, value %d) is computed back from the published table: range %v\n%s",
				tb.CellCodes(i), p.Status(i), tb.At(i), r, render(p))
		}
	}
}

// render draws a 1- or 2-axis protected table for failure messages.
func render(p *Protected) string {
	var b strings.Builder
	tb := p.Table
	cols := 1
	if len(tb.Axes) >= 2 {
		cols = tb.Size(len(tb.Axes) - 1)
	}
	for i := range tb.Len() {
		fmt.Fprintf(&b, "%6s", p.Text(i)+"/"+fmt.Sprint(tb.At(i)))
		if (i+1)%cols == 0 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func TestAttackerFindsNaiveSuppression(t *testing.T) {
	// The attacker must be able to fail a table, or the tests below prove nothing: hiding only
	// the small cell of a row whose total is published gives it away.
	tb := gridTable([]int{2, 3}, []int64{2, 10, 12, 7, 9, 11})
	p := &Protected{Table: tb, Threshold: 5, status: make([]Status, tb.Len())}
	p.status[0], p.PrimaryCount = Primary, 1
	r := attackRanges(p)[0]
	if r[1]-r[0] > 0.5 || math.Abs(r[0]-2) > 1e-6 {
		t.Fatalf("attacker did not recompute the lone suppressed cell: range %v", r)
	}
	// Two cycles of withheld cells joined by one cell: every line holds two or more withheld
	// cells, yet the joining cell is the difference of line sums. A rule "no line with a
	// single withheld cell" passes this table; the attacker must not.
	tb = gridTable([]int{4, 4}, []int64{
		6, 7, 20, 20,
		8, 9, 10, 20,
		20, 20, 11, 12,
		20, 20, 13, 14})
	p = &Protected{Table: tb, Threshold: 5, status: make([]Status, tb.Len())}
	for _, rc := range [][2]int{{0, 0}, {0, 1}, {1, 0}, {1, 1}, {1, 2}, {2, 2}, {2, 3}, {3, 2}, {3, 3}} {
		p.status[tb.Index(rc[:])] = Secondary
	}
	bridge := tb.Index([]int{1, 2})
	if r := attackRanges(p)[bridge]; r[1]-r[0] > 0.5 || math.Abs(r[0]-10) > 1e-6 {
		t.Fatalf("attacker missed the bridge cell: range %v", r)
	}
	// Bounds alone can give cells away: two "<5" cells whose published row total is 2 are both 1.
	tb = gridTable([]int{2, 3}, []int64{1, 1, 20, 30, 30, 30})
	p = &Protected{Table: tb, Threshold: 5, status: make([]Status, tb.Len())}
	p.status[0], p.status[1] = Primary, Primary
	p.status[tb.Index([]int{1, 0})], p.status[tb.Index([]int{1, 1})] = Secondary, Secondary
	p.status[tb.Index([]int{1, 3})] = Secondary
	// With the row total 22 published beside column totals 31 and 31, the two "<5" cells of
	// row 0 add up to 2, so both are 1.
	pinned := attackRanges(p)
	if pinned[0][1]-pinned[0][0] > 0.5 || pinned[1][1]-pinned[1][0] > 0.5 {
		t.Fatalf("attacker missed cells pinned by their bounds: %v", pinned)
	}
}

func TestProtectAwkwardShapes(t *testing.T) {
	cases := []struct {
		name   string
		dims   []int
		values []int64
		k      int
		// wantPrimary and wantSecondary, when not -1, pin the amount of suppression.
		wantPrimary, wantSecondary int
	}{
		{"no small cells", []int{2, 2}, []int64{10, 20, 30, 40}, 5, 0, 0},
		{"one small cell in a 2x2", []int{2, 2}, []int64{3, 20, 30, 40}, 5, 1, 3},
		{"single small cell in a row", []int{3, 4}, []int64{2, 30, 40, 50, 60, 70, 80, 90, 11, 12, 13, 14}, 5, 1, 3},
		{"all-small row", []int{3, 3}, []int64{1, 2, 1, 20, 30, 40, 50, 60, 70}, 5, 4, -1},
		{"all-small table, larger", []int{2, 2}, []int64{1, 2, 2, 3}, 3, -1, -1},
		{"one axis", []int{4}, []int64{3, 10, 20, 30}, 5, 1, 1},
		{"one axis, small total", []int{3}, []int64{1, 0, 2}, 5, 3, 0},
		{"single category axes", []int{1, 1}, []int64{3}, 5, 4, 0},
		{"zeros beside a small cell", []int{3, 3}, []int64{0, 0, 2, 0, 7, 9, 6, 8, 10}, 5, 2, -1},
		{"small cells on a diagonal", []int{4, 4}, []int64{1, 9, 9, 9, 9, 2, 9, 9, 9, 9, 3, 9, 9, 9, 9, 4}, 5, 4, -1},
		{"three axes", []int{2, 3, 2}, []int64{4, 20, 12, 30, 11, 17, 25, 9, 1, 40, 33, 8}, 5, -1, -1},
		{"three axes, small slab", []int{3, 2, 2}, []int64{1, 2, 3, 1, 20, 21, 22, 23, 30, 31, 32, 33}, 5, -1, -1},
		{"four axes", []int{2, 2, 2, 2}, []int64{1, 9, 8, 7, 6, 5, 2, 10, 11, 12, 3, 13, 14, 15, 16, 4}, 5, -1, -1},
		{"threshold 3", []int{3, 3}, []int64{1, 2, 30, 2, 40, 50, 60, 70, 1}, 3, -1, -1},
		{"threshold 10", []int{2, 5}, []int64{9, 12, 15, 3, 40, 11, 20, 30, 40, 50}, 10, -1, -1},
		{"long row, one small", []int{1, 12}, []int64{20, 21, 22, 23, 4, 25, 26, 27, 28, 29, 30, 31}, 5, 2, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Protect(gridTable(tc.dims, tc.values), tc.k)
			if err != nil {
				t.Fatal(err)
			}
			checkProtected(t, p)
			if tc.wantPrimary >= 0 && p.PrimaryCount != tc.wantPrimary {
				t.Errorf("primary = %d, want %d\n%s", p.PrimaryCount, tc.wantPrimary, render(p))
			}
			if tc.wantSecondary >= 0 && p.SecondaryCount != tc.wantSecondary {
				t.Errorf("secondary = %d, want %d\n%s", p.SecondaryCount, tc.wantSecondary, render(p))
			}
		})
	}
}

func TestProtectRefusesTablesThatGiveThemselvesAway(t *testing.T) {
	// Four ones: every cell, margin and the grand total are "<5", and since four cells of at
	// least one add up to a total below five, each is 1. No suppression can hide that, so
	// Protect must refuse instead of publishing.
	_, err := Protect(gridTable([]int{2, 2}, []int64{1, 1, 1, 1}), 5)
	if !errors.Is(err, ErrUnprotectable) {
		t.Fatalf("err = %v, want ErrUnprotectable", err)
	}
	if !strings.Contains(err.Error(), "coarser") {
		t.Errorf("the error must say what to do: %v", err)
	}
}

func TestProtectThresholds(t *testing.T) {
	tb := gridTable([]int{2}, []int64{1, 7})
	p, err := Protect(tb, 0)
	if err != nil || p.PrimaryCount+p.SecondaryCount != 0 || p.Text(0) != "1" {
		t.Fatalf("threshold 0 must publish everything: %v %+v", err, p)
	}
	if !strings.Contains(p.Metadata().Method, "none") {
		t.Errorf("metadata of an unprotected table must say so: %q", p.Metadata().Method)
	}
	for _, k := range []int{1, 2, -5} {
		if _, err := Protect(tb, k); err == nil {
			t.Errorf("threshold %d accepted", k)
		}
	}
	p, err = Protect(tb, 5)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Text(0); got != "<5" {
		t.Errorf("small cell shows %q, want <5", got)
	}
	md := p.Metadata()
	if md.Threshold != 5 || md.PrimarySuppressed != 1 || len(md.SuppressedCells) != p.PrimaryCount+p.SecondaryCount {
		t.Errorf("metadata %+v", md)
	}
}

// TestProtectProperty builds random tables of random shapes, many small cells and zeros, and
// has the attacker try to recompute every withheld cell from what is published.
func TestProtectProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 2026))
	trials := 400
	if testing.Short() {
		trials = 80
	}
	unprotectable := 0
	for trial := range trials {
		nd := 1 + rng.IntN(3)
		dims := make([]int, nd)
		cells := 1
		for d := range dims {
			dims[d] = 1 + rng.IntN(4)
			if nd == 3 {
				dims[d] = 1 + rng.IntN(3)
			}
			cells *= dims[d]
		}
		values := make([]int64, cells)
		for i := range values {
			switch r := rng.IntN(10); {
			case r < 2:
				values[i] = 0
			case r < 6:
				values[i] = 1 + rng.Int64N(4)
			default:
				values[i] = 5 + rng.Int64N(40)
			}
		}
		k := []int{3, 5, 5, 5, 10}[rng.IntN(5)]
		p, err := Protect(gridTable(dims, values), k)
		if errors.Is(err, ErrUnprotectable) {
			unprotectable++
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Run(fmt.Sprintf("trial%d_%v_k%d", trial, dims, k), func(t *testing.T) { checkProtected(t, p) })
	}
	t.Logf("%d of %d random tables could not be protected and were refused", unprotectable, trials)
	if unprotectable*20 > trials {
		t.Errorf("%d of %d random tables refused: the search gives up too often", unprotectable, trials)
	}
}
