package persons

import (
	"encoding/csv"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"nanduti/internal/testutil"
)

func TestNormalizeName(t *testing.T) {
	cases := []struct{ in, want string }{
		{"  María  José ", "maria jose"},
		{"NÚÑEZ", "nuñez"},
		{"Nun\u0303ez", "nuñez"}, // decomposed ñ
		{"Peña-Benítez", "peña benitez"},
		{"Azote'y", "azotey"},
		{"Mbaracayú Ñandu’i", "mbaracayu ñandui"},
		{"Ỹsyry", "ysyry"}, // Guaraní nasal vowel
		{"Müller", "muller"},
		{"O'Higgins", "ohiggins"},
		{"José\tLuis\n", "jose luis"},
		{"李 小龍", "李 小龍"},
		{"---", ""},
	}
	for _, c := range cases {
		if got := NormalizeName(c.in); got != c.want {
			t.Errorf("NormalizeName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestNameTokens(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"María de los Ángeles", []string{"maria", "angeles"}},
		{"de la Cruz y Benítez", []string{"cruz", "benitez"}},
		{"J. R. Da Silva", []string{"silva"}},
		{"Dos Santos", []string{"santos"}},
		{"", nil},
	}
	for _, c := range cases {
		if got := NameTokens(c.in); !slices.Equal(got, c.want) {
			t.Errorf("NameTokens(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// Spellings that sound the same in Paraguayan Spanish and Guaraní share a code; different
// names do not.
func TestPhoneticCode(t *testing.T) {
	same := [][]string{
		{"Giménez", "Jiménez", "Gimenes", "Ximénez", "Jimenes"},
		{"Benítez", "Venítez", "Benites", "Venites"},
		{"González", "Gonzales", "Gonsález"},
		{"Núñez", "Nunez", "Nuñes"},
		{"Vázquez", "Vasquez", "Basques"},
		{"Cáceres", "Caseres", "Kaseres"},
		{"Quintana", "Kintana"},
		{"Hernández", "Ernandes"},
		{"Ayala", "Aiala"},
		{"Orquiola", "Orkiola"},
		{"Villalba", "Billalba", "Villalva", "Viyalba"},
		{"Yegros", "Llegros"},
		{"Kuarahy", "Cuarahy", "Kwarahy"},
		{"Chamorro", "Chamoro"},
		{"Rodríguez", "Rodrigues"},
		{"Caaguazú", "Caguazu"},
		{"Acuña", "Acuna"},
		{"Ojeda", "Hojeda", "Ogeda"},
		{"Zárate", "Sarate"},
		{"Philipp", "Filip"},
	}
	for _, group := range same {
		want := PhoneticCode(NameTokens(group[0])[0])
		for _, name := range group[1:] {
			if got := PhoneticCode(NameTokens(name)[0]); got != want {
				t.Errorf("%s -> %s, but %s -> %s", group[0], want, name, got)
			}
		}
	}
	different := [][2]string{{"Peña", "Pena"}, {"Mora", "Moral"}, {"Rojas", "Rosas"}, {"Paredes", "Pereira"},
		{"Acosta", "Costa"}, {"Duarte", "Ugarte"}, {"Romero", "Moreno"}, {"Ruiz", "Ríos"}}
	for _, d := range different {
		a, b := PhoneticCode(NameTokens(d[0])[0]), PhoneticCode(NameTokens(d[1])[0])
		if a == b && d[0] != "Peña" {
			t.Errorf("%s and %s share the code %s", d[0], d[1], a)
		}
	}
	// Peña and Pena are different tokens but sound alike: equal codes, different tokens.
	if NameTokens("Peña")[0] == NameTokens("Pena")[0] {
		t.Error("ñ is folded in tokens; it must stay")
	}
}

// The codes of a fixed list of names, so that any change to the rules is seen and decided.
func TestPhoneticGolden(t *testing.T) {
	names := []string{"Acosta", "Aiala", "Ayala", "Benítez", "Caballero", "Cáceres", "Chamorro", "Duarte",
		"Giménez", "González", "Guaraní", "Hernández", "Ibarra", "Jara", "Kuarahy", "López", "Martínez",
		"Mbaracayú", "Núñez", "Ñeembucú", "Ojeda", "Paredes", "Quintana", "Ramírez", "Rodríguez", "Sosa",
		"Vázquez", "Villalba", "Ximena", "Yegros", "Ypacaraí", "Zárate", "Azote'y", "Ruiz Díaz", "Alexis"}
	var b strings.Builder
	for _, n := range names {
		for _, tok := range NameTokens(n) {
			fmt.Fprintf(&b, "%s\t%s\t%s\n", n, tok, PhoneticCode(tok))
		}
	}
	testutil.Golden(t, "testdata/golden/phonetic.txt", []byte(b.String()))
}

// readNames reads one column of a CSV file of ../shared/data/names.
func readNames(t *testing.T, file, column string) []string {
	t.Helper()
	f, err := os.Open(testutil.SharedFile(t, "data/names/"+file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(rows[0], column)
	if col < 0 {
		t.Fatalf("%s has no column %s", file, column)
	}
	var out []string
	for _, r := range rows[1:] {
		out = append(out, r[col])
	}
	return out
}

var latinCode = regexp.MustCompile(`^[A-Z]+$`)

// variants spells a normalised token the other ways Paraguayans write it; each must keep the
// token's phonetic code.
func variants(tok string) []string {
	var out []string
	sub := func(old, new string) {
		if strings.Contains(tok, old) {
			out = append(out, strings.ReplaceAll(tok, old, new))
		}
	}
	sub("v", "b")
	sub("b", "v")
	sub("z", "s")
	sub("ce", "se")
	sub("ci", "si")
	sub("ge", "je")
	sub("gi", "ji")
	sub("que", "ke")
	sub("qui", "ki")
	sub("ñ", "n")
	sub("ca", "ka")
	sub("co", "ko")
	sub("cu", "ku")
	if strings.HasPrefix(tok, "h") && len(tok) > 1 && isVowel(rune(tok[1])) {
		out = append(out, tok[1:])
	}
	return out
}

// Over the name lists in ../shared/data/names: every name gets a plain upper-case code, the
// usual spelling variants keep it, and codes still tell most names apart.
func TestPhoneticCodeOnNameLists(t *testing.T) {
	lists := []struct{ file, column string }{
		{"ine_es_surnames_paraguayan_nationals_2018.csv", "surname"},
		{"wikidata_py_surnames.csv", "name"},
		{"wikidata_py_males.csv", "name"},
		{"wikidata_py_females.csv", "name"},
	}
	for _, l := range lists {
		names := readNames(t, l.file, l.column)
		tokens := map[string]bool{}
		codes := map[string]bool{}
		for _, name := range names {
			for _, tok := range NameTokens(name) {
				code := PhoneticCode(tok)
				if !latinCode.MatchString(code) {
					t.Errorf("%s: %q -> %q is not a plain upper-case code", l.file, tok, code)
				}
				if PhoneticCode(tok) != code {
					t.Errorf("%s: %q has no stable code", l.file, tok)
				}
				for _, v := range variants(tok) {
					if got := PhoneticCode(v); got != code {
						t.Errorf("%s: %q -> %s but its variant %q -> %s", l.file, tok, code, v, got)
					}
				}
				tokens[tok], codes[code] = true, true
			}
		}
		ratio := float64(len(codes)) / float64(len(tokens))
		t.Logf("%s: %d tokens, %d codes (%.2f)", l.file, len(tokens), len(codes), ratio)
		if ratio < 0.75 {
			t.Errorf("%s: %d tokens share %d codes: the code no longer tells names apart", l.file, len(tokens), len(codes))
		}
	}
	// Pairs the issue names, as they appear in the Paraguayan surname list.
	py := map[string]bool{}
	for _, n := range readNames(t, "ine_es_surnames_paraguayan_nationals_2018.csv", "surname") {
		py[NormalizeName(n)] = true
	}
	for _, pair := range [][2]string{{"gimenez", "jimenez"}} {
		if !py[pair[0]] || !py[pair[1]] {
			t.Fatalf("the list lacks %v", pair)
		}
		if PhoneticCode(pair[0]) != PhoneticCode(pair[1]) {
			t.Errorf("%s and %s differ in code", pair[0], pair[1])
		}
	}
}
