package linkage

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// FSField is one comparison of a Fellegi-Sunter model: its agreement levels are 0 (disagree)
// to Levels-1 (agree exactly); -1 in a comparison vector means a value was missing and the
// field then carries no evidence.
type FSField struct {
	Name   string
	Levels int
	// TermFrequency adjusts the weight of exact agreement by how common the agreed value is:
	// two records agreeing on a rare surname say more than two agreeing on González.
	TermFrequency bool
}

// Model is a Fellegi-Sunter model: the prior probability Lambda that a compared pair is a
// match, and for each field and level the probabilities M (among matches) and U (among
// non-matches) of observing that level.
type Model struct {
	Fields []FSField
	Lambda float64
	M, U   [][]float64
}

// NewModel returns a model with neutral starting values for EM: m rising and u falling with
// the agreement level, and a small prior.
func NewModel(fields []FSField) (*Model, error) {
	m := &Model{Fields: fields, Lambda: 0.01}
	for _, f := range fields {
		if f.Levels < 2 {
			return nil, fmt.Errorf("field %s: at least two levels are needed", f.Name)
		}
		mm, uu := make([]float64, f.Levels), make([]float64, f.Levels)
		var sm, su float64
		for l := 0; l < f.Levels; l++ {
			mm[l] = math.Pow(4, float64(l))
			uu[l] = math.Pow(4, float64(f.Levels-1-l))
			sm += mm[l]
			su += uu[l]
		}
		for l := range mm {
			mm[l] /= sm
			uu[l] /= su
		}
		m.M, m.U = append(m.M, mm), append(m.U, uu)
	}
	return m, nil
}

// Patterns counts comparison vectors: EM works on distinct vectors, of which there are few
// (at most the product of the levels) however many pairs were compared.
type Patterns struct {
	nfields int
	vectors [][]int8
	counts  []float64
	index   map[string]int
}

// NewPatterns returns an empty tally for vectors of nfields levels.
func NewPatterns(nfields int) *Patterns {
	return &Patterns{nfields: nfields, index: map[string]int{}}
}

// Add counts one comparison vector n times.
func (p *Patterns) Add(vec []int8, n float64) {
	if len(vec) != p.nfields {
		panic("linkage: comparison vector of the wrong length")
	}
	// The key is built on the stack and looked up without a copy; only a new vector's key
	// is allocated.
	var buf [32]byte
	b := buf[:0]
	if len(vec) > len(buf) {
		b = make([]byte, 0, len(vec))
	}
	for _, x := range vec {
		b = append(b, byte(x))
	}
	i, ok := p.index[string(b)]
	if !ok {
		i = len(p.vectors)
		p.index[string(b)] = i
		p.vectors = append(p.vectors, append([]int8(nil), vec...))
		p.counts = append(p.counts, 0)
	}
	p.counts[i] += n
}

// Merge adds every count of q (a tally of vectors of the same length) to p.
func (p *Patterns) Merge(q *Patterns) {
	for i, v := range q.vectors {
		p.Add(v, q.counts[i])
	}
}

// Total is the number of vectors counted.
func (p *Patterns) Total() float64 {
	var t float64
	for _, c := range p.counts {
		t += c
	}
	return t
}

// EMOptions tunes EstimateEM.
type EMOptions struct {
	MaxIterations int     // 0: 100
	Tolerance     float64 // largest change of any parameter to stop at; 0: 1e-6
	// FixU keeps U as it is (estimated beforehand, for example from random pairs) and
	// estimates only Lambda and M, as Splink recommends for large data.
	FixU bool
}

