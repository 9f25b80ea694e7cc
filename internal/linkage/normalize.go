package linkage

import (
	"strings"
	"unicode"
)

// Paraguayan names are written in many ways for the same person: with or without accents and
// ñ, with particles (de, del, de la), with Guaraní or Spanish spellings (Ayala/Aiala,
// Kuarahy/Cuarahy, Jasy/Hasy), with the father's and the mother's surname in either order or
// only one, and with the first or the second given name. The functions here turn names into
// forms that compare equal across those variations. They are deterministic and documented in
// docs/linkage.md, because the parties of a privacy-preserving linkage must apply exactly the
// same normalisation before hashing.

// accentFold maps the accented lower-case Latin letters to their base letter (the NFD base
// character), ñ included; it covers Latin-1 and Latin Extended-A, where Paraguayan, Brazilian and
// Spanish names live.
var accentFold = map[rune]rune{
	'à': 'a', 'á': 'a', 'â': 'a', 'ã': 'a', 'ä': 'a', 'å': 'a', 'ç': 'c', 'è': 'e',
	'é': 'e', 'ê': 'e', 'ë': 'e', 'ì': 'i', 'í': 'i', 'î': 'i', 'ï': 'i', 'ñ': 'n', 'ò': 'o',
	'ó': 'o', 'ô': 'o', 'õ': 'o', 'ö': 'o', 'ù': 'u', 'ú': 'u', 'û': 'u', 'ü': 'u', 'ý': 'y',
	'ÿ': 'y', 'ā': 'a', 'ă': 'a', 'ą': 'a', 'ć': 'c', 'ĉ': 'c', 'ċ': 'c', 'č': 'c', 'ď': 'd',
	'ē': 'e', 'ĕ': 'e', 'ė': 'e', 'ę': 'e', 'ě': 'e', 'ĝ': 'g', 'ğ': 'g', 'ġ': 'g', 'ģ': 'g',
	'ĥ': 'h', 'ĩ': 'i', 'ī': 'i', 'ĭ': 'i', 'į': 'i', 'ĵ': 'j', 'ķ': 'k', 'ĺ': 'l', 'ļ': 'l',
	'ľ': 'l', 'ń': 'n', 'ņ': 'n', 'ň': 'n', 'ō': 'o', 'ŏ': 'o', 'ő': 'o', 'ŕ': 'r', 'ŗ': 'r',
	'ř': 'r', 'ś': 's', 'ŝ': 's', 'ş': 's', 'š': 's', 'ţ': 't', 'ť': 't', 'ũ': 'u', 'ū': 'u',
	'ŭ': 'u', 'ů': 'u', 'ű': 'u', 'ų': 'u', 'ŵ': 'w', 'ŷ': 'y', 'ź': 'z', 'ż': 'z', 'ž': 'z',
	'ơ': 'o', 'ư': 'u', 'ǎ': 'a', 'ǐ': 'i', 'ǒ': 'o', 'ǔ': 'u', 'ǖ': 'u', 'ǘ': 'u', 'ǚ': 'u',
	'ǜ': 'u', 'ǟ': 'a', 'ǡ': 'a', 'ǧ': 'g', 'ǩ': 'k', 'ǫ': 'o', 'ǭ': 'o', 'ǰ': 'j', 'ǵ': 'g',
	'ǹ': 'n', 'ǻ': 'a', 'ȁ': 'a', 'ȃ': 'a', 'ȅ': 'e', 'ȇ': 'e', 'ȉ': 'i', 'ȋ': 'i', 'ȍ': 'o',
	'ȏ': 'o', 'ȑ': 'r', 'ȓ': 'r', 'ȕ': 'u', 'ȗ': 'u', 'ș': 's', 'ț': 't', 'ȟ': 'h', 'ȧ': 'a',
	'ȩ': 'e', 'ȫ': 'o', 'ȭ': 'o', 'ȯ': 'o', 'ȱ': 'o', 'ȳ': 'y',
}

