package linkage

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"strconv"
	"time"
)

// Blocking cuts the pairs to compare to those sharing a block key. Keys come from several
// rules, so that a typo in one field does not hide a match: a pair is compared when any rule
// agrees. Keys are always keyed hashes (HMAC-SHA256, truncated to 64 bits): a plain hash of a
// surname and a year is reversed by hashing a list of names, so a key shared with another
// organisation must be made with a secret it does not hold the other half of.

// BlockRecord holds the fields blocking looks at.
type BlockRecord struct {
	Name     PersonName
	Birth    time.Time // zero when unknown
	Document string
}

// Blocker derives block keys.
type Blocker struct {
	mac hash.Hash
}

// NewBlocker returns a Blocker keyed with key. Inside one deployment any per-deployment secret
// does; across organisations use a key derived from the shared linkage secret and never sent
// to the party that matches.
func NewBlocker(key []byte) *Blocker {
	return &Blocker{mac: hmac.New(sha256.New, key)}
}

// Keys returns the block keys of r, one for each rule that applies:
//   - phonetic key of each surname with the year of birth;
//   - phonetic key of the first given name with the full date of birth;
//   - the normalised document number;
//   - phonetic keys of the first given name and of each surname, when the birth date is
//     unknown.
//
// A Blocker is not safe for concurrent use.
func (b *Blocker) Keys(r BlockRecord, dst []uint64) []uint64 {
	year, date := "", ""
	if !r.Birth.IsZero() {
		year = strconv.Itoa(r.Birth.Year())
		date = r.Birth.Format("20060102")
	}
	given := ""
	if len(r.Name.Given) > 0 {
		given = PhoneticKey(r.Name.Given[0])
	}
	for _, s := range r.Name.Surnames {
		key := PhoneticKey(s)
		if year != "" {
			dst = append(dst, b.key("sy", key, year))
		} else if given != "" {
			dst = append(dst, b.key("sg", key, given))
		}
	}
	if given != "" && date != "" {
		dst = append(dst, b.key("gd", given, date))
	}
	if doc := NormalizeDocument(r.Document); doc != "" {
		dst = append(dst, b.key("doc", doc))
	}
	return dst
}

func (b *Blocker) key(parts ...string) uint64 {
	b.mac.Reset()
	for _, p := range parts {
		// A length prefix keeps ("ab","c") and ("a","bc") apart.
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(p)))
		b.mac.Write(n[:])
		b.mac.Write([]byte(p))
	}
	var sum [sha256.Size]byte
	return binary.BigEndian.Uint64(b.mac.Sum(sum[:0]))
}

// BlockStats says what PairsWithin did.
type BlockStats struct {
	Pairs           int64 // distinct pairs emitted
	OversizedBlocks int   // blocks skipped for having more than maxBlock records
}

// PairsWithin calls emit once for every pair i < j of records sharing at least one block key
// (keys[i] are record i's keys). Blocks larger than maxBlock are skipped (a common surname in
// one year would otherwise bring back the quadratic cost); their pairs are still found through
// the other rules. Memory is linear in the number of keys.
func PairsWithin(keys [][]uint64, maxBlock int, emit func(i, j int)) BlockStats {
	index := map[uint64][]int32{}
	for r, ks := range keys {
		for _, k := range ks {
			index[k] = append(index[k], int32(r))
		}
	}
	var st BlockStats
	for r, ks := range keys {
		for ki, k := range ks {
			members := index[k]
			if len(members) > maxBlock {
				if members[0] == int32(r) {
					st.OversizedBlocks++
				}
				continue
			}
			for _, other := range members {
				if int(other) <= r {
					continue
				}
				// Emit the pair only under the first usable key both records share.
				if firstSharedKey(ks, keys[other], index, maxBlock) != ki {
					continue
				}
				st.Pairs++
				emit(r, int(other))
			}
		}
	}
	return st
}

func firstSharedKey(a, b []uint64, index map[uint64][]int32, maxBlock int) int {
	for i, k := range a {
		if len(index[k]) > maxBlock {
			continue
		}
		for _, l := range b {
			if k == l {
				return i
			}
		}
	}
	return -1
}
