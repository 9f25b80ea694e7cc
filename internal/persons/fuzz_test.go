package persons

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"nanduti/internal/core"
	"nanduti/internal/seal"
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

// Search queries come from a search box and the API: any text, by any of the three ways,
// either becomes at most maxSearchTokens terms of index-sized hashes or an invalid-input
// error, never a panic or an empty search.
func FuzzSearchTerms(f *testing.F) {
	ring, err := seal.CreateRing(filepath.Join(f.TempDir(), "kek.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"Giménez", "de la Cruz", "4.812.377", "0981 457 219", "", "a b c d e f g h", "'''"} {
		for _, by := range SearchKinds {
			f.Add(by, s)
		}
	}
	f.Fuzz(func(t *testing.T, by, text string) {
		ts, err := terms(ring, Query{By: by, Text: text})
		if err != nil {
			if !core.Is(err, core.Invalid) {
				t.Fatalf("terms(%q, %q): %v", by, text, err)
			}
			return
		}
		if len(ts) == 0 || len(ts) > maxSearchTokens {
			t.Fatalf("terms(%q, %q): %d terms", by, text, len(ts))
		}
		for _, term := range ts {
			if len(term.Exact) != seal.IndexSize || (term.Phonetic != nil && len(term.Phonetic) != seal.IndexSize) {
				t.Fatalf("terms(%q, %q): a hash of the wrong size", by, text)
			}
		}
	})
}
