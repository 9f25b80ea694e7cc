package dedupe_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"nanduti/internal/accounts"
	"nanduti/internal/casewire"
	"nanduti/internal/core"
	"nanduti/internal/dedupe"
	"nanduti/internal/persons"
	"nanduti/internal/seal"
	"nanduti/internal/store/storetest"
)

// Synthetic people for the benchmarks: invented combinations of common Paraguayan given names
// and surnames, with a share recorded twice in another agency with the slips real records
// carry (spelling variants, swapped surnames, a dropped second given name, a missing birth
// date or document).
var (
	synthGiven = strings.Fields(`María José Juan Ana Carlos Rosa Pedro Lucía Diego Elena Hugo Celeste Matías Liz Ramón
		Blanca Osvaldo Nilda Tomás Gladys Mirta Julio Carmen Andrés Sofía Fernando Gabriela Luis Marta Víctor Teresa Raúl
		Silvia Arnaldo Graciela Rubén Nancy Derlis Fátima Hernán Mabel Óscar Zunilda Édgar Ruth Cristian Noelia Aníbal
		Lourdes Darío Gloria Nelson Perla Wilson Sonia Richard Karina Alcides Patricia Gustavo Norma Hilario Liliana
		Eusebio Celia Fidel Zulma Gerardo Antonia Isidro Delia Mauricio Nidia Saturnino Vilma Teodoro Rocío Rolando`)
	synthSurnames = strings.Fields(`González Benítez Martínez López Giménez Vera Duarte Ramírez Rodríguez Villalba Ayala
		Fernández Cáceres Acosta Ortiz Sosa Núñez Rojas Báez Franco Gómez Ferreira Cabrera Romero Torres Espínola Aquino
		Medina Ríos Insfrán Galeano Paredes Cardozo Escobar Cantero Ovelar Zárate Amarilla Riveros Florentín Ortega Leguizamón
		Valdez Maidana Sanabria Colmán Miranda Alonso Peralta Meza Mendoza Arévalo Jara Figueredo Gauto Caballero Recalde
		Fleitas Chamorro Ruiz Sánchez Vázquez Delgado Morínigo Ocampos Samaniego Ojeda Brítez Bogado Centurión Lezcano
		Aranda Barrios Villasboa Coronel Quintana Ñamandú Mereles Agüero Benegas Cristaldo Encina Portillo Servín Zaracho
		Velázquez Alvarenga Rolón Garcete Lugo Pereira Invernizzi Careaga Bareiro Talavera Domínguez Ibarra Acuña Sotelo`)
)

type synthPerson struct {
	entity int
	agency int
	in     persons.Input
}

// respell makes the slips of a second record of the same person.
func respell(rng *rand.Rand, s string) string {
	swaps := [][2]string{{"z", "s"}, {"í", "i"}, {"é", "e"}, {"á", "a"}, {"ó", "o"}, {"ll", "y"}, {"v", "b"}, {"ñ", "n"}, {"j", "h"}}
	for _, sw := range swaps {
		if strings.Contains(s, sw[0]) && rng.IntN(2) == 0 {
			return strings.Replace(s, sw[0], sw[1], 1)
		}
	}
	return s
}

