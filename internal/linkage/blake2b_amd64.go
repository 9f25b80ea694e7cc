package linkage

//go:generate go run gen_blake2b_amd64.go

import "golang.org/x/sys/cpu"

// haveBlakeAVX512 reports whether the eight-lane BLAKE2b kernel can run: it needs AVX-512F
// only (64-bit lane rotates). Tests set it to false to run the portable path.
var haveBlakeAVX512 = cpu.X86.HasAVX512F

// blakeFinal8AVX512 compresses eight final blocks at once, one per 64-bit lane; see
// blake2b_amd64.s for the layout.
//
//go:noescape
func blakeFinal8AVX512(h *[8][8]uint64, m *[16][8]uint64, t *[8]uint64)
