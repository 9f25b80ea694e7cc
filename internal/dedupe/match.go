package dedupe

import (
	"cmp"
	"context"
	crand "crypto/rand"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"nanduti/internal/linkage"
)

// Subject is one person as the job compares them: normalised values held in memory only, for
// the length of one run. Nothing of a Subject is stored, logged or returned.
type Subject struct {
	Given       []string // normalised given-name words
	Surnames    []string // normalised surnames, as recorded (either order)
	Birth       time.Time
	Documents   []string // normalised document numbers, the main one first
	Phones      []string // E.164
	Sex         string   // the open gender field; "" or "Unknown" carry no evidence
	Citizenship []string // ISO 3166 alpha-3

	// Phonetic keys of the name words, computed once per run (prepare) rather than once
	// per compared pair.
	givenKeys, surnameKeys []string
	// The name words and their phonetic keys as numbers in the run's vocabulary, so that a
	// compared pair tests words by number and looks similarities up instead of computing them.
	givenIDs, surnameIDs, givenKeyIDs, surnameKeyIDs []int32
}

// Caps of a packed subject; a subject with more words, documents, phones or citizenships
// than these is compared from its slices instead.
const (
	packedWords = 4
	packedDocs  = 3
	packedOther = 2
)

// packed is what a comparison reads of a subject, numbered in the run's vocabulary and held
// in one record without pointers: a run compares hundreds of millions of pairs of records
// spread over all of memory, and reading two compact records instead of a dozen slices each
// is most of the speed.
type packed struct {
	given, surname, givenKey, surnameKey [packedWords]int32
	docs                                 [packedDocs]int32
	phones, citizenship                  [packedOther]int32
	birthDays                            int32 // days since 1970-01-01, when hasBirth
	birthYear                            int16
	birthMonth, birthDay                 uint8
	nGiven, nSurname                     uint8
	nDocs, nPhones, nCitizenship         uint8
	sex                                  int32 // number of a known sex in the vocabulary, -1 if unknown
	hasBirth, unpacked                   bool
}

func (s *Subject) pack(v *vocabulary) packed {
	p := packed{sex: -1}
	fill := func(dst []int32, src []int32, n *uint8) {
		if len(src) > len(dst) {
			p.unpacked = true
			return
		}
		copy(dst, src)
		*n = uint8(len(src))
	}
	var ignore uint8
	fill(p.given[:], s.givenIDs, &p.nGiven)
	fill(p.surname[:], s.surnameIDs, &p.nSurname)
	fill(p.givenKey[:], s.givenKeyIDs, &ignore)
	fill(p.surnameKey[:], s.surnameKeyIDs, &ignore)
	for _, d := range s.Documents {
		if linkage.NormalizeDocument(d) != d {
			p.unpacked = true // packed documents are compared as normalised
		}
	}
	fill(p.docs[:], v.numbers(s.Documents), &p.nDocs)
	fill(p.phones[:], v.numbers(s.Phones), &p.nPhones)
	fill(p.citizenship[:], v.numbers(s.Citizenship), &p.nCitizenship)
	if knownSex(s.Sex) {
		p.sex = v.numbers([]string{s.Sex})[0]
	}
	if !s.Birth.IsZero() {
		y, m, d := s.Birth.Date()
		days := s.Birth.Unix() / 86400
		if s.Birth.Location() != time.UTC || s.Birth.Unix()%86400 != 0 || y < -32000 || y > 32000 {
			// Only midnight UTC dates are packed, so that days apart are exact.
			p.unpacked = true
		}
		p.hasBirth, p.birthDays, p.birthYear, p.birthMonth, p.birthDay = true, int32(days), int16(y), uint8(m), uint8(d)
	}
	return p
}