// synthPeople returns n persons of about 0.95 n people: every twentieth is a second record
// of an earlier person, in another agency.
func synthPeople(n int, agencies int) []synthPerson {
	rng := rand.New(rand.NewPCG(uint64(n), 42))
	out := make([]synthPerson, 0, n)
	for len(out) < n {
		i := len(out)
		if i > 20 && i%20 == 0 {
			src := out[rng.IntN(i)]
			id := src.in.Identity
			id.GivenNames = respell(rng, id.GivenNames)
			if g := strings.Fields(id.GivenNames); len(g) > 1 && rng.IntN(2) == 0 {
				id.GivenNames = g[0]
			}
			id.PaternalSurname, id.MaternalSurname = respell(rng, id.PaternalSurname), respell(rng, id.MaternalSurname)
			if rng.IntN(4) == 0 {
				id.PaternalSurname, id.MaternalSurname = id.MaternalSurname, id.PaternalSurname
			}
			if rng.IntN(5) == 0 {
				id.BirthDate = ""
			}
			if rng.IntN(2) == 0 {
				id.Document = persons.Document{}
			}
			id.Phones = nil
			in := src.in
			in.Identity = id
			out = append(out, synthPerson{entity: src.entity, agency: (src.agency + 1 + rng.IntN(agencies-1)) % agencies, in: in})
			continue
		}
		given := synthGiven[rng.IntN(len(synthGiven))]
		if rng.IntN(2) == 0 {
			given += " " + synthGiven[rng.IntN(len(synthGiven))]
		}
		birth := time.Date(1950+rng.IntN(66), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
		id := persons.Identity{GivenNames: given, PaternalSurname: synthSurnames[rng.IntN(len(synthSurnames))],
			MaternalSurname: synthSurnames[rng.IntN(len(synthSurnames))], BirthDate: birth.Format(time.DateOnly)}
		if rng.IntN(10) < 7 {
			id.Document = persons.Document{Type: "ci", Number: strconv.Itoa(1_000_000 + rng.IntN(8_000_000))}
		}
		if rng.IntN(10) < 3 {
			id.Phones = []string{fmt.Sprintf("+59598%07d", rng.IntN(10_000_000))}
		}
		gender := []string{"Feminine", "Masculine"}[rng.IntN(2)]
		out = append(out, synthPerson{entity: i, agency: rng.IntN(agencies), in: persons.Input{Kind: persons.KindVictim,
			Profile: persons.Profile{Gender: gender, Citizenship: []string{"PRY"}}, Identity: id}})
	}
	return out
}

func benchSize(b *testing.B, env string, def int) int {
	if v := os.Getenv(env); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 {
			b.Fatalf("%s must be a number of at least 100", env)
		}
		return n
	}
	return def
}

// quality counts the true pairs among the found ones against every pair of records of the
// same person.
func quality(people []synthPerson, pairs []dedupe.Pair, index func(int) int) (precision, recall float64) {
	groups := map[int]int{}
	for _, p := range people {
		groups[p.entity]++
	}
	truePairs := 0
	for _, n := range groups {
		truePairs += n * (n - 1) / 2
	}
	tp := 0
	for _, p := range pairs {
		if people[index(p.A)].entity == people[index(p.B)].entity {
			tp++
		}
	}
	return float64(tp) / float64(max(1, len(pairs))), float64(tp) / float64(max(1, truePairs))
}

// BenchmarkDedupeFind runs the matching of the job on NANDUTI_BENCH_DEDUPE_SUBJECTS synthetic
// persons held in memory (default 1,000,000), against a baseline measured in the same run:
// comparing as many random pairs as blocking produced, without blocking or EM.
func BenchmarkDedupeFind(b *testing.B) {
	n := benchSize(b, "NANDUTI_BENCH_DEDUPE_SUBJECTS", 1_000_000)
	people := synthPeople(n, 3)
	subjects := make([]dedupe.Subject, n)
	for i, p := range people {
		subjects[i] = dedupe.SubjectOf(p.in.Identity, p.in.Profile)
	}
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		last := start
		pairs, st, err := dedupe.Find(context.Background(), subjects, dedupe.Options{Progress: func(done, total int) {
			// Long runs say how far they are (on standard error, as the CLI's bars do).
			if time.Since(last) > 30*time.Second {
				last = time.Now()
				fmt.Fprintf(os.Stderr, "dedupe: %d of %d pair visits after %v\n", done, total, time.Since(start).Round(time.Second))
			}
		}})
		if err != nil {
			b.Fatal(err)
		}
		elapsed := time.Since(start)
		fmt.Fprintf(os.Stderr, "dedupe: found %d candidates among %d blocked pairs in %v\n", len(pairs), st.Compared, elapsed.Round(time.Millisecond))
		// The baseline compares random pairs with Compare, the per-pair path of the candidate
		// page, at most 20 million of them, scaled to as many pairs as blocking produced.
		rng := rand.New(rand.NewPCG(1, 2))
		base := time.Now()
		vec := make([]int8, 0, 8)
		sample := min(st.Compared, 20_000_000)
		for range sample {
			i, j := rng.IntN(n), rng.IntN(n)
			vec = dedupe.Compare(&subjects[i], &subjects[j], vec)
		}
		baseline := time.Duration(float64(time.Since(base)) * float64(st.Compared) / float64(max(1, sample)))
		prec, rec := quality(people, pairs, func(i int) int { return i })
		// Every found pair carries its weight, so the same run tells what a stricter
		// threshold would have proposed.
		for _, t := range []float64{14, 16, 18} {
			var above []dedupe.Pair
			for _, p := range pairs {
				if p.Weight >= t {
					above = append(above, p)
				}
			}
			p, r := quality(people, above, func(i int) int { return i })
			b.Logf("at threshold %.0f: %d candidates, precision %.4f recall %.4f", t, len(above), p, r)
		}
		b.ReportMetric(float64(n)/elapsed.Seconds(), "persons/s")
		b.ReportMetric(elapsed.Seconds()/baseline.Seconds(), "x_random_compare")
		b.Logf("%d persons: %d pairs after blocking, %d candidates, precision %.4f recall %.4f, EM %v, in %v; "+
			"comparing %d random pairs alone: %v (ratio %.2f)", n, st.Compared, len(pairs), prec, rec, st.EstimatedByEM,
			elapsed.Round(time.Millisecond), st.Compared, baseline.Round(time.Millisecond), elapsed.Seconds()/baseline.Seconds())
	}
}

