#include "textflag.h"

// reorder puts the eight row sums, which the reduction leaves in the order
// 0, 4, 1, 5, 2, 6, 3, 7, back in row order (VPERMQ indices).
DATA reorder<>+0(SB)/8, $0
DATA reorder<>+8(SB)/8, $2
DATA reorder<>+16(SB)/8, $4
DATA reorder<>+24(SB)/8, $6
DATA reorder<>+32(SB)/8, $1
DATA reorder<>+40(SB)/8, $3
DATA reorder<>+48(SB)/8, $5
DATA reorder<>+56(SB)/8, $7
GLOBL reorder<>(SB), RODATA|NOPTR, $64

// ROW computes the eight lane popcounts of q AND row into dst: the query CLK is in Z0
// (words 0-7) and Z1 (words 8-15), the row at off(SI).
#define ROW(off, dst) \
	VPANDQ off(SI), Z0, Z20 \
	VPANDQ off+64(SI), Z1, Z21 \
	VPOPCNTQ Z20, Z20 \
	VPOPCNTQ Z21, Z21 \
	VPADDQ Z20, Z21, dst

// PAIR256 adds the 256-bit halves of a and b: the result's low half holds a's four partial
// sums, its high half b's.
#define PAIR256(a, b, dst) \
	VSHUFI64X2 $0x44, b, a, Z22 \
	VSHUFI64X2 $0xEE, b, a, Z23 \
	VPADDQ Z22, Z23, dst

// PAIR128 adds the 128-bit lanes of a and b pairwise: lane k of the result holds the two
// partial sums of row k (rows of a in lanes 0-1, of b in lanes 2-3).
#define PAIR128(a, b, dst) \
	VSHUFI64X2 $0x88, b, a, Z22 \
	VSHUFI64X2 $0xDD, b, a, Z23 \
	VPADDQ Z22, Z23, dst

// func andCounts1024AVX512(q *[16]uint64, rows *uint64, n int, out *uint32)
// out[j] = popcount(q AND rows[16j:16j+16]) for j < n; n is a multiple of 8. Each row costs
// two ANDs, two popcounts and one add; the horizontal sums of eight rows are folded together
// in seven shuffle-and-add steps instead of seven steps per row.
TEXT ·andCounts1024AVX512(SB), NOSPLIT, $0-32
	MOVQ q+0(FP), AX
	MOVQ rows+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ out+24(FP), DI
	VMOVDQU64 0(AX), Z0
	VMOVDQU64 64(AX), Z1
	VMOVDQU64 reorder<>(SB), Z31
	SHRQ $3, CX
	JZ done

loop:
	ROW(0, Z2)
	ROW(128, Z3)
	ROW(256, Z4)
	ROW(384, Z5)
	ROW(512, Z6)
	ROW(640, Z7)
	ROW(768, Z8)
	ROW(896, Z9)
	PAIR256(Z2, Z3, Z10)
	PAIR256(Z4, Z5, Z11)
	PAIR256(Z6, Z7, Z12)
	PAIR256(Z8, Z9, Z13)
	PAIR128(Z10, Z11, Z14)
	PAIR128(Z12, Z13, Z15)
	VPUNPCKLQDQ Z15, Z14, Z16
	VPUNPCKHQDQ Z15, Z14, Z17
	VPADDQ Z16, Z17, Z18
	VPERMQ Z18, Z31, Z19
	VPMOVQD Z19, (DI)
	ADDQ $1024, SI
	ADDQ $32, DI
	DECQ CX
	JNZ loop

done:
	VZEROUPPER
	RET
