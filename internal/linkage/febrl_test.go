package linkage

import (
	"bufio"
	"context"
	"os"
	"strings"
	"testing"

	"nanduti/internal/testutil"
)

// febrlSchema is the schema of the published clkhash + anonlink FEBRL4 result: rec_id and
// soc_sec_id ignored, bigrams with 200 bits for the names, positional unigrams with 200 bits
// for the date of birth and 100 for street number and postcode, bigrams with 100 bits for the
// address, suburb and state, blakeHash, 1024 bits.
const febrlSchema = `{
  "version": 3,
  "clkConfig": {"l": 1024, "kdf": {"type": "HKDF", "hash": "SHA256",
    "salt": "SCbL2zHNnmsckfzchsNkZY9XoHk96P/G5nUBrM7ybymlEFsMV6PAeDZCNp3rfNUPCtLDMOGQHG4pCQpfhiHCyA==",
    "info": "c2NoZW1hX2V4YW1wbGU=", "keySize": 64}},
  "features": [
    {"identifier": "rec_id", "ignored": true},
    {"identifier": "given_name", "format": {"type": "string", "encoding": "utf-8"},
     "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerFeature": 200}, "hash": {"type": "blakeHash"}}},
    {"identifier": "surname", "format": {"type": "string", "encoding": "utf-8"},
     "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerFeature": 200}, "hash": {"type": "blakeHash"}}},
    {"identifier": "street_number", "format": {"type": "integer"},
     "hashing": {"comparison": {"type": "ngram", "n": 1, "positional": true}, "strategy": {"bitsPerFeature": 100},
                 "missingValue": {"sentinel": ""}}},
    {"identifier": "address_1", "format": {"type": "string", "encoding": "utf-8"},
     "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerFeature": 100}}},
    {"identifier": "address_2", "format": {"type": "string", "encoding": "utf-8"},
     "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerFeature": 100}}},
    {"identifier": "suburb", "format": {"type": "string", "encoding": "utf-8"},
     "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerFeature": 100}}},
    {"identifier": "postcode", "format": {"type": "integer", "minimum": 100, "maximum": 9999},
     "hashing": {"comparison": {"type": "ngram", "n": 1, "positional": true}, "strategy": {"bitsPerFeature": 100}}},
    {"identifier": "state", "format": {"type": "string", "encoding": "utf-8", "maxLength": 3},
     "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerFeature": 100}}},
    {"identifier": "date_of_birth", "format": {"type": "integer"},
     "hashing": {"comparison": {"type": "ngram", "n": 1, "positional": true}, "strategy": {"bitsPerFeature": 200},
                 "missingValue": {"sentinel": ""}}},
    {"identifier": "soc_sec_id", "ignored": true}
  ]
}`

// readFEBRL returns the header and records of a FEBRL file with the spaces after its commas
// removed, as the published tutorial reads it.
func readFEBRL(t testing.TB, name string) (header []string, rows [][]string) {
	t.Helper()
	f, err := os.Open(testutil.SharedFile(t, "data/linkage/febrl/"+name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ",")
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		if header == nil {
			header = fields
			continue
		}
		rows = append(rows, fields)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return header, rows
}

// febrlTruth maps rec-N-org of 4a to rec-N-dup-0 of 4b by their rec_id.
func febrlEntity(recID string) string {
	parts := strings.Split(recID, "-")
	return parts[1]
}

type linkQuality struct {
	links, truePositives, trueMatches int
}

func (q linkQuality) precision() float64 { return float64(q.truePositives) / float64(q.links) }
func (q linkQuality) recall() float64    { return float64(q.truePositives) / float64(q.trueMatches) }

func TestLinkageFEBRL4Published(t *testing.T) {
	if testing.Short() {
		t.Skip("encodes 10,000 records")
	}
	s := mustSchema(t, febrlSchema)
	enc, err := NewEncoder(s, []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	var sets []*CLKSet
	var ids [][]string
	for _, name := range []string{"dataset4a.csv", "dataset4b.csv"} {
		header, rows := readFEBRL(t, name)
		for i, h := range header {
			if h != s.Features[i].Identifier {
				t.Fatalf("%s column %d is %q, schema says %q", name, i, h, s.Features[i].Identifier)
			}
		}
		set := NewCLKSet(1024)
		var recIDs []string
		total := 0
		for i, row := range rows {
			clk, err := enc.Encode(row)
			if err != nil {
				t.Fatalf("%s record %d: %v", name, i+1, err)
			}
			if err := set.Add(clk); err != nil {
				t.Fatal(err)
			}
			total += set.Popcount(i)
			recIDs = append(recIDs, row[0])
		}
		mean := float64(total) / float64(set.Len())
		t.Logf("%s: %d CLKs, mean popcount %.1f", name, set.Len(), mean)
		sets = append(sets, set)
		ids = append(ids, recIDs)
	}
	// Published: mean popcounts 696 and 687.
	for i, want := range []float64{696, 687} {
		var total int
		for r := 0; r < sets[i].Len(); r++ {
			total += sets[i].Popcount(r)
		}
		if mean := float64(total) / float64(sets[i].Len()); mean < want-3 || mean > want+3 {
			t.Errorf("party %d: mean popcount %.1f, published %.0f", i, mean, want)
		}
	}
	for _, c := range []struct {
		threshold                  float64
		minPrecision, minRecall    float64
		maxRecall                  float64
		publishedLinks             int
		publishedPrec, publishedRc float64
	}{
		{0.9, 0.999, 0.78, 0.84, 4049, 1.000, 0.810},
		{0.8, 0.999, 0.99, 1.0, 4962, 1.000, 0.992},
	} {
		cands, err := FindCandidates(context.Background(), sets, c.threshold, MatchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		links := GroupLinks(cands, GreedySolve(cands))
		q := linkQuality{links: len(links), trueMatches: 5000}
		for _, l := range links {
			if febrlEntity(ids[0][l.RowA]) == febrlEntity(ids[1][l.RowB]) {
				q.truePositives++
			}
		}
		t.Logf("threshold %.1f: %d candidates, %d links, precision %.4f, recall %.4f (published %d links, %.3f, %.3f)",
			c.threshold, len(cands), q.links, q.precision(), q.recall(), c.publishedLinks, c.publishedPrec, c.publishedRc)
		if q.precision() < c.minPrecision || q.recall() < c.minRecall || q.recall() > c.maxRecall {
			t.Errorf("threshold %.1f: precision %.4f recall %.4f outside the published range", c.threshold, q.precision(), q.recall())
		}
	}
}
