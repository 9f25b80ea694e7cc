package linkage

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"slices"
	"strconv"
	"sync"
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
//   - phonetic keys of the first given name and of each surname with the day and month of
//     birth, so that a slip in the year does not hide a twin;
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
		for _, s := range r.Name.Surnames {
			dst = append(dst, b.key("gsmd", given, PhoneticKey(s), date[4:]))
		}
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
	return binary.BigEndian.Uint64(b.mac.Sum(sum[:0])) &^ spokeBit
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
	ix := NewBlockIndex(keys, maxBlock)
	pairs, _ := ix.Pairs(context.Background(), 1, func(_, i, j int) { emit(i, j) })
	return BlockStats{Pairs: pairs, OversizedBlocks: ix.Oversized}
}

// spokeBit marks a key by which a record joins a block only to meet its other members, not
// those that joined the same way (see Spoke). Block keys never have it set.
const spokeBit = 1 << 63

// Spoke marks block key k so that the record carrying it is paired, in that block, only with
// records that carry k unmarked. A rule meant for records missing a field (surname and given
// name, for those without a birth date) is thus carried by every record, so that the
// incomplete record meets its complete twin, without pairing every two complete records of a
// common name, which the other rules already compare.
func Spoke(k uint64) uint64 { return k | spokeBit }

// BlockIndex holds the blocks of a set of records, built once and walked as often as needed.
type BlockIndex struct {
	// all[b] are block b's members and hubs[b] those that are not spokes, in record order;
	// a member is stored as record<<1 | spoke.
	all, hubs [][]int32
	// flat[offsets[r]:offsets[r+1]] are record r's usable blocks, ascending, as block<<1 | spoke.
	flat    []int32
	offsets []int
	// Oversized counts the blocks skipped for holding more pairs than a block of maxBlock.
	Oversized int
}

// NewBlockIndex indexes keys (keys[r] are record r's keys, some perhaps marked with Spoke).
// A block is skipped when it would give more pairs than maxBlock records all paired.
func NewBlockIndex(keys [][]uint64, maxBlock int) *BlockIndex {
	ix := &BlockIndex{offsets: make([]int, len(keys)+1)}
	ids := make(map[uint64]int32, len(keys))
	entries := make([]int32, 0, 8)
	for r, ks := range keys {
		entries = entries[:0]
		for _, k := range ks {
			spoke := int32(0)
			if k&spokeBit != 0 {
				spoke = 1
			}
			id, ok := ids[k&^spokeBit]
			if !ok {
				id = int32(len(ix.all))
				ids[k&^spokeBit] = id
				ix.all = append(ix.all, nil)
				ix.hubs = append(ix.hubs, nil)
			}
			entries = append(entries, id<<1|spoke)
		}
		// Sorted, a record's hub entry of a block comes before its spoke entry: keep the hub.
		slices.Sort(entries)
		entries = slices.CompactFunc(entries, func(x, y int32) bool { return x>>1 == y>>1 })
		for _, e := range entries {
			id := e >> 1
			ix.all[id] = append(ix.all[id], int32(r)<<1|e&1)
			if e&1 == 0 {
				ix.hubs[id] = append(ix.hubs[id], int32(r)<<1)
			}
		}
		ix.flat = append(ix.flat, entries...)
		ix.offsets[r+1] = len(ix.flat)
	}
	limit := int64(maxBlock) * int64(maxBlock-1) / 2
	usable := make([]bool, len(ix.all))
	for b := range ix.all {
		h, n := int64(len(ix.hubs[b])), int64(len(ix.all[b]))
		if h*(h-1)/2+h*(n-h) <= limit {
			usable[b] = true
		} else {
			ix.Oversized++
			ix.all[b], ix.hubs[b] = nil, nil
		}
	}
	// Drop the skipped blocks from the records' lists.
	kept := ix.flat[:0]
	start := 0
	for r := range keys {
		from, to := start, ix.offsets[r+1]
		start = to
		for _, e := range ix.flat[from:to] {
			if usable[e>>1] {
				kept = append(kept, e)
			}
		}
		ix.offsets[r+1] = len(kept)
	}
	ix.flat = kept
	return ix
}

// MaxPairs is an upper bound of the pairs Pairs emits (a pair sharing several blocks counts
// once per block), known before walking them.
func (ix *BlockIndex) MaxPairs() int64 {
	var total int64
	for b := range ix.all {
		h, n := int64(len(ix.hubs[b])), int64(len(ix.all[b]))
		total += h*(h-1)/2 + h*(n-h)
	}
	return total
}

func (ix *BlockIndex) blocksOf(r int) []int32 { return ix.flat[ix.offsets[r]:ix.offsets[r+1]] }

// Pairs calls emit(w, i, j) once for every pair i < j of records that share a usable block in
// which they may meet (not both spokes), on workers goroutines: worker w takes the records
// i with i % workers == w, so that a caller keeps one set of working state per worker and
// needs no locks. It returns the number of pairs, or ctx's error when ctx is done first.
func (ix *BlockIndex) Pairs(ctx context.Context, workers int, emit func(w, i, j int)) (int64, error) {
	workers = max(1, workers)
	n := len(ix.offsets) - 1
	counts := make([]int64, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for done, r := 0, w; r < n; done, r = done+1, r+workers {
				if done%4096 == 0 && ctx.Err() != nil {
					return
				}
				mine := ix.blocksOf(r)
				for bi, e := range mine {
					// A spoke meets only the hubs; a hub meets every member.
					m := ix.all[e>>1]
					if e&1 != 0 {
						m = ix.hubs[e>>1]
					}
					from, _ := slices.BinarySearch(m, int32(r+1)<<1)
					for _, o := range m[from:] {
						other := int(o >> 1)
						if metEarlier(mine[:bi], ix.blocksOf(other)) {
							continue
						}
						counts[w]++
						emit(w, r, other)
					}
				}
			}
		}()
	}
	wg.Wait()
	var total int64
	for _, c := range counts {
		total += c
	}
	return total, ctx.Err()
}

// metEarlier reports whether the ascending block lists a and b share a block in which the
// two records meet (not both spokes).
func metEarlier(a, b []int32) bool {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch x, y := a[i]>>1, b[j]>>1; {
		case x == y:
			if a[i]&b[j]&1 == 0 {
				return true
			}
			i++
			j++
		case x < y:
			i++
		default:
			j++
		}
	}
	return false
}
