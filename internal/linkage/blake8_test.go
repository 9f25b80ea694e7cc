package linkage

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestBlakeFinal8MatchesCompress checks every lane of the eight-lane kernel against the
// portable compression function, on random chaining values, blocks and counters.
func TestBlakeFinal8MatchesCompress(t *testing.T) {
	if !haveBlakeAVX512 {
		t.Skip("no AVX-512 on this CPU: the portable path is the only one")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 200; trial++ {
		var h [8][8]uint64
		var m [16][8]uint64
		var ts [8]uint64
		var want [8][8]uint64
		for lane := 0; lane < 8; lane++ {
			var hl [8]uint64
			var block [blakeBlockSize]byte
			for i := range hl {
				hl[i] = rng.Uint64()
				h[i][lane] = hl[i]
			}
			for i := range block {
				block[i] = byte(rng.Uint32())
			}
			for j := 0; j < 16; j++ {
				for b := 7; b >= 0; b-- {
					m[j][lane] = m[j][lane]<<8 | uint64(block[8*j+b])
				}
			}
			ts[lane] = rng.Uint64N(1 << 20)
			blakeCompress(&hl, &block, ts[lane], true)
			for i := range hl {
				want[i][lane] = hl[i]
			}
		}
		blakeFinal8AVX512(&h, &m, &ts)
		if h != want {
			t.Fatalf("trial %d: kernel %x, portable %x", trial, h, want)
		}
	}
}

// TestEncodeKernelMatchesPortable encodes FEBRL4's first file with and without the kernel:
// every CLK must be the same byte for byte.
func TestEncodeKernelMatchesPortable(t *testing.T) {
	if !haveBlakeAVX512 {
		t.Skip("no AVX-512 on this CPU: the portable path is the only one")
	}
	enc, err := NewEncoder(mustSchema(t, febrlSchema), []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	_, rows := readFEBRL(t, "dataset4a.csv")
	fast := make([][]byte, len(rows))
	for i, row := range rows {
		if fast[i], err = enc.Encode(row); err != nil {
			t.Fatal(err)
		}
	}
	haveBlakeAVX512 = false
	defer func() { haveBlakeAVX512 = true }()
	for i, row := range rows {
		slow, err := enc.Encode(row)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(slow, fast[i]) {
			t.Fatalf("record %d: kernel and portable CLKs differ", i)
		}
	}
}

// TestEncodeKernelMixesWithPortable encodes records in which some tokens go to the kernel and
// others cannot: a token of more than 128 bytes, a token needing more than the precomputed
// salts (600 bits of one token), a doubleHash feature between blakeHash ones, a UTF-16 one.
// The CLKs must equal the portable path's.
func TestEncodeKernelMixesWithPortable(t *testing.T) {
	if !haveBlakeAVX512 {
		t.Skip("no AVX-512 on this CPU: the portable path is the only one")
	}
	s := mustSchema(t, `{
  "version": 3,
  "clkConfig": {"l": 1024, "kdf": {"type": "HKDF", "hash": "SHA256", "salt": "c2FsdA==", "info": "aW5mbw==", "keySize": 64}},
  "features": [
    {"identifier": "long", "format": {"type": "string", "encoding": "utf-8"},
     "hashing": {"comparison": {"type": "exact"}, "strategy": {"bitsPerToken": 600}, "hash": {"type": "blakeHash"}}},
    {"identifier": "name", "format": {"type": "string", "encoding": "utf-8"},
     "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerFeature": 300}, "hash": {"type": "blakeHash"}}},
    {"identifier": "double", "format": {"type": "string", "encoding": "utf-8"},
     "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerToken": 20}, "hash": {"type": "doubleHash"}}},
    {"identifier": "wide", "format": {"type": "string", "encoding": "utf-16"},
     "hashing": {"comparison": {"type": "ngram", "n": 3}, "strategy": {"bitsPerToken": 40}, "hash": {"type": "blakeHash"}}}
  ]}`)
	enc, err := NewEncoder(s, []byte("secreto"))
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]string{
		{strings.Repeat("muy largo ", 20), "Ñandutí", "Itaipú", "Guaraní"},
		{"corto", "", "Ciudad del Este", strings.Repeat("ñ", 70)},
		{"", "Ana", "", ""},
		{strings.Repeat("x", 128), strings.Repeat("y", 129), "z", "w"},
		{strings.Repeat("x", 129), "", "", ""}, // one byte past a block
	}
	for i, row := range rows {
		fast, err := enc.Encode(row)
		if err != nil {
			t.Fatal(err)
		}
		haveBlakeAVX512 = false
		slow, err := enc.Encode(row)
		haveBlakeAVX512 = true
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(fast, slow) {
			t.Errorf("record %d: kernel and portable CLKs differ", i)
		}
	}
}
