//go:build !amd64

package linkage

// haveAVX512Popcount is false off amd64: the portable loop runs.
var haveAVX512Popcount = false

func andCounts1024AVX512(q *[16]uint64, rows *uint64, n int, out *uint32) {
	panic("linkage: no AVX-512 kernel on this architecture")
}
