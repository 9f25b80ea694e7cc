package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"nanduti/internal/accounts"
	"nanduti/internal/core"
	"nanduti/internal/persons"
)

// linkageDBSchema is a deployment's schema: the FEBRL schema's name and date-of-birth features
// (the address features are not in a person record) with sex and the document added.
const linkageDBSchema = `{
  "version": 3,
  "clkConfig": {"l": 1024, "kdf": {"type": "HKDF", "hash": "SHA256",
    "salt": "SCbL2zHNnmsckfzchsNkZY9XoHk96P/G5nUBrM7ybymlEFsMV6PAeDZCNp3rfNUPCtLDMOGQHG4pCQpfhiHCyA==",
    "info": "c2NoZW1hX2V4YW1wbGU=", "keySize": 64}},
  "features": [
    {"identifier": "rec_id", "ignored": true},
    {"identifier": "given_name", "format": {"type": "string"},
     "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerFeature": 200}}},
    {"identifier": "surname", "format": {"type": "string"},
     "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerFeature": 200}}},
    {"identifier": "date_of_birth", "format": {"type": "integer"},
     "hashing": {"comparison": {"type": "ngram", "n": 1, "positional": true}, "strategy": {"bitsPerFeature": 200},
                 "missingValue": {"sentinel": ""}}},
    {"identifier": "sex", "format": {"type": "enum", "values": ["f", "m"]},
     "hashing": {"comparison": {"type": "exact"}, "strategy": {"bitsPerFeature": 50}, "missingValue": {"sentinel": ""}}},
    {"identifier": "document", "format": {"type": "string"},
     "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerFeature": 100}}}
  ]
}`

// linkageDBSchema2 fills the other recognised features, with a date in a pattern of its own.
const linkageDBSchema2 = `{
  "version": 3,
  "clkConfig": {"l": 512, "kdf": {"type": "HKDF"}},
  "features": [
    {"identifier": "paternal_surname", "format": {"type": "string"},
     "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerToken": 20}}},
    {"identifier": "maternal_surname", "format": {"type": "string"},
     "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerToken": 20}}},
    {"identifier": "date_of_birth", "format": {"type": "date", "format": "%d/%m/%Y"},
     "hashing": {"comparison": {"type": "ngram", "n": 1, "positional": true}, "strategy": {"bitsPerFeature": 100},
                 "missingValue": {"sentinel": ""}}},
    {"identifier": "birth_year", "format": {"type": "integer"},
     "hashing": {"comparison": {"type": "ngram", "n": 1, "positional": true}, "strategy": {"bitsPerFeature": 60},
                 "missingValue": {"sentinel": ""}}},
    {"identifier": "gender", "format": {"type": "string"},
     "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerFeature": 60}}},
    {"identifier": "unused", "ignored": true}
  ]
}`

// linkagePerson is a synthetic person and the CSV cells docs/linkage.md says a partner writes
// for them, typed here by hand (not computed by the code under test).
type linkagePerson struct {
	agency string
	in     persons.Input
	csv1   string // given_name, surname, date_of_birth, sex, document (after an empty rec_id)
	csv2   string // paternal, maternal, date_of_birth as dd/mm/yyyy, birth_year, gender, ignored
}