// BenchmarkDedupeJob runs the whole job (open every identity from SQLite page by page,
// match, store the candidates) over NANDUTI_BENCH_DEDUPE_PERSONS synthetic persons (default
// 100,000) in three agencies, against a baseline measured in the same run: opening every
// identity alone, as the persons service does.
func BenchmarkDedupeJob(b *testing.B) {
	n := benchSize(b, "NANDUTI_BENCH_DEDUPE_PERSONS", 100_000)
	ctx := context.Background()
	db := storetest.OpenSQLite(b)
	ring, err := seal.CreateRing(filepath.Join(b.TempDir(), "keys", "kek.json"))
	if err != nil {
		b.Fatal(err)
	}
	svc := casewire.New(db, ring, casewire.Config{})
	acc := accounts.New(db.Accounts(), accounts.Config{Password: accounts.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}})
	tf, err := acc.EnsureTaskForce(ctx, core.SystemActor, "Mesa de medición", "")
	if err != nil {
		b.Fatal(err)
	}
	var agencyIDs []int64
	for _, code := range []string{"MTESS", "MINNA", "PN"} {
		a, err := acc.CreateAgency(ctx, core.SystemActor, accounts.NewAgency{TaskForceID: tf.ID, Code: code, Name: code, Kind: core.AgencyOther})
		if err != nil {
			b.Fatal(err)
		}
		agencyIDs = append(agencyIDs, a.ID)
	}
	people := synthPeople(n, 3)
	start := time.Now()
	ids := make([]int64, 0, n)
	for from := 0; from < n; from += 2000 {
		batch := make([]persons.Input, 0, 2000)
		for _, p := range people[from:min(n, from+2000)] {
			in := p.in
			in.AgencyID = agencyIDs[p.agency]
			batch = append(batch, in)
		}
		created, err := svc.Persons.CreateBatch(ctx, core.SystemActor, batch)
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range created {
			ids = append(ids, c.ID)
		}
	}
	b.Logf("recorded %d synthetic persons in %v", n, time.Since(start).Round(time.Second))
	byID := make(map[int64]int, n)
	for i, id := range ids {
		byID[id] = i
	}
	job := dedupe.New(db.Dedupe(), svc.Persons, dedupe.Config{Cases: svc.Cases})
	b.ResetTimer()
	for range b.N {
		base := time.Now()
		for from := 0; from < n; from += 1000 {
			if _, err := svc.Persons.OpenIdentities(ctx, ids[from:min(n, from+1000)]); err != nil {
				b.Fatal(err)
			}
		}
		baseline := time.Since(base)
		sum, err := job.Run(ctx, core.SystemActor, dedupe.RunOptions{})
		if err != nil {
			b.Fatal(err)
		}
		var stored []dedupe.Pair
		db.Dedupe().Read(ctx, func(tx dedupe.Tx) error {
			all, err := tx.DedupeCandidateStates(ctx)
			for _, c := range all {
				if c.Status == dedupe.StatusOpen {
					stored = append(stored, dedupe.Pair{A: byID[c.PersonA], B: byID[c.PersonB]})
				}
			}
			return err
		})
		prec, rec := quality(people, stored, func(i int) int { return i })
		b.ReportMetric(float64(n)/sum.Duration.Seconds(), "persons/s")
		b.ReportMetric(sum.Duration.Seconds()/baseline.Seconds(), "x_open_only")
		b.Logf("job over %d persons: %d pairs after blocking, %d candidates (%d new), precision %.4f recall %.4f, EM %v, in %v; "+
			"opening every identity alone: %v (ratio %.2f)", sum.Persons, sum.Compared, sum.Found, sum.New, prec, rec, sum.EM,
			sum.Duration.Round(time.Millisecond), baseline.Round(time.Millisecond), sum.Duration.Seconds()/baseline.Seconds())
	}
}
