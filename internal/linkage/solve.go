package linkage

import (
	"cmp"
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// Record names one CLK: the party (0-based position of its dataset) and its row in it.
type Record struct {
	Party int
	Row   int
}

// Candidate is a pair of records from two different parties whose similarity reached the
// threshold; A's party is always lower than B's.
type Candidate struct {
	Sim    float64
	PartyA int32
	RowA   int32
	PartyB int32
	RowB   int32
}

// MatchOptions tunes FindCandidates.
type MatchOptions struct {
	// Workers is the number of goroutines comparing; 0 means GOMAXPROCS.
	Workers int
	// Progress, when set, is called from time to time with the number of comparisons done
	// (popcount-skipped pairs included) out of total.
	Progress func(done, total int64)
	// Blocks, when set, restricts comparisons to records sharing a block key: Blocks[p][r] are
	// the keys of record r of party p (see BlockIndex). Nil compares every pair.
	Blocks [][][]uint64
}

// maxRecords keeps row numbers within Candidate's int32 fields.
const maxRecords = 1<<31 - 1

// FindCandidates compares every record of every party with every record of every other party
// and returns the pairs whose Dice coefficient is at least threshold, ordered as anonlink
// orders them: by descending similarity, then by party pair, then by row pair. Memory grows
// with the number of candidates, never with the number of pairs.
func FindCandidates(ctx context.Context, sets []*CLKSet, threshold float64, opt MatchOptions) ([]Candidate, error) {
	if !(threshold > 0 && threshold <= 1) {
		return nil, errors.New("the threshold must be in (0, 1]")
	}
	for _, s := range sets {
		if s.Len() > maxRecords {
			return nil, errors.New("too many records in one party")
		}
		if s.bits != sets[0].bits {
			return nil, errCLKLength
		}
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var total int64
	for p := range sets {
		for q := p + 1; q < len(sets); q++ {
			total += int64(sets[p].Len()) * int64(sets[q].Len())
		}
	}
	var done atomic.Int64
	var out []Candidate
	for p := range sets {
		for q := p + 1; q < len(sets); q++ {
			a, b := sets[p], sets[q]
			var index map[uint64][]int32
			if opt.Blocks != nil {
				index = blockIndex(opt.Blocks[q])
			}
			// Workers take chunks of A's rows; each keeps its own candidates, merged at the end.
			const chunk = 64
			var next atomic.Int64
			results := make([][]Candidate, workers)
			var wg sync.WaitGroup
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					var local []Candidate
					var seen map[int32]struct{}
					for {
						if ctx.Err() != nil {
							return
						}
						start := int(next.Add(chunk)) - chunk
						if start >= a.Len() {
							break
						}
						end := min(start+chunk, a.Len())
						for i := start; i < end; i++ {
							emit := func(j int, sim float64) {
								local = append(local, Candidate{Sim: sim, PartyA: int32(p), RowA: int32(i), PartyB: int32(q), RowB: int32(j)})
							}
							if index == nil {
								scan(a, i, b, 0, b.Len(), threshold, emit)
								continue
							}
							if seen == nil {
								seen = map[int32]struct{}{}
							}
							clear(seen)
							for _, key := range opt.Blocks[p][i] {
								for _, j := range index[key] {
									if _, dup := seen[j]; dup {
										continue
									}
									seen[j] = struct{}{}
									scan(a, i, b, int(j), int(j)+1, threshold, emit)
								}
							}
						}
						n := done.Add(int64(end-start) * int64(b.Len()))
						if opt.Progress != nil {
							opt.Progress(n, total)
						}
					}
					results[w] = local
				}(w)
			}
			wg.Wait()
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			for _, r := range results {
				out = append(out, r...)
			}
		}
	}
	slices.SortFunc(out, compareCandidates)
	return out, nil
}

func compareCandidates(x, y Candidate) int {
	if c := cmp.Compare(y.Sim, x.Sim); c != 0 {
		return c
	}
	if c := cmp.Compare(x.PartyA, y.PartyA); c != 0 {
		return c
	}
	if c := cmp.Compare(x.PartyB, y.PartyB); c != 0 {
		return c
	}
	if c := cmp.Compare(x.RowA, y.RowA); c != 0 {
		return c
	}
	return cmp.Compare(x.RowB, y.RowB)
}