// NormalizeText folds a name for comparison: lower case, accents and diaeresis removed
// (á -> a, ü -> u), ñ -> n, every character that is not a letter or a digit (hyphens,
// apostrophes, dots, commas) -> space, white space collapsed and trimmed.
func NormalizeText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true // drops leading white space and collapses runs
	for _, r := range s {
		r = unicode.ToLower(r)
		if base, ok := accentFold[r]; ok {
			r = base
		}
		switch {
		case unicode.Is(unicode.Mn, r):
			// a combining accent typed separately (decomposed input)
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
			space = false
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return strings.TrimSuffix(b.String(), " ")
}

// particles are the connecting words of Spanish names; they carry no identity and are
// omitted from name tokens ("de la Cruz" -> "cruz"). "y" joins two surnames (Pérez y Benítez).
var particles = map[string]bool{
	"de": true, "del": true, "la": true, "las": true, "los": true, "y": true, "e": true, "da": true, "do": true, "dos": true,
}

// NameTokens returns the normalised words of a name without particles.
func NameTokens(s string) []string {
	var out []string
	for _, w := range strings.Fields(NormalizeText(s)) {
		if !particles[w] {
			out = append(out, w)
		}
	}
	return out
}

// PhoneticKey reduces a normalised word to a key shared by its usual Spanish and Guaraní
// spellings. The rules, applied left to right:
//   - "qu" before e/i, "c" before a/o/u or a consonant, "k" -> k   (Quintana, Kintana; Caacupé, Kaakupe)
//   - "c" before e/i, "z" -> s                                        (Cespedes, Sespedes; Pérez, Peres)
//   - "ll", "y" -> i                                                   (Villalba, Viyalba; Ayala, Aiala)
//   - "j", "h" -> h, and an "h" that is not first after another letter disappears (Jasy, Hasy)
//   - "v" -> b; "gu" before a/o -> w; "x" before a vowel at the start -> h
//   - a letter repeated is written once
//
// Digits and other characters are kept as they are.
func PhoneticKey(word string) string {
	w := []rune(NormalizeText(word))
	var out []rune
	at := func(i int) rune {
		if i < len(w) {
			return w[i]
		}
		return 0
	}
	isFront := func(r rune) bool { return r == 'e' || r == 'i' || r == 'y' }
	isVowel := func(r rune) bool { return strings.ContainsRune("aeiou", r) }
	for i := 0; i < len(w); i++ {
		r := w[i]
		var emit rune
		switch r {
		case 'q':
			emit = 'k'
			if at(i+1) == 'u' && isFront(at(i+2)) {
				i++
			}
		case 'c':
			if at(i+1) == 'h' {
				// "ch" is its own sound in both languages.
				out = append(out, 'c', 'h')
				i++
				continue
			}
			if isFront(at(i + 1)) {
				emit = 's'
			} else {
				emit = 'k'
			}
		case 'z':
			emit = 's'
		case 'l':
			emit = 'l'
			if at(i+1) == 'l' {
				emit = 'i'
				i++
			}
		case 'y':
			emit = 'i'
		case 'j':
			emit = 'h'
		case 'h':
			if i > 0 {
				continue
			}
			emit = 'h'
		case 'v':
			emit = 'b'
		case 'g':
			emit = 'g'
			if at(i+1) == 'u' && (at(i+2) == 'a' || at(i+2) == 'o') {
				emit = 'w'
				i++
			}
		case 'x':
			emit = 'x'
			if i == 0 && isVowel(at(i+1)) {
				emit = 'h'
			}
		case 'w':
			emit = 'w'
		default:
			emit = r
		}
		if len(out) > 0 && out[len(out)-1] == emit {
			continue
		}
		out = append(out, emit)
	}
	return string(out)
}

// PersonName is a name split as Paraguayan records carry it: given names, then the father's
// surname and the mother's surname (either may be missing or swapped in a record).
type PersonName struct {
	Given    []string // normalised, particles removed: {"maria", "jose"}
	Surnames []string // normalised, particles removed, in the order recorded
}

// ParseName builds a PersonName from separate given-name and surname fields.
func ParseName(given, surnames string) PersonName {
	return PersonName{Given: NameTokens(given), Surnames: NameTokens(surnames)}
}

// ParseFullName splits a name written in one field. "SURNAMES, Given names" (the order of
// many official lists) is recognised by its comma; otherwise the last two words are taken as
// the surnames when there are four or more words, the last one when there are two or three.
func ParseFullName(full string) PersonName {
	if before, after, ok := strings.Cut(full, ","); ok {
		return ParseName(after, before)
	}
	words := NameTokens(full)
	nSurnames := 1
	if len(words) >= 4 {
		nSurnames = 2
	}
	if len(words) <= 1 {
		return PersonName{Surnames: words}
	}
	cut := len(words) - nSurnames
	return PersonName{Given: words[:cut], Surnames: words[cut:]}
}

// NameSimilarity compares two names in [0, 1], tolerant of the variations of Paraguayan
// records: every given name of one is matched with its best counterpart in the other (the
// first and second given names are used interchangeably, and one may be missing), surnames
// likewise (swapped or missing father's or mother's surname), each word compared by the
// Jaro-Winkler similarity of its phonetic key. The result weighs surnames and given names
// equally; a side with no words at all gives 0.
func NameSimilarity(a, b PersonName) float64 {
	g, gok := bestPairing(a.Given, b.Given)
	s, sok := bestPairing(a.Surnames, b.Surnames)
	switch {
	case gok && sok:
		return (g + s) / 2
	case gok:
		return g
	case sok:
		return s
	}
	return 0
}

// bestPairing averages, over the words of the shorter list, the best Jaro-Winkler similarity
// of each with a distinct word of the other list (greedy, best pairs first).
func bestPairing(x, y []string) (float64, bool) {
	if len(x) == 0 || len(y) == 0 {
		return 0, false
	}
	if len(x) > len(y) {
		x, y = y, x
	}
	type pair struct {
		i, j int
		sim  float64
	}
	var pairs []pair
	for i, wx := range x {
		for j, wy := range y {
			pairs = append(pairs, pair{i, j, JaroWinkler(PhoneticKey(wx), PhoneticKey(wy))})
		}
	}
	// Insertion sort: names have a handful of words.
	for i := 1; i < len(pairs); i++ {
		for k := i; k > 0 && pairs[k].sim > pairs[k-1].sim; k-- {
			pairs[k], pairs[k-1] = pairs[k-1], pairs[k]
		}
	}
	usedX, usedY := make([]bool, len(x)), make([]bool, len(y))
	var total float64
	for _, p := range pairs {
		if usedX[p.i] || usedY[p.j] {
			continue
		}
		usedX[p.i], usedY[p.j] = true, true
		total += p.sim
	}
	return total / float64(len(x)), true
}
