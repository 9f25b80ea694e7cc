package stats

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// DefaultThreshold is the smallest count published as such: smaller ones show as "<5", as in
// UNODC's GLOTIP tables.
const DefaultThreshold = 5

// SecondarySymbol marks a cell withheld to protect a small one. It is a different symbol
// from "<K" on purpose: those cells are not small, and "<K" on them would be false.
const SecondarySymbol = "x"

// Status says whether a cell is published and, if not, why.
type Status uint8

// Cell statuses.
const (
	// Published cells show their count.
	Published Status = iota
	// Primary cells hold 1..K-1 victims and show "<K".
	Primary
	// Secondary cells are withheld so that no primary cell can be computed from the others;
	// they hold K or more victims and show SecondarySymbol.
	Secondary
)

// String names the status as metadata writes it.
func (s Status) String() string {
	switch s {
	case Primary:
		return "primary"
	case Secondary:
		return "secondary"
	}
	return "published"
}

// ErrUnprotectable is returned when no pattern of complementary suppression found by Protect
// hides a small cell; a coarser table (fewer dimensions or categories) is then needed.
var ErrUnprotectable = errors.New("cannot protect the table")

// Protected is a table ready to leave the system: every cell is published, or withheld as
// primary (small) or secondary (complementary).
type Protected struct {
	Table *Table
	// Threshold is K; 0 means no disclosure control was applied.
	Threshold int
	status    []Status
	// PrimaryCount and SecondaryCount count the withheld cells, margins included.
	PrimaryCount, SecondaryCount int
}

// Status returns the status of cell i.
func (p *Protected) Status(i int) Status { return p.status[i] }

// Text renders cell i as published: its count, "<K" or SecondarySymbol.
func (p *Protected) Text(i int) string {
	switch p.status[i] {
	case Primary:
		return "<" + strconv.Itoa(p.Threshold)
	case Secondary:
		return SecondarySymbol
	}
	return strconv.FormatInt(p.Table.At(i), 10)
}

// Published returns the count of cell i and whether it may be shown.
func (p *Protected) Published(i int) (int64, bool) {
	if p.status[i] != Published {
		return 0, false
	}
	return p.Table.At(i), true
}

// SuppressedCell names a withheld cell in metadata.
type SuppressedCell struct {
	Codes []string `json:"cell"`
	Kind  string   `json:"kind"`
}

// Metadata records the disclosure control applied, for the export's metadata.
type Metadata struct {
	Threshold int    `json:"threshold"`
	Method    string `json:"method"`
	// PrimarySuppressed and SecondarySuppressed count withheld cells, margins included.
	PrimarySuppressed   int              `json:"primary_suppressed"`
	SecondarySuppressed int              `json:"secondary_suppressed"`
	SuppressedCells     []SuppressedCell `json:"suppressed_cells"`
}

// Metadata describes the protection of p.
func (p *Protected) Metadata() Metadata {
	m := Metadata{Threshold: p.Threshold, PrimarySuppressed: p.PrimaryCount,
		SecondarySuppressed: p.SecondaryCount, SuppressedCells: []SuppressedCell{}}
	if p.Threshold == 0 {
		m.Method = "none: exact counts (use only for data that are already anonymised and public)"
		return m
	}
	m.Method = fmt.Sprintf("threshold: counts 1..%d shown as <%d; complementary suppression (x) by hypercubes, "+
		"so that every withheld cell has another value consistent with all published cells", p.Threshold-1, p.Threshold)
	for i, s := range p.status {
		if s != Published {
			m.SuppressedCells = append(m.SuppressedCells, SuppressedCell{Codes: p.Table.CellCodes(i), Kind: s.String()})
		}
	}
	return m
}

// Protect applies disclosure control with threshold k to t (margins included).
//
// Primary suppression withholds every cell holding 1..k-1 victims; zeros are published, since
// "nobody" is not a person who could be recognised. Complementary suppression then gives every
// primary cell a certificate: a hypercube of withheld cells through it (in each axis the cell's
// position and one other, possibly the Total) along which the table can be shifted by one
// victim, alternately up and down, so that all line sums, hence all published cells, stay the
// same while every withheld cell stays within what its symbol says (1..k-1 for "<k", k or more
// for "x"). Such a shifted table is a second integer table matching everything published, so
// no withheld cell — each is a corner of some certificate — can be computed from the margins,
// by linear algebra or by reasoning on bounds. Among the possible hypercubes the one that
// withholds the fewest new cells, sparing margins, then the smallest counts, is taken.
//
// k = 0 switches disclosure control off; k must otherwise be at least 3, since with k = 2
// "<2" would reveal a count of exactly 1.
func Protect(t *Table, k int) (*Protected, error) {
	p := &Protected{Table: t, Threshold: k, status: make([]Status, t.Len())}
	if k == 0 {
		return p, nil
	}
	if k < 3 {
		return nil, fmt.Errorf("disclosure threshold %d is too small: use 0 (off) or at least 3, since \"<2\" would reveal a count of 1", k)
	}
	var order []int
	for i := range t.values {
		if v := t.values[i]; v >= 1 && v < int64(k) {
			p.status[i] = Primary
			p.PrimaryCount++
			order = append(order, i)
		}
	}
	// Interior cells first: their hypercubes often run through the small margins too.
	var interior, margins []int
	for _, i := range order {
		if t.IsMargin(i) {
			margins = append(margins, i)
		} else {
			interior = append(interior, i)
		}
	}
	certified := make([]bool, t.Len())
	s := &searcher{p: p, k: int64(k)}
	for _, i := range append(interior, margins...) {
		if certified[i] {
			continue
		}
		corners, ok := s.best(i)
		if !ok {
			return nil, fmt.Errorf("%w at threshold %d: no complementary suppression hides cell (%s); ask for fewer dimensions or coarser categories",
				ErrUnprotectable, k, strings.Join(t.CellCodes(i), ", "))
		}
		for _, c := range corners {
			if p.status[c] == Published {
				p.status[c] = Secondary
				p.SecondaryCount++
			}
			certified[c] = true
		}
	}
	return p, nil
}

