package linkage

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"math"
	"strconv"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// Encoder turns records into CLKs (cryptographic long-term keys: keyed Bloom filters) exactly
// as clkhash does, so that a CLK made here can be matched with one made by any clkhash-based
// tool. An Encoder is safe for concurrent use.
type Encoder struct {
	schema   *Schema
	hashBits int // filter length before folding
	features []featureEncoder
	scratch  sync.Pool
}

type featureEncoder struct {
	f          *Feature
	key0, key1 []byte
	// blake holds the key block already compressed, one per salt d = 0, 1, ...
	blake []*blakeKeyed
}

// maxPrecomputedSalts bounds the per-feature BLAKE2b states prepared ahead; a token needing
// more than 32*maxPrecomputedSalts bits computes the rest on the fly.
const maxPrecomputedSalts = 16

// ValueError reports a value that cannot be encoded. It names the column and never holds the
// value itself.
type ValueError struct {
	Column     int // 0-based
	Identifier string
	Err        error
}

func (e *ValueError) Error() string {
	return fmt.Sprintf("column %d (%s): %v", e.Column+1, e.Identifier, e.Err)
}

func (e *ValueError) Unwrap() error { return e.Err }

// NewEncoder derives the feature keys from secret (the shared secret as bytes; clkhash uses
// the UTF-8 of the secret string) and prepares the hash states.
func NewEncoder(s *Schema, secret []byte) (*Encoder, error) {
	if len(secret) == 0 {
		return nil, errors.New("the secret is empty")
	}
	n := len(s.Features)
	newHash := sha256.New
	if s.KDF.Hash == "SHA512" {
		newHash = sha512.New
	}
	// Every feature, ignored or not, gets two keys, so that a feature's keys depend only on its
	// position in the schema.
	keys, err := hkdf.Key(newHash, secret, s.KDF.Salt, string(s.KDF.Info), n*2*s.KDF.KeySize)
	if err != nil {
		return nil, fmt.Errorf("key derivation: %w", err)
	}
	e := &Encoder{schema: s, hashBits: s.L << s.XorFolds}
	ks := s.KDF.KeySize
	for i := range s.Features {
		f := &s.Features[i]
		fe := featureEncoder{f: f, key0: keys[2*i*ks : (2*i+1)*ks], key1: keys[(2*i+1)*ks : (2*i+2)*ks]}
		if !f.Ignored && f.Hashing.Hash == "blakeHash" {
			maxK := f.Hashing.BitsPerToken
			if maxK == 0 {
				maxK = f.Hashing.BitsPerFeature
			}
			for d := 0; d < min((maxK+31)/32, maxPrecomputedSalts); d++ {
				fe.blake = append(fe.blake, newBlakeKeyed(fe.key0, blakeSalt(d)))
			}
		}
		e.features = append(e.features, fe)
	}
	e.scratch.New = func() any { return e.newScratch() }
	return e, nil
}

// Schema returns the schema the encoder was made with.
func (e *Encoder) Schema() *Schema { return e.schema }

// Len is the length of the CLKs in bytes.
func (e *Encoder) Len() int { return (e.schema.L + 7) / 8 }

func blakeSalt(d int) *[16]byte {
	var salt [16]byte
	copy(salt[:], strconv.Itoa(d))
	return &salt
}

// scratch is per-goroutine working memory: filters, token buffers and HMAC states.
type scratch struct {
	filter []byte
	tokens []string
	buf    []byte
	sha1   []hash.Hash // per feature, nil for blakeHash or ignored features
	md5    []hash.Hash
	lanes  blakeLanes
}

// blakeLanes gathers up to eight pending BLAKE2b final blocks, laid out for the eight-lane
// kernel (word-major, one lane per message), with the number of bits each will set.
type blakeLanes struct {
	h    [8][8]uint64
	m    [16][8]uint64
	t    [8]uint64
	bits [8]int
	n    int
}

