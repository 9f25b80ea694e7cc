// Package seal encrypts identity fields and computes the blind indexes that let sealed data be
// searched without decrypting it.
//
// Envelope encryption: every record (a person row, for example) has its own random 256-bit
// data key. Each sealed field of the record is AES-256-GCM under that data key; the data key
// itself is stored in the record wrapped (AES-256-GCM) by a key-encryption key (KEK) that lives
// in a key file outside the database. A copy of the database alone therefore opens nothing.
//
// Every ciphertext carries associated data naming its table, column and row, so a ciphertext
// copied into another row or column does not open: it fails with ErrTampered instead of
// showing the wrong person. Field ciphertexts also carry the identifier of their data key, and
// wrapped data keys the identifier of their KEK, so a mismatch is named precisely.
//
// Rotation re-wraps data keys under a new KEK without touching field ciphertexts; the key file
// keeps old KEKs until no row uses them (see Manager).
//
// Blind indexes are HMAC-SHA-256 under a second key of the key file, used for nothing else,
// truncated to 16 bytes. They reveal equality of the indexed values across rows and nothing
// else; docs/security.md lists what that means.
package seal
