package linkage

import (
	"strings"
	"time"
	"unicode"
)

// Jaro returns the Jaro similarity of two strings, over code points: matches are equal
// characters at most floor(max(|a|,|b|)/2) - 1 apart, and t is half the number of matched
// characters out of order.
func Jaro(a, b string) float64 {
	ra, rb := []rune(a), []rune(b)
	if len(ra) == 0 && len(rb) == 0 {
		return 1
	}
	if len(ra) == 0 || len(rb) == 0 {
		return 0
	}
	window := max(len(ra), len(rb))/2 - 1
	if window < 0 {
		window = 0
	}
	matchedA := make([]bool, len(ra))
	matchedB := make([]bool, len(rb))
	m := 0
	for i, r := range ra {
		lo, hi := max(0, i-window), min(len(rb), i+window+1)
		for j := lo; j < hi; j++ {
			if !matchedB[j] && rb[j] == r {
				matchedA[i], matchedB[j] = true, true
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	transposed, j := 0, 0
	for i, r := range ra {
		if !matchedA[i] {
			continue
		}
		for !matchedB[j] {
			j++
		}
		if rb[j] != r {
			transposed++
		}
		j++
	}
	fm := float64(m)
	return (fm/float64(len(ra)) + fm/float64(len(rb)) + (fm-float64(transposed)/2)/fm) / 3
}

// JaroWinkler is the standard Jaro-Winkler similarity: the Jaro similarity boosted by 0.1 for
// each character of common prefix (at most four), only when the Jaro similarity is at least
// 0.7. Some libraries boost always or use other windows; this one is pinned to the reference
// values (MARTHA/MARHTA 0.9611, DWAYNE/DUANE 0.84, DIXON/DICKSONX 0.8133).
func JaroWinkler(a, b string) float64 {
	j := Jaro(a, b)
	if j < 0.7 {
		return j
	}
	prefix := 0
	ra, rb := []rune(a), []rune(b)
	for prefix < 4 && prefix < len(ra) && prefix < len(rb) && ra[prefix] == rb[prefix] {
		prefix++
	}
	return j + float64(prefix)*0.1*(1-j)
}

// Levenshtein returns the edit distance (insertions, deletions, substitutions) between two
// strings over code points, in O(min(|a|,|b|)) memory.
func Levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) < len(rb) {
		ra, rb = rb, ra
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// DateLevel is how closely two dates of birth agree, the comparison levels used in the
// Fellegi-Sunter model (higher is closer).
type DateLevel int

// Date comparison levels, from no agreement to exact.
const (
	DateMissing   DateLevel = -1 // one of the dates is unknown
	DateDifferent DateLevel = 0
	// DateNear: within a year, or the same day and month with the year one digit off (a typing
	// slip), or the same year and month.
	DateNear DateLevel = 1
	// DateTransposed: day and month swapped (03/04 for 04/03), or exactly one of day, month
	// and year differs.
	DateTransposed DateLevel = 2
	DateExact      DateLevel = 3
)

// CompareDates compares two dates; a zero time counts as missing.
func CompareDates(a, b time.Time) DateLevel {
	if a.IsZero() || b.IsZero() {
		return DateMissing
	}
	ya, ma, da := a.Date()
	yb, mb, db := b.Date()
	switch {
	case ya == yb && ma == mb && da == db:
		return DateExact
	case ya == yb && int(ma) == db && da == int(mb):
		return DateTransposed
	case btoi(ya == yb)+btoi(ma == mb)+btoi(da == db) == 2:
		return DateTransposed
	}
	diff := a.Sub(b)
	if diff < 0 {
		diff = -diff
	}
	if diff <= 366*24*time.Hour {
		return DateNear
	}
	return DateDifferent
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// NormalizeDocument reduces an identity document number (cédula, passport, DNI, RG) to its
// letters and digits, upper case, without leading zeros: "1.234.567", "1234567" and
// "01-234-567" become "1234567".
func NormalizeDocument(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return strings.TrimLeft(b.String(), "0")
}

// DocumentLevel is how closely two document numbers agree.
type DocumentLevel int

// Document comparison levels.
const (
	DocumentMissing   DocumentLevel = -1
	DocumentDifferent DocumentLevel = 0
	// DocumentTypo: one edit or two adjacent characters swapped.
	DocumentTypo  DocumentLevel = 1
	DocumentExact DocumentLevel = 2
)

// CompareDocuments compares two document numbers after NormalizeDocument.
func CompareDocuments(a, b string) DocumentLevel {
	return CompareNormalizedDocuments(NormalizeDocument(a), NormalizeDocument(b))
}

// CompareNormalizedDocuments is CompareDocuments for numbers already normalised, as a
// dedupe run holds them: it is called for every compared pair.
func CompareNormalizedDocuments(a, b string) DocumentLevel {
	switch {
	case a == "" || b == "":
		return DocumentMissing
	case a == b:
		return DocumentExact
	case oneEditApart(a, b) || adjacentSwap(a, b):
		return DocumentTypo
	}
	return DocumentDifferent
}

// oneEditApart reports whether Levenshtein(a, b) == 1 for different a and b, in one pass:
// strip the common prefix, then one insertion, deletion or substitution must leave the
// same suffix. Non-ASCII strings take the general computation.
func oneEditApart(a, b string) bool {
	for i := 0; i < len(a); i++ {
		if a[i] >= 0x80 {
			return Levenshtein(a, b) == 1
		}
	}
	for i := 0; i < len(b); i++ {
		if b[i] >= 0x80 {
			return Levenshtein(a, b) == 1
		}
	}
	if len(a) < len(b) {
		a, b = b, a
	}
	if len(a)-len(b) > 1 {
		return false
	}
	i := 0
	for i < len(b) && a[i] == b[i] {
		i++
	}
	if len(a) == len(b) {
		return i < len(a) && a[i+1:] == b[i+1:]
	}
	return a[i+1:] == b[i:]
}

func adjacentSwap(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
}