func (e *Encoder) newScratch() *scratch {
	sc := &scratch{filter: make([]byte, (e.hashBits+7)/8)}
	sc.sha1 = make([]hash.Hash, len(e.features))
	sc.md5 = make([]hash.Hash, len(e.features))
	for i, fe := range e.features {
		if !fe.f.Ignored && fe.f.Hashing.Hash == "doubleHash" {
			sc.sha1[i] = hmac.New(sha1.New, fe.key0)
			sc.md5[i] = hmac.New(md5.New, fe.key1)
		}
	}
	return sc
}

// Encode returns the CLK of one record; row holds one value per schema feature, ignored
// features included.
func (e *Encoder) Encode(row []string) ([]byte, error) {
	out := make([]byte, e.Len())
	return out, e.EncodeTo(out, row)
}

// EncodeTo writes the CLK of row into dst, which must be Len() bytes long.
func (e *Encoder) EncodeTo(dst []byte, row []string) error {
	if len(row) != len(e.features) {
		return fmt.Errorf("%d values for %d schema features", len(row), len(e.features))
	}
	if len(dst) != e.Len() {
		return fmt.Errorf("destination of %d bytes for a CLK of %d", len(dst), e.Len())
	}
	sc := e.scratch.Get().(*scratch)
	defer e.scratch.Put(sc)
	clear(sc.filter)
	for i := range e.features {
		fe := &e.features[i]
		if fe.f.Ignored {
			continue
		}
		value, err := formatValue(fe.f, row[i])
		if err != nil {
			return &ValueError{Column: i, Identifier: fe.f.Identifier, Err: err}
		}
		sc.tokens, err = tokenize(&fe.f.Hashing.Comparison, value, sc.tokens[:0])
		if err != nil {
			return &ValueError{Column: i, Identifier: fe.f.Identifier, Err: err}
		}
		e.hashTokens(i, sc)
	}
	e.flushLanes(sc)
	fold(sc.filter, e.hashBits, e.schema.XorFolds)
	copy(dst, sc.filter[:len(dst)])
	if e.schema.L%8 != 0 {
		// bitarray pads its last byte with zero bits.
		dst[len(dst)-1] &= byte(0xff << (8 - e.schema.L%8))
	}
	return nil
}

// hashTokens sets the bits of feature i's tokens in sc.filter.
func (e *Encoder) hashTokens(i int, sc *scratch) {
	fe := &e.features[i]
	h := &fe.f.Hashing
	n := len(sc.tokens)
	if n == 0 {
		return
	}
	perToken, extra := h.BitsPerToken, 0
	if h.BitsPerFeature > 0 {
		perToken, extra = h.BitsPerFeature/n, h.BitsPerFeature%n
	}
	L := uint64(e.hashBits)
	for t, tok := range sc.tokens {
		k := perToken
		if t < extra {
			k++
		}
		if k == 0 {
			continue
		}
		sc.buf = encodeToken(sc.buf[:0], tok, fe.f.Format.Encoding)
		if h.Hash == "doubleHash" {
			e.doubleHash(i, sc, k, L, h.PreventSingularity)
		} else {
			fe.blakeHash(sc, k, L)
		}
	}
}

func setBit(filter []byte, g uint64) { filter[g>>3] |= 0x80 >> (g & 7) }

func (fe *featureEncoder) blakeHash(sc *scratch, k int, L uint64) {
	var digest [64]byte
	mask := L - 1 // L is a power of two for blakeHash (checked with the schema)
	for d := 0; k > 0; d++ {
		// A token of 1 to 128 bytes is one final block after the precomputed key block:
		// queue it for the eight-lane kernel. (Tokens are a few bytes; longer or empty ones,
		// and salts beyond the precomputed ones, take the portable path.)
		if haveBlakeAVX512 && d < len(fe.blake) && len(sc.buf) > 0 && len(sc.buf) <= blakeBlockSize {
			bits := min(k, 32)
			sc.lanes.add(&fe.blake[d].afterKey, sc.buf, bits)
			k -= bits
			if sc.lanes.n == 8 {
				sc.lanes.flush(sc.filter, mask)
			}
			continue
		}
		var b *blakeKeyed
		if d < len(fe.blake) {
			b = fe.blake[d]
		} else {
			b = newBlakeKeyed(fe.key0, blakeSalt(d))
		}
		b.sum(sc.buf, &digest)
		for j := 0; j < 32 && k > 0; j++ {
			setBit(sc.filter, uint64(binary.LittleEndian.Uint16(digest[2*j:]))&mask)
			k--
		}
	}
}

