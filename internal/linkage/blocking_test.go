package linkage

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

func TestLinkageBlocking(t *testing.T) {
	born := time.Date(2009, 3, 4, 0, 0, 0, 0, time.UTC)
	recs := []BlockRecord{
		{Name: ParseName("Ana", "Ayala Benítez"), Birth: born},
		{Name: ParseName("Ana", "Aiala"), Birth: born.AddDate(0, 0, 3)},     // same surname key and year
		{Name: ParseName("Ana", "Ramos"), Birth: born},                      // same given name and date
		{Name: ParseName("Luis", "Ortiz"), Document: "1.234.567"},           // document only
		{Name: ParseName("Luisa", "Ocampo"), Document: "1234567"},           // same document
		{Name: ParseName("Pedro", "Vera"), Birth: born.AddDate(-20, 0, 0)},  // nothing shared
		{Name: ParseName("Ana", "Benítez"), Birth: born.AddDate(-10, 0, 0)}, // a slip in the year only
	}
	b := NewBlocker([]byte("deployment key"))
	keys := make([][]uint64, len(recs))
	for i, r := range recs {
		keys[i] = b.Keys(r, nil)
	}
	got := map[[2]int]int{}
	st := PairsWithin(keys, 100, func(i, j int) { got[[2]int{i, j}]++ })
	want := [][2]int{{0, 1}, {0, 2}, {0, 6}, {3, 4}}
	for _, p := range want {
		if got[p] != 1 {
			t.Errorf("pair %v emitted %d times, want once", p, got[p])
		}
	}
	if len(got) != len(want) || st.Pairs != int64(len(want)) {
		t.Errorf("pairs %v (%d counted), want %v", got, st.Pairs, want)
	}
	// A block larger than the limit is skipped; its pairs may come through other rules only.
	st = PairsWithin(keys, 1, func(i, j int) { t.Errorf("pair %d-%d from an oversized block", i, j) })
	if st.OversizedBlocks == 0 {
		t.Error("no oversized block reported")
	}
	// Another key gives unrelated block keys: keys cannot be compared across secrets.
	other := NewBlocker([]byte("another key")).Keys(recs[0], nil)
	for _, k := range other {
		for _, l := range keys[0] {
			if k == l {
				t.Error("block keys do not depend on the key")
			}
		}
	}
}

// TestBlockIndexPairs checks, on random keys with many overlapping blocks, some of them
// joined as spokes, that every pair meeting in a usable block (not both spokes there) is
// emitted exactly once whatever the number of workers, by the worker that owns its first
// record, and never a pair that meets only in an oversized block.
func TestBlockIndexPairs(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const n, maxBlock = 600, 12
	keys := make([][]uint64, n)
	role := make([]map[uint64]bool, n) // block -> hub (true) or spoke (false)
	for i := range keys {
		role[i] = map[uint64]bool{}
		for range 1 + rng.IntN(5) {
			k := uint64(rng.IntN(150))
			hub := rng.IntN(3) > 0
			role[i][k] = role[i][k] || hub
			if hub {
				keys[i] = append(keys[i], k)
			} else {
				keys[i] = append(keys[i], Spoke(k))
			}
		}
	}
	hubs, all := map[uint64]int{}, map[uint64]int{}
	for i := range keys {
		for k, hub := range role[i] {
			all[k]++
			if hub {
				hubs[k]++
			}
		}
	}
	usable := func(k uint64) bool {
		h, m := hubs[k], all[k]
		return h*(h-1)/2+h*(m-h) <= maxBlock*(maxBlock-1)/2
	}
	want := map[[2]int]bool{}
	for i := range n {
		for j := i + 1; j < n; j++ {
			for k, hi := range role[i] {
				if hj, ok := role[j][k]; ok && (hi || hj) && usable(k) {
					want[[2]int{i, j}] = true
				}
			}
		}
	}
	oversized := 0
	for k := range all {
		if !usable(k) {
			oversized++
		}
	}
	if oversized == 0 || oversized == len(all) {
		t.Fatalf("%d of %d blocks oversized: the test does not exercise the limit", oversized, len(all))
	}
	for _, workers := range []int{1, 2, 3, 8} {
		var mu sync.Mutex
		got := map[[2]int]int{}
		ix := NewBlockIndex(keys, maxBlock)
		pairs, err := ix.Pairs(context.Background(), workers, func(w, i, j int) {
			if i%workers != w {
				t.Errorf("workers %d: pair %d-%d emitted by worker %d", workers, i, j, w)
			}
			mu.Lock()
			got[[2]int{i, j}]++
			mu.Unlock()
		})
		if err != nil {
			t.Fatal(err)
		}
		for p := range want {
			if got[p] != 1 {
				t.Errorf("workers %d: pair %v emitted %d times, want once", workers, p, got[p])
			}
		}
		if len(got) != len(want) || pairs != int64(len(want)) || ix.Oversized != oversized {
			t.Errorf("workers %d: %d pairs (%d counted), %d oversized; want %d and %d", workers, len(got), pairs,
				ix.Oversized, len(want), oversized)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := NewBlockIndex(keys, maxBlock).Pairs(ctx, 2, func(w, i, j int) {}); err == nil {
		t.Error("a cancelled run reports no error")
	}
}
