package seal

import (
	"path/filepath"
	"testing"
)

// A typical identity field (a full name) and the nine fields of a person.
var (
	benchField  = []byte("Anatolio Ysapy Giménez Benítez")
	benchPerson = [][]byte{[]byte("Anatolio Ysapy"), []byte("Giménez"), []byte("Benítez"), []byte(`["Tolito"]`),
		[]byte("2010-11-02"), []byte(`{"type":"ci","number":"4.812.377","country":"PRY"}`), []byte(`[]`),
		[]byte(`["+595981457219"]`), []byte(`["Barrio San Juan, Minga Guazú"]`)}
	benchColumns = []string{"given_names", "paternal_surname", "maternal_surname", "other_names", "birth_date",
		"document", "nationality_documents", "phones", "addresses"}
)

func benchRing(b *testing.B) *Ring {
	r, err := CreateRing(filepath.Join(b.TempDir(), "kek.json"))
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// BenchmarkSealField seals one field under a data key already at hand.
func BenchmarkSealField(b *testing.B) {
	dk, _ := NewDataKey()
	ad := AD("persons", "given_names", 42)
	b.SetBytes(int64(len(benchField)))
	for b.Loop() {
		dk.Seal(benchField, ad)
	}
}

// BenchmarkOpenField opens one field under a data key already at hand.
func BenchmarkOpenField(b *testing.B) {
	dk, _ := NewDataKey()
	ad := AD("persons", "given_names", 42)
	ct := dk.Seal(benchField, ad)
	b.SetBytes(int64(len(benchField)))
	for b.Loop() {
		if _, err := dk.Open(ct, ad); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSealPerson is what recording a person costs in cryptography: a new data key,
// wrapped, and nine fields sealed.
func BenchmarkSealPerson(b *testing.B) {
	r := benchRing(b)
	for b.Loop() {
		dk, err := NewDataKey()
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := r.Wrap(dk, DataKeyAD("persons", 42)); err != nil {
			b.Fatal(err)
		}
		for i, f := range benchPerson {
			dk.Seal(f, AD("persons", benchColumns[i], 42))
		}
	}
}

// BenchmarkOpenPerson is what showing a person's identity costs: unwrap the data key and open
// nine fields.
func BenchmarkOpenPerson(b *testing.B) {
	r := benchRing(b)
	dk, _ := NewDataKey()
	w, _, _ := r.Wrap(dk, DataKeyAD("persons", 42))
	cts := make([][]byte, len(benchPerson))
	for i, f := range benchPerson {
		cts[i] = dk.Seal(f, AD("persons", benchColumns[i], 42))
	}
	for b.Loop() {
		k, err := r.Unwrap(w, DataKeyAD("persons", 42))
		if err != nil {
			b.Fatal(err)
		}
		for i, ct := range cts {
			if _, err := k.Open(ct, AD("persons", benchColumns[i], 42)); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkRewrap is what a rotation costs per row, besides the database.
func BenchmarkRewrap(b *testing.B) {
	r := benchRing(b)
	dk, _ := NewDataKey()
	w, _, _ := r.Wrap(dk, DataKeyAD("persons", 42))
	r.AddKey()
	for b.Loop() {
		if _, _, err := r.Rewrap(w, DataKeyAD("persons", 42)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBlindIndex is one index value; a person has about a dozen.
func BenchmarkBlindIndex(b *testing.B) {
	r := benchRing(b)
	for b.Loop() {
		r.BlindIndex("name", "gimenez")
	}
}
