package persons

import (
	"errors"
	"strings"
)

// DefaultCountryCode is the calling code assumed for numbers written without one.
const DefaultCountryCode = "595"

var errPhone = errors.New("not a telephone number")

// NormalizePhone returns a telephone number in E.164 form (+ and up to 15 digits), the form it
// is stored, indexed and searched in. Spaces, dashes, dots, slashes and parentheses are
// ignored. A number starting with + or 00 carries its country code; one starting with a
// single 0 is a Paraguayan number written the national way (0981 123 456 ->
// +595981123456); any other number is taken as Paraguayan without its leading 0.
func NormalizePhone(s string) (string, error) {
	var digits []byte
	plus := false
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			digits = append(digits, byte(r))
		case r == '+' && i == 0:
			plus = true
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '/' || r == '\u00a0':
		default:
			return "", errPhone
		}
	}
	d := string(digits)
	switch {
	case plus:
	case strings.HasPrefix(d, "00"):
		d = d[2:]
	case strings.HasPrefix(d, "0"):
		d = DefaultCountryCode + d[1:]
	default:
		d = DefaultCountryCode + d
	}
	// E.164 allows at most 15 digits; the shortest numbers in use, with their country code,
	// have 8.
	if len(d) < 8 || len(d) > 15 || d[0] == '0' {
		return "", errPhone
	}
	return "+" + d, nil
}

// MaxDocumentLength bounds a document number after normalisation.
const MaxDocumentLength = 30

// NormalizeDocument returns a document number as it is indexed and searched: upper-case
// letters and digits only, so that 1.234.567, 1 234 567 and 1234567 are the same cédula and
// fz-123456 is FZ123456. Letters with accents lose them.
func NormalizeDocument(s string) string {
	var b strings.Builder
	for _, r := range NormalizeName(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case r == 'ñ':
			b.WriteRune('Ñ')
		}
	}
	return b.String()
}