// dateLevel is linkage.CompareDates on packed dates.
func dateLevel(a, b *packed) int8 {
	if !a.hasBirth || !b.hasBirth {
		return int8(linkage.DateMissing)
	}
	sameY, sameM, sameD := a.birthYear == b.birthYear, a.birthMonth == b.birthMonth, a.birthDay == b.birthDay
	switch {
	case sameY && sameM && sameD:
		return int8(linkage.DateExact)
	case sameY && a.birthMonth == b.birthDay && a.birthDay == b.birthMonth:
		return int8(linkage.DateTransposed)
	case btoi(sameY)+btoi(sameM)+btoi(sameD) == 2:
		return int8(linkage.DateTransposed)
	}
	if d := a.birthDays - b.birthDays; d <= 366 && d >= -366 {
		return int8(linkage.DateNear)
	}
	return int8(linkage.DateDifferent)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// prepare computes the subject's phonetic keys and numbers its words in v.
func (s *Subject) prepare(v *vocabulary) {
	s.givenKeys, s.surnameKeys = phoneticKeys(s.Given), phoneticKeys(s.Surnames)
	s.givenIDs, s.surnameIDs = v.numbers(s.Given), v.numbers(s.Surnames)
	s.givenKeyIDs, s.surnameKeyIDs = v.numbers(s.givenKeys), v.numbers(s.surnameKeys)
}

// vocabulary numbers the distinct strings of one run (name words and phonetic keys). It is
// filled before the comparisons start and only read during them.
type vocabulary struct {
	ids   map[string]int32
	words []string
}

func newVocabulary() *vocabulary { return &vocabulary{ids: map[string]int32{}} }

func (v *vocabulary) numbers(words []string) []int32 {
	out := make([]int32, len(words))
	for i, w := range words {
		id, ok := v.ids[w]
		if !ok {
			id = int32(len(v.words))
			v.ids[w] = id
			v.words = append(v.words, w)
		}
		out[i] = id
	}
	return out
}

// comparer is one goroutine's comparison state: the Jaro-Winkler similarities of the
// phonetic keys it has met, so that each pair of keys is computed once. Names repeat
// enormously (a few hundred surnames carry most of a population), so nearly every
// similarity is a lookup.
type comparer struct {
	vocab *vocabulary
	jw    map[uint64]float64
}

// maxSimilarities bounds a comparer's cache; past it the cache starts again.
const maxSimilarities = 1 << 22

func newComparer(v *vocabulary) *comparer { return &comparer{vocab: v, jw: map[uint64]float64{}} }

func (c *comparer) similarity(x, y int32) float64 {
	if x == y {
		return 1
	}
	if x > y {
		x, y = y, x
	}
	key := uint64(x)<<32 | uint64(y)
	if s, ok := c.jw[key]; ok {
		return s
	}
	if len(c.jw) >= maxSimilarities {
		clear(c.jw)
	}
	s := linkage.JaroWinkler(c.vocab.words[x], c.vocab.words[y])
	c.jw[key] = s
	return s
}

// nameLevel is the package's nameLevel on numbered words.
func (c *comparer) nameLevel(a, b, ka, kb []int32) int8 {
	if len(a) == 0 || len(b) == 0 {
		return -1
	}
	if sameWords(a, b) {
		return 3
	}
	return levelOf(pairingBy(ka, kb, c.similarity))
}

// comparePacked is Compare for two packed subjects (neither unpacked).
func (c *comparer) comparePacked(a, b *packed, vec []int8) []int8 {
	vec = append(vec[:0],
		c.nameLevel(a.given[:a.nGiven], b.given[:b.nGiven], a.givenKey[:a.nGiven], b.givenKey[:b.nGiven]),
		c.nameLevel(a.surname[:a.nSurname], b.surname[:b.nSurname], a.surnameKey[:a.nSurname], b.surnameKey[:b.nSurname]),
		dateLevel(a, b),
		c.documentLevel(a.docs[:a.nDocs], b.docs[:b.nDocs]),
		anyShared(a.phones[:a.nPhones], b.phones[:b.nPhones]),
		-1,
		anyShared(a.citizenship[:a.nCitizenship], b.citizenship[:b.nCitizenship]),
	)
	if a.sex >= 0 && b.sex >= 0 {
		vec[FieldSex] = int8(btoi(a.sex == b.sex))
	}
	return vec
}

// documentLevel is the package's documentLevel on numbered (normalised) documents.
func (c *comparer) documentLevel(a, b []int32) int8 {
	if len(a) == 0 || len(b) == 0 {
		return -1
	}
	best := int8(0)
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return int8(linkage.DocumentExact)
			}
			if l := int8(linkage.CompareNormalizedDocuments(c.vocab.words[x], c.vocab.words[y])); l > best {
				best = l
			}
		}
	}
	return best
}

