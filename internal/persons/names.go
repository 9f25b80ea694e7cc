package persons

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Names are indexed in two forms, both computed here and documented in docs/persons.md,
// because a search must normalise what is typed exactly as the record was normalised:
//
//   - a name token: lower case, accents and diaeresis removed (á -> a, ü -> u), ñ kept as a
//     letter of its own (Peña and Pena are different surnames), the Guaraní glottal stop
//     (puso: ' ’ ʼ) removed so that Azote'y stays one word, every other character that is not
//     a letter or digit a separator, the particles de, del, la, las, los, y, e, da, das, do,
//     dos left out, and one-letter words (initials) left out;
//   - the phonetic code of each token (PhoneticCode), which makes spellings that sound the
//     same in Paraguayan Spanish and Guaraní equal: Giménez and Jiménez, Benítez and Venítez,
//     Núñez and Nunez, Cuarahy and Kuarahy, Ayala and Aiala.

// puso are the characters written for the Guaraní glottal stop, and apostrophes in general.
const puso = "'’ʼ`´"

// combiningTilde is U+0303, which NFD splits from ñ.
const combiningTilde = '\u0303'

// NormalizeName folds a name for indexing: see the package comment above. Letters of other
// scripts are kept, lower-cased.
func NormalizeName(s string) string {
	out := make([]rune, 0, len(s))
	space := true // drops leading separators and collapses runs
	// Invalid UTF-8 becomes a separator first: the normaliser leaves text after an invalid
	// byte undecomposed, which would make the result depend on where the byte was.
	for _, r := range norm.NFD.String(strings.ToValidUTF8(s, " ")) {
		switch {
		case r == combiningTilde && len(out) > 0 && out[len(out)-1] == 'n':
			// n + combining tilde is ñ, which stays a letter of its own.
			out[len(out)-1] = 'ñ'
		case unicode.Is(unicode.Mn, r):
			// other accents, the diaeresis and the Guaraní nasal tilde on vowels go
		case strings.ContainsRune(puso, r):
			// the glottal stop joins the word
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			out = append(out, unicode.ToLower(r))
			space = false
		default:
			if !space {
				out = append(out, ' ')
				space = true
			}
		}
	}
	return strings.TrimSuffix(string(out), " ")
}

// particles join the parts of Spanish and Portuguese names and identify nobody.
var particles = map[string]bool{
	"de": true, "del": true, "la": true, "las": true, "los": true, "y": true, "e": true,
	"da": true, "das": true, "do": true, "dos": true,
}

// NameTokens returns the indexable words of a name: normalised, without particles and
// initials.
func NameTokens(s string) []string {
	var out []string
	for _, w := range strings.Fields(NormalizeName(s)) {
		if particles[w] || utf8.RuneCountInString(w) < 2 {
			continue
		}
		out = append(out, w)
	}
	return out
}

func isVowel(r rune) bool { return r == 'a' || r == 'e' || r == 'i' || r == 'o' || r == 'u' }

// PhoneticCode returns the Spanish- and Guaraní-aware phonetic code of a name token (as
// NameTokens returns it). The rules, applied left to right, each letter or pair once:
//
//	vowels a e o u            kept (A E O U)
//	i                         Y between two vowel sounds (Aiala = Ayala), otherwise I
//	y                         Y before a vowel (consonant: Yegros), otherwise I (Ypacaraí)
//	ll                        Y (Llano = Yano)
//	b v                       B (Benítez = Venítez)
//	w                         U (Guaraní Kwarahy = Kuarahy)
//	c                         S before e or i, X in ch, otherwise K
//	k, q                      K; the u of qu is silent (Quintana = Kintana)
//	g                         J before e or i (Giménez = Jiménez); the u of gue, gui is silent
//	j                         J
//	h                         silent (Hernández = Ernández), except in ch and sh (X)
//	s z                       S (González = Gonsales)
//	x                         J at the start (Ximena = Jimena), otherwise KS
//	ñ n                       N (Núñez = Nunez)
//	ph                        F
//	other Latin letters       themselves; digits dropped
//	letters of other scripts  themselves, upper-cased
//
// and a code letter equal to the one before it is written once (rr = r, Caaguazú =
// Caguazú). The code is upper-case.
func PhoneticCode(token string) string {
	rs := []rune(token)
	at := func(i int) rune {
		if i >= 0 && i < len(rs) {
			return rs[i]
		}
		return 0
	}
	var out []rune
	emit := func(codes ...rune) {
		for _, c := range codes {
			if len(out) > 0 && out[len(out)-1] == c {
				continue
			}
			out = append(out, c)
		}
	}
	for i := 0; i < len(rs); i++ {
		r, next := rs[i], at(i+1)
		switch r {
		case 'a', 'e', 'o', 'u':
			emit(unicode.ToUpper(r))
		case 'i':
			// Between two vowel sounds; a silent letter before it (the u of qu, an h) does not
			// count, so Orquiola keeps its i.
			if len(out) > 0 && strings.ContainsRune("AEIOU", out[len(out)-1]) && isVowel(next) {
				emit('Y')
			} else {
				emit('I')
			}
		case 'y':
			if isVowel(next) {
				emit('Y')
			} else {
				emit('I')
			}
		case 'l':
			if next == 'l' {
				emit('Y')
				i++
			} else {
				emit('L')
			}
		case 'b', 'v':
			emit('B')
		case 'w':
			emit('U')
		case 'c':
			switch next {
			case 'h':
				emit('X')
				i++
			case 'e', 'i':
				emit('S')
			default:
				emit('K')
			}
		case 'k':
			emit('K')
		case 'q':
			emit('K')
			if next == 'u' {
				i++
			}
		case 'g':
			switch {
			case next == 'e' || next == 'i':
				emit('J')
			case next == 'u' && (at(i+2) == 'e' || at(i+2) == 'i'):
				emit('G')
				i++
			default:
				emit('G')
			}
		case 'j':
			emit('J')
		case 'h':
			// silent
		case 's':
			if next == 'h' {
				emit('X')
				i++
			} else {
				emit('S')
			}
		case 'z':
			emit('S')
		case 'x':
			if i == 0 {
				emit('J')
			} else {
				emit('K', 'S')
			}
		case 'ñ', 'n':
			emit('N')
		case 'p':
			if next == 'h' {
				emit('F')
				i++
			} else {
				emit('P')
			}
		default:
			if !unicode.IsDigit(r) {
				emit(unicode.ToUpper(r))
			}
		}
	}
	return string(out)
}
