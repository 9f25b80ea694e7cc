package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"nanduti/internal/accounts"
	"nanduti/internal/audit"
	"nanduti/internal/cases"
	"nanduti/internal/core"
	"nanduti/internal/demo"
	"nanduti/internal/persons"
	"nanduti/internal/store"
	"nanduti/internal/store/storetest"
)

func TestCLICasesExportUsage(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"cases", "export", "--data", dir, "--as", "x@prueba.example", "--format", "xml"}, "--format must be csv, json or htcds"},
		{[]string{"cases", "export", "--data", dir}, "--as is required"},
		{[]string{"cases", "export", "--data", dir, "--as", "nadie@prueba.example"}, `no user has the email "nadie@prueba.example"`},
		{[]string{"cases", "frobnicate"}, `unknown subcommand "frobnicate"`},
	} {
		code, out, errs := run(t, "", c.args...)
		if code != 2 || !strings.Contains(out+errs, c.want) {
			t.Errorf("nanduti %v: exit %d, %q %q; want 2 and %q", c.args, code, out, errs, c.want)
		}
	}
	if code, out, _ := run(t, "", "cases", "export", "--help"); code != 0 || !strings.Contains(out, "Usage: nanduti cases export") {
		t.Errorf("cases export --help: %d %q", code, out)
	}
}

// eachKeyedDB runs fn with a fresh database's configuration and flags, the key file beside it.
func eachKeyedDB(t *testing.T, fn func(t *testing.T, cfg *dbConfig, flags []string)) {
	t.Run(store.SQLite, func(t *testing.T) {
		dir := t.TempDir()
		fn(t, &dbConfig{data: dir}, []string{"--data", dir})
	})
	t.Run(store.Postgres, func(t *testing.T) {
		u := storetest.PostgresURL(t)
		if u == "" {
			t.Skip("NANDUTI_TEST_POSTGRES is not set")
		}
		dsn, _ := storetest.NewSchema(t, u)
		kek := filepath.Join(t.TempDir(), "kek.json")
		fn(t, &dbConfig{dsn: dsn, kekFile: kek}, []string{"--db", dsn, "--kek-file", kek})
	})
}

type exported struct {
	Cases []struct {
		Number  string
		Level   string
		Persons []struct {
			Pseudonym string
			Role      string
			Identity  *struct{ Name string }
		}
	}
}

