package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sync"
	"time"
)

// fileFormat names the key file's layout; a file with another value is refused rather than
// guessed at.
const fileFormat = "nanduti-keys-v1"

// keyFile is the JSON layout of the key file. Keys are base64 (standard encoding) of 32 bytes.
type keyFile struct {
	Format   string    `json:"format"`
	Active   string    `json:"active_kek"`
	KEKs     []fileKey `json:"keks"`
	IndexKey fileKey   `json:"index_key"`
}

type fileKey struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	Key       string    `json:"key"`
}

// KeyInfo describes one key of the ring, without its material.
type KeyInfo struct {
	ID        string
	CreatedAt time.Time
	Active    bool
}

// keyID is what a key id may look like: it is written into ciphertexts and database columns,
// so it is short and plain.
var keyID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// ErrInsecureKeyFile is returned when the key file can be read by other users of the machine.
var ErrInsecureKeyFile = errors.New("seal: the key file is readable by other users of this machine; run chmod 600 on it")

// ErrKeyFileMissing is returned by LoadRing when there is no key file at the path.
var ErrKeyFileMissing = errors.New("seal: no key file")

// Ring is the set of keys loaded from the key file: the key-encryption keys (one of them
// active, used for new data keys; the others kept to unwrap data keys not yet re-wrapped) and
// the blind-index key. It is safe for concurrent use. When the file changes on disk (a
// rotation run by the command line while servers are running), the ring notices within
// refreshEvery and reloads it.
type Ring struct {
	path string
	// changeMu serialises this process's changes to the file; load takes mu.
	changeMu sync.Mutex

	mu       sync.RWMutex
	active   string
	keks     map[string]cipher.AEAD
	infos    []KeyInfo
	indexID  string
	indexKey []byte
	stamp    fileStamp
	checked  time.Time
}

// refreshEvery bounds how often a ring looks at its file for changes on the write path.
const refreshEvery = 10 * time.Second

type fileStamp struct {
	mod  time.Time
	size int64
}

// LoadRing reads the key file at path. It refuses a file other users may read.
func LoadRing(path string) (*Ring, error) {
	r := &Ring{path: path}
	if err := r.load(); err != nil {
		return nil, err
	}
	return r, nil
}