// searchLimit bounds the hypercubes tried per cell; beyond it each axis offers only its
// Total and its smallest non-zero neighbours, which keeps wide many-axis tables fast.
const searchLimit = 200000

type searcher struct {
	p       *Protected
	k       int64
	alts    [][]int
	choice  []int
	corners []int
	signs   []int64
}

// best returns the corners of the cheapest feasible hypercube through cell i.
func (s *searcher) best(i int) ([]int, bool) {
	t := s.p.Table
	n := len(t.Axes)
	if n == 0 {
		// A table without axes has no line sums: its one cell can be anything in 1..k-1.
		return []int{i}, s.k-1 >= 2
	}
	home := t.Coord(i, nil)
	s.alts = make([][]int, n)
	combos := 1
	for d := range n {
		s.alts[d] = s.alts[d][:0]
		for c := 0; c < t.Size(d); c++ {
			if c != home[d] {
				s.alts[d] = append(s.alts[d], c)
			}
		}
		combos *= len(s.alts[d])
	}
	if combos > searchLimit {
		s.narrow(i, home)
	}
	s.choice = make([]int, n)
	bestCost := [2]int64{-1, -1}
	var bestCorners []int
	nc := 1 << n
	s.corners = make([]int, nc)
	s.signs = make([]int64, nc)
	var walk func(d int)
	walk = func(d int) {
		if d < n {
			for _, c := range s.alts[d] {
				s.choice[d] = c
				walk(d + 1)
			}
			return
		}
		cost, ok := s.evaluate(i, home)
		if !ok {
			return
		}
		if bestCost[0] < 0 || cost[0] < bestCost[0] || (cost[0] == bestCost[0] && cost[1] < bestCost[1]) {
			bestCost = cost
			bestCorners = append(bestCorners[:0], s.corners...)
		}
	}
	walk(0)
	return bestCorners, bestCorners != nil
}

// narrow keeps, per axis, the Total and the few positions with the smallest non-zero counts
// on the line through the cell, so that the product of alternatives stays under searchLimit.
func (s *searcher) narrow(i int, home []int) {
	t := s.p.Table
	n := len(t.Axes)
	// keep is the largest count of categories per axis with (keep+1)^n hypercubes in budget.
	keep := 1
	for pow(keep+2, n) <= searchLimit {
		keep++
	}
	for d := range n {
		stride := t.Stride(d)
		base := i - home[d]*stride
		var cands []int
		total := t.Size(d) - 1
		for _, c := range s.alts[d] {
			if c != total && t.values[base+c*stride] > 0 {
				cands = append(cands, c)
			}
		}
		// By count on this line: cheap cells here are likely cheap corners elsewhere too.
		slices.SortStableFunc(cands, func(a, b int) int {
			return cmp.Compare(t.values[base+a*stride], t.values[base+b*stride])
		})
		if len(cands) > keep {
			cands = cands[:keep]
		}
		if home[d] != total {
			cands = append(cands, total)
		}
		s.alts[d] = cands
	}
}

// evaluate checks the hypercube given by s.choice through cell i: every corner must hold
// victims and the shift must keep every corner within its published bounds in one of the two
// directions. The cost is (new cells, margins weighing three, then the sum of their counts).
func (s *searcher) evaluate(i int, home []int) ([2]int64, bool) {
	t := s.p.Table
	n := len(t.Axes)
	for m := range s.corners {
		idx := i
		sign := int64(1)
		for d := range n {
			if m&(1<<d) != 0 {
				idx += (s.choice[d] - home[d]) * t.Stride(d)
				if !t.IsTotal(d, home[d]) && !t.IsTotal(d, s.choice[d]) {
					sign = -sign
				}
			}
		}
		if t.values[idx] == 0 {
			return [2]int64{}, false
		}
		s.corners[m] = idx
		s.signs[m] = sign
	}
	up, down := true, true
	var cost [2]int64
	for m, idx := range s.corners {
		v := t.values[idx]
		lo, hi := s.k, int64(-1) // withheld big cells: k or more, unbounded above
		if s.p.status[idx] == Primary {
			lo, hi = 1, s.k-1
		}
		okMove := func(delta int64) bool {
			w := v + delta
			return w >= lo && (hi < 0 || w <= hi)
		}
		up = up && okMove(s.signs[m])
		down = down && okMove(-s.signs[m])
		if s.p.status[idx] == Published {
			cost[0]++
			if t.IsMargin(idx) {
				cost[0] += 2
			}
			cost[1] += v
		}
	}
	return cost, up || down
}

func pow(b, e int) int {
	r := 1
	for range e {
		r *= b
	}
	return r
}