// compareSubjects compares subjects i and j of a run: packed when both are, else from the
// slices.
func (c *comparer) compareSubjects(subjects []Subject, packs []packed, i, j int, vec []int8) []int8 {
	if a, b := &packs[i], &packs[j]; !a.unpacked && !b.unpacked {
		return c.comparePacked(a, b, vec)
	}
	return c.compare(&subjects[i], &subjects[j], vec)
}

// compare is Compare for two prepared subjects.
func (c *comparer) compare(a, b *Subject, vec []int8) []int8 {
	return vectorOf(a, b,
		c.nameLevel(a.givenIDs, b.givenIDs, a.givenKeyIDs, b.givenKeyIDs),
		c.nameLevel(a.surnameIDs, b.surnameIDs, a.surnameKeyIDs, b.surnameKeyIDs), vec)
}

func phoneticKeys(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = linkage.PhoneticKey(w)
	}
	return out
}

func keysOf(words, keys []string) []string {
	if len(keys) == len(words) {
		return keys
	}
	return phoneticKeys(words)
}

// The compared fields, in the order of a comparison vector (and of the levels stored with a
// candidate).
const (
	FieldGivenNames = iota
	FieldSurnames
	FieldBirthDate
	FieldDocument
	FieldPhone
	FieldSex
	FieldCitizenship
	numFields
)

// FieldNames names the compared fields in vector order, for pages, the API and the catalogue
// (dedupe.field.NAME).
var FieldNames = []string{"given_names", "surnames", "birth_date", "document", "phone", "sex", "citizenship"}

// fsFields is the Fellegi-Sunter model: names have four levels (different, similar, close,
// the same words), the birth date the four of linkage.CompareDates, documents the three of
// linkage.CompareDocuments, the rest agree or not. Surnames carry the term-frequency
// adjustment: agreeing on a rare surname says more than agreeing on González.
var fsFields = []linkage.FSField{
	{Name: "given_names", Levels: 4},
	{Name: "surnames", Levels: 4, TermFrequency: true},
	{Name: "birth_date", Levels: 4},
	{Name: "document", Levels: 3},
	{Name: "phone", Levels: 2},
	{Name: "sex", Levels: 2},
	{Name: "citizenship", Levels: 2},
}

// nameLevel turns a name similarity into a level: 3 when the words are the same, 2 when close
// (a letter or a spelling variant apart), 1 when similar, 0 otherwise. The similarity is
// linkage.NameSimilarity's: every word of the shorter name paired with a distinct word of
// the other (either order, one may be missing), by the Jaro-Winkler similarity of their
// phonetic keys, best pairs first.
func nameLevel(a, b, ka, kb []string) int8 {
	if len(a) == 0 || len(b) == 0 {
		return -1
	}
	if sameWords(a, b) {
		return 3
	}
	return levelOf(pairingBy(keysOf(a, ka), keysOf(b, kb), func(x, y string) float64 {
		if x == y {
			return 1
		}
		return linkage.JaroWinkler(x, y)
	}))
}

func levelOf(sim float64) int8 {
	switch {
	case sim >= 0.92:
		return 2
	case sim >= 0.80:
		return 1
	}
	return 0
}

// pairingBy averages, over the words of the shorter list, the best similarity of each with a
// distinct word of the other, taking the best pairs first.
func pairingBy[W any](x, y []W, similarity func(a, b W) float64) float64 {
	if len(x) > len(y) {
		x, y = y, x
	}
	if len(y) > 8 {
		y = y[:8]
	}
	var sims [8][8]float64
	for i, wx := range x[:min(len(x), 8)] {
		for j, wy := range y {
			sims[i][j] = similarity(wx, wy)
		}
	}
	nx := min(len(x), 8)
	var usedX, usedY [8]bool
	var total float64
	for range nx {
		bi, bj, best := -1, -1, -1.0
		for i := range nx {
			if usedX[i] {
				continue
			}
			for j := range y {
				if !usedY[j] && sims[i][j] > best {
					bi, bj, best = i, j, sims[i][j]
				}
			}
		}
		if bi < 0 {
			break
		}
		usedX[bi], usedY[bj] = true, true
		total += best
	}
	return total / float64(nx)
}

