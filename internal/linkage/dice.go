package linkage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
)

// CLKSet holds one party's CLKs, all of the same length, as contiguous 64-bit words with their
// popcounts: 1,000,000 CLKs of 1024 bits take 132 MB, and comparing two sets allocates nothing
// per pair.
type CLKSet struct {
	bits   int
	words  int
	data   []uint64
	counts []uint32
}

// NewCLKSet returns an empty set of CLKs of nbits bits.
func NewCLKSet(nbits int) *CLKSet {
	return &CLKSet{bits: nbits, words: (nbits + 63) / 64}
}

// Bits is the length of the set's CLKs in bits.
func (s *CLKSet) Bits() int { return s.bits }

// Len is the number of CLKs in the set.
func (s *CLKSet) Len() int { return len(s.counts) }

// Popcount returns the number of bits set in CLK i.
func (s *CLKSet) Popcount(i int) int { return int(s.counts[i]) }

// errCLKLength is returned for a CLK whose length differs from the set's.
var errCLKLength = errors.New("CLK length differs")

// Add appends a CLK given as bytes (bit g in byte g/8, mask 0x80>>(g%8)).
func (s *CLKSet) Add(clk []byte) error {
	if len(clk) != (s.bits+7)/8 {
		return fmt.Errorf("%w: %d bits, expected %d", errCLKLength, 8*len(clk), s.bits)
	}
	var count uint32
	for w := 0; w < s.words; w++ {
		var buf [8]byte
		copy(buf[:], clk[8*w:min(8*w+8, len(clk))])
		v := binary.BigEndian.Uint64(buf[:])
		count += uint32(bits.OnesCount64(v))
		s.data = append(s.data, v)
	}
	s.counts = append(s.counts, count)
	return nil
}

func (s *CLKSet) row(i int) []uint64 { return s.data[i*s.words : (i+1)*s.words] }

// Dice returns the Dice coefficient of two CLKs of equal length given as bytes:
// 2|a AND b| / (|a| + |b|), and 0 when both are empty.
func Dice(a, b []byte) float64 {
	if len(a) != len(b) {
		panic("linkage.Dice: CLKs of different lengths")
	}
	var and, ca, cb int
	for i := range a {
		and += bits.OnesCount8(a[i] & b[i])
		ca += bits.OnesCount8(a[i])
		cb += bits.OnesCount8(b[i])
	}
	return diceOf(and, ca+cb)
}

func diceOf(and, sum int) float64 {
	if sum == 0 {
		return 0
	}
	return 2 * float64(and) / float64(sum)
}

// andCount1024 is the popcount of a AND b for 1024-bit CLKs, the common case, unrolled with
// four independent sums so that the popcounts can run in parallel.
func andCount1024(a, b *[16]uint64) int {
	s0 := bits.OnesCount64(a[0]&b[0]) + bits.OnesCount64(a[4]&b[4]) + bits.OnesCount64(a[8]&b[8]) + bits.OnesCount64(a[12]&b[12])
	s1 := bits.OnesCount64(a[1]&b[1]) + bits.OnesCount64(a[5]&b[5]) + bits.OnesCount64(a[9]&b[9]) + bits.OnesCount64(a[13]&b[13])
	s2 := bits.OnesCount64(a[2]&b[2]) + bits.OnesCount64(a[6]&b[6]) + bits.OnesCount64(a[10]&b[10]) + bits.OnesCount64(a[14]&b[14])
	s3 := bits.OnesCount64(a[3]&b[3]) + bits.OnesCount64(a[7]&b[7]) + bits.OnesCount64(a[11]&b[11]) + bits.OnesCount64(a[15]&b[15])
	return s0 + s1 + s2 + s3
}

// andCounts1024 writes popcount(q AND row j) to out[j] for the len(out) 1024-bit rows held in
// rows: eight rows at a time with the AVX-512 kernel where the CPU has it, the rest (and
// everything on other CPUs) with andCount1024.
func andCounts1024(q *[16]uint64, rows []uint64, out []uint32) {
	n := len(out)
	rows = rows[:16*n]
	done := 0
	if haveAVX512Popcount && n >= 8 {
		done = n &^ 7
		andCounts1024AVX512(q, &rows[0], done, &out[0])
	}
	for j := done; j < n; j++ {
		out[j] = uint32(andCount1024(q, (*[16]uint64)(rows[16*j:16*j+16])))
	}
}

func andCount(a, b []uint64) int {
	n := 0
	b = b[:len(a)]
	for i, w := range a {
		n += bits.OnesCount64(w & b[i])
	}
	return n
}

// scan compares row i of a with rows [lo, hi) of b and calls emit for each pair whose Dice
// coefficient is at least threshold. Pairs whose popcounts alone rule the threshold out are
// skipped: Dice <= 2 min(pa, pb) / (pa + pb).
func scan(a *CLKSet, i int, b *CLKSet, lo, hi int, threshold float64, emit func(j int, sim float64)) {
	pa := int(a.counts[i])
	// The pre-test multiplies instead of dividing; its slack keeps it from rejecting a pair
	// that the exact division accepts.
	t := threshold * (1 - 1e-12)
	if a.words == 16 && haveAVX512Popcount && hi-lo >= 8 {
		// Counting every pair in batches costs less than the popcount pre-test saves: the
		// test below on each count decides exactly what the pre-test would have.
		ra := (*[16]uint64)(a.row(i))
		var counts [256]uint32
		for j0 := lo; j0 < hi; j0 += len(counts) {
			batch := counts[:min(len(counts), hi-j0)]
			andCounts1024(ra, b.data[16*j0:], batch)
			for k, c := range batch {
				sum := pa + int(b.counts[j0+k])
				if float64(2*int(c)) < t*float64(sum) {
					continue
				}
				if sim := diceOf(int(c), sum); sim >= threshold {
					emit(j0+k, sim)
				}
			}
		}
		return
	}
	if a.words == 16 {
		ra := (*[16]uint64)(a.row(i))
		for j := lo; j < hi; j++ {
			pb := int(b.counts[j])
			sum := pa + pb
			if float64(2*min(pa, pb)) < t*float64(sum) {
				continue
			}
			c := andCount1024(ra, (*[16]uint64)(b.data[j*16:j*16+16]))
			if float64(2*c) < t*float64(sum) {
				continue
			}
			if sim := diceOf(c, sum); sim >= threshold {
				emit(j, sim)
			}
		}
		return
	}
	ra := a.row(i)
	for j := lo; j < hi; j++ {
		pb := int(b.counts[j])
		sum := pa + pb
		if sum > 0 && float64(2*min(pa, pb)) < t*float64(sum) {
			continue
		}
		c := andCount(ra, b.row(j))
		if sim := diceOf(c, sum); sim >= threshold {
			emit(j, sim)
		}
	}
}