var linkagePersons = []linkagePerson{
	{"MTESS", persons.Input{Kind: persons.KindVictim, Profile: persons.Profile{Gender: "Masculine"},
		Identity: persons.Identity{GivenNames: "Tobías Arandu", PaternalSurname: "Benítez", MaternalSurname: "Ortiz",
			BirthDate: "2010-08-14", Document: persons.Document{Type: "ci", Number: "7.301.552"}}},
		"tobias arandu,benitez ortiz,20100814,m,7301552", "benitez,ortiz,14/08/2010,2010,masculine,"},
	{"PN", persons.Input{Kind: persons.KindSuspect, Profile: persons.Profile{Gender: "Masculine"},
		Identity: persons.Identity{GivenNames: "Juan Ignacio", PaternalSurname: "Giménez", MaternalSurname: "Duarte",
			BirthDate: "1985-03-07", Document: persons.Document{Type: "ci", Number: "3.456.789"}}},
		"juan ignacio,gimenez duarte,19850307,m,3456789", "gimenez,duarte,07/03/1985,1985,masculine,"},
	{"MTESS", persons.Input{Kind: persons.KindVictim, Profile: persons.Profile{Gender: "Feminine", BirthYear: 1990},
		Identity: persons.Identity{GivenNames: "María de la Cruz", PaternalSurname: "Núñez"}},
		"maria cruz,nunez,,f,", "nunez,,,1990,feminine,"},
	{"MTESS", persons.Input{Kind: persons.KindWitness, Profile: persons.Profile{Gender: "NonSpecifiedUnknown"},
		Identity: persons.Identity{GivenNames: "Ramona", PaternalSurname: "Cáceres", MaternalSurname: "Villalba y Ríos",
			BirthDate: "1999-01-02", Document: persons.Document{Type: "passport", Number: "pa-0081"}}},
		"ramona,caceres villalba rios,19990102,,PA0081", "caceres,villalba rios,02/01/1999,1999,,"},
	{"PN", persons.Input{Kind: persons.KindVictim, Profile: persons.Profile{Gender: "TransgenderFeminine"},
		Identity: persons.Identity{GivenNames: "Ña Cándida", PaternalSurname: "Ayala", BirthDate: "2004-12-31"}},
		"na candida,ayala,20041231,,", "ayala,,31/12/2004,2004,transgenderfeminine,"},
}