// flushLanes hashes the queued blocks; blakeHash filters always have a power-of-two length.
func (e *Encoder) flushLanes(sc *scratch) {
	if sc.lanes.n > 0 {
		sc.lanes.flush(sc.filter, uint64(e.hashBits)-1)
	}
}

// add queues the final block of msg (1 to 128 bytes) after the state s.
func (l *blakeLanes) add(s *blakeState, msg []byte, bits int) {
	lane := l.n
	for i := range s.h {
		l.h[i][lane] = s.h[i]
	}
	var block [blakeBlockSize]byte
	copy(block[:], msg)
	for j := range l.m {
		l.m[j][lane] = binary.LittleEndian.Uint64(block[8*j:])
	}
	l.t[lane] = s.t + uint64(len(msg))
	l.bits[lane] = bits
	l.n++
}

// flush runs the kernel and sets each lane's bits: the digest's little-endian 16-bit words in
// order, as blakeHash reads them. Unused lanes hash whatever they last held; their bits are
// not set.
func (l *blakeLanes) flush(filter []byte, mask uint64) {
	blakeFinal8AVX512(&l.h, &l.m, &l.t)
	for lane := 0; lane < l.n; lane++ {
		for j := 0; j < l.bits[lane]; j++ {
			setBit(filter, (l.h[j/4][lane]>>(16*(j%4)))&mask)
		}
	}
	l.n = 0
}

func (e *Encoder) doubleHash(i int, sc *scratch, k int, L uint64, preventSingularity bool) {
	var sum [sha1.Size]byte
	s1, m5 := sc.sha1[i], sc.md5[i]
	s1.Reset()
	s1.Write(sc.buf)
	h1 := modBytes(s1.Sum(sum[:0]), L)
	m5.Reset()
	m5.Write(sc.buf)
	h2 := modBytes(m5.Sum(sum[:0]), L)
	if preventSingularity && L > 1 {
		// clkhash appends chr(j).encode(), the UTF-8 of code point j, until h2 is not zero.
		// (With a one-bit filter every index is 0 and h2 can never be non-zero.)
		for j := rune(0); h2 == 0; j++ {
			m5.Reset()
			m5.Write(sc.buf)
			m5.Write(utf8.AppendRune(nil, j))
			h2 = modBytes(m5.Sum(sum[:0]), L)
		}
	}
	for t := uint64(0); t < uint64(k); t++ {
		setBit(sc.filter, (h1+t*h2)%L)
	}
}

// modBytes reads b as a big-endian integer and returns it modulo m (m < 2^32).
func modBytes(b []byte, m uint64) uint64 {
	var r uint64
	for _, c := range b {
		r = (r<<8 | uint64(c)) % m
	}
	return r
}

// encodeToken appends the bytes of tok in the feature's encoding. Python's "utf-16" and
// "utf-32" codecs write a byte-order mark and then little-endian units.
func encodeToken(dst []byte, tok, encoding string) []byte {
	switch encoding {
	case "utf-16":
		dst = append(dst, 0xff, 0xfe)
		for _, r := range tok {
			if r >= 0x10000 {
				r1, r2 := utf16.EncodeRune(r)
				dst = binary.LittleEndian.AppendUint16(dst, uint16(r1))
				dst = binary.LittleEndian.AppendUint16(dst, uint16(r2))
			} else {
				dst = binary.LittleEndian.AppendUint16(dst, uint16(r))
			}
		}
		return dst
	case "utf-32":
		dst = append(dst, 0xff, 0xfe, 0, 0)
		for _, r := range tok {
			dst = binary.LittleEndian.AppendUint32(dst, uint32(r))
		}
		return dst
	}
	return append(dst, tok...)
}