// EstimateEM fits Lambda, M and U to the tallied vectors by expectation-maximisation,
// starting from the model's current values. It returns the number of iterations run.
func (m *Model) EstimateEM(p *Patterns, opt EMOptions) (int, error) {
	if p.nfields != len(m.Fields) {
		return 0, errors.New("the patterns do not fit the model's fields")
	}
	if p.Total() == 0 {
		return 0, errors.New("no comparison vectors")
	}
	maxIter, tol := opt.MaxIterations, opt.Tolerance
	if maxIter == 0 {
		maxIter = 100
	}
	if tol == 0 {
		tol = 1e-6
	}
	mc := make([][]float64, len(m.Fields))
	uc := make([][]float64, len(m.Fields))
	for f := range m.Fields {
		mc[f] = make([]float64, m.Fields[f].Levels)
		uc[f] = make([]float64, m.Fields[f].Levels)
	}
	for it := 1; it <= maxIter; it++ {
		for f := range mc {
			clear(mc[f])
			clear(uc[f])
		}
		var matches, total float64
		for i, vec := range p.vectors {
			c := p.counts[i]
			w := m.posterior(vec)
			matches += c * w
			total += c
			for f, g := range vec {
				if g < 0 {
					continue
				}
				if int(g) >= m.Fields[f].Levels {
					return it, fmt.Errorf("field %s: level %d out of range", m.Fields[f].Name, g)
				}
				mc[f][g] += c * w
				uc[f][g] += c * (1 - w)
			}
		}
		change := math.Abs(matches/total - m.Lambda)
		m.Lambda = clampProb(matches / total)
		for f := range m.Fields {
			change = max(change, normaliseInto(m.M[f], mc[f]))
			if !opt.FixU {
				change = max(change, normaliseInto(m.U[f], uc[f]))
			}
		}
		if change < tol {
			return it, nil
		}
	}
	return maxIter, nil
}

// normaliseInto sets dst to counts scaled to sum to one (left alone when there are no counts)
// and returns the largest change.
func normaliseInto(dst, counts []float64) float64 {
	var sum float64
	for _, c := range counts {
		sum += c
	}
	if sum == 0 {
		return 0
	}
	var change float64
	for l, c := range counts {
		v := clampProb(c / sum)
		change = max(change, math.Abs(v-dst[l]))
		dst[l] = v
	}
	return change
}

// clampProb keeps probabilities away from 0 and 1, where log weights become infinite.
func clampProb(p float64) float64 { return min(max(p, 1e-9), 1-1e-9) }

func (m *Model) posterior(vec []int8) float64 {
	return probabilityOf(m.weightOf(vec, nil))
}

// Weight returns the match weight of a comparison vector, log2 of the posterior odds.
// tf, when not nil, holds for each field with TermFrequency the relative frequency of the
// value both records agree on (0 when unknown); at exact agreement it replaces U.
func (m *Model) Weight(vec []int8, tf []float64) float64 { return m.weightOf(vec, tf) }

func (m *Model) weightOf(vec []int8, tf []float64) float64 {
	w := math.Log2(m.Lambda / (1 - m.Lambda))
	for f, g := range vec {
		if g < 0 {
			continue
		}
		u := m.U[f][g]
		if tf != nil && m.Fields[f].TermFrequency && int(g) == m.Fields[f].Levels-1 && tf[f] > 0 {
			u = clampProb(tf[f])
		}
		w += math.Log2(m.M[f][g] / u)
	}
	return w
}

// Probability returns the posterior probability that a pair with this vector is a match.
func (m *Model) Probability(vec []int8, tf []float64) float64 {
	return probabilityOf(m.weightOf(vec, tf))
}

func probabilityOf(w float64) float64 {
	odds := math.Exp2(w)
	if math.IsInf(odds, 1) {
		return 1
	}
	return odds / (1 + odds)
}

// String describes the model's parameters, for logs and reports (no personal data).
func (m *Model) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "lambda=%.4f", m.Lambda)
	for f, fl := range m.Fields {
		fmt.Fprintf(&b, " %s: m=%.3f u=%.3f", fl.Name, m.M[f], m.U[f])
	}
	return b.String()
}

// TermFrequencies holds the relative frequency of each value of a field.
type TermFrequencies struct {
	counts map[string]int
	total  int
}

// Add counts one value (empty values are not counted).
func (t *TermFrequencies) Add(value string) {
	if value == "" {
		return
	}
	if t.counts == nil {
		t.counts = map[string]int{}
	}
	t.counts[value]++
	t.total++
}

// Frequency returns the share of the counted values equal to value, 0 if unseen.
func (t *TermFrequencies) Frequency(value string) float64 {
	if t.total == 0 {
		return 0
	}
	return float64(t.counts[value]) / float64(t.total)
}
