package seal

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func newRing(t *testing.T) *Ring {
	t.Helper()
	r, err := CreateRing(filepath.Join(t.TempDir(), "keys", "kek.json"))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCreateRingPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "keys")
	path := filepath.Join(dir, "kek.json")
	r, err := CreateRing(path)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %04o, want 0600", st.Mode().Perm())
	}
	dst, _ := os.Stat(dir)
	if dst.Mode().Perm() != 0o700 {
		t.Errorf("key directory mode %04o, want 0700", dst.Mode().Perm())
	}
	if len(r.Keys()) != 1 || !r.Keys()[0].Active || r.ActiveID() != r.Keys()[0].ID {
		t.Errorf("a new ring has one active key: %+v", r.Keys())
	}
	if r.IndexKeyID() == "" || r.IndexKeyID() == r.ActiveID() {
		t.Errorf("index key %q must exist and differ from the KEK %q", r.IndexKeyID(), r.ActiveID())
	}
	if _, err := CreateRing(path); err == nil {
		t.Error("CreateRing overwrote an existing key file")
	}
	again, err := LoadRing(path)
	if err != nil || again.ActiveID() != r.ActiveID() || again.IndexKeyID() != r.IndexKeyID() {
		t.Errorf("reload: %v %q", err, again.ActiveID())
	}
}

func TestLoadRingRefusesOthersReading(t *testing.T) {
	r := newRing(t)
	os.Chmod(r.Path(), 0o644)
	if _, err := LoadRing(r.Path()); !errors.Is(err, ErrInsecureKeyFile) {
		t.Errorf("a world-readable key file loaded: %v", err)
	}
	if _, err := LoadRing(filepath.Join(t.TempDir(), "none.json")); !errors.Is(err, ErrKeyFileMissing) {
		t.Errorf("missing file: %v", err)
	}
}

func TestParseKeyFile(t *testing.T) {
	key := strings.Repeat("A", 43) + "="
	good := `{"format":"nanduti-keys-v1","active_kek":"k1","keks":[{"id":"k1","key":"` + key + `"}],"index_key":{"id":"i1","key":"` + key + `"}}`
	if _, err := ParseKeyFile([]byte(good)); err != nil {
		t.Fatalf("good file: %v", err)
	}
	cases := map[string]string{
		"not json":         `{`,
		"format":           strings.Replace(good, "nanduti-keys-v1", "other", 1),
		"no keks":          `{"format":"nanduti-keys-v1","active_kek":"k1","keks":[],"index_key":{"id":"i1","key":"` + key + `"}}`,
		"short key":        strings.Replace(good, `"id":"k1","key":"`+key, `"id":"k1","key":"AAAA`, 1),
		"bad id":           strings.Replace(good, `"id":"k1"`, `"id":"K 1"`, 1),
		"unknown active":   strings.Replace(good, `"active_kek":"k1"`, `"active_kek":"k9"`, 1),
		"index id is kek":  strings.Replace(good, `"id":"i1"`, `"id":"k1"`, 1),
		"index key absent": `{"format":"nanduti-keys-v1","active_kek":"k1","keks":[{"id":"k1","key":"` + key + `"}]}`,
	}
	for name, body := range cases {
		if _, err := ParseKeyFile([]byte(body)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestAddAndRemoveKeys(t *testing.T) {
	r := newRing(t)
	first := r.ActiveID()
	second, err := r.AddKey()
	if err != nil {
		t.Fatal(err)
	}
	if r.ActiveID() != second || second == first || !r.Has(first) {
		t.Fatalf("after AddKey: active %q, first %q kept %v", r.ActiveID(), first, r.Has(first))
	}
	st, _ := os.Stat(r.Path())
	if st.Mode().Perm() != 0o600 {
		t.Errorf("rewritten key file mode %04o", st.Mode().Perm())
	}
	if err := r.RemoveKey(second); err == nil {
		t.Error("the active key was removed")
	}
	if err := r.RemoveKey("kek-none"); err == nil {
		t.Error("an unknown key was removed")
	}
	if err := r.RemoveKey(first); err != nil || r.Has(first) {
		t.Errorf("remove the old key: %v", err)
	}
	// A second process (another ring on the same file) notices the change when it refreshes.
	other, err := LoadRing(r.Path())
	if err != nil {
		t.Fatal(err)
	}
	third, _ := r.AddKey()
	if other.Has(third) {
		t.Fatal("test is wrong: the other ring cannot know the key yet")
	}
	if err := other.Refresh(); err != nil || other.ActiveID() != third {
		t.Errorf("refresh: %v, active %q want %q", err, other.ActiveID(), third)
	}
}
