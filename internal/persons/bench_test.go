package persons_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"nanduti/internal/accounts"
	"nanduti/internal/core"
	"nanduti/internal/persons"
	"nanduti/internal/seal"
	"nanduti/internal/store"
	"nanduti/internal/testutil"
)

// readCSV reads a file of ../shared (skipped outside CI when it is missing).
func readCSV(b *testing.B, rel string) [][]string {
	f, err := os.Open(testutil.SharedFile(b, rel))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		b.Fatal(err)
	}
	return rows
}

// benchPersons is the size of the benchmark's database: NANDUTI_BENCH_PERSONS (1,000,000 for
// docs/benchmarks.md), 20,000 by default so that a plain -bench run stays short.
func benchPersons() int {
	if n, err := strconv.Atoi(os.Getenv("NANDUTI_BENCH_PERSONS")); err == nil && n > 0 {
		return n
	}
	return 20000
}

// weighted draws names in proportion to their frequency.
type weighted struct {
	names []string
	cum   []int
}

func (w weighted) draw(r *rand.Rand) string {
	x := r.IntN(w.cum[len(w.cum)-1])
	lo, hi := 0, len(w.cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if w.cum[mid] > x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return w.names[lo]
}

// nameList reads a names file of ../shared/data/names with its frequency column.
func nameList(b *testing.B, file, name, count string) weighted {
	rows := readCSV(b, "data/names/"+file)
	ni, ci := -1, -1
	for i, h := range rows[0] {
		switch h {
		case name:
			ni = i
		case count:
			ci = i
		}
	}
	var w weighted
	total := 0
	for _, r := range rows[1:] {
		n, _ := strconv.Atoi(r[ci])
		if n <= 0 {
			continue
		}
		total += n
		w.names = append(w.names, r[ni])
		w.cum = append(w.cum, total)
	}
	return w
}

// benchDB is the database of n synthetic persons, built once and kept in the temporary
// directory (NANDUTI_BENCH_DIR to choose another): building a million takes minutes.
type benchDB struct {
	db       *store.DB
	svc      *persons.Service
	analyst  core.Actor
	officer  core.Actor
	sample   []persons.Identity
	surnames weighted
}

func openBenchDB(b *testing.B, n int) *benchDB {
	ctx := context.Background()
	root := os.Getenv("NANDUTI_BENCH_DIR")
	if root == "" {
		root = os.TempDir()
	}
	dir := filepath.Join(root, fmt.Sprintf("nanduti-bench-persons-%d", n))
	ready := filepath.Join(dir, "ready")
	surnames := nameList(b, "ine_es_surnames_paraguayan_nationals_2018.csv", "surname", "first_surname_total")
	males := nameList(b, "wikidata_py_males.csv", "name", "wikidata_count")
	females := nameList(b, "wikidata_py_females.csv", "name", "wikidata_count")
	gen := func(k int) persons.Input {
		r := rand.New(rand.NewPCG(uint64(k), 7))
		given, gender := males, "Masculine"
		if r.IntN(2) == 0 {
			given, gender = females, "Feminine"
		}
		return persons.Input{Kind: persons.KindVictim, Profile: persons.Profile{Gender: gender, Department: "10"},
			Identity: persons.Identity{GivenNames: given.draw(r) + " " + given.draw(r), PaternalSurname: surnames.draw(r),
				MaternalSurname: surnames.draw(r), Document: persons.Document{Type: "ci", Number: strconv.Itoa(1000000 + k)},
				Phones: []string{fmt.Sprintf("+59598%07d", k)}}}
	}
	if _, err := os.Stat(ready); err != nil {
		os.RemoveAll(dir)
		db, ring, agency := newBenchStore(b, dir)
		svc := persons.New(db.Persons(), ring, persons.Config{})
		start := time.Now()
		const batch = 2000
		for k := 0; k < n; k += batch {
			ins := make([]persons.Input, min(batch, n-k))
			for i := range ins {
				ins[i] = gen(k + i)
				ins[i].AgencyID = agency
			}
			if _, err := svc.CreateBatch(ctx, core.SystemActor, ins); err != nil {
				b.Fatal(err)
			}
			if k > 0 && k%100000 == 0 {
				b.Logf("%d persons in %s", k, time.Since(start).Round(time.Second))
			}
		}
		b.Logf("built %d persons in %s (%.0f a second)", n, time.Since(start).Round(time.Second), float64(n)/time.Since(start).Seconds())
		db.Close()
		os.WriteFile(ready, []byte("ok\n"), 0o600)
	}
	db, err := store.Open(ctx, filepath.Join(dir, "nanduti.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	ring, err := seal.LoadRing(filepath.Join(dir, "keys", "kek.json"))
	if err != nil {
		b.Fatal(err)
	}
	agency := int64(1)
	bd := &benchDB{db: db, svc: persons.New(db.Persons(), ring, persons.Config{}), surnames: surnames,
		analyst: core.Actor{UserID: 1, AgencyID: agency, Roles: []core.Role{core.RoleAnalyst}},
		officer: core.Actor{UserID: 2, AgencyID: agency, Roles: []core.Role{core.RoleInvestigator}}}
	for _, k := range []int{n / 7, n / 3, n / 2, n - 1} {
		bd.sample = append(bd.sample, gen(k).Identity)
	}
	return bd
}

func newBenchStore(b *testing.B, dir string) (*store.DB, *seal.Ring, int64) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "nanduti.db"))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	ring, err := seal.CreateRing(filepath.Join(dir, "keys", "kek.json"))
	if err != nil {
		b.Fatal(err)
	}
	acc := accounts.New(db.Accounts(), accounts.Config{})
	tf, err := acc.EnsureTaskForce(ctx, core.SystemActor, "Mesa de prueba", "")
	if err != nil {
		b.Fatal(err)
	}
	ag, err := acc.CreateAgency(ctx, core.SystemActor, accounts.NewAgency{TaskForceID: tf.ID, Code: "MTESS", Name: "Trabajo", Kind: core.AgencyLabour})
	if err != nil {
		b.Fatal(err)
	}
	return db, ring, ag.ID
}