// tokenize appends the tokens of value under comparison c. Duplicates are kept, as clkhash
// keeps them (they matter to bitsPerFeature).
func tokenize(c *Comparison, value string, dst []string) ([]string, error) {
	if value == "" {
		return dst, nil
	}
	switch c.Type {
	case "exact":
		return append(dst, value), nil
	case "numeric":
		return numericTokens(c, value, dst)
	}
	runes := []rune(value)
	if c.N > 1 {
		padded := make([]rune, 0, len(runes)+2*(c.N-1))
		for j := 0; j < c.N-1; j++ {
			padded = append(padded, ' ')
		}
		padded = append(padded, runes...)
		for j := 0; j < c.N-1; j++ {
			padded = append(padded, ' ')
		}
		runes = padded
	}
	for j := 0; j+c.N <= len(runes); j++ {
		gram := string(runes[j : j+c.N])
		if c.Positional {
			gram = strconv.Itoa(j+1) + " " + gram
		}
		dst = append(dst, gram)
	}
	return dst, nil
}

// numericTokens implements clkhash's numeric comparison: the value, scaled to an integer,
// times 2*resolution, rounded to the nearest multiple of the distance interval, and the
// resolution multiples of the interval on either side of it.
func numericTokens(c *Comparison, value string, dst []string) ([]string, error) {
	scale := math.Pow10(c.FractionalPrecision)
	var v int64
	if n, err := parsePythonInt(value); err == nil {
		if c.FractionalPrecision > 0 {
			if math.Abs(float64(n))*scale > 1<<62 {
				return dst, fmt.Errorf("%w: number out of range", errValue)
			}
			n *= int64(scale)
		}
		v = n
	} else {
		f, err := strconv.ParseFloat(trimPythonSpace(value), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return dst, fmt.Errorf("%w: not a number", errValue)
		}
		if c.FractionalPrecision > 0 {
			f = math.RoundToEven(f * scale)
		} else {
			f = math.Trunc(f)
		}
		if math.Abs(f) > 1<<62 {
			return dst, fmt.Errorf("%w: number out of range", errValue)
		}
		v = int64(f)
	}
	interval := int64(math.RoundToEven(c.ThresholdDistance * scale))
	res := int64(c.Resolution)
	if v > math.MaxInt64/(4*res) || v < math.MinInt64/(4*res) || interval*(res+1) > 1<<62 {
		return dst, fmt.Errorf("%w: number out of range", errValue)
	}
	v *= 2 * res
	residue := v % interval
	if residue < 0 { // Python's % is never negative for a positive divisor
		residue += interval
	}
	switch {
	case residue == 0:
	case float64(residue) < float64(interval)/2:
		v -= residue
	default:
		v += interval - residue
	}
	for j := -res; j <= res; j++ {
		dst = append(dst, strconv.FormatInt(v+j*interval, 10))
	}
	return dst, nil
}

func trimPythonSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[0] == '\r' || s[0] == '\f' || s[0] == '\v') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t' || s[len(s)-1] == '\n' || s[len(s)-1] == '\r' || s[len(s)-1] == '\f' || s[len(s)-1] == '\v') {
		s = s[:len(s)-1]
	}
	return s
}

// fold XOR-folds the first nbits bits of filter in half, folds times.
func fold(filter []byte, nbits, folds int) {
	for ; folds > 0; folds-- {
		half := nbits / 2
		if half%8 == 0 {
			hb := half / 8
			for j := 0; j < hb; j++ {
				filter[j] ^= filter[hb+j]
			}
		} else {
			for g := 0; g < half; g++ {
				if filter[(half+g)>>3]&(0x80>>((half+g)&7)) != 0 {
					filter[g>>3] ^= 0x80 >> (g & 7)
				}
			}
		}
		nbits = half
	}
}
