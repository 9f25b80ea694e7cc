package linkage

import (
	"math/bits"
	"math/rand/v2"
	"testing"
)

// naiveAndCount is the definition: popcount of a AND b, word by word.
func naiveAndCount(a, b []uint64) uint32 {
	n := 0
	for i := range a {
		n += bits.OnesCount64(a[i] & b[i])
	}
	return uint32(n)
}

// kernelPaths runs f once on the AVX-512 kernel (where the CPU has it) and once on the
// portable loop, so both are checked on every machine that can run them.
func kernelPaths(t *testing.T, f func(t *testing.T)) {
	saved := haveAVX512Popcount
	t.Cleanup(func() { haveAVX512Popcount = saved })
	if saved {
		t.Run("avx512", f)
	} else {
		t.Log("no AVX-512 popcount on this CPU: only the portable loop is checked")
	}
	haveAVX512Popcount = false
	t.Run("portable", f)
	haveAVX512Popcount = saved
}

// The batched counts equal the definition for every batch length 0..40 (every tail after the
// blocks of eight), on random, empty, full and single-bit rows.
func TestAndCounts1024MatchesTheDefinition(t *testing.T) {
	kernelPaths(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(11, 12))
		for n := 0; n <= 40; n++ {
			rows := make([]uint64, 16*n)
			for j := 0; j < n; j++ {
				row := rows[16*j : 16*j+16]
				switch j % 4 {
				case 0:
					for w := range row {
						row[w] = r.Uint64()
					}
				case 1: // all zero
				case 2:
					for w := range row {
						row[w] = ^uint64(0)
					}
				case 3:
					row[r.IntN(16)] = 1 << r.IntN(64)
				}
			}
			for _, q := range []*[16]uint64{randomRow(r), {}, fullRow()} {
				out := make([]uint32, n+1)
				out[n] = 0xdeadbeef // the kernel must not write past its batch
				andCounts1024(q, rows, out[:n])
				for j := 0; j < n; j++ {
					if want := naiveAndCount(q[:], rows[16*j:16*j+16]); out[j] != want {
						t.Fatalf("n=%d row %d: %d, want %d", n, j, out[j], want)
					}
				}
				if out[n] != 0xdeadbeef {
					t.Fatalf("n=%d: wrote past the batch", n)
				}
			}
		}
	})
}

func randomRow(r *rand.Rand) *[16]uint64 {
	var q [16]uint64
	for w := range q {
		q[w] = r.Uint64()
	}
	return &q
}

func fullRow() *[16]uint64 {
	var q [16]uint64
	for w := range q {
		q[w] = ^uint64(0)
	}
	return &q
}

// scan finds exactly the pairs the definition finds, with the same similarities, at the
// thresholds 0 and 1, at a threshold a pair meets exactly, and over row ranges of every
// length, on both paths.
func TestScanMatchesTheDefinition(t *testing.T) {
	kernelPaths(t, func(t *testing.T) {
		a, b := randomSet(3, 21), randomSet(300, 22)
		// Row 5 of b equals row 0 of a (Dice 1); row 6 is empty; row 7 is row 0 of a with half
		// its words cleared, so that its Dice with row 0 is a known fraction.
		copy(b.row(5), a.row(0))
		b.counts[5] = a.counts[0]
		clear(b.row(6))
		b.counts[6] = 0
		copy(b.row(7), a.row(0))
		clear(b.row(7)[8:])
		b.counts[7] = naiveAndCount(b.row(7), b.row(7))
		exact := diceOf(int(b.counts[7]), int(a.counts[0]+b.counts[7]))
		for _, threshold := range []float64{0, 0.5, exact, 0.7, 1} {
			for _, span := range [][2]int{{0, 300}, {0, 7}, {3, 11}, {5, 6}, {1, 258}, {290, 300}} {
				for i := 0; i < a.Len(); i++ {
					want := map[int]float64{}
					for j := span[0]; j < span[1]; j++ {
						c := naiveAndCount(a.row(i), b.row(j))
						if sim := diceOf(int(c), int(a.counts[i]+b.counts[j])); sim >= threshold {
							want[j] = sim
						}
					}
					got := map[int]float64{}
					scan(a, i, b, span[0], span[1], threshold, func(j int, sim float64) { got[j] = sim })
					if len(got) != len(want) {
						t.Fatalf("t=%v rows %v query %d: %d pairs, want %d", threshold, span, i, len(got), len(want))
					}
					for j, sim := range want {
						if got[j] != sim {
							t.Fatalf("t=%v query %d row %d: %v, want %v", threshold, i, j, got[j], sim)
						}
					}
				}
			}
		}
		if got := 0; true {
			scan(a, 0, b, 0, 300, exact, func(j int, _ float64) {
				if j == 7 {
					got++
				}
			})
			if got != 1 {
				t.Error("a pair exactly at the threshold is not kept")
			}
		}
	})
}
