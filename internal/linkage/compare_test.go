package linkage

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"nanduti/internal/testutil"
)

func TestLinkageJaroWinklerReference(t *testing.T) {
	values := loadVectors(t).JaroWinkler.Values
	if len(values) < 5 {
		t.Fatalf("only %d Jaro-Winkler reference values", len(values))
	}
	for pair, want := range values {
		a, b, _ := strings.Cut(pair, "|")
		if got := JaroWinkler(a, b); math.Abs(got-want) > 0.00005 {
			t.Errorf("JaroWinkler(%q, %q) = %.5f, want %.4f", a, b, got, want)
		}
		if got := JaroWinkler(b, a); math.Abs(got-want) > 0.00005 {
			t.Errorf("JaroWinkler(%q, %q) = %.5f, want %.4f (not symmetric)", b, a, got, want)
		}
	}
}

func TestLinkageJaroEdges(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want float64
	}{
		{"", "", 1},
		{"a", "", 0},
		{"abc", "xyz", 0},
		{"same", "same", 1},
		// Below 0.7 there is no prefix boost.
		{"ab", "ac", 2.0 / 3},
		{"ÑANDU", "ÑANDU", 1},
	} {
		if got := JaroWinkler(c.a, c.b); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("JaroWinkler(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestLinkageLevenshtein(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"kitten", "sitting", 3},
		{"Núñez", "Nuñez", 1},
		{"Benítez", "Benitez", 1},
		{"flaw", "lawn", 2},
		{"gonzalez", "gonzales", 1},
	} {
		if got := Levenshtein(c.a, c.b); got != c.want {
			t.Errorf("Levenshtein(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := Levenshtein(c.b, c.a); got != c.want {
			t.Errorf("Levenshtein(%q, %q) = %d, want %d", c.b, c.a, got, c.want)
		}
	}
}

func TestLinkageNormalizeText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"  María  José ", "maria jose"},
		{"NÚÑEZ", "nunez"},
		{"Peña-Ortíz", "pena ortiz"},
		{"D'Ecclesiis", "d ecclesiis"},
		{"Güemes", "guemes"},
		{"Nun\u0303ez", "nunez"}, // decomposed ñ
		{"", ""},
		{"--", ""},
		{"Juan Pablo II", "juan pablo ii"},
	} {
		if got := NormalizeText(c.in); got != c.want {
			t.Errorf("NormalizeText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestLinkageNameTokensAndParticles(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"María de la Cruz", []string{"maria", "cruz"}},
		{"Pérez y Benítez", []string{"perez", "benitez"}},
		{"Fernández del Puerto", []string{"fernandez", "puerto"}},
		{"de los Santos", []string{"santos"}},
	} {
		got := NameTokens(c.in)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("NameTokens(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestLinkagePhoneticKeyGuaraniVariants(t *testing.T) {
	same := [][2]string{
		{"Ayala", "Aiala"},
		{"Kuarahy", "Cuarahi"},
		{"Quintana", "Kintana"},
		{"Caacupé", "Kaakupe"},
		{"Villalba", "Viyalba"},
		{"Jasy", "Hasy"},
		{"Pérez", "Peres"},
		{"Céspedes", "Sespedes"},
		{"Yegros", "Iegros"},
		{"Núñez", "Nunez"},
		{"Valdez", "Baldes"},
		{"Guarania", "Warania"},
	}
	for _, p := range same {
		if a, b := PhoneticKey(p[0]), PhoneticKey(p[1]); a != b {
			t.Errorf("PhoneticKey(%q) = %q but PhoneticKey(%q) = %q", p[0], a, p[1], b)
		}
	}
	different := [][2]string{{"Benítez", "Giménez"}, {"Ramos", "Rojas"}, {"Chávez", "Sánchez"}}
	for _, p := range different {
		if PhoneticKey(p[0]) == PhoneticKey(p[1]) {
			t.Errorf("PhoneticKey(%q) and PhoneticKey(%q) collide", p[0], p[1])
		}
	}
}

func TestLinkageNameOrderAndDoubleSurnames(t *testing.T) {
	base := ParseName("María José", "González Benítez")
	for _, c := range []struct {
		name  string
		other PersonName
		min   float64
		max   float64
	}{
		{"identical", ParseName("María José", "González Benítez"), 1, 1},
		{"accents and case", ParseName("MARIA JOSE", "GONZALEZ BENITEZ"), 1, 1},
		{"surnames swapped", ParseName("María José", "Benítez González"), 1, 1},
		{"second given name only", ParseName("José", "González Benítez"), 1, 1},
		{"mother's surname missing", ParseName("María José", "González"), 1, 1},
		{"written surnames first", ParseFullName("GONZÁLEZ BENÍTEZ, María José"), 1, 1},
		{"one field, given first", ParseFullName("María José González Benítez"), 1, 1},
		{"Guaraní spelling", ParseName("María José", "Gonsales Benites"), 0.95, 1},
		{"someone else", ParseName("Pedro", "Ramírez Ocampo"), 0, 0.7},
	} {
		got := NameSimilarity(base, c.other)
		if got < c.min-1e-9 || got > c.max+1e-9 {
			t.Errorf("%s: similarity %.3f, want in [%.2f, %.2f]", c.name, got, c.min, c.max)
		}
	}
	if got := NameSimilarity(PersonName{}, base); got != 0 {
		t.Errorf("empty name: similarity %v, want 0", got)
	}
}

func TestLinkageCompareDates(t *testing.T) {
	d := func(s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		v, err := time.Parse("2006-01-02", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		a, b string
		want DateLevel
	}{
		{"2009-03-04", "2009-03-04", DateExact},
		{"2009-03-04", "2009-04-03", DateTransposed},
		{"2009-03-04", "2009-03-05", DateTransposed},
		{"2009-03-04", "2008-03-04", DateTransposed},
		{"2009-03-04", "2009-07-20", DateNear},
		{"2009-03-04", "1990-11-20", DateDifferent},
		{"", "2009-03-04", DateMissing},
	} {
		if got := CompareDates(d(c.a), d(c.b)); got != c.want {
			t.Errorf("CompareDates(%s, %s) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestLinkageCompareDocuments(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want DocumentLevel
	}{
		{"1.234.567", "1234567", DocumentExact},
		{"01-234-567", "1234567", DocumentExact},
		{"1234567", "1234576", DocumentTypo},
		{"1234567", "1234568", DocumentTypo},
		{"1234567", "7654321", DocumentDifferent},
		{"", "1234567", DocumentMissing},
		{"ab123", "AB123", DocumentExact},
	} {
		if got := CompareDocuments(c.a, c.b); got != c.want {
			t.Errorf("CompareDocuments(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// TestLinkageEMKnownParameters is Splink's convergence check: comparison vectors generated
// with lambda 0.5 and known m and u; EM must recover them within 0.01 and the match
// probabilities within 1 % of the true ones.
func TestLinkageEMKnownParameters(t *testing.T) {
	truth := loadVectors(t).EM.Truth
	var lambda float64
	if err := json.Unmarshal(truth["lambda"], &lambda); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(testutil.SharedFile(t, "data/linkage/known_params_comparison_vectors.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := rows[0]
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	fields := []FSField{{Name: "col_1", Levels: 2}, {Name: "col_2", Levels: 2}, {Name: "col_3", Levels: 2}}
	p := NewPatterns(3)
	type obs struct {
		vec  []int8
		prob float64
	}
	var all []obs
	for _, r := range rows[1:] {
		vec := make([]int8, 3)
		for i, fl := range fields {
			g, err := strconv.Atoi(r[col["gamma_"+fl.Name]])
			if err != nil {
				t.Fatal(err)
			}
			vec[i] = int8(g)
		}
		prob, err := strconv.ParseFloat(r[col["true_match_probability_l"]], 64)
		if err != nil {
			t.Fatal(err)
		}
		p.Add(vec, 1)
		all = append(all, obs{vec, prob})
	}
	if p.Total() != 4000 {
		t.Fatalf("%v vectors, want 4000", p.Total())
	}
	m, err := NewModel(fields)
	if err != nil {
		t.Fatal(err)
	}
	iters, err := m.EstimateEM(p, EMOptions{MaxIterations: 500, Tolerance: 1e-9})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("after %d iterations: %s", iters, m)
	if math.Abs(m.Lambda-lambda) > 0.01 {
		t.Errorf("lambda %.4f, want %.2f", m.Lambda, lambda)
	}
	for i, fl := range fields {
		var want struct {
			M float64 `json:"m_agree"`
			U float64 `json:"u_agree"`
		}
		if err := json.Unmarshal(truth[fl.Name], &want); err != nil {
			t.Fatal(err)
		}
		if math.Abs(m.M[i][1]-want.M) > 0.01 || math.Abs(m.U[i][1]-want.U) > 0.01 {
			t.Errorf("%s: m %.4f u %.4f, want %.3f %.3f", fl.Name, m.M[i][1], m.U[i][1], want.M, want.U)
		}
	}
	for _, o := range all {
		if got := m.Probability(o.vec, nil); math.Abs(got-o.prob) > 0.01*o.prob {
			t.Fatalf("vector %v: match probability %.5f, true %.5f", o.vec, got, o.prob)
		}
	}
}

func TestLinkageTermFrequencyAdjustment(t *testing.T) {
	m, err := NewModel([]FSField{{Name: "surname", Levels: 2, TermFrequency: true}, {Name: "dob", Levels: 2}})
	if err != nil {
		t.Fatal(err)
	}
	m.Lambda, m.M, m.U = 0.001, [][]float64{{0.05, 0.95}, {0.1, 0.9}}, [][]float64{{0.95, 0.05}, {0.99, 0.01}}
	var tf TermFrequencies
	for i := 0; i < 90; i++ {
		tf.Add("gonzalez")
	}
	for i := 0; i < 10; i++ {
		tf.Add(string(rune('a'+i)) + "rare")
	}
	agree := []int8{1, 1}
	common := m.Weight(agree, []float64{tf.Frequency("gonzalez"), 0})
	rare := m.Weight(agree, []float64{tf.Frequency("arare"), 0})
	plain := m.Weight(agree, nil)
	if !(rare > plain && plain > common) {
		t.Errorf("weights: rare %.2f, no adjustment %.2f, common %.2f; want rare > plain > common", rare, plain, common)
	}
	if got := m.Weight([]int8{0, 1}, []float64{tf.Frequency("gonzalez"), 0}); got != m.Weight([]int8{0, 1}, nil) {
		t.Errorf("disagreement must not be adjusted")
	}
}

// TestOneEditApart checks the one-pass test against the Levenshtein distance on every pair of
// short strings over a small alphabet (ASCII and not).
func TestOneEditApart(t *testing.T) {
	var words []string
	var grow func(prefix string, n int)
	grow = func(prefix string, n int) {
		words = append(words, prefix)
		if n == 0 {
			return
		}
		for _, c := range []string{"1", "2", "ñ"} {
			grow(prefix+c, n-1)
		}
	}
	grow("", 4)
	for _, a := range words {
		for _, b := range words {
			if a == b {
				continue
			}
			if got, want := oneEditApart(a, b), Levenshtein(a, b) == 1; got != want {
				t.Fatalf("oneEditApart(%q, %q) = %v, Levenshtein %d", a, b, got, Levenshtein(a, b))
			}
		}
	}
}
