package linkage

import (
	"testing"
	"time"
)

func TestLinkageBlocking(t *testing.T) {
	born := time.Date(2009, 3, 4, 0, 0, 0, 0, time.UTC)
	recs := []BlockRecord{
		{Name: ParseName("Ana", "Ayala Benítez"), Birth: born},
		{Name: ParseName("Ana", "Aiala"), Birth: born.AddDate(0, 0, 3)},    // same surname key and year
		{Name: ParseName("Ana", "Ramos"), Birth: born},                     // same given name and date
		{Name: ParseName("Luis", "Ortiz"), Document: "1.234.567"},          // document only
		{Name: ParseName("Luisa", "Ocampo"), Document: "1234567"},          // same document
		{Name: ParseName("Pedro", "Vera"), Birth: born.AddDate(-20, 0, 0)}, // nothing shared
	}
	b := NewBlocker([]byte("deployment key"))
	keys := make([][]uint64, len(recs))
	for i, r := range recs {
		keys[i] = b.Keys(r, nil)
	}
	got := map[[2]int]int{}
	st := PairsWithin(keys, 100, func(i, j int) { got[[2]int{i, j}]++ })
	want := [][2]int{{0, 1}, {0, 2}, {3, 4}}
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