// sameWords reports whether every word of the shorter list appears in the other (words as
// strings, or as their numbers in a run's vocabulary).
func sameWords[W comparable](a, b []W) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	for _, w := range a {
		if !slices.Contains(b, w) {
			return false
		}
	}
	return true
}

// anyShared is 1 when the lists share a value, 0 when not, -1 when either is empty.
func anyShared[V comparable](a, b []V) int8 {
	if len(a) == 0 || len(b) == 0 {
		return -1
	}
	for _, x := range a {
		if slices.Contains(b, x) {
			return 1
		}
	}
	return 0
}

func documentLevel(a, b []string) int8 {
	if len(a) == 0 || len(b) == 0 {
		return -1
	}
	best := int8(0)
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return int8(linkage.DocumentExact)
			}
			if l := int8(linkage.CompareDocuments(x, y)); l > best {
				best = l
			}
		}
	}
	return best
}

func knownSex(s string) bool { return s != "" && s != "Unknown" }

// Compare returns the comparison vector of two subjects: one level per field, -1 where a
// value is missing on either side.
func Compare(a, b *Subject, vec []int8) []int8 {
	return vectorOf(a, b,
		nameLevel(a.Given, b.Given, a.givenKeys, b.givenKeys),
		nameLevel(a.Surnames, b.Surnames, a.surnameKeys, b.surnameKeys), vec)
}

// vectorOf completes a comparison vector from the two name levels, however they were
// computed.
func vectorOf(a, b *Subject, given, surnames int8, vec []int8) []int8 {
	vec = append(vec[:0], given, surnames,
		int8(linkage.CompareDates(a.Birth, b.Birth)),
		documentLevel(a.Documents, b.Documents),
		anyShared(a.Phones, b.Phones),
		-1,
		anyShared(a.Citizenship, b.Citizenship),
	)
	if knownSex(a.Sex) && knownSex(b.Sex) {
		vec[FieldSex] = 0
		if a.Sex == b.Sex {
			vec[FieldSex] = 1
		}
	}
	return vec
}

// FormatLevels writes a vector as stored with a candidate: levels separated by commas.
func FormatLevels(vec []int8) string {
	parts := make([]string, len(vec))
	for i, l := range vec {
		parts[i] = strconv.Itoa(int(l))
	}
	return strings.Join(parts, ",")
}

// ParseLevels reads a stored vector; a malformed one gives missing levels.
func ParseLevels(s string) []int8 {
	out := make([]int8, numFields)
	parts := strings.Split(s, ",")
	for i := range out {
		out[i] = -1
		if i < len(parts) {
			if n, err := strconv.Atoi(parts[i]); err == nil && n >= -1 && n < fsFields[i].Levels {
				out[i] = int8(n)
			}
		}
	}
	return out
}

// Options tune a matching run.
type Options struct {
	// Threshold is the smallest match weight a pair needs to become a candidate: the sum over
	// the fields of log2(m/u), the evidence of the two records without any prior; 0 means
	// DefaultThreshold.
	Threshold float64
	// MaxBlock bounds a block: larger ones (a very common surname in one year) are skipped and
	// their pairs found through the other blocking rules. 0 means 500.
	MaxBlock int
	// Progress, when set, is told how far the comparison has gone.
	Progress func(done, total int)
	// Workers is the number of goroutines comparing pairs; 0 means one per CPU.
	Workers int
	// EMSample is about how many blocked pairs EM is fitted on at most; 0 means
	// DefaultEMSample.
	EMSample int64
}