// BenchmarkPersonSearch measures search latency on SQLite over benchPersons() persons with
// Paraguayan surname frequencies, against a point read of one person (the baseline: what
// opening a person costs) in the same run. "pseudonymous" searches as an analyst (index and
// open fields only); "identified" as an investigator, which also opens the names of up to 50
// results and writes their audit rows.
func BenchmarkPersonSearch(b *testing.B) {
	n := benchPersons()
	bd := openBenchDB(b, n)
	ctx := context.Background()
	common := bd.surnames.names[0]
	mid := bd.surnames.names[len(bd.surnames.names)/4]
	s := bd.sample[0]
	// A surname with a letter spelt two ways (b/v, z/s), written the other way.
	spelt := common
	for _, name := range bd.surnames.names[:50] {
		if l := strings.ToLower(name); strings.ContainsAny(l, "bvz") {
			spelt = name
			break
		}
	}
	queries := []struct {
		name string
		q    persons.Query
	}{
		{"most-common-surname", persons.Query{By: persons.SearchByName, Text: common}},
		{"typical-surname", persons.Query{By: persons.SearchByName, Text: mid}},
		{"given-name-and-surnames", persons.Query{By: persons.SearchByName, Text: s.GivenNames + " " + s.PaternalSurname + " " + s.MaternalSurname}},
		{"misspelt-surname", persons.Query{By: persons.SearchByName, Text: misspell(spelt)}},
		{"document", persons.Query{By: persons.SearchByDocument, Text: s.Document.Number}},
		{"phone", persons.Query{By: persons.SearchByPhone, Text: s.Phones[0]}},
	}
	b.Run("baseline-get-by-id", func(b *testing.B) {
		var times []time.Duration
		for b.Loop() {
			start := time.Now()
			if _, err := bd.svc.Get(ctx, bd.analyst, int64(n/2)); err != nil {
				b.Fatal(err)
			}
			times = append(times, time.Since(start))
		}
		reportPercentiles(b, times)
	})
	for _, as := range []struct {
		name  string
		actor core.Actor
	}{{"pseudonymous", bd.analyst}, {"identified", bd.officer}} {
		for _, q := range queries {
			b.Run(as.name+"/"+q.name, func(b *testing.B) {
				var found int
				var times []time.Duration
				for b.Loop() {
					start := time.Now()
					res, err := bd.svc.Search(ctx, as.actor, q.q)
					if err != nil {
						b.Fatal(err)
					}
					times = append(times, time.Since(start))
					found = len(res)
				}
				if found == 0 {
					b.Fatalf("%s found nobody", q.name)
				}
				b.ReportMetric(float64(found), "results")
				reportPercentiles(b, times)
			})
		}
	}
}

// reportPercentiles adds the median and the 95th percentile of the iterations' times.
func reportPercentiles(b *testing.B, times []time.Duration) {
	slices.Sort(times)
	at := func(q float64) float64 { return float64(times[int(q*float64(len(times)-1))]) / 1e6 }
	b.ReportMetric(at(0.5), "p50-ms")
	b.ReportMetric(at(0.95), "p95-ms")
}

// misspell writes a surname the other way: b for v and back, s for z.
func misspell(s string) string {
	s = strings.ToLower(s)
	for _, p := range [][2]string{{"v", "b"}, {"b", "v"}, {"z", "s"}} {
		if i := strings.Index(s, p[0]); i >= 0 {
			return s[:i] + p[1] + s[i+1:]
		}
	}
	return s
}
