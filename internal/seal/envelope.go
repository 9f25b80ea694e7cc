package seal

import (
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
)

// version is the first byte of every wrapped data key and field ciphertext; a new layout gets
// a new number and old values stay readable.
const version = 1

// Layout of a wrapped data key:
//
//	version (1) | len(kek id) (1) | kek id | nonce (12) | AES-256-GCM(kek, data key (32))
//
// Layout of a sealed field:
//
//	version (1) | data key id (8) | nonce (12) | AES-256-GCM(data key, padded plaintext)
//
// The associated data of both names the table, column and row (see AD), prefixed by a label
// of the layout and the key id, so that nothing in the header can be changed undetected.
const (
	nonceSize = 12
	dekIDSize = 8
	tagSize   = 16
)

// ErrTampered is returned when a ciphertext does not open: it was altered, or copied from
// another row or column (its associated data no longer matches).
var ErrTampered = errors.New("seal: the sealed value was altered or copied from another row or column")

// ErrWrongDataKey is returned when a field was sealed under another record's data key: it was
// copied from another row. It is also an ErrTampered.
var ErrWrongDataKey = fmt.Errorf("%w (it was sealed under another record's data key)", ErrTampered)

// ErrFormat is returned for bytes that are not a sealed value of a known version.
var ErrFormat = errors.New("seal: not a sealed value (unknown version or truncated)")

// AD is the associated data binding a field ciphertext to its place: table, column and row.
func AD(table, column string, rowID int64) []byte {
	return []byte(table + "|" + column + "|" + strconv.FormatInt(rowID, 10))
}

// DataKeyAD is the associated data of a record's wrapped data key.
func DataKeyAD(table string, rowID int64) []byte { return AD(table, "data_key", rowID) }

// DataKey is one record's data key.
type DataKey struct {
	raw  []byte
	id   [dekIDSize]byte
	aead cipher.AEAD
}

// NewDataKey returns a random 256-bit data key.
func NewDataKey() (*DataKey, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	return dataKeyFrom(raw)
}

func dataKeyFrom(raw []byte) (*DataKey, error) {
	aead, err := newGCM(raw)
	if err != nil {
		return nil, err
	}
	k := &DataKey{raw: raw, aead: aead}
	// The id is derived from the key, so it needs no storage and says nothing about it.
	m := hmac.New(sha256.New, raw)
	m.Write([]byte("nanduti data key id"))
	copy(k.id[:], m.Sum(nil))
	return k, nil
}

// ID is the key's 8-byte identifier, written into every field it seals.
func (k *DataKey) ID() [dekIDSize]byte { return k.id }

// padded frames plaintext with its length and pads it with zeros to a multiple of 32 bytes
// (1 KiB beyond the first KiB), so that ciphertext lengths reveal only a coarse size: a name
// of 3 letters and one of 20 look the same.
func padded(plain []byte) []byte {
	n := 4 + len(plain)
	block := 32
	if n > 1024 {
		block = 1024
	}
	size := (n + block - 1) / block * block
	out := make([]byte, size, size+tagSize)
	binary.BigEndian.PutUint32(out, uint32(len(plain)))
	copy(out[4:], plain)
	return out
}

func unpadded(p []byte) ([]byte, error) {
	if len(p) < 4 {
		return nil, ErrFormat
	}
	n := binary.BigEndian.Uint32(p)
	if uint64(n) > uint64(len(p)-4) {
		return nil, ErrFormat
	}
	return p[4 : 4+n], nil
}

func fieldAD(id [dekIDSize]byte, ad []byte) []byte {
	out := make([]byte, 0, 16+dekIDSize+len(ad))
	out = append(out, "nanduti-field-v1"...)
	out = append(out, id[:]...)
	return append(out, ad...)
}

// Seal encrypts plaintext for the place named by ad (see AD).
func (k *DataKey) Seal(plain, ad []byte) []byte {
	p := padded(plain)
	out := make([]byte, 1+dekIDSize+nonceSize, 1+dekIDSize+nonceSize+len(p)+tagSize)
	out[0] = version
	copy(out[1:], k.id[:])
	if _, err := rand.Read(out[1+dekIDSize:]); err != nil {
		// crypto/rand does not fail on supported systems; if it ever did, sealing with a
		// predictable nonce would be worse than stopping.
		panic(err)
	}
	nonce := out[1+dekIDSize:]
	return k.aead.Seal(out, nonce, p, fieldAD(k.id, ad))
}