// DefaultThreshold is the weight above which a pair is proposed: the fields together make a
// match 2^DefaultThreshold (about 4,000) times likelier than it was before comparing them.
// Lower thresholds find more of the harder duplicates and propose more namesakes (same given
// name and birth date, other surnames), which grow with the square of the persons held.
const DefaultThreshold = 12.0

// Pair is a likely duplicate: the indexes of the two subjects, the weight and the vector.
type Pair struct {
	A, B   int
	Weight float64
	Levels []int8
}

// Stats says what a run did, in counts only.
type Stats struct {
	Subjects        int
	Compared        int64 // pairs compared after blocking
	EMSample        int64 // of which EM was fitted on (all of them, up to Options.EMSample)
	OversizedBlocks int
	EMIterations    int
	// EstimatedByEM is false when too few pairs were compared to estimate m and u, and the
	// prior values were used.
	EstimatedByEM bool
	Model         string // the fitted parameters, for the operator (no personal data)
}

// DefaultEMSample is about how many blocked pairs EM is fitted on: enough to estimate every
// level's share to a fraction of a per cent, however many persons a deployment holds.
const DefaultEMSample = 5_000_000

// pairHash mixes two record numbers into a uniform 64-bit value (SplitMix64's finaliser).
func pairHash(i, j int) uint64 {
	z := uint64(i)<<32 ^ uint64(j) + 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// minPairsForEM is the fewest compared pairs with which EM is trusted to estimate m; with fewer
// (a new deployment, a test) the prior values are used.
const minPairsForEM = 200

// priorM are the m probabilities used before there are enough pairs to estimate them, from
// the error rates of Paraguayan administrative records: names agree exactly in most true
// matches, dates and documents in most but not all (typing slips, missing digits).
var priorM = [][]float64{
	{0.01, 0.04, 0.15, 0.80},
	{0.005, 0.025, 0.12, 0.85},
	{0.01, 0.02, 0.10, 0.87},
	{0.05, 0.10, 0.85},
	{0.30, 0.70},
	{0.05, 0.95},
	{0.05, 0.95},
}

// Find compares the subjects within blocks and returns the pairs whose weight reaches the
// threshold, best first. The blocking key is random for each run and never leaves memory.
func Find(ctx context.Context, subjects []Subject, opt Options) ([]Pair, Stats, error) {
	if opt.Threshold == 0 {
		opt.Threshold = DefaultThreshold
	}
	if opt.MaxBlock == 0 {
		opt.MaxBlock = 500
	}
	if opt.EMSample <= 0 {
		opt.EMSample = DefaultEMSample
	}
	st := Stats{Subjects: len(subjects)}
	key := make([]byte, 32)
	crand.Read(key)
	blocker := linkage.NewBlocker(key)
	keys := make([][]uint64, len(subjects))
	var surnameTF linkage.TermFrequencies
	vocab := newVocabulary()
	packs := make([]packed, len(subjects))
	for i := range subjects {
		s := &subjects[i]
		s.prepare(vocab)
		packs[i] = s.pack(vocab)
		name := linkage.PersonName{Given: s.Given, Surnames: s.Surnames}
		doc := ""
		if len(s.Documents) > 0 {
			doc = s.Documents[0]
		}
		k := blocker.Keys(linkage.BlockRecord{Name: name, Birth: s.Birth, Document: doc}, nil)
		if !s.Birth.IsZero() {
			// The surname-and-given-name rule for every record, so that a record without a
			// birth date still meets its twin that has one; as a spoke, so that two records
			// with dates do not meet by name alone (the surname-and-year rule compares them).
			from := len(k)
			k = blocker.Keys(linkage.BlockRecord{Name: name}, k)
			for j := from; j < len(k); j++ {
				k[j] = linkage.Spoke(k[j])
			}
		}
		for _, d := range s.Documents[min(1, len(s.Documents)):] {
			k = blocker.Keys(linkage.BlockRecord{Document: d}, k)
		}
		for _, p := range s.Phones {
			k = blocker.Keys(linkage.BlockRecord{Document: "tel" + p}, k)
		}
		slices.Sort(k)
		keys[i] = slices.Compact(k)
		for _, w := range s.Surnames {
			surnameTF.Add(w)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, st, err
	}

	// Two passes over the blocked pairs, so that memory stays linear in the subjects however
	// many pairs there are: the first tallies the comparison vectors for EM, the second
	// weighs each pair with the fitted model. Both run on every core, each worker with its
	// own similarity cache, tally and results, merged at the end.
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	comparers := make([]*comparer, workers)
	vecs := make([][]int8, workers)
	tallies := make([]*linkage.Patterns, workers)
	for w := range workers {
		comparers[w], vecs[w], tallies[w] = newComparer(vocab), make([]int8, 0, numFields), linkage.NewPatterns(numFields)
	}
	// EM needs the shares of the comparison vectors, not every pair: past opt.EMSample blocked
	// pairs it fits on a random sample of about that many (pairs chosen by a hash of the two
	// records, so the sample does not favour any block).
	index := linkage.NewBlockIndex(keys, opt.MaxBlock)
	keys = nil
	sampleBelow := uint64(math.MaxUint64)
	if bound := index.MaxPairs(); bound > opt.EMSample {
		sampleBelow = uint64(float64(math.MaxUint64) * (float64(opt.EMSample) / float64(bound)))
	}
	compared, err := index.Pairs(ctx, workers, func(w, i, j int) {
		if sampleBelow != math.MaxUint64 && pairHash(i, j) >= sampleBelow {
			return
		}
		vecs[w] = comparers[w].compareSubjects(subjects, packs, i, j, vecs[w])
		tallies[w].Add(vecs[w], 1)
	})
	if err != nil {
		return nil, st, err
	}
	patterns := tallies[0]
	for _, t := range tallies[1:] {
		patterns.Merge(t)
	}
	st.EMSample = int64(patterns.Total())
	st.Compared, st.OversizedBlocks = compared, index.Oversized
	total := int(st.Compared)
	if opt.Progress != nil {
		opt.Progress(total, 2*total)
	}

	model, err := linkage.NewModel(fsFields)
	if err != nil {
		return nil, st, err
	}
	for f := range priorM {
		copy(model.M[f], priorM[f])
	}
	estimateU(model, subjects, packs, comparers[0])
	model.Lambda = priorLambda(len(subjects), st.Compared)
	if st.EMSample >= minPairsForEM {
		// u comes from random pairs (almost all non-matches), as Splink recommends; EM fits
		// lambda and m on the blocked pairs.
		it, err := model.EstimateEM(patterns, linkage.EMOptions{FixU: true, MaxIterations: 50})
		if err != nil {
			return nil, st, err
		}
		st.EMIterations, st.EstimatedByEM = it, true
		guardM(model)
		// A fit that calls more pairs matches than the people could have duplicates (two
		// for each person) has found a class other than matches, such as namesakes born
		// the same year that blocking put together: keep the prior m then.
		if model.Lambda*float64(st.Compared) > 2*float64(len(subjects)) {
			for f := range priorM {
				copy(model.M[f], priorM[f])
			}
			model.Lambda = priorLambda(len(subjects), st.Compared)
			st.EstimatedByEM = false
		}
	}
	st.Model = model.String()

	// The weight proposed on is the evidence of the fields alone, sum of log2(m/u): the prior
	// among blocked pairs depends on how tight the blocking is, not on the two records.
	prior := math.Log2(model.Lambda / (1 - model.Lambda))
	found := make([][]Pair, workers)
	tfs := make([][]float64, workers)
	for w := range tfs {
		tfs[w] = make([]float64, numFields)
	}
	visited := 0 // pairs worker 0 weighed; the others go at about its pace
	_, err = index.Pairs(ctx, workers, func(w, i, j int) {
		a, b := &subjects[i], &subjects[j]
		vec, tf := comparers[w].compareSubjects(subjects, packs, i, j, vecs[w]), tfs[w]
		vecs[w] = vec
		tf[FieldSurnames] = 0
		if vec[FieldSurnames] == 3 {
			tf[FieldSurnames] = rarestShared(a.Surnames, b.Surnames, &surnameTF)
		}
		if wt := model.Weight(vec, tf) - prior; wt >= opt.Threshold {
			found[w] = append(found[w], Pair{A: i, B: j, Weight: wt, Levels: append([]int8(nil), vec...)})
		}
		if w == 0 && opt.Progress != nil {
			if visited++; visited%100000 == 0 {
				opt.Progress(total+min(visited*workers, total), 2*total)
			}
		}
	})
	if err != nil {
		return nil, st, err
	}
	var out []Pair
	for _, f := range found {
		out = append(out, f...)
	}
	if opt.Progress != nil {
		opt.Progress(2*total, 2*total)
	}
	slices.SortFunc(out, func(x, y Pair) int {
		switch {
		case x.Weight > y.Weight:
			return -1
		case x.Weight < y.Weight:
			return 1
		}
		return cmp.Or(cmp.Compare(x.A, y.A), cmp.Compare(x.B, y.B))
	})
	return out, st, nil
}

// priorLambda is the starting share of matches among the blocked pairs: as many matches as a
// few per cent of the persons, spread over the pairs compared.
func priorLambda(subjects int, compared int64) float64 {
	if compared == 0 {
		return 0.01
	}
	return min(0.5, max(1e-6, 0.05*float64(subjects)/float64(compared)))
}

// estimateU sets u from random pairs: among them matches are so rare that the share of each
// level is what chance alone gives. With few subjects every pair is taken.
func estimateU(model *linkage.Model, subjects []Subject, packs []packed, c *comparer) {
	n := len(subjects)
	if n < 2 {
		return
	}
	counts := make([][]float64, numFields)
	for f := range counts {
		counts[f] = make([]float64, fsFields[f].Levels)
	}
	vec := make([]int8, 0, numFields)
	add := func(i, j int) {
		vec = c.compareSubjects(subjects, packs, i, j, vec)
		for f, l := range vec {
			if l >= 0 {
				counts[f][l]++
			}
		}
	}
	const samples = 50000
	if n*(n-1)/2 <= samples {
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				add(i, j)
			}
		}
	} else {
		rng := rand.New(rand.NewPCG(uint64(n), 0x6e616e64757469))
		for k := 0; k < samples; k++ {
			i, j := rng.IntN(n), rng.IntN(n)
			if i != j {
				add(i, j)
			}
		}
	}
	for f := range counts {
		var sum float64
		for _, c := range counts[f] {
			sum += c
		}
		for l, c := range counts[f] {
			// The prior counts as priorWeight random pairs: it decides in a new deployment
			// with a handful of persons, and fades as persons accumulate. A level never seen
			// by chance stays rare, not impossible.
			model.U[f][l] = (c + priorWeight*priorU[f][l]) / (sum + priorWeight)
		}
	}
}