// linkageDeployment builds two agencies with persons and staff and returns the person ids of
// each agency in ascending order.
func linkageDeployment(t *testing.T, cfg *dbConfig) map[string][]int64 {
	t.Helper()
	ctx := context.Background()
	a, err := openApp(ctx, cfg, appOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	tf, err := a.accounts.EnsureTaskForce(ctx, core.SystemActor, "Mesa de prueba", "Alto Paraná")
	if err != nil {
		t.Fatal(err)
	}
	agencies := map[string]core.Agency{}
	for _, code := range []string{"MTESS", "PN", "MINNA"} {
		ag, err := a.accounts.CreateAgency(ctx, core.SystemActor, accounts.NewAgency{TaskForceID: tf.ID, Code: code, Name: code, Kind: core.AgencyOther})
		if err != nil {
			t.Fatal(err)
		}
		agencies[code] = ag
	}
	for _, u := range []struct {
		code, email string
		role        core.Role
	}{
		{"MTESS", "inspectora@prueba.example", core.RoleLabourInspector},
		{"MTESS", "baja@prueba.example", core.RoleLabourInspector},
		{"MTESS", "admin@prueba.example", core.RoleAgencyAdmin},
		{"MTESS", "analista@prueba.example", core.RoleAnalyst},
		{"MTESS", "sistema@prueba.example", core.RoleSystemAdmin},
		{"PN", "policia@prueba.example", core.RoleInvestigator},
		{"MINNA", "cuidadora@prueba.example", core.RoleCaseworker},
	} {
		created, err := a.accounts.CreateUser(ctx, core.SystemActor, accounts.NewUser{AgencyID: agencies[u.code].ID, Email: u.email,
			Name: "Persona de prueba", Roles: []core.Role{u.role}, Password: "a long test password"})
		if err != nil {
			t.Fatal(err)
		}
		if u.email == "baja@prueba.example" {
			if err := a.accounts.SetDisabled(ctx, core.SystemActor, created.ID, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	ids := map[string][]int64{}
	for _, p := range linkagePersons {
		in := p.in
		in.AgencyID = agencies[p.agency].ID
		created, err := a.protect.persons.Create(ctx, core.SystemActor, in)
		if err != nil {
			t.Fatal(err)
		}
		ids[p.agency] = append(ids[p.agency], created.ID)
	}
	return ids
}

// linkageCSV writes the CSV a partner would write for the agency's persons.
func linkageCSV(t *testing.T, dir, agency string, second bool) string {
	t.Helper()
	var b strings.Builder
	if second {
		b.WriteString("paternal_surname,maternal_surname,date_of_birth,birth_year,gender,unused\n")
	} else {
		b.WriteString("rec_id,given_name,surname,date_of_birth,sex,document\n")
	}
	for _, p := range linkagePersons {
		if p.agency != agency {
			continue
		}
		if second {
			b.WriteString(p.csv2 + "\n")
		} else {
			b.WriteString("," + p.csv1 + "\n")
		}
	}
	return writeFile(t, dir, agency+strconv.FormatBool(second)+".csv", b.String())
}

func readCLKs(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ CLKs []string }
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	return f.CLKs
}

// 'linkage encode --from-db' gives, byte for byte, the CLK file of the same persons written to
// a CSV by the documented normalisation; a user encodes their own agency's persons only, in
// person id order, with the ids apart; each run is one audit row with the count and no
// person's data; bad flags and users who may not are usage errors.
func TestCLILinkageEncodeFromDB(t *testing.T) {
	eachKeyedDB(t, func(t *testing.T, cfg *dbConfig, flags []string) {
		ids := linkageDeployment(t, cfg)
		dir := t.TempDir()
		schema := writeFile(t, dir, "schema.json", linkageDBSchema)
		schema2 := writeFile(t, dir, "schema2.json", linkageDBSchema2)
		secret := writeFile(t, dir, "secret", "una clave compartida\n")
		encode := func(args ...string) (int, string, string) {
			return runCLI(t, append(append([]string{"linkage", "encode", "--secret-file", secret}, args...), flags...)...)
		}

		for _, c := range []struct {
			name, schema string
			second       bool
		}{{"names, date, sex, document", schema, false}, {"surnames, date pattern, year, gender", schema2, true}} {
			for _, u := range []struct{ agency, email string }{{"MTESS", "inspectora@prueba.example"}, {"PN", "policia@prueba.example"}} {
				fromCSV := filepath.Join(dir, "csv.json")
				if code, _, errs := encode("--schema", c.schema, "--in", linkageCSV(t, dir, u.agency, c.second), "--out", fromCSV); code != 0 {
					t.Fatalf("%s, CSV: exit %d %s", c.name, code, errs)
				}
				fromDB, idsOut := filepath.Join(dir, "db.json"), filepath.Join(dir, "ids.txt")
				code, _, errs := encode("--schema", c.schema, "--from-db", "--as", u.email, "--out", fromDB, "--ids-out", idsOut)
				if code != 0 {
					t.Fatalf("%s, %s: exit %d %s", c.name, u.email, code, errs)
				}
				want, _ := os.ReadFile(fromCSV)
				got, _ := os.ReadFile(fromDB)
				if string(got) != string(want) {
					t.Errorf("%s, %s: the database gives\n%s\nthe CSV\n%s", c.name, u.email, got, want)
				}
				var wantIDs strings.Builder
				for _, id := range ids[u.agency] {
					wantIDs.WriteString(strconv.FormatInt(id, 10) + "\n")
				}
				if b, _ := os.ReadFile(idsOut); string(b) != wantIDs.String() {
					t.Errorf("%s, %s: ids %q, want %q", c.name, u.email, b, wantIDs.String())
				}
				if !strings.Contains(errs, "encoded "+strconv.Itoa(len(ids[u.agency]))+" persons") {
					t.Errorf("%s, %s: %s", c.name, u.email, errs)
				}
				for _, p := range linkagePersons {
					for _, secret := range []string{p.in.Identity.PaternalSurname, p.in.Identity.GivenNames, p.in.Identity.BirthDate} {
						if secret != "" && (strings.Contains(errs, secret) || strings.Contains(string(got), secret)) {
							t.Errorf("%s shows %q", u.email, secret)
						}
					}
				}
			}
		}

		// The police investigator's file holds none of the inspectorate's persons; the
		// caseworker of an agency without persons encodes an empty file.
		mtess, pn := filepath.Join(dir, "mtess.json"), filepath.Join(dir, "pn.json")
		encode("--schema", schema, "--from-db", "--as", "inspectora@prueba.example", "--out", mtess)
		encode("--schema", schema, "--from-db", "--as", "policia@prueba.example", "--out", pn)
		a, b := readCLKs(t, mtess), readCLKs(t, pn)
		if len(a) != 3 || len(b) != 2 {
			t.Fatalf("%d and %d CLKs, want 3 and 2", len(a), len(b))
		}
		for _, clk := range b {
			if slices.Contains(a, clk) {
				t.Error("the police file holds a person of the inspectorate")
			}
		}
		empty := filepath.Join(dir, "minna.json")
		if code, _, errs := encode("--schema", schema, "--from-db", "--as", "cuidadora@prueba.example", "--out", empty, "--progress"); code != 0 ||
			len(readCLKs(t, empty)) != 0 || !strings.Contains(errs, "encoded 0 persons") {
			t.Errorf("an agency without persons: exit %d %s", code, errs)
		}

		// The progress bar is drawn when asked for.
		if code, _, errs := encode("--schema", schema, "--from-db", "--as", "inspectora@prueba.example", "--out", mtess, "--progress"); code != 0 ||
			!strings.Contains(errs, "encoding persons") {
			t.Errorf("progress: exit %d %q", code, errs)
		}

		// Standard output works too.
		if code, out, _ := encode("--schema", schema, "--from-db", "--as", "policia@prueba.example", "--out", "-"); code != 0 ||
			!strings.HasPrefix(out, `{"clks":`) {
			t.Errorf("standard output: exit %d %q", code, out)
		}

		// Audit: one row per run, before the output; the actor, the schema's fingerprint, the
		// sealed fields read and the count, nothing of anyone.
		raw := rawDB(t, flags)
		sum := sha256.Sum256([]byte(linkageDBSchema))
		fingerprint := "sha256:" + hex.EncodeToString(sum[:])
		var n int
		var fields string
		if err := raw.QueryRow(`SELECT count(*) FROM audit_log a JOIN users u ON u.id = a.actor_user_id
			WHERE a.action = 'linkage.encode' AND u.email = 'policia@prueba.example' AND a.object_type = 'linkage_schema'
			AND a.object_id = $1`, fingerprint).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 3 { // the comparison with the CSV, the file apart and standard output
			t.Errorf("%d linkage.encode rows of the police investigator with the first schema, want 3", n)
		}
		if err := raw.QueryRow(`SELECT a.fields FROM audit_log a JOIN users u ON u.id = a.actor_user_id
			WHERE a.action = 'linkage.encode' AND u.email = 'inspectora@prueba.example' AND a.object_id = $1
			ORDER BY a.seq DESC LIMIT 1`, fingerprint).Scan(&fields); err != nil {
			t.Fatal(err)
		}
		if want := "given_names,paternal_surname,maternal_surname,birth_date,document,persons=3"; fields != want {
			t.Errorf("audited fields %q, want %q", fields, want)
		}
		if total := count(t, raw, `SELECT count(*) FROM audit_log WHERE action = 'linkage.encode'`); total != 9 {
			t.Errorf("%d linkage.encode rows, want 9 (one a successful run)", total)
		}
		rows, err := raw.Query(`SELECT object_id, fields FROM audit_log WHERE action = 'linkage.encode'`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var obj, f string
			rows.Scan(&obj, &f)
			for _, p := range linkagePersons {
				if strings.Contains(strings.ToLower(obj+f), strings.ToLower(p.in.Identity.PaternalSurname)) {
					t.Errorf("audit row %q %q names a person", obj, f)
				}
			}
		}
		rows.Close()

		// Bad input: exit 2, a message that says what to do, no output, no audit row.
		out := filepath.Join(dir, "bad.json")
		unknownSchema := writeFile(t, dir, "febrl.json", linkageTestSchema)
		badDate := writeFile(t, dir, "baddate.json", strings.Replace(linkageDBSchema2, `"%d/%m/%Y"`, `"%d %b %Y"`, 1))
		for _, c := range []struct {
			name string
			args []string
			want string
		}{
			{"both inputs", []string{"--in", "x.csv", "--from-db", "--as", "inspectora@prueba.example"}, "--in and --from-db exclude each other"},
			{"no input", nil, "--in or --from-db is required"},
			{"no user", []string{"--from-db"}, "--as is required with --from-db"},
			{"--as without --from-db", []string{"--in", "x.csv", "--as", "inspectora@prueba.example"}, "--as goes with --from-db"},
			{"--ids-out without --from-db", []string{"--in", "x.csv", "--ids-out", "ids.txt"}, "--ids-out goes with --from-db"},
			{"--ids-out to standard output", []string{"--from-db", "--as", "inspectora@prueba.example", "--ids-out", "-"}, "--ids-out must name a file"},
			{"unknown user", []string{"--from-db", "--as", "Nadie@prueba.example"}, `no user has the email "nadie@prueba.example"`},
			{"disabled user", []string{"--from-db", "--as", "baja@prueba.example"}, `the user "baja@prueba.example" is disabled`},
			{"agency admin", []string{"--from-db", "--as", "admin@prueba.example"}, "may not encode persons for linkage"},
			{"analyst", []string{"--from-db", "--as", "analista@prueba.example"}, "may not encode persons for linkage"},
			{"system admin", []string{"--from-db", "--as", "sistema@prueba.example"},
				"that needs a role that sees identities (investigator, prosecutor, labour_inspector, immigration_officer, caseworker)"},
			{"feature the database cannot fill", []string{"--from-db", "--as", "inspectora@prueba.example", "--schema", unknownSchema},
				`feature 4 ("street_number") is not one the database can fill; rename it to one of given_name, surname`},
			{"date pattern", []string{"--from-db", "--as", "inspectora@prueba.example", "--schema", badDate}, "may use only %Y, %m and %d"},
		} {
			args := append([]string{"--out", out}, c.args...)
			if !slices.Contains(args, "--schema") {
				args = append(args, "--schema", schema)
			}
			code, _, errs := encode(args...)
			if code != 2 || !strings.Contains(errs, c.want) {
				t.Errorf("%s: exit %d %q, want 2 and %q", c.name, code, errs, c.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s: an output was written", c.name)
			}
		}
		if total := count(t, raw, `SELECT count(*) FROM audit_log WHERE action = 'linkage.encode'`); total != 9 {
			t.Errorf("%d linkage.encode rows after the refused runs, want still 9", total)
		}

		// A person whose value does not fit the schema stops the run with their pseudonym (never
		// the value), leaves no file, and the opening stays audited.
		strict := writeFile(t, dir, "strict.json", strings.Replace(linkageDBSchema, `"values": ["f", "m"]`, `"values": ["m"]`, 1))
		code, _, errs := encode("--schema", strict, "--from-db", "--as", "inspectora@prueba.example", "--out", out, "--ids-out", out+".ids")
		if code != 2 || !strings.Contains(errs, "person V-") || !strings.Contains(errs, "(CLK 1)") || !strings.Contains(errs, "column 5 (sex)") {
			t.Errorf("a value outside the schema: exit %d %q", code, errs)
		}
		for _, p := range []string{out, out + ".ids"} {
			if _, err := os.Stat(p); err == nil {
				t.Errorf("%s was written", p)
			}
		}
		if total := count(t, raw, `SELECT count(*) FROM audit_log WHERE action = 'linkage.encode'`); total != 10 {
			t.Errorf("%d linkage.encode rows, want 10", total)
		}
		if code, errs := runCLIAudit(t, flags); code != 0 {
			t.Errorf("audit verify: %d %s", code, errs)
		}
	})
}

func runCLIAudit(t *testing.T, flags []string) (int, string) {
	t.Helper()
	code, _, errs := runCLI(t, append([]string{"audit", "verify"}, flags...)...)
	return code, errs
}
