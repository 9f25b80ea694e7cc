package seal

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestSealAndOpen(t *testing.T) {
	dk, err := NewDataKey()
	if err != nil {
		t.Fatal(err)
	}
	for _, plain := range []string{"", "Ña", "Rosalía Giménez Benítez", strings.Repeat("x", 5000)} {
		ad := AD("persons", "given_names", 42)
		ct := dk.Seal([]byte(plain), ad)
		if bytes.Contains(ct, []byte(plain)) && plain != "" {
			t.Errorf("ciphertext carries the plaintext %q", plain)
		}
		got, err := dk.Open(ct, ad)
		if err != nil || string(got) != plain {
			t.Errorf("round trip of %d bytes: %v", len(plain), err)
		}
	}
}

// Lengths reveal only a coarse size: a short name and a longer one seal to the same length.
func TestSealPadsLengths(t *testing.T) {
	dk, _ := NewDataKey()
	ad := AD("persons", "given_names", 1)
	a, b := dk.Seal([]byte("Ana"), ad), dk.Seal([]byte("María de los Ángeles"), ad)
	if len(a) != len(b) {
		t.Errorf("lengths %d and %d differ", len(a), len(b))
	}
	if c := dk.Seal([]byte(strings.Repeat("n", 40)), ad); len(c) == len(a) {
		t.Errorf("40 bytes padded like 3: the padding does not grow")
	}
}

func TestOpenRefusesMovedCiphertexts(t *testing.T) {
	dk, _ := NewDataKey()
	other, _ := NewDataKey()
	ct := dk.Seal([]byte("Giménez"), AD("persons", "paternal_surname", 7))
	cases := []struct {
		name string
		key  *DataKey
		ct   []byte
		ad   []byte
		want error
	}{
		{"another row", dk, ct, AD("persons", "paternal_surname", 8), ErrTampered},
		{"another column", dk, ct, AD("persons", "maternal_surname", 7), ErrTampered},
		{"another table", dk, ct, AD("witnesses", "paternal_surname", 7), ErrTampered},
		{"another record's key", other, ct, AD("persons", "paternal_surname", 7), ErrWrongDataKey},
		{"flipped bit", dk, flip(ct, len(ct)-3), AD("persons", "paternal_surname", 7), ErrTampered},
		{"flipped nonce", dk, flip(ct, 12), AD("persons", "paternal_surname", 7), ErrTampered},
		{"truncated", dk, ct[:20], AD("persons", "paternal_surname", 7), ErrFormat},
		{"unknown version", dk, append([]byte{9}, ct[1:]...), AD("persons", "paternal_surname", 7), ErrFormat},
	}
	for _, c := range cases {
		if _, err := c.key.Open(c.ct, c.ad); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if !errors.Is(ErrWrongDataKey, ErrTampered) {
		t.Error("ErrWrongDataKey is not an ErrTampered")
	}
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 1
	return c
}

func TestWrapUnwrapRewrap(t *testing.T) {
	r := newRing(t)
	dk, _ := NewDataKey()
	ad := DataKeyAD("persons", 5)
	w, id, err := r.Wrap(dk, ad)
	if err != nil || id != r.ActiveID() {
		t.Fatalf("wrap: %v %q", err, id)
	}
	if got, _ := WrappedKeyID(w); got != id {
		t.Errorf("wrapped key names %q, want %q", got, id)
	}
	back, err := r.Unwrap(w, ad)
	if err != nil || back.ID() != dk.ID() {
		t.Fatalf("unwrap: %v", err)
	}
	if _, err := r.Unwrap(w, DataKeyAD("persons", 6)); !errors.Is(err, ErrTampered) {
		t.Errorf("a data key moved to another row unwrapped: %v", err)
	}
	old := id
	newID, _ := r.AddKey()
	w2, id2, err := r.Rewrap(w, ad)
	if err != nil || id2 != newID {
		t.Fatalf("rewrap: %v %q", err, id2)
	}
	if k, err := r.Unwrap(w2, ad); err != nil || k.ID() != dk.ID() {
		t.Errorf("unwrap the rewrapped key: %v", err)
	}
	if err := r.RemoveKey(old); err != nil {
		t.Fatal(err)
	}
	var unknown *UnknownKeyError
	if _, err := r.Unwrap(w, ad); !errors.As(err, &unknown) || unknown.ID != old {
		t.Errorf("a key wrapped by a removed KEK: %v", err)
	}
	if _, err := r.Unwrap(w2, ad); err != nil {
		t.Errorf("removing the old key broke the rewrapped one: %v", err)
	}
}

func TestBlindIndex(t *testing.T) {
	r := newRing(t)
	a := r.BlindIndex("name", "gimenez")
	if len(a) != IndexSize || !bytes.Equal(a, r.BlindIndex("name", "gimenez")) {
		t.Fatalf("blind index is not a deterministic %d bytes", IndexSize)
	}
	if bytes.Equal(a, r.BlindIndex("phonetic", "gimenez")) || bytes.Equal(a, r.BlindIndex("name", "jimenez")) {
		t.Error("different domains or values give the same index")
	}
	// The length-prefixed domain keeps ("ab","c") and ("a","bc") apart.
	if bytes.Equal(r.BlindIndex("ab", "c"), r.BlindIndex("a", "bc")) {
		t.Error("domain and value run together")
	}
	if bytes.Equal(a, newRing(t).BlindIndex("name", "gimenez")) {
		t.Error("another index key gives the same index")
	}
}

func TestSealer(t *testing.T) {
	s := NewSealer(newRing(t))
	ct, wk, kek, err := s.Seal("case_notes", "body", 3, []byte("vive con su tía en Hernandarias"))
	if err != nil || kek == "" {
		t.Fatal(err)
	}
	if got, err := s.Open("case_notes", "body", 3, ct, wk); err != nil || string(got) != "vive con su tía en Hernandarias" {
		t.Errorf("open: %q %v", got, err)
	}
	if _, err := s.Open("case_notes", "body", 4, ct, wk); !errors.Is(err, ErrTampered) {
		t.Errorf("a note moved to another row opened: %v", err)
	}
}
