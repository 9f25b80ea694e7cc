package linkage

import "golang.org/x/sys/cpu"

// haveAVX512Popcount reports whether the CPU (and the operating system, which must save the
// 512-bit registers) supports the AVX-512 popcount kernel. Tests set it to false to run the
// portable path on the same machine.
var haveAVX512Popcount = cpu.X86.HasAVX512F && cpu.X86.HasAVX512VPOPCNTDQ

// andCounts1024AVX512 writes popcount(q AND row j) to out[j] for the n 1024-bit rows at rows;
// n must be a multiple of 8. See dice_amd64.s.
//
//go:noescape
func andCounts1024AVX512(q *[16]uint64, rows *uint64, n int, out *uint32)
