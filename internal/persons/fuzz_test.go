package persons

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Names come from forms, the API and search boxes: normalising anything must not panic, and
// tokens and codes keep their promises.
func FuzzNames(f *testing.F) {
	for _, s := range []string{"María de los Ángeles", "Nun\u0303ez", "Azote'y", "Ỹsyry", "李", "\xff\xfe", "qu", "x", "gü"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeName(s)
		if strings.HasPrefix(n, " ") || strings.HasSuffix(n, " ") || strings.Contains(n, "  ") {
			t.Fatalf("NormalizeName(%q) = %q has stray spaces", s, n)
		}
		if NormalizeName(n) != n {
			t.Fatalf("NormalizeName is not idempotent on %q: %q -> %q", s, n, NormalizeName(n))
		}
		for _, tok := range NameTokens(s) {
			if particles[tok] || utf8.RuneCountInString(tok) < 2 || strings.Contains(tok, " ") {
				t.Fatalf("NameTokens(%q) gave %q", s, tok)
			}
			code := PhoneticCode(tok)
			if strings.ToUpper(code) != code {
				t.Fatalf("PhoneticCode(%q) = %q is not upper case", tok, code)
			}
		}
	})
}

// Phones and documents are typed by hand, in search boxes too.
func FuzzPhoneAndDocument(f *testing.F) {
	for _, s := range []string{"0981 123 456", "+595981123456", "00 55 45", "1.234.567", "fz-123", "\x00", "+"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if p, err := NormalizePhone(s); err == nil {
			if len(p) < 9 || len(p) > 16 || p[0] != '+' || p[1] == '0' {
				t.Fatalf("NormalizePhone(%q) = %q is not E.164", s, p)
			}
			if again, err := NormalizePhone(p); err != nil || again != p {
				t.Fatalf("NormalizePhone is not idempotent on %q", p)
			}
		}
		d := NormalizeDocument(s)
		if NormalizeDocument(d) != d {
			t.Fatalf("NormalizeDocument is not idempotent on %q", s)
		}
	})
}

// Photos are uploaded from phones and through the API.
func FuzzCheckPhoto(f *testing.F) {
	f.Add(testImage(f, "png", 3, 3))
	f.Add(testImage(f, "jpeg", 3, 3))
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ct, err := CheckPhoto(b)
		if err == nil && ct != PhotoContentType(b) {
			t.Fatalf("CheckPhoto says %q, PhotoContentType %q", ct, PhotoContentType(b))
		}
	})
}
