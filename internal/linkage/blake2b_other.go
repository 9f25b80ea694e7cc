//go:build !amd64

package linkage

// haveBlakeAVX512 is false off amd64: tokens are hashed one at a time.
var haveBlakeAVX512 = false

func blakeFinal8AVX512(h *[8][8]uint64, m *[16][8]uint64, t *[8]uint64) {
	panic("linkage: no AVX-512 kernel on this architecture")
}