// Open decrypts a field sealed by Seal for the same place. A value from another row or column
// fails with ErrTampered (ErrWrongDataKey when it carries another record's key id).
func (k *DataKey) Open(sealed, ad []byte) ([]byte, error) {
	if len(sealed) < 1+dekIDSize+nonceSize+tagSize || sealed[0] != version {
		return nil, ErrFormat
	}
	var id [dekIDSize]byte
	copy(id[:], sealed[1:])
	if id != k.id {
		return nil, ErrWrongDataKey
	}
	nonce := sealed[1+dekIDSize : 1+dekIDSize+nonceSize]
	p, err := k.aead.Open(nil, nonce, sealed[1+dekIDSize+nonceSize:], fieldAD(id, ad))
	if err != nil {
		return nil, ErrTampered
	}
	return unpadded(p)
}

func wrapAD(kekID string, ad []byte) []byte {
	out := make([]byte, 0, 20+len(kekID)+len(ad))
	out = append(out, "nanduti-dek-v1"...)
	out = append(out, byte(len(kekID)))
	out = append(out, kekID...)
	return append(out, ad...)
}

// Wrap encrypts the data key under the active key-encryption key for the record named by ad
// (see DataKeyAD) and returns the wrapped key and the KEK's id.
func (r *Ring) Wrap(k *DataKey, ad []byte) ([]byte, string, error) {
	id, kek := r.activeKEK()
	if kek == nil {
		return nil, "", &UnknownKeyError{ID: id}
	}
	return wrapWith(id, kek, k, ad), id, nil
}

func wrapWith(id string, kek cipher.AEAD, k *DataKey, ad []byte) []byte {
	out := make([]byte, 2+len(id)+nonceSize, 2+len(id)+nonceSize+32+tagSize)
	out[0] = version
	out[1] = byte(len(id))
	copy(out[2:], id)
	nonce := out[2+len(id):]
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	return kek.Seal(out, nonce, k.raw, wrapAD(id, ad))
}

// WrappedKeyID returns the id of the key-encryption key that wrapped a data key.
func WrappedKeyID(wrapped []byte) (string, error) {
	if len(wrapped) < 2 || wrapped[0] != version || len(wrapped) < 2+int(wrapped[1])+nonceSize+32+tagSize {
		return "", ErrFormat
	}
	return string(wrapped[2 : 2+int(wrapped[1])]), nil
}

// Unwrap decrypts a wrapped data key of the record named by ad.
func (r *Ring) Unwrap(wrapped, ad []byte) (*DataKey, error) {
	id, err := WrappedKeyID(wrapped)
	if err != nil {
		return nil, err
	}
	kek, err := r.kek(id)
	if err != nil {
		return nil, err
	}
	rest := wrapped[2+len(id):]
	raw, err := kek.Open(nil, rest[:nonceSize], rest[nonceSize:], wrapAD(id, ad))
	if err != nil || len(raw) != 32 {
		return nil, ErrTampered
	}
	return dataKeyFrom(raw)
}

// Rewrap unwraps a data key and wraps it again under the active key. It returns the new
// wrapped key and the active key's id.
func (r *Ring) Rewrap(wrapped, ad []byte) ([]byte, string, error) {
	k, err := r.Unwrap(wrapped, ad)
	if err != nil {
		return nil, "", err
	}
	return r.Wrap(k, ad)
}

// IndexSize is the length of a blind index value: 128 bits keep accidental collisions out of
// reach at any realistic number of rows, and shorter values waste less index space than the
// full 256.
const IndexSize = 16

// BlindIndex is HMAC-SHA-256 under the ring's index key of the domain (what kind of value:
// "name", "phonetic", "document", "phone") and the normalised value, truncated to IndexSize
// bytes. Equal values in the same domain give equal indexes; nothing else can be learnt from
// them without the key.
func (r *Ring) BlindIndex(domain, value string) []byte {
	r.mu.RLock()
	key := r.indexKey
	r.mu.RUnlock()
	m := hmac.New(sha256.New, key)
	m.Write([]byte("nanduti-bi-v1"))
	m.Write([]byte{byte(len(domain))})
	m.Write([]byte(domain))
	m.Write([]byte(value))
	return m.Sum(nil)[:IndexSize]
}
