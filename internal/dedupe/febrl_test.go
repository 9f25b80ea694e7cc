package dedupe

import (
	"bufio"
	"context"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"nanduti/internal/linkage"
	"nanduti/internal/testutil"
)

// TestFEBRL3Dedupe runs the job's matching on FEBRL3 (5,000 records of 2,000 people with up to
// five corrupted duplicates each) with the fields persons have: given name, surname, date of
// birth and the social security number as the document. Precision and recall are those of
// every pair of records of the same person.
func TestFEBRL3Dedupe(t *testing.T) {
	subjects, entity := febrl3Subjects(t)
	groups := map[string]int{}
	for _, e := range entity {
		groups[e]++
	}
	truePairs := 0
	for _, n := range groups {
		truePairs += n * (n - 1) / 2
	}
	start := time.Now()
	pairs, st, err := Find(context.Background(), subjects, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tp := 0
	for _, p := range pairs {
		if entity[p.A] == entity[p.B] {
			tp++
		}
	}
	precision := float64(tp) / float64(len(pairs))
	recall := float64(tp) / float64(truePairs)
	t.Logf("FEBRL3: %d records, %d true pairs, %d compared after blocking, EM %v (%d iterations); %d proposed at weight %.0f: precision %.4f, recall %.4f, in %v",
		len(subjects), truePairs, st.Compared, st.EstimatedByEM, st.EMIterations, len(pairs), DefaultThreshold, precision, recall, time.Since(start).Round(time.Millisecond))
	t.Logf("model: %s", st.Model)
	// Blocking alone reaches recall 0.953.
	if precision < 0.99 || recall < 0.92 {
		t.Errorf("precision %.4f, recall %.4f: below 0.99 and 0.92", precision, recall)
	}
}

// TestFEBRL3DedupeEMSample fits EM on a sample of FEBRL3's blocked pairs (about a tenth):
// the sample must be taken (fewer pairs tallied than compared, but enough for EM) and the
// result must stay as good as the full fit's bar.
func TestFEBRL3DedupeEMSample(t *testing.T) {
	subjects, entity := febrl3Subjects(t)
	pairs, st, err := Find(context.Background(), subjects, Options{EMSample: 1500})
	if err != nil {
		t.Fatal(err)
	}
	if st.EMSample >= st.Compared || st.EMSample < minPairsForEM || !st.EstimatedByEM {
		t.Fatalf("EM on %d of %d pairs (by EM: %v): want a sample of a few hundred to a few thousand, fitted",
			st.EMSample, st.Compared, st.EstimatedByEM)
	}
	tp := 0
	for _, p := range pairs {
		if entity[p.A] == entity[p.B] {
			tp++
		}
	}
	precision, recall := float64(tp)/float64(len(pairs)), float64(tp)/6538
	t.Logf("EM on %d of %d pairs: %d proposed, precision %.4f, recall %.4f", st.EMSample, st.Compared, len(pairs), precision, recall)
	if precision < 0.99 || recall < 0.92 {
		t.Errorf("precision %.4f, recall %.4f: below 0.99 and 0.92", precision, recall)
	}
}

// TestComparerMatchesCompare checks that the run's comparer (numbered words, cached
// similarities) gives the vector Compare gives, on neighbouring FEBRL3 records (FEBRL keeps a
// person's records together, so every level occurs) and on random ones.
func TestComparerMatchesCompare(t *testing.T) {
	subjects, _ := febrl3Subjects(t)
	vocab := newVocabulary()
	packs := make([]packed, len(subjects))
	for i := range subjects {
		subjects[i].prepare(vocab)
		packs[i] = subjects[i].pack(vocab)
		if packs[i].unpacked {
			t.Fatalf("FEBRL3 record %d is not packed", i)
		}
	}
	c := newComparer(vocab)
	levels := map[[2]int8]bool{}
	rng := rand.New(rand.NewPCG(3, 4))
	var fast, slow []int8
	for k := 0; k < 200000; k++ {
		i, j := rng.IntN(len(subjects)), rng.IntN(len(subjects))
		if k%2 == 0 {
			j = min(len(subjects)-1, i+1+rng.IntN(3))
		}
		a, b := &subjects[i], &subjects[j]
		fast, slow = c.compare(a, b, fast), Compare(a, b, slow)
		if !slices.Equal(fast, slow) {
			t.Fatalf("records %d and %d: comparer %v, Compare %v", i, j, fast, slow)
		}
		if fast = c.comparePacked(&packs[i], &packs[j], fast); !slices.Equal(fast, slow) {
			t.Fatalf("records %d and %d: packed %v, Compare %v", i, j, fast, slow)
		}
		levels[[2]int8{0, fast[FieldGivenNames]}] = true
		levels[[2]int8{1, fast[FieldSurnames]}] = true
	}
	for f := int8(0); f < 2; f++ {
		for l := int8(0); l <= 3; l++ {
			if !levels[[2]int8{f, l}] {
				t.Errorf("field %d never at level %d: the test does not exercise it", f, l)
			}
		}
	}
}

// febrl3Subjects reads FEBRL3 as subjects with the fields persons have, and each record's
// person.
func febrl3Subjects(t testing.TB) (subjects []Subject, entity []string) {
	f, err := os.Open(testutil.SharedFile(t, "data/linkage/febrl/dataset3.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		c := strings.Split(sc.Text(), ",")
		for i := range c {
			c[i] = strings.TrimSpace(c[i])
		}
		s := Subject{Given: linkage.NameTokens(c[1]), Surnames: linkage.NameTokens(c[2])}
		if d, err := time.Parse("20060102", c[9]); err == nil {
			s.Birth = d
		}
		if doc := linkage.NormalizeDocument(c[10]); doc != "" {
			s.Documents = []string{doc}
		}
		subjects = append(subjects, s)
		entity = append(entity, strings.Split(c[0], "-")[1])
	}
	if len(subjects) != 5000 {
		t.Fatalf("FEBRL3 has %d records, want 5,000", len(subjects))
	}
	return subjects, entity
}

// BenchmarkComparer times one comparison of two prepared FEBRL3 subjects (neighbours in the
// file, so names are often alike) through the run's comparer and, for reference, Compare.
func BenchmarkComparer(b *testing.B) {
	subjects, _ := febrl3Subjects(b)
	vocab := newVocabulary()
	for i := range subjects {
		subjects[i].prepare(vocab)
	}
	c := newComparer(vocab)
	packs := make([]packed, len(subjects))
	for i := range subjects {
		packs[i] = subjects[i].pack(vocab)
	}
	var vec []int8
	b.Run("packed", func(b *testing.B) {
		for k := 0; b.Loop(); k++ {
			i := k % (len(subjects) - 1)
			vec = c.comparePacked(&packs[i], &packs[i+1], vec)
		}
	})
	b.Run("comparer", func(b *testing.B) {
		for k := 0; b.Loop(); k++ {
			i := k % (len(subjects) - 1)
			vec = c.compare(&subjects[i], &subjects[i+1], vec)
		}
	})
	b.Run("Compare", func(b *testing.B) {
		for k := 0; b.Loop(); k++ {
			i := k % (len(subjects) - 1)
			vec = Compare(&subjects[i], &subjects[i+1], vec)
		}
	})
}

// TestPackedMatchesCompareOnEveryField compares random subjects built to hit every level of
// every field (documents a typo apart, dates transposed or near, shared phones, unknown sex,
// several citizenships, more words than a packed subject holds) through both paths.
func TestPackedMatchesCompareOnEveryField(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	pick := func(list ...string) string { return list[rng.IntN(len(list))] }
	words := func(list ...string) []string {
		out := make([]string, 1+rng.IntN(5)) // up to five: past the packed cap
		for i := range out {
			out[i] = pick(list...)
		}
		return out[:rng.IntN(len(out)+1)]
	}
	base := time.Date(1990, 3, 4, 0, 0, 0, 0, time.UTC)
	subjects := make([]Subject, 3000)
	for i := range subjects {
		s := Subject{
			Given:       words("maria", "marìa", "jose", "juan", "xuan", "ana"),
			Surnames:    words("gonzalez", "gonsales", "benitez", "venitez", "rojas"),
			Documents:   words("1234567", "1234568", "1243567", "7654321", "12345678"),
			Phones:      words("+595981000001", "+595981000002"),
			Sex:         pick("", "Unknown", "Feminine", "Masculine"),
			Citizenship: words("PRY", "BRA", "ARG"),
		}
		switch rng.IntN(5) {
		case 0:
		case 1:
			s.Birth = base
		case 2:
			s.Birth = time.Date(1990, 4, 3, 0, 0, 0, 0, time.UTC)
		case 3:
			s.Birth = base.AddDate(0, 0, rng.IntN(800)-400)
		default:
			s.Birth = base.AddDate(rng.IntN(3)-1, rng.IntN(3)-1, rng.IntN(3)-1)
		}
		subjects[i] = s
	}
	vocab := newVocabulary()
	packs := make([]packed, len(subjects))
	unpacked := 0
	for i := range subjects {
		subjects[i].prepare(vocab)
		packs[i] = subjects[i].pack(vocab)
		if packs[i].unpacked {
			unpacked++
		}
	}
	if unpacked == 0 || unpacked == len(subjects) {
		t.Fatalf("%d of %d subjects unpacked: both paths must be exercised", unpacked, len(subjects))
	}
	c := newComparer(vocab)
	seen := map[[2]int8]bool{}
	var fast, slow []int8
	for k := 0; k < 300000; k++ {
		i, j := rng.IntN(len(subjects)), rng.IntN(len(subjects))
		fast = c.compareSubjects(subjects, packs, i, j, fast)
		slow = Compare(&subjects[i], &subjects[j], slow)
		if !slices.Equal(fast, slow) {
			t.Fatalf("subjects %d and %d: run's comparison %v, Compare %v", i, j, fast, slow)
		}
		for f, l := range fast {
			seen[[2]int8{int8(f), l}] = true
		}
	}
	for f, field := range fsFields {
		for l := -1; l < field.Levels; l++ {
			if !seen[[2]int8{int8(f), int8(l)}] && !(f == FieldSex && l < 0) {
				t.Errorf("%s never at level %d", field.Name, l)
			}
		}
	}
}