// The first "done when" of the cases issue through the command line: agency B's user gets
// nothing of agency A's unshared case; after an operational share, the case with pseudonyms
// only (even when identities are asked for); after a full share, identities on request, each
// in the audit chain; after revocation, nothing again.
func TestCLICasesExportFollowsSharing(t *testing.T) {
	eachKeyedDB(t, func(t *testing.T, cfg *dbConfig, flags []string) {
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
		staff := func(code string, kind core.AgencyKind, email string, role core.Role) core.Actor {
			ag, err := a.accounts.AgencyByCode(ctx, core.SystemActor, code)
			if core.Is(err, core.NotFound) {
				ag, err = a.accounts.CreateAgency(ctx, core.SystemActor, accounts.NewAgency{TaskForceID: tf.ID, Code: code, Name: code, Kind: kind})
			}
			if err != nil {
				t.Fatal(err)
			}
			u, err := a.accounts.CreateUser(ctx, core.SystemActor, accounts.NewUser{AgencyID: ag.ID, Email: email, Name: "Persona " + email,
				Roles: []core.Role{role}, Password: "a long test password"})
			if err != nil {
				t.Fatal(err)
			}
			return core.Actor{UserID: u.ID, AgencyID: ag.ID, TaskForceID: tf.ID, Roles: u.Roles}
		}
		inspA := staff("MTESS", core.AgencyLabour, "inspectora@prueba.example", core.RoleLabourInspector)
		polB := staff("PN", core.AgencyPolice, "policia@prueba.example", core.RoleInvestigator)
		staff("PN", core.AgencyPolice, "analista@prueba.example", core.RoleAnalyst)
		staff("PN", core.AgencyPolice, "admin.pn@prueba.example", core.RoleAgencyAdmin)

		age := 15
		p, err := a.protect.persons.Create(ctx, inspA, persons.Input{Kind: persons.KindVictim,
			Profile:  persons.Profile{Gender: "Masculine", AgeAtIdentification: &age},
			Identity: persons.Identity{GivenNames: "Tobías Arandu", PaternalSurname: "Villalba", MaternalSurname: "Ortiz"}})
		if err != nil {
			t.Fatal(err)
		}
		c, err := a.cases.Create(ctx, inspA, cases.Input{Title: "Olería cerca de Ciudad del Este", Exploitation: []string{"ChildLabour"},
			Department: "10", ReportedOn: "2026-01-05", Source: "inspection"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.cases.AddPerson(ctx, inspA, c.ID, cases.PersonInput{PersonID: p.ID, Role: "victim"}); err != nil {
			t.Fatal(err)
		}

		export := func(email string, extra ...string) exported {
			t.Helper()
			out := filepath.Join(t.TempDir(), "casos.json")
			args := append([]string{"cases", "export", "--as", email, "--format", "json", "--out", out}, flags...)
			code, _, errs := run(t, "", append(args, extra...)...)
			if code != 0 {
				t.Fatalf("export as %s %v: exit %d %q", email, extra, code, errs)
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			var e exported
			if err := json.Unmarshal(b, &e); err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			return e
		}
		csvOf := func(email string, extra ...string) string {
			t.Helper()
			code, out, errs := run(t, "", append(append([]string{"cases", "export", "--as", email}, flags...), extra...)...)
			if code != 0 {
				t.Fatalf("csv export as %s: %d %q", email, code, errs)
			}
			return out
		}
		reveals := func() int {
			rows, err := a.audit.List(ctx, core.SystemActor, audit.Filter{Action: "person.identity.read", Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, r := range rows {
				if r.ActorUserID == polB.UserID && r.ObjectID == strconv.FormatInt(p.ID, 10) {
					n++
				}
			}
			return n
		}

		// The owner sees the case and, on request, the name.
		if e := export("inspectora@prueba.example", "--identities"); len(e.Cases) != 1 || e.Cases[0].Persons[0].Identity == nil ||
			e.Cases[0].Persons[0].Identity.Name != "Tobías Arandu Villalba Ortiz" {
			t.Errorf("owner's export: %+v", e)
		}
		// Unshared: nothing of A's case reaches B, in JSON or CSV.
		if e := export("policia@prueba.example", "--identities"); len(e.Cases) != 0 {
			t.Errorf("unshared case exported to B: %+v", e)
		}
		if out := csvOf("policia@prueba.example"); strings.Contains(out, c.Number) || strings.Count(out, "\n") != 1 {
			t.Errorf("unshared case in B's CSV: %q", out)
		}

		// Statistical: still nothing.
		if err := a.cases.Share(ctx, inspA, c.ID, polB.AgencyID, core.ShareStatistical); err != nil {
			t.Fatal(err)
		}
		if e := export("policia@prueba.example"); len(e.Cases) != 0 {
			t.Errorf("statistical share exported: %+v", e)
		}

		// Operational: the case with pseudonyms only, even when identities are asked for.
		if err := a.cases.Share(ctx, inspA, c.ID, polB.AgencyID, core.ShareOperational); err != nil {
			t.Fatal(err)
		}
		e := export("policia@prueba.example", "--identities")
		if len(e.Cases) != 1 || e.Cases[0].Number != c.Number || e.Cases[0].Level != "operational" ||
			e.Cases[0].Persons[0].Pseudonym != p.Pseudonym || e.Cases[0].Persons[0].Identity != nil {
			t.Errorf("operational export: %+v", e)
		}
		if out := csvOf("policia@prueba.example"); !strings.Contains(out, c.Number) || !strings.Contains(out, p.Pseudonym+" (victim)") ||
			strings.Contains(out, "Villalba") {
			t.Errorf("operational CSV: %q", out)
		}
		if n := reveals(); n != 0 {
			t.Errorf("%d identity reads recorded for an operational export", n)
		}

		// Full: the name only when asked for, and each naming is audited.
		if err := a.cases.Share(ctx, inspA, c.ID, polB.AgencyID, core.ShareFull); err != nil {
			t.Fatal(err)
		}
		if out := csvOf("policia@prueba.example"); strings.Contains(out, "Villalba") {
			t.Errorf("full export without --identities names the person: %q", out)
		}
		if n := reveals(); n != 0 {
			t.Errorf("%d identity reads recorded without --identities", n)
		}
		if out := csvOf("policia@prueba.example", "--identities"); !strings.Contains(out, p.Pseudonym+" (victim) Tobías Arandu Villalba Ortiz") {
			t.Errorf("full export with identities: %q", out)
		}
		if n := reveals(); n != 1 {
			t.Errorf("%d identity reads recorded for one named export, want 1", n)
		}

		// Roles that may not: analysts do not export cases; an administrator may not name anyone.
		if code, _, errs := run(t, "", append([]string{"cases", "export", "--as", "analista@prueba.example"}, flags...)...); code != 1 ||
			!strings.Contains(errs, "may not export cases") {
			t.Errorf("analyst export: %d %q", code, errs)
		}
		if code, _, errs := run(t, "", append([]string{"cases", "export", "--as", "admin.pn@prueba.example", "--identities"}, flags...)...); code != 1 ||
			!strings.Contains(errs, "may not export cases with identities") {
			t.Errorf("administrator export with identities: %d %q", code, errs)
		}

		// Revoked: nothing again.
		if err := a.cases.Revoke(ctx, inspA, c.ID, polB.AgencyID); err != nil {
			t.Fatal(err)
		}
		if e := export("policia@prueba.example", "--identities"); len(e.Cases) != 0 {
			t.Errorf("revoked case exported: %+v", e)
		}
	})
}

// The demo gives each account its own slice of the cases, and a second run adds none.
func TestCLIDemoCasesGiveEachAccountASlice(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 2; i++ {
		if code, _, errs := run(t, "", "demo", "--data", dir, "--no-serve"); code != 0 {
			t.Fatalf("demo run %d: %d %q", i+1, code, errs)
		}
	}
	counts := map[string]int{}
	seen := map[string]string{}
	for _, acc := range demo.Accounts {
		code, out, errs := run(t, "", "cases", "export", "--data", dir, "--as", acc.Email, "--format", "json")
		if acc.Role == core.RoleAnalyst || acc.Role == core.RoleTrainer || acc.Role == core.RoleAuditor ||
			acc.Role == core.RoleAgencyAdmin || acc.Role == core.RoleSystemAdmin {
			if code == 0 {
				t.Errorf("%s (%s) exported cases", acc.Email, acc.Role)
			}
			continue
		}
		if code != 0 {
			t.Fatalf("export as %s: %d %q", acc.Email, code, errs)
		}
		var e exported
		if err := json.Unmarshal([]byte(out), &e); err != nil {
			t.Fatal(err)
		}
		var numbers []string
		for _, c := range e.Cases {
			numbers = append(numbers, c.Number)
			for _, p := range c.Persons {
				if p.Identity != nil {
					t.Errorf("%s: identity in an export without --identities", acc.Email)
				}
			}
		}
		counts[acc.Email] = len(e.Cases)
		slice := strings.Join(numbers, ",")
		if other, dup := seen[slice]; dup {
			t.Errorf("%s and %s see the same cases: %s", acc.Email, other, slice)
		}
		seen[slice] = acc.Email
	}
	if counts["inspectora@nanduti.example"] < 10 || counts["investigador@nanduti.example"] < 10 || counts["fiscal@nanduti.example"] < 10 {
		t.Errorf("slices too small: %v", counts)
	}
	// The kiln case of the story reaches the children's ministry in full, for the referral.
	code, out, _ := run(t, "", "cases", "export", "--data", dir, "--as", "asistente@nanduti.example", "--format", "json", "--identities")
	if code != 0 || !strings.Contains(out, demo.KilnCaseTitle) || !strings.Contains(out, "Matías Rodrigo Giménez Benítez") {
		t.Errorf("MINNA's export of the kiln case with identities: %d", code)
	}
}

// The HTCDS export holds the same cases as the JSON export, under HTCDS 2.0 names and values,
// by pseudonym only.
func TestCLICasesExportHTCDS(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := run(t, "", "demo", "--data", dir, "--no-serve"); code != 0 {
		t.Fatalf("demo: %d %q", code, errs)
	}
	as := "asistente@nanduti.example" // sees the kiln case in full
	code, plain, errs := run(t, "", "cases", "export", "--data", dir, "--as", as, "--format", "json")
	if code != 0 {
		t.Fatalf("json export: %d %q", code, errs)
	}
	code, out, errs := run(t, "", "cases", "export", "--data", dir, "--as", as, "--format", "htcds")
	if code != 0 {
		t.Fatalf("htcds export: %d %q", code, errs)
	}
	var e exported
	if err := json.Unmarshal([]byte(plain), &e); err != nil {
		t.Fatal(err)
	}
	var h struct {
		Standard string `json:"standard"`
		Cases    []struct {
			Number  string `json:"nanduti_CaseNumber"`
			Status  string `json:"cas_Status"`
			Persons []struct {
				Pseudonym     string   `json:"nanduti_Pseudonym"`
				Role          string   `json:"nanduti_RoleInCase"`
				Status        string   `json:"vic_TraffickingStatus"`
				Exploitation  []string `json:"vic_TypeOfExploitation"`
				Industry      string   `json:"vic_ForcedLabourIndustry"`
				RoleInProcess []string `json:"per_RoleInProcess"`
			} `json:"persons"`
		} `json:"cases"`
	}
	if err := json.Unmarshal([]byte(out), &h); err != nil {
		t.Fatal(err)
	}
	if h.Standard != "HTCDS 2.0" || len(h.Cases) != len(e.Cases) || len(h.Cases) == 0 {
		t.Fatalf("htcds export has %d cases (%q), json %d", len(h.Cases), h.Standard, len(e.Cases))
	}
	statuses := map[string]bool{"PossibleVictimOfTrafficking": true, "ActualVictimOfTrafficking": true, "NotAVictimOfTrafficking": true}
	forms := map[string]bool{}
	for _, f := range []string{"ForcedLabour", "SexualExploitation", "ChildLabour", "ForcedMarriage", "Servitude",
		"ForcedMilitaryByNonStateActors", "OrganRemoval", "ForcedBegging", "ForcedAdoption", "Surrogacy", "Other"} {
		forms[f] = true
	}
	victims := 0
	for i, c := range h.Cases {
		if c.Number != e.Cases[i].Number || (c.Status != "Active" && c.Status != "Closed") {
			t.Errorf("case %d: %q %q", i, c.Number, c.Status)
		}
		for _, p := range c.Persons {
			if p.Pseudonym == "" {
				t.Errorf("%s: a person without pseudonym", c.Number)
			}
			if p.Role == "victim" || p.Role == "presumed_victim" {
				victims++
				if !statuses[p.Status] {
					t.Errorf("%s: vic_TraffickingStatus %q is not an HTCDS value", c.Number, p.Status)
				}
				for _, f := range p.Exploitation {
					if !forms[f] {
						t.Errorf("%s: vic_TypeOfExploitation %q is not an HTCDS value", c.Number, f)
					}
				}
			}
			for _, r := range p.RoleInProcess {
				if !slices.Contains(cases.PerpetratorRoles, r) {
					t.Errorf("%s: per_RoleInProcess %q", c.Number, r)
				}
			}
		}
	}
	if victims == 0 {
		t.Error("no victims in the HTCDS export")
	}
	// Pseudonyms only, even for a user who may see identities.
	if strings.Contains(out, "Matías") || strings.Contains(out, "Giménez") {
		t.Error("the HTCDS export carries a name")
	}
	if code, _, errs := run(t, "", "cases", "export", "--data", dir, "--as", as, "--format", "htcds", "--identities"); code != 2 || !strings.Contains(errs, "pseudonyms only") {
		t.Errorf("htcds with --identities: %d %q", code, errs)
	}
}
