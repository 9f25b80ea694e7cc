package seal

import (
	"path/filepath"
	"testing"
)

// Sealed values and wrapped keys come from the database, which an intruder may have edited:
// opening arbitrary bytes must fail cleanly, never panic or return data.
func FuzzOpen(f *testing.F) {
	r, err := CreateRing(filepath.Join(f.TempDir(), "kek.json"))
	if err != nil {
		f.Fatal(err)
	}
	dk, _ := NewDataKey()
	ad := AD("persons", "given_names", 1)
	w, _, _ := r.Wrap(dk, DataKeyAD("persons", 1))
	f.Add(dk.Seal([]byte("Ana"), ad))
	f.Add(w)
	f.Add([]byte{1})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		if p, err := dk.Open(b, ad); err == nil && len(p) > len(b) {
			t.Fatalf("opened %d bytes from %d", len(p), len(b))
		}
		r.Unwrap(b, DataKeyAD("persons", 1))
		WrappedKeyID(b)
	})
}

// The key file is read at every start; a damaged one must be refused with an error.
func FuzzParseKeyFile(f *testing.F) {
	f.Add([]byte(`{"format":"nanduti-keys-v1","active_kek":"k1","keks":[{"id":"k1","key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}],"index_key":{"id":"i1","key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		kf, err := ParseKeyFile(b)
		if err != nil {
			return
		}
		if len(kf.KEKs) == 0 || kf.IndexKey.ID == "" {
			t.Fatalf("accepted a file without keys: %+v", kf)
		}
	})
}
