package seal

// Sealer seals values that are records of their own, each with its own data key: a note about
// a person, an attachment. The wrapped data key is stored beside the value (in the row's
// data_key and kek_id columns, so that rotation re-wraps it like any other).
type Sealer struct{ keys Source }

// NewSealer returns a Sealer over the key ring.
func NewSealer(keys Source) *Sealer { return &Sealer{keys: keys} }

// Seal encrypts plain under a new data key for the place (table, column, row) and returns the
// ciphertext, the wrapped data key and the id of the key-encryption key that wrapped it.
func (s *Sealer) Seal(table, column string, rowID int64, plain []byte) (sealed, wrappedKey []byte, kekID string, err error) {
	ring, err := s.keys.Ring()
	if err != nil {
		return nil, nil, "", err
	}
	dk, err := NewDataKey()
	if err != nil {
		return nil, nil, "", err
	}
	wrappedKey, kekID, err = ring.Wrap(dk, DataKeyAD(table, rowID))
	if err != nil {
		return nil, nil, "", err
	}
	return dk.Seal(plain, AD(table, column, rowID)), wrappedKey, kekID, nil
}

// Open decrypts a value sealed by Seal for the same place.
func (s *Sealer) Open(table, column string, rowID int64, sealed, wrappedKey []byte) ([]byte, error) {
	ring, err := s.keys.Ring()
	if err != nil {
		return nil, err
	}
	dk, err := ring.Unwrap(wrappedKey, DataKeyAD(table, rowID))
	if err != nil {
		return nil, err
	}
	return dk.Open(sealed, AD(table, column, rowID))
}
