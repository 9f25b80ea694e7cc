package linkage

import (
	"encoding/binary"
	"math/bits"
)

// clkhash's blakeHash calls BLAKE2b-512 keyed with the feature key and with the salt parameter
// set; golang.org/x/crypto/blake2b exposes neither the salt nor the parameter block, so this
// file carries a small BLAKE2b (RFC 7693) of its own. It also lets the encoder compress the key
// block once per feature and salt instead of once per token, which is most of the encoding cost.

var blakeIV = [8]uint64{
	0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
	0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
}

var blakeSigma = [12][16]uint8{
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
	{14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
	{11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
	{7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
	{9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
	{2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
	{12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
	{13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
	{6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
	{10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
	{14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
}

const blakeBlockSize = 128

// blakeState is the chaining value of a BLAKE2b-512 computation together with the number of
// bytes compressed so far.
type blakeState struct {
	h [8]uint64
	t uint64
}

// blakeInit returns the initial state of a BLAKE2b-512 hash keyed with key (at most 64 bytes)
// and with the given 16-byte salt: the parameter block XORed into the IV.
func blakeInit(key []byte, salt *[16]byte) blakeState {
	var s blakeState
	s.h = blakeIV
	s.h[0] ^= 64 | uint64(len(key))<<8 | 1<<16 | 1<<24
	s.h[4] ^= binary.LittleEndian.Uint64(salt[0:8])
	s.h[5] ^= binary.LittleEndian.Uint64(salt[8:16])
	return s
}

// blakeKeyed holds a keyed, salted BLAKE2b-512 prepared for many short messages: the state
// before and after compressing the key block. An empty message needs the state before, because
// then the key block is itself the final block.
type blakeKeyed struct {
	initial  blakeState
	afterKey blakeState
	keyBlock [blakeBlockSize]byte
}

func newBlakeKeyed(key []byte, salt *[16]byte) *blakeKeyed {
	b := &blakeKeyed{initial: blakeInit(key, salt)}
	copy(b.keyBlock[:], key)
	b.afterKey = b.initial
	b.afterKey.t = blakeBlockSize
	blakeCompress(&b.afterKey.h, &b.keyBlock, b.afterKey.t, false)
	return b
}

// sum writes BLAKE2b-512(key, salt; msg) to out.
func (b *blakeKeyed) sum(msg []byte, out *[64]byte) {
	var s blakeState
	if len(msg) == 0 {
		s = b.initial
		s.t = blakeBlockSize
		blakeCompress(&s.h, &b.keyBlock, s.t, true)
	} else {
		s = b.afterKey
		var block [blakeBlockSize]byte
		for len(msg) > blakeBlockSize {
			copy(block[:], msg[:blakeBlockSize])
			s.t += blakeBlockSize
			blakeCompress(&s.h, &block, s.t, false)
			msg = msg[blakeBlockSize:]
		}
		block = [blakeBlockSize]byte{}
		copy(block[:], msg)
		s.t += uint64(len(msg))
		blakeCompress(&s.h, &block, s.t, true)
	}
	for i, v := range s.h {
		binary.LittleEndian.PutUint64(out[8*i:], v)
	}
}

// blakeCompress is the BLAKE2b compression function F. Messages here never reach 2^64 bytes,
// so the high word of the counter is always zero.
func blakeCompress(h *[8]uint64, block *[blakeBlockSize]byte, t uint64, final bool) {
	var m [16]uint64
	for i := range m {
		m[i] = binary.LittleEndian.Uint64(block[8*i:])
	}
	v0, v1, v2, v3, v4, v5, v6, v7 := h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]
	v8, v9, v10, v11 := blakeIV[0], blakeIV[1], blakeIV[2], blakeIV[3]
	v12, v13, v14, v15 := blakeIV[4]^t, blakeIV[5], blakeIV[6], blakeIV[7]
	if final {
		v14 = ^v14
	}
	for r := 0; r < 12; r++ {
		s := &blakeSigma[r]

		v0 += v4 + m[s[0]]
		v12 = bits.RotateLeft64(v12^v0, -32)
		v8 += v12
		v4 = bits.RotateLeft64(v4^v8, -24)
		v0 += v4 + m[s[1]]
		v12 = bits.RotateLeft64(v12^v0, -16)
		v8 += v12
		v4 = bits.RotateLeft64(v4^v8, -63)

		v1 += v5 + m[s[2]]
		v13 = bits.RotateLeft64(v13^v1, -32)
		v9 += v13
		v5 = bits.RotateLeft64(v5^v9, -24)
		v1 += v5 + m[s[3]]
		v13 = bits.RotateLeft64(v13^v1, -16)
		v9 += v13
		v5 = bits.RotateLeft64(v5^v9, -63)

		v2 += v6 + m[s[4]]
		v14 = bits.RotateLeft64(v14^v2, -32)
		v10 += v14
		v6 = bits.RotateLeft64(v6^v10, -24)
		v2 += v6 + m[s[5]]
		v14 = bits.RotateLeft64(v14^v2, -16)
		v10 += v14
		v6 = bits.RotateLeft64(v6^v10, -63)

		v3 += v7 + m[s[6]]
		v15 = bits.RotateLeft64(v15^v3, -32)
		v11 += v15
		v7 = bits.RotateLeft64(v7^v11, -24)
		v3 += v7 + m[s[7]]
		v15 = bits.RotateLeft64(v15^v3, -16)
		v11 += v15
		v7 = bits.RotateLeft64(v7^v11, -63)

		v0 += v5 + m[s[8]]
		v15 = bits.RotateLeft64(v15^v0, -32)
		v10 += v15
		v5 = bits.RotateLeft64(v5^v10, -24)
		v0 += v5 + m[s[9]]
		v15 = bits.RotateLeft64(v15^v0, -16)
		v10 += v15
		v5 = bits.RotateLeft64(v5^v10, -63)

		v1 += v6 + m[s[10]]
		v12 = bits.RotateLeft64(v12^v1, -32)
		v11 += v12
		v6 = bits.RotateLeft64(v6^v11, -24)
		v1 += v6 + m[s[11]]
		v12 = bits.RotateLeft64(v12^v1, -16)
		v11 += v12
		v6 = bits.RotateLeft64(v6^v11, -63)

		v2 += v7 + m[s[12]]
		v13 = bits.RotateLeft64(v13^v2, -32)
		v8 += v13
		v7 = bits.RotateLeft64(v7^v8, -24)
		v2 += v7 + m[s[13]]
		v13 = bits.RotateLeft64(v13^v2, -16)
		v8 += v13
		v7 = bits.RotateLeft64(v7^v8, -63)

		v3 += v4 + m[s[14]]
		v14 = bits.RotateLeft64(v14^v3, -32)
		v9 += v14
		v4 = bits.RotateLeft64(v4^v9, -24)
		v3 += v4 + m[s[15]]
		v14 = bits.RotateLeft64(v14^v3, -16)
		v9 += v14
		v4 = bits.RotateLeft64(v4^v9, -63)
	}
	h[0] ^= v0 ^ v8
	h[1] ^= v1 ^ v9
	h[2] ^= v2 ^ v10
	h[3] ^= v3 ^ v11
	h[4] ^= v4 ^ v12
	h[5] ^= v5 ^ v13
	h[6] ^= v6 ^ v14
	h[7] ^= v7 ^ v15
}