// CreateRing writes a new key file at path with one key-encryption key and one blind-index
// key, readable only by its owner, in a directory only its owner may enter (created when
// missing). It refuses to overwrite an existing file.
func CreateRing(path string) (*Ring, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("seal: create the key directory: %w", err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	kek, err := newFileKey("kek", now)
	if err != nil {
		return nil, err
	}
	idx, err := newFileKey("idx", now)
	if err != nil {
		return nil, err
	}
	kf := keyFile{Format: fileFormat, Active: kek.ID, KEKs: []fileKey{kek}, IndexKey: idx}
	b, err := json.MarshalIndent(kf, "", "  ")
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("seal: create the key file: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("seal: write the key file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("seal: write the key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	syncDir(filepath.Dir(path))
	return LoadRing(path)
}

// newFileKey makes a key with an id such as kek-20261122-9f3a61c2: the date helps operators,
// the random part keeps two keys made the same day apart.
func newFileKey(prefix string, now time.Time) (fileKey, error) {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return fileKey{}, err
	}
	suffix := make([]byte, 4)
	if _, err := rand.Read(suffix); err != nil {
		return fileKey{}, err
	}
	return fileKey{ID: prefix + "-" + now.Format("20060102") + "-" + hex.EncodeToString(suffix), CreatedAt: now,
		Key: base64.StdEncoding.EncodeToString(k)}, nil
}

// Path is the key file's path.
func (r *Ring) Path() string { return r.path }

func readKeyFile(path string) (keyFile, fileStamp, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return keyFile{}, fileStamp{}, fmt.Errorf("%w at %s", ErrKeyFileMissing, path)
	}
	if err != nil {
		return keyFile{}, fileStamp{}, fmt.Errorf("seal: open the key file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return keyFile{}, fileStamp{}, err
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return keyFile{}, fileStamp{}, fmt.Errorf("%w (%s has mode %04o)", ErrInsecureKeyFile, path, st.Mode().Perm())
	}
	if st.Size() > 1<<20 {
		return keyFile{}, fileStamp{}, fmt.Errorf("seal: the key file %s is too large to be a key file", path)
	}
	b := make([]byte, st.Size())
	if _, err := f.ReadAt(b, 0); err != nil && st.Size() > 0 {
		return keyFile{}, fileStamp{}, fmt.Errorf("seal: read the key file: %w", err)
	}
	kf, err := ParseKeyFile(b)
	if err != nil {
		return keyFile{}, fileStamp{}, fmt.Errorf("%s: %w", path, err)
	}
	return kf, fileStamp{mod: st.ModTime(), size: st.Size()}, nil
}

// ParseKeyFile checks the contents of a key file: the format, key ids, 32-byte keys, an
// active key among the key-encryption keys and a separate index key.
func ParseKeyFile(b []byte) (keyFile, error) {
	var kf keyFile
	if err := json.Unmarshal(b, &kf); err != nil {
		return keyFile{}, fmt.Errorf("seal: the key file is not valid JSON: %w", err)
	}
	if kf.Format != fileFormat {
		return keyFile{}, fmt.Errorf("seal: the key file's format is %q, want %q", kf.Format, fileFormat)
	}
	if len(kf.KEKs) == 0 {
		return keyFile{}, errors.New("seal: the key file holds no key-encryption key")
	}
	seen := map[string]bool{}
	check := func(k fileKey, what string) error {
		if !keyID.MatchString(k.ID) {
			return fmt.Errorf("seal: %s id %q must be 1 to 63 lower-case letters, digits or dashes", what, k.ID)
		}
		if seen[k.ID] {
			return fmt.Errorf("seal: key id %q appears twice", k.ID)
		}
		seen[k.ID] = true
		raw, err := base64.StdEncoding.DecodeString(k.Key)
		if err != nil || len(raw) != 32 {
			return fmt.Errorf("seal: %s %q is not 32 bytes of base64", what, k.ID)
		}
		return nil
	}
	for _, k := range kf.KEKs {
		if err := check(k, "key-encryption key"); err != nil {
			return keyFile{}, err
		}
	}
	if err := check(kf.IndexKey, "index key"); err != nil {
		return keyFile{}, err
	}
	if !slices.ContainsFunc(kf.KEKs, func(k fileKey) bool { return k.ID == kf.Active }) {
		return keyFile{}, fmt.Errorf("seal: the active key %q is not among the key-encryption keys", kf.Active)
	}
	return kf, nil
}

// load replaces the ring's keys with the file's.
func (r *Ring) load() error {
	kf, stamp, err := readKeyFile(r.path)
	if err != nil {
		return err
	}
	keks := make(map[string]cipher.AEAD, len(kf.KEKs))
	infos := make([]KeyInfo, 0, len(kf.KEKs))
	for _, k := range kf.KEKs {
		raw, _ := base64.StdEncoding.DecodeString(k.Key)
		aead, err := newGCM(raw)
		if err != nil {
			return err
		}
		keks[k.ID] = aead
		infos = append(infos, KeyInfo{ID: k.ID, CreatedAt: k.CreatedAt, Active: k.ID == kf.Active})
	}
	idx, _ := base64.StdEncoding.DecodeString(kf.IndexKey.Key)
	r.mu.Lock()
	r.active, r.keks, r.infos = kf.Active, keks, infos
	r.indexID, r.indexKey = kf.IndexKey.ID, idx
	r.stamp, r.checked = stamp, time.Now()
	r.mu.Unlock()
	return nil
}

// Refresh reloads the key file when it changed on disk since it was read.
func (r *Ring) Refresh() error {
	st, err := os.Stat(r.path)
	if err != nil {
		return fmt.Errorf("seal: the key file: %w", err)
	}
	r.mu.RLock()
	same := st.ModTime().Equal(r.stamp.mod) && st.Size() == r.stamp.size
	r.mu.RUnlock()
	if same {
		r.mu.Lock()
		r.checked = time.Now()
		r.mu.Unlock()
		return nil
	}
	return r.load()
}

// maybeRefresh looks at the file at most every refreshEvery, so that servers pick up a new
// active key soon after a rotation without a stat on every request.
func (r *Ring) maybeRefresh() {
	r.mu.RLock()
	due := time.Since(r.checked) > refreshEvery
	r.mu.RUnlock()
	if due {
		// A failed refresh keeps the keys already loaded: they are still valid.
		r.Refresh()
	}
}

// ActiveID is the id of the key-encryption key that wraps new data keys.
func (r *Ring) ActiveID() string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.active
}

// IndexKeyID is the id of the blind-index key.
func (r *Ring) IndexKeyID() string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.indexID
}