func blockIndex(keys [][]uint64) map[uint64][]int32 {
	index := map[uint64][]int32{}
	for r, ks := range keys {
		for _, k := range ks {
			index[k] = append(index[k], int32(r))
		}
	}
	return index
}

// GreedySolve groups records as anonlink's greedy solver does. Candidates are taken in the
// given order (FindCandidates' order: best first). Two records in no group form one; a record
// joins a group of one; two groups merge only when every pair across them has been seen as a
// candidate. With two parties this is the one-to-one greedy matching: each record is used at
// most once. Groups are returned with their records sorted, ordered by their first record.
func GreedySolve(cands []Candidate) [][]Record {
	type group struct {
		members []Record
		links   map[*group]int // candidates seen between this group and another
	}
	groupOf := map[Record]*group{}
	link := func(g, h *group) int {
		if g.links == nil {
			g.links = map[*group]int{}
		}
		if h.links == nil {
			h.links = map[*group]int{}
		}
		g.links[h]++
		h.links[g]++
		return g.links[h]
	}
	for _, c := range cands {
		r0 := Record{int(c.PartyA), int(c.RowA)}
		r1 := Record{int(c.PartyB), int(c.RowB)}
		if r0 == r1 {
			continue
		}
		g0, g1 := groupOf[r0], groupOf[r1]
		switch {
		case g0 == nil && g1 == nil:
			g := &group{members: []Record{r0, r1}}
			groupOf[r0], groupOf[r1] = g, g
		case g0 == nil || g1 == nil:
			g, r := g0, r1
			if g == nil {
				g, r = g1, r0
			}
			if len(g.members) == 1 {
				g.members = append(g.members, r)
				groupOf[r] = g
			} else {
				single := &group{members: []Record{r}}
				groupOf[r] = single
				link(g, single)
			}
		case g0 != g1:
			if link(g0, g1) != len(g0.members)*len(g1.members) {
				continue
			}
			absorber, absorbee := g0, g1
			if len(g0.members) < len(g1.members) {
				absorber, absorbee = g1, g0
			}
			absorber.members = append(absorber.members, absorbee.members...)
			for _, r := range absorbee.members {
				groupOf[r] = absorber
			}
			delete(absorber.links, absorbee)
			for other, n := range absorbee.links {
				if other == absorber {
					continue
				}
				absorber.links[other] += n
				other.links[absorber] += n
				delete(other.links, absorbee)
			}
			absorbee.links = nil
		}
	}
	seen := map[*group]bool{}
	var groups [][]Record
	for _, g := range groupOf {
		if len(g.members) < 2 || seen[g] {
			continue
		}
		seen[g] = true
		m := slices.Clone(g.members)
		slices.SortFunc(m, compareRecords)
		groups = append(groups, m)
	}
	slices.SortFunc(groups, func(x, y []Record) int { return compareRecords(x[0], y[0]) })
	return groups
}

func compareRecords(x, y Record) int {
	if c := cmp.Compare(x.Party, y.Party); c != 0 {
		return c
	}
	return cmp.Compare(x.Row, y.Row)
}

// GroupLinks returns the candidates whose two records ended in the same group: every pair of a
// group, with its similarity, sorted by party and row of A, then of B.
func GroupLinks(cands []Candidate, groups [][]Record) []Candidate {
	groupID := map[Record]int{}
	for i, g := range groups {
		for _, r := range g {
			groupID[r] = i
		}
	}
	var links []Candidate
	for _, c := range cands {
		ga, okA := groupID[Record{int(c.PartyA), int(c.RowA)}]
		gb, okB := groupID[Record{int(c.PartyB), int(c.RowB)}]
		if okA && okB && ga == gb {
			links = append(links, c)
		}
	}
	slices.SortFunc(links, func(x, y Candidate) int {
		return cmp.Or(cmp.Compare(x.PartyA, y.PartyA), cmp.Compare(x.RowA, y.RowA),
			cmp.Compare(x.PartyB, y.PartyB), cmp.Compare(x.RowB, y.RowB))
	})
	return links
}
