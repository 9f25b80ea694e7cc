package persons_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf16"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to read the database as an intruder would
	"golang.org/x/text/unicode/norm"
	_ "modernc.org/sqlite" // the "sqlite" driver, likewise

	"nanduti/internal/core"
	"nanduti/internal/persons"
	"nanduti/internal/store"
	"nanduti/internal/store/storetest"
)

// secretForms returns the ways a value could sit in a file: as typed, lower and upper case,
// without accents, normalised as the indexes normalise it, and in UTF-16 (both byte orders).
func secretForms(values ...string) [][]byte {
	var out [][]byte
	seen := map[string]bool{}
	add := func(b []byte) {
		if len(b) >= 4 && !seen[string(b)] {
			seen[string(b)] = true
			out = append(out, b)
		}
	}
	for _, v := range values {
		var texts []string
		for _, s := range []string{v, strings.ToLower(v), strings.ToUpper(v), stripAccents(v), strings.ToLower(stripAccents(v)),
			persons.NormalizeName(v), persons.NormalizeDocument(v)} {
			texts = append(texts, s)
			for _, tok := range persons.NameTokens(s) {
				// Words of names; the year of a birth date is an open field by design.
				if strings.IndexFunc(tok, unicode.IsLetter) >= 0 {
					texts = append(texts, tok, persons.PhoneticCode(tok))
				}
			}
		}
		if p, err := persons.NormalizePhone(v); err == nil {
			texts = append(texts, p, strings.TrimPrefix(p, "+"))
		}
		for _, s := range texts {
			add([]byte(s))
			u := utf16.Encode([]rune(s))
			le, be := make([]byte, 2*len(u)), make([]byte, 2*len(u))
			for i, c := range u {
				le[2*i], le[2*i+1] = byte(c), byte(c>>8)
				be[2*i], be[2*i+1] = byte(c>>8), byte(c)
			}
			add(le)
			add(be)
		}
	}
	return out
}

func stripAccents(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if r < 0x300 || r > 0x36f {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// distinctive is a synthetic person whose every identifying value is unusual enough that
// finding it anywhere can only mean a leak.
func distinctive() (persons.Input, []string) {
	in := persons.Input{Kind: persons.KindWitness, Identity: persons.Identity{
		GivenNames: "Zenóbia Ñandeyára", PaternalSurname: "Quiñónez-Ybyraró", MaternalSurname: "Mbokajáty",
		OtherNames: []string{"La Kuñataí Verá"}, BirthDate: "1991-07-23",
		Document:  persons.Document{Type: "ci", Number: "8.306.194"},
		Phones:    []string{"0985 613 047"},
		Addresses: []string{"Calle Yvaroty 4417, Hernandarias"},
	}}
	values := []string{"Zenóbia", "Ñandeyára", "Quiñónez", "Ybyraró", "Mbokajáty", "Kuñataí", "Verá", "1991-07-23",
		"8.306.194", "8306194", "0985 613 047", "Yvaroty", "Hernandarias"}
	return in, values
}

// The database alone reveals no identity: every text and blob column of every table, read
// with plain SQL as someone holding a copy would, and for SQLite every byte of the files,
// holds none of the synthetic values in any of their forms.
func TestDatabaseHoldsNoPlaintext(t *testing.T) {
	run := func(t *testing.T, db *store.DB, rawDB *sql.DB, listTables string, files string) {
		f := newFixture(t, db)
		ctx := context.Background()
		in, values := distinctive()
		inv := actor(f.agencyA, core.RoleInvestigator)
		p, err := f.svc.Create(ctx, inv, in)
		if err != nil {
			t.Fatal(err)
		}
		// Read it, search it and change it, so that every path has written what it writes.
		if _, err := f.svc.Get(ctx, inv, p.ID); err != nil {
			t.Fatal(err)
		}
		for _, q := range []persons.Query{{By: "name", Text: "Quiñónez"}, {By: "document", Text: "8306194"}, {By: "phone", Text: "0985613047"}} {
			if res, err := f.svc.Search(ctx, inv, q); err != nil || len(res) != 1 {
				t.Fatalf("search %+v: %d %v", q, len(res), err)
			}
		}
		in.Version = 1
		in.Identity.Addresses = append(in.Identity.Addresses, "Kilómetro 11, Minga Guazú")
		if _, err := f.svc.Update(ctx, inv, p.ID, in); err != nil {
			t.Fatal(err)
		}
		forms := secretForms(values...)
		rows, err := rawDB.Query(listTables)
		if err != nil {
			t.Fatal(err)
		}
		var tables []string
		for rows.Next() {
			var name string
			rows.Scan(&name)
			tables = append(tables, name)
		}
		rows.Close()
		if len(tables) < 5 {
			t.Fatalf("only %d tables: %v", len(tables), tables)
		}
		cells := 0
		for _, table := range tables {
			rows, err := rawDB.Query("SELECT * FROM " + table)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				for i, v := range vals {
					var b []byte
					switch v := v.(type) {
					case []byte:
						b = v
					case string:
						b = []byte(v)
					default:
						b = []byte(fmt.Sprint(v))
					}
					cells++
					for _, s := range forms {
						if bytes.Contains(b, s) {
							t.Errorf("%s.%s holds %q", table, cols[i], s)
						}
					}
				}
			}
			rows.Close()
		}
		t.Logf("%d cells of %d tables scanned for %d forms", cells, len(tables), len(forms))
		if files == "" {
			return
		}
		db.Close()
		entries, _ := os.ReadDir(files)
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(files, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range forms {
				if bytes.Contains(b, s) {
					t.Errorf("file %s holds %q", e.Name(), s)
				}
			}
		}
	}
	t.Run(store.SQLite, func(t *testing.T) {
		dir := t.TempDir()
		db, err := store.Open(context.Background(), filepath.Join(dir, "nanduti.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		raw, err := sql.Open("sqlite", filepath.Join(dir, "nanduti.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		run(t, db, raw, `SELECT name FROM sqlite_master WHERE type = 'table'`, dir)
	})
	t.Run(store.Postgres, func(t *testing.T) {
		u := storetest.PostgresURL(t)
		if u == "" {
			t.Skip("NANDUTI_TEST_POSTGRES is not set")
		}
		dsn, schema := storetest.NewSchema(t, u)
		db, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		raw, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		run(t, db, raw, `SELECT table_name FROM information_schema.tables WHERE table_schema = '`+schema+`'`, "")
	})
}
