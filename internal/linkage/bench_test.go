package linkage

import (
	"context"
	"math/bits"
	"math/rand/v2"
	"testing"
	"time"
)

// randomSet returns n random 1024-bit CLKs (about half the bits set), as anonlink's own
// benchmark uses.
func randomSet(n int, seed uint64) *CLKSet {
	r := rand.New(rand.NewPCG(seed, 1))
	s := NewCLKSet(1024)
	clk := make([]byte, 128)
	for i := 0; i < n; i++ {
		for j := range clk {
			clk[j] = byte(r.Uint32())
		}
		s.Add(clk)
	}
	return s
}

// referenceScan is the plain loop the issue measures against: a loop over the sixteen words
// of fixed [16]uint64 arrays with math/bits.OnesCount64, no popcount pre-test, no unrolling.
func referenceScan(a, b *CLKSet, threshold float64) int {
	found := 0
	for i := 0; i < a.Len(); i++ {
		ra := (*[16]uint64)(a.row(i))
		for j := 0; j < b.Len(); j++ {
			rb := (*[16]uint64)(b.row(j))
			c := 0
			for w := range ra {
				c += bits.OnesCount64(ra[w] & rb[w])
			}
			if diceOf(c, int(a.counts[i]+b.counts[j])) >= threshold {
				found++
			}
		}
	}
	return found
}

func optimisedScan(a, b *CLKSet, threshold float64) int {
	found := 0
	for i := 0; i < a.Len(); i++ {
		scan(a, i, b, 0, b.Len(), threshold, func(int, float64) { found++ })
	}
	return found
}

// BenchmarkLinkageDice counts comparisons as anonlink's benchmark does (n1 x n2 / time,
// random CLKs, t = 0.7, every result returned) on one core: the scan as it runs on this CPU
// (Mcmp/s), the portable pure-Go scan (portable-Mcmp/s) and the plain reference loop
// (ref-Mcmp/s), all timed in the same run, with the ratio of the first to the last.
func BenchmarkLinkageDice(b *testing.B) {
	const n = 2000
	a, c := randomSet(n, 1), randomSet(n, 2)
	var refTime, optTime, portableTime time.Duration
	var pairs int64
	timed := func(d *time.Duration, f func() int) int {
		start := time.Now()
		x := f()
		*d += time.Since(start)
		return x
	}
	saved := haveAVX512Popcount
	defer func() { haveAVX512Popcount = saved }()
	for b.Loop() {
		x := timed(&refTime, func() int { return referenceScan(a, c, 0.7) })
		y := timed(&optTime, func() int { return optimisedScan(a, c, 0.7) })
		haveAVX512Popcount = false
		z := timed(&portableTime, func() int { return optimisedScan(a, c, 0.7) })
		haveAVX512Popcount = saved
		if x != y || x != z {
			b.Fatalf("reference found %d, scan %d, portable scan %d", x, y, z)
		}
		pairs += n * n
	}
	b.ReportMetric(float64(pairs)/optTime.Seconds()/1e6, "Mcmp/s")
	b.ReportMetric(float64(pairs)/portableTime.Seconds()/1e6, "portable-Mcmp/s")
	b.ReportMetric(float64(pairs)/refTime.Seconds()/1e6, "ref-Mcmp/s")
	b.ReportMetric(refTime.Seconds()/optTime.Seconds(), "speedup")
}

// BenchmarkLinkageMatch runs the whole match (candidates on all cores, sort, greedy solve)
// on 5,000 x 5,000 CLKs of which 1,000 pairs are near copies.
func BenchmarkLinkageMatch(b *testing.B) {
	const n = 5000
	a, c := randomSet(n, 3), randomSet(n, 4)
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 1000; i++ {
		// Make row i of c a copy of row i of a with a few bits flipped.
		row := c.row(i)
		copy(row, a.row(i))
		for f := 0; f < 40; f++ {
			row[r.IntN(16)] ^= 1 << r.IntN(64)
		}
		cnt := 0
		for _, w := range row {
			cnt += bits.OnesCount64(w)
		}
		c.counts[i] = uint32(cnt)
	}
	for b.Loop() {
		cands, err := FindCandidates(context.Background(), []*CLKSet{a, c}, 0.8, MatchOptions{})
		if err != nil {
			b.Fatal(err)
		}
		links := GroupLinks(cands, GreedySolve(cands))
		if len(links) != 1000 {
			b.Fatalf("%d links, want 1000", len(links))
		}
	}
	b.ReportMetric(float64(n)*n*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mcmp/s")
}

// BenchmarkLinkageEncode encodes FEBRL records with the published schema on one core.
// BenchmarkLinkageEncode encodes FEBRL4's first file with the published schema and reports
// records per second with the eight-lane BLAKE2b kernel (records/s) and, in the same run, with
// the portable one-token-at-a-time path (portable-records/s).
func BenchmarkLinkageEncode(b *testing.B) {
	s := mustSchema(b, febrlSchema)
	enc, err := NewEncoder(s, []byte("secret"))
	if err != nil {
		b.Fatal(err)
	}
	_, rows := readFEBRL(b, "dataset4a.csv")
	dst := make([]byte, enc.Len())
	encodeAll := func() {
		for _, row := range rows {
			if err := enc.EncodeTo(dst, row); err != nil {
				b.Fatal(err)
			}
		}
	}
	saved := haveBlakeAVX512
	defer func() { haveBlakeAVX512 = saved }()
	var fast, portable time.Duration
	records := 0
	for b.Loop() {
		haveBlakeAVX512 = saved
		start := time.Now()
		encodeAll()
		fast += time.Since(start)
		haveBlakeAVX512 = false
		start = time.Now()
		encodeAll()
		portable += time.Since(start)
		records += len(rows)
	}
	b.ReportMetric(float64(records)/fast.Seconds(), "records/s")
	b.ReportMetric(float64(records)/portable.Seconds(), "portable-records/s")
	b.ReportMetric(portable.Seconds()/fast.Seconds(), "speedup")
}
