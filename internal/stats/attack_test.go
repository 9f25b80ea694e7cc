package stats

import "math"

// This file is the attacker: it knows every published cell, the symbols of the withheld ones
// ("<K" means 1..K-1, "x" means K or more) and that all line sums hold, and computes by linear
// programming the smallest and largest value each withheld cell can take. A cell whose range
// has shrunk to one value has been computed back. It shares no code with Protect.

const lpEps = 1e-9

// lpMin minimises c·y subject to A·y = b, 0 <= y; ok is false when infeasible, and unbounded
// results come back as -Inf. A dense tableau with Bland's rule: slow but sure on small tables.
func lpMin(A [][]float64, b, c []float64) (float64, bool) {
	m, n := len(A), len(c)
	// Tableau: n structural columns, m artificial columns, right-hand side.
	T := make([][]float64, m)
	for i := range m {
		T[i] = make([]float64, n+m+1)
		sign := 1.0
		if b[i] < 0 {
			sign = -1
		}
		for j := range n {
			T[i][j] = sign * A[i][j]
		}
		T[i][n+i] = 1
		T[i][n+m] = sign * b[i]
	}
	basis := make([]int, m)
	for i := range basis {
		basis[i] = n + i
	}
	pivot := func(r, col int) {
		pv := T[r][col]
		for j := range T[r] {
			T[r][j] /= pv
		}
		for i := range m {
			if i != r && math.Abs(T[i][col]) > lpEps {
				f := T[i][col]
				for j := range T[i] {
					T[i][j] -= f * T[r][j]
				}
			}
		}
		basis[r] = col
	}
	run := func(cost []float64, allowed int) (float64, bool) {
		for {
			enter := -1
			for j := 0; j < allowed; j++ {
				rc := cost[j]
				for i := range m {
					rc -= cost[basis[i]] * T[i][j]
				}
				if rc < -lpEps {
					enter = j
					break
				}
			}
			if enter < 0 {
				z := 0.0
				for i := range m {
					z += cost[basis[i]] * T[i][n+m]
				}
				return z, true
			}
			leave := -1
			best := math.Inf(1)
			for i := range m {
				if T[i][enter] > lpEps {
					ratio := T[i][n+m] / T[i][enter]
					if leave < 0 || ratio < best-lpEps || (math.Abs(ratio-best) <= lpEps && basis[i] < basis[leave]) {
						best, leave = ratio, i
					}
				}
			}
			if leave < 0 {
				return math.Inf(-1), false
			}
			pivot(leave, enter)
		}
	}
	phase1 := make([]float64, n+m)
	for j := n; j < n+m; j++ {
		phase1[j] = 1
	}
	if z, _ := run(phase1, n+m); z > 1e-6 {
		return 0, false
	}
	// Drive artificial columns out of the basis where a structural column can replace them.
	for i := range m {
		if basis[i] >= n {
			for j := range n {
				if math.Abs(T[i][j]) > 1e-7 {
					pivot(i, j)
					break
				}
			}
		}
	}
	phase2 := make([]float64, n+m)
	copy(phase2, c)
	z, bounded := run(phase2, n)
	if !bounded {
		return math.Inf(-1), true
	}
	return z, true
}

// attackRanges returns, for every withheld cell of p, the smallest and largest value
// consistent with the published table.
func attackRanges(p *Protected) map[int][2]float64 {
	t := p.Table
	var unknown []int
	col := map[int]int{}
	for i := range t.Len() {
		if p.Status(i) != Published {
			col[i] = len(unknown)
			unknown = append(unknown, i)
		}
	}
	nu := len(unknown)
	if nu == 0 {
		return nil
	}
	k := float64(p.Threshold)
	ceiling := float64(10*t.GrandTotal() + 100)
	lo := make([]float64, nu)
	hi := make([]float64, nu)
	for j, i := range unknown {
		if p.Status(i) == Primary {
			lo[j], hi[j] = 1, k-1
		} else {
			lo[j], hi[j] = k, ceiling
		}
	}
	// Line equations: along every axis, through every fixing of the other axes (Totals
	// included), the categories add up to the Total. Variables are y = x - lo.
	var A [][]float64
	var b []float64
	coord := make([]int, len(t.Axes))
	for d := range t.Axes {
		n := len(t.Axes[d].Categories)
		for i := range t.Len() {
			coord = t.Coord(i, coord)
			if coord[d] != n {
				continue
			}
			row := make([]float64, 2*nu)
			rhs := 0.0
			members := []struct {
				idx  int
				coef float64
			}{{i, -1}}
			for c := 0; c < n; c++ {
				members = append(members, struct {
					idx  int
					coef float64
				}{i - (n-c)*t.Stride(d), 1})
			}
			any := false
			for _, mb := range members {
				if j, ok := col[mb.idx]; ok {
					row[j] += mb.coef
					rhs -= mb.coef * lo[j]
					any = true
				} else {
					rhs -= mb.coef * float64(t.At(mb.idx))
				}
			}
			if any {
				A = append(A, row)
				b = append(b, rhs)
			}
		}
	}
	// Upper bounds as equations with slack variables: y_j + s_j = hi_j - lo_j.
	for j := range nu {
		row := make([]float64, 2*nu)
		row[j], row[nu+j] = 1, 1
		A = append(A, row)
		b = append(b, hi[j]-lo[j])
	}
	out := map[int][2]float64{}
	for j, i := range unknown {
		c := make([]float64, 2*nu)
		c[j] = 1
		mn, ok := lpMin(A, b, c)
		if !ok {
			out[i] = [2]float64{math.NaN(), math.NaN()}
			continue
		}
		c[j] = -1
		mx, _ := lpMin(A, b, c)
		out[i] = [2]float64{mn + lo[j], -mx + lo[j]}
	}
	return out
}