// priorU are the u probabilities expected among random pairs of a population such as
// Paraguay's (a few hundred common given names and surnames, birth dates over some seventy
// years, documents almost never shared), and priorWeight how many random pairs they count
// as.
var priorU = [][]float64{
	{0.95, 0.03, 0.005, 0.015},
	{0.95, 0.03, 0.005, 0.015},
	{0.97, 0.025, 0.004, 0.001},
	{0.999, 0.0009, 0.0001},
	{0.9999, 0.0001},
	{0.5, 0.5},
	{0.1, 0.9},
}

const priorWeight = 1000

// guardM keeps EM from a degenerate fit on small or unbalanced data: m must rise with the
// agreement level at the top (exact agreement is evidence for a match), else the prior holds.
func guardM(model *linkage.Model) {
	for f := range model.M {
		top := len(model.M[f]) - 1
		if model.M[f][top] < model.U[f][top] || math.IsNaN(model.M[f][top]) {
			copy(model.M[f], priorM[f])
		}
	}
}

// rarestShared is the relative frequency of the rarest surname both lists hold.
func rarestShared(a, b []string, tf *linkage.TermFrequencies) float64 {
	best := 0.0
	for _, w := range a {
		if !slices.Contains(b, w) {
			continue
		}
		if f := tf.Frequency(w); f > 0 && (best == 0 || f < best) {
			best = f
		}
	}
	return best
}