// Keys lists the key-encryption keys in the order of the file (oldest first).
func (r *Ring) Keys() []KeyInfo {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return slices.Clone(r.infos)
}

// Has reports whether the ring holds the key-encryption key id.
func (r *Ring) Has(id string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, ok := r.keks[id]
	return ok
}

// AddKey generates a new key-encryption key, makes it the active one and saves the file
// (atomically: a crash leaves either the old file or the new one). It returns the new id.
func (r *Ring) AddKey() (string, error) {
	var id string
	err := r.change(func(kf *keyFile) error {
		k, err := newFileKey("kek", time.Now().UTC().Truncate(time.Second))
		if err != nil {
			return err
		}
		kf.KEKs = append(kf.KEKs, k)
		kf.Active, id = k.ID, k.ID
		return nil
	})
	return id, err
}

// RemoveKey deletes a key-encryption key from the file. The active key cannot be removed;
// whether rows still use the key is for the caller (Manager.Retire) to check first.
func (r *Ring) RemoveKey(id string) error {
	return r.change(func(kf *keyFile) error {
		if id == kf.Active {
			return fmt.Errorf("seal: %s is the active key", id)
		}
		i := slices.IndexFunc(kf.KEKs, func(k fileKey) bool { return k.ID == id })
		if i < 0 {
			return fmt.Errorf("seal: the key file holds no key %q", id)
		}
		kf.KEKs = slices.Delete(kf.KEKs, i, i+1)
		return nil
	})
}

// change re-reads the file (another process may have changed it), applies fn and writes the
// result through a temporary file and a rename, then reloads.
func (r *Ring) change(fn func(*keyFile) error) error {
	r.changeMu.Lock()
	defer r.changeMu.Unlock()
	kf, _, err := readKeyFile(r.path)
	if err != nil {
		return err
	}
	if err := fn(&kf); err != nil {
		return err
	}
	b, err := json.MarshalIndent(kf, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(r.path)
	tmp, err := os.CreateTemp(dir, ".kek-*.tmp")
	if err != nil {
		return fmt.Errorf("seal: write the key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("seal: write the key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), r.path); err != nil {
		return fmt.Errorf("seal: replace the key file: %w", err)
	}
	syncDir(dir)
	return r.load()
}

// syncDir makes a rename or a new file in dir durable; where directories cannot be synced the
// error is of no consequence.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// kek returns the key-encryption key id, reloading the file once when the id is unknown (it
// may have been added by a rotation since the file was read).
func (r *Ring) kek(id string) (cipher.AEAD, error) {
	r.mu.RLock()
	k, ok := r.keks[id]
	r.mu.RUnlock()
	if ok {
		return k, nil
	}
	if err := r.Refresh(); err == nil {
		r.mu.RLock()
		k, ok = r.keks[id]
		r.mu.RUnlock()
		if ok {
			return k, nil
		}
	}
	return nil, &UnknownKeyError{ID: id}
}

// activeKEK returns the active key and its id.
func (r *Ring) activeKEK() (string, cipher.AEAD) {
	r.maybeRefresh()
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.active, r.keks[r.active]
}

// UnknownKeyError says that a wrapped data key names a key-encryption key the key file does
// not hold: the wrong key file, or a key retired too early.
type UnknownKeyError struct{ ID string }

func (e *UnknownKeyError) Error() string {
	return fmt.Sprintf("seal: the key file holds no key-encryption key %q (wrong key file, or the key was removed while rows still used it)", e.ID)
}
