package screenings_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"nanduti/internal/accounts"
	"nanduti/internal/audit"
	"nanduti/internal/core"
	"nanduti/internal/screening"
	"nanduti/internal/screenings"
	"nanduti/internal/store"
	"nanduti/internal/store/storetest"
)

var cheap = accounts.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}

type fixture struct {
	db       *store.DB
	accounts *accounts.Service
	svc      *screenings.Service
	clock    *core.FixedClock
	labour   core.Agency
	police   core.Agency
	n        int
}

func newFixture(t *testing.T, db *store.DB, cfg screenings.Config) *fixture {
	t.Helper()
	ctx := context.Background()
	clock := core.NewFixedClock(time.Date(2026, 3, 9, 10, 30, 0, 0, time.UTC))
	f := &fixture{db: db, clock: clock, accounts: accounts.New(db.Accounts(), accounts.Config{Clock: clock, Password: cheap})}
	cfg.Clock = clock
	var err error
	if f.svc, err = screenings.New(db.Screenings(), cfg); err != nil {
		t.Fatal(err)
	}
	tf, err := f.accounts.EnsureTaskForce(ctx, core.SystemActor, "Mesa de prueba", "Alto Paraná")
	if err != nil {
		t.Fatal(err)
	}
	if f.labour, err = f.accounts.CreateAgency(ctx, core.SystemActor, accounts.NewAgency{TaskForceID: tf.ID, Code: "MTESS", Name: "Trabajo", Kind: core.AgencyLabour}); err != nil {
		t.Fatal(err)
	}
	if f.police, err = f.accounts.CreateAgency(ctx, core.SystemActor, accounts.NewAgency{TaskForceID: tf.ID, Code: "PN", Name: "Policía", Kind: core.AgencyPolice}); err != nil {
		t.Fatal(err)
	}
	return f
}

// actor creates a user with one role in agency and returns them as an actor.
func (f *fixture) actor(t *testing.T, agency core.Agency, role core.Role) core.Actor {
	t.Helper()
	f.n++
	u, err := f.accounts.CreateUser(context.Background(), core.SystemActor, accounts.NewUser{AgencyID: agency.ID,
		Email: fmt.Sprintf("persona%d@prueba.example", f.n), Name: "Persona de prueba", Roles: []core.Role{role},
		Password: "a long test password"})
	if err != nil {
		t.Fatal(err)
	}
	return core.Actor{UserID: u.ID, AgencyID: u.AgencyID, TaskForceID: agency.TaskForceID, Roles: u.Roles}
}

// scenario reads one of the engine's example inputs: synthetic situations with no names.
func scenario(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "screening", "testdata", "inputs", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func auditActions(t *testing.T, db *store.DB) []string {
	t.Helper()
	rows, err := audit.NewService(db.Audit()).List(context.Background(), core.SystemActor, audit.Filter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		if strings.HasPrefix(r.Action, "screening.") {
			out = append(out, r.Action)
		}
	}
	slices.Reverse(out)
	return out
}

func TestScreenings(t *testing.T) {
	suite := []struct {
		name string
		fn   func(*testing.T, *fixture)
	}{
		{"store, read and reproduce", testStoreAndReproduce},
		{"bad input stores nothing", testBadInput},
		{"access", testAccess},
		{"paging and counts", testPaging},
		{"link to a person", testLinkPerson},
		{"result in the reader's language", testInLanguage},
		{"reproduce after a rulebook upgrade", testReproduceAfterUpgrade},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for _, tc := range suite {
			t.Run(tc.name, func(t *testing.T) {
				// Each case on a database of its own, so that counts and audit rows are its own.
				if tc.name != suite[0].name {
					db = freshLike(t, db)
				}
				tc.fn(t, newFixture(t, db, screenings.Config{}))
			})
		}
	})
}

// freshLike opens a new empty database on the engine of db.
func freshLike(t *testing.T, db *store.DB) *store.DB {
	if db.Engine() == store.SQLite {
		return storetest.OpenSQLite(t)
	}
	return storetest.OpenPostgres(t, storetest.PostgresURL(t))
}

// testReproduceAfterUpgrade stores a screening judged by the previous embedded rulebook and
// reproduces it with a service of the current binary, which keeps that version archived.
func testReproduceAfterUpgrade(t *testing.T, f *fixture) {
	ctx := context.Background()
	var v1 *screening.Rulebook
	archived, err := screening.Archived()
	if err != nil {
		t.Fatal(err)
	}
	for _, rb := range archived {
		if rb.Version == "1.0.0" {
			v1 = rb
		}
	}
	if v1 == nil {
		t.Fatal("py-2026@1.0.0 is not archived")
	}
	old, err := screenings.New(f.db.Screenings(), screenings.Config{Clock: f.clock, Rulebook: v1})
	if err != nil {
		t.Fatal(err)
	}
	inspector := f.actor(t, f.labour, core.RoleLabourInspector)
	sc, err := old.CreateDocument(ctx, inspector, scenario(t, "adult-forced-labour"), screening.English)
	if err != nil {
		t.Fatal(err)
	}
	if sc.RulebookVersion != "1.0.0" || sc.Outcomes.Trafficking != "not_indicated" {
		t.Fatalf("stored by 1.0.0: %+v", sc.Summary)
	}
	// The current rulebook judges the same input otherwise...
	cur, err := f.svc.CreateDocument(ctx, inspector, scenario(t, "adult-forced-labour"), screening.English)
	if err != nil {
		t.Fatal(err)
	}
	if cur.RulebookVersion == "1.0.0" || cur.Outcomes.Trafficking != "indicated" {
		t.Fatalf("stored by the current rulebook: %+v", cur.Summary)
	}
	// ...and still reproduces the old screening exactly, with the version that judged it.
	rep, err := f.svc.Reproduce(ctx, inspector, sc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Same {
		t.Errorf("reproduction differs:\n%s\n%s", rep.ResultJSON, sc.ResultJSON)
	}
}

func testStoreAndReproduce(t *testing.T, f *fixture) {
	ctx := context.Background()
	inspector := f.actor(t, f.labour, core.RoleLabourInspector)
	sc, err := f.svc.CreateDocument(ctx, inspector, scenario(t, "brick-kiln-boy-15"), screening.Spanish)
	if err != nil {
		t.Fatal(err)
	}
	want := screenings.Outcomes{Trafficking: "indicated", ForcedLabour: "indicated", ChildLabour: "child_labour"}
	if sc.ID == 0 || sc.AgencyID != f.labour.ID || sc.OfficerID != inspector.UserID || sc.Outcomes != want {
		t.Fatalf("created %+v", sc.Summary)
	}
	if sc.RulebookID != "py-2026" || sc.RulebookVersion != "1.1.0" || !sc.CreatedAt.Equal(f.clock.Now()) {
		t.Errorf("rulebook %s %s at %v", sc.RulebookID, sc.RulebookVersion, sc.CreatedAt)
	}

	// Years later: read back, every stored part as it was written.
	f.clock.Advance(3 * 365 * 24 * time.Hour)
	got, err := f.svc.Get(ctx, inspector, sc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.InputJSON) != string(sc.InputJSON) || string(got.ResultJSON) != string(sc.ResultJSON) ||
		got.Summary != sc.Summary || got.Lang != screening.Spanish {
		t.Fatalf("read back differs:\n%+v\n%+v", got.Summary, sc.Summary)
	}
	if *got.Input.Subject.Age != 15 || !slices.Contains(got.Input.Work.Activities, "brick_kiln") {
		t.Errorf("stored input: %s", got.InputJSON)
	}
	cl, _ := got.Result.Framework(screening.FrameworkChildLabour)
	for _, c := range []string{"hazardous", "excessive_hours", "night_work"} {
		if !slices.Contains(cl.Categories, c) {
			t.Errorf("child labour categories %v lack %s", cl.Categories, c)
		}
	}
	// The stored input holds only what the reference's input document has: no name, no note.
	var doc map[string]any
	json.Unmarshal(got.InputJSON, &doc)
	for k := range doc {
		if !slices.Contains([]string{"subject", "exploitation", "act", "indicators", "work"}, k) {
			t.Errorf("stored input has field %q", k)
		}
	}

	// The stored input with the stored rulebook version gives the same result, byte for byte.
	rep, err := f.svc.Reproduce(ctx, inspector, sc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Same || string(rep.ResultJSON) != string(sc.ResultJSON) {
		t.Errorf("reproduction differs:\n%s\n%s", rep.ResultJSON, sc.ResultJSON)
	}
	// ... and the comparison can fail: a result altered in the database is told apart.
	altered := strings.Replace(string(sc.ResultJSON), `"outcome":"indicated"`, `"outcome":"not_indicated"`, 1)
	if err := f.db.ExecForTest(ctx, "UPDATE screenings SET result = '"+strings.ReplaceAll(altered, "'", "''")+"'"); err != nil {
		t.Fatal(err)
	}
	if rep, err := f.svc.Reproduce(ctx, inspector, sc.ID); err != nil || rep.Same {
		t.Errorf("an altered stored result reproduces as the same: %v", err)
	}
	if got := auditActions(t, f.db); !slices.Equal(got, []string{"screening.create", "screening.read", "screening.reproduce", "screening.reproduce"}) {
		t.Errorf("audit rows %v", got)
	}
	rows, _ := audit.NewService(f.db.Audit()).List(ctx, core.SystemActor, audit.Filter{Action: "screening.create", Limit: 1})
	if len(rows) != 1 || rows[0].ObjectAgencyID != f.labour.ID || rows[0].ObjectID == "" || rows[0].ActorUserID != inspector.UserID {
		t.Errorf("create audit row %+v", rows)
	}

	// A rulebook version that is no longer at hand cannot reproduce, and says so.
	if err := f.db.ExecForTest(ctx, "UPDATE screenings SET rulebook_version = '0.9.0'"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Reproduce(ctx, inspector, sc.ID); !core.Is(err, core.Conflict) {
		t.Errorf("reproducing with a missing rulebook version: %v", err)
	}
}

func testBadInput(t *testing.T, f *fixture) {
	ctx := context.Background()
	officer := f.actor(t, f.police, core.RoleInvestigator)
	cases := []struct {
		name, doc string
		want      map[string]string // field -> key
	}{
		{"age missing", `{"exploitation": "labour"}`, map[string]string{"subject.age": "screening.error.age"}},
		{"age out of range", `{"subject": {"age": 130}, "exploitation": "labour"}`, map[string]string{"subject.age": "screening.error.age"}},
		{"sex and exploitation", `{"subject": {"age": 20, "sex": "x"}, "exploitation": "work"}`,
			map[string]string{"subject.sex": "screening.error.sex", "exploitation": "screening.error.exploitation"}},
		{"unknown and repeated ids", `{"subject": {"age": 20}, "exploitation": "labour", "indicators": ["dr_wage", "dr_wages", "dr_wages"], "act": ["kidnap"]}`,
			map[string]string{"indicators[0]": "screening.error.unknown_id", "indicators[2]": "screening.error.listed_twice", "act[0]": "screening.error.unknown_id"}},
		{"hours", `{"subject": {"age": 20}, "exploitation": "labour", "work": {"economic_hours_per_week": -1, "household_chores_hours_per_week": 200}}`,
			map[string]string{"work.economic_hours_per_week": "screening.error.hours_negative", "work.household_chores_hours_per_week": "screening.error.hours_max"}},
		{"week exceeded", `{"subject": {"age": 20}, "exploitation": "labour", "work": {"economic_hours_per_week": 100, "household_chores_hours_per_week": 100}}`,
			map[string]string{"work.household_chores_hours_per_week": "screening.error.hours_week"}},
		{"unknown field", `{"subject": {"age": 20, "name": "x"}, "exploitation": "labour"}`, map[string]string{"subject.name": "screening.error.unknown_field"}},
		{"wrong type", `{"subject": {"age": "veinte"}, "exploitation": "labour"}`, map[string]string{"subject.age": "screening.error.type"}},
		{"not JSON", `{"subject":`, map[string]string{"document": "screening.error.document"}},
	}
	for _, c := range cases {
		_, err := f.svc.CreateDocument(ctx, officer, []byte(c.doc), screening.Spanish)
		ce, ok := err.(*core.Error)
		if !ok || ce.Code != core.Invalid {
			t.Errorf("%s: %v, want invalid", c.name, err)
			continue
		}
		got := map[string]string{}
		for _, fe := range ce.Fields {
			got[fe.Field] = fe.Key
		}
		for field, key := range c.want {
			if got[field] != key {
				t.Errorf("%s: field %s has %q, want %q (all: %v)", c.name, field, got[field], key, got)
			}
		}
	}
	in := screening.Input{Subject: screening.Subject{Age: new(20)}, Exploitation: "labour"}
	if _, err := f.svc.Create(ctx, officer, in, "fr"); !core.Is(err, core.Invalid) {
		t.Errorf("unknown language: %v", err)
	}
	in.Work.EconomicHoursPerWeek = nan()
	if _, err := f.svc.Create(ctx, officer, in, screening.Spanish); !core.Is(err, core.Invalid) {
		t.Errorf("NaN hours: %v", err)
	}
	// Nothing was stored and nothing was audited.
	l, err := f.svc.List(ctx, officer, screenings.Page{})
	if err != nil || l.Counts.Total != 0 || len(l.Screenings) != 0 {
		t.Errorf("after bad input: %+v %v", l, err)
	}
	if got := auditActions(t, f.db); slices.Contains(got, "screening.create") {
		t.Errorf("bad input audited as created: %v", got)
	}
}

func nan() float64 {
	var zero float64
	return zero / zero
}

func testAccess(t *testing.T, f *fixture) {
	ctx := context.Background()
	owner := f.actor(t, f.labour, core.RoleLabourInspector)
	sc, err := f.svc.CreateDocument(ctx, owner, scenario(t, "criadazgo-girl-12"), screening.Spanish)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		create bool
		get    core.Code // "" for allowed
		list   string    // "list", "counts" or "forbidden"
	}
	seeing := want{true, "", "list"}
	for _, role := range core.AllRoles {
		var w want
		switch role {
		case core.RoleInvestigator, core.RoleProsecutor, core.RoleLabourInspector, core.RoleImmigrationOfficer, core.RoleCaseworker:
			w = seeing
		case core.RoleAgencyAdmin:
			w = want{false, "", "list"}
		case core.RoleAnalyst:
			w = want{false, core.NotFound, "counts"}
		default:
			w = want{false, core.NotFound, "forbidden"}
		}
		for _, agency := range []core.Agency{f.labour, f.police} {
			a := f.actor(t, agency, role)
			_, err := f.svc.CreateDocument(ctx, a, scenario(t, "adult-one-medium-each"), screening.English)
			if (err == nil) != w.create || (err != nil && !core.Is(err, core.Forbidden)) {
				t.Errorf("%s of %s: create: %v", role, agency.Code, err)
			}
			_, err = f.svc.Get(ctx, a, sc.ID)
			wantGet := w.get
			if agency.ID != f.labour.ID {
				wantGet = core.NotFound // another agency's screening never shows
			}
			if core.ErrorCode(err) != wantGet {
				t.Errorf("%s of %s: get: %v, want %q", role, agency.Code, err, wantGet)
			}
			l, err := f.svc.List(ctx, a, screenings.Page{})
			var gotList string
			switch {
			case core.Is(err, core.Forbidden):
				gotList = "forbidden"
			case err != nil:
				t.Fatalf("%s: list: %v", role, err)
			case l.CountsOnly:
				gotList = "counts"
				if len(l.Screenings) != 0 {
					t.Errorf("%s of %s: counts-only listing carries screenings", role, agency.Code)
				}
			default:
				gotList = "list"
			}
			if gotList != w.list {
				t.Errorf("%s of %s: list gives %s, want %s", role, agency.Code, gotList, w.list)
			}
			for _, s := range l.Screenings {
				if s.AgencyID != a.AgencyID {
					t.Errorf("%s of %s: list shows another agency's screening %d", role, agency.Code, s.ID)
				}
			}
			if _, err := f.svc.Reproduce(ctx, a, sc.ID); core.ErrorCode(err) != wantGet {
				t.Errorf("%s of %s: reproduce: %v", role, agency.Code, err)
			}
		}
	}
	if _, err := f.svc.Get(ctx, core.SystemActor, sc.ID); !core.Is(err, core.NotFound) {
		t.Errorf("system actor: %v", err)
	}
	if _, err := f.svc.Get(ctx, owner, 999999); !core.Is(err, core.NotFound) {
		t.Errorf("missing screening: %v", err)
	}
}

func testPaging(t *testing.T, f *fixture) {
	ctx := context.Background()
	officer := f.actor(t, f.labour, core.RoleLabourInspector)
	other := f.actor(t, f.police, core.RoleInvestigator)
	names := []string{"brick-kiln-boy-15", "criadazgo-girl-12", "adult-forced-labour", "adult-one-medium-each", "agrochemicals-boy-16"}
	var ids []int64
	for _, n := range names {
		f.clock.Advance(time.Minute)
		sc, err := f.svc.CreateDocument(ctx, officer, scenario(t, n), screening.Spanish)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, sc.ID)
	}
	if _, err := f.svc.CreateDocument(ctx, other, scenario(t, "sexual-exploitation-girl-16"), screening.Spanish); err != nil {
		t.Fatal(err)
	}
	var seen []int64
	p := screenings.Page{Limit: 2}
	for pages := 0; ; pages++ {
		l, err := f.svc.List(ctx, officer, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Screenings) > 2 || pages > 3 {
			t.Fatalf("page %d: %d screenings", pages, len(l.Screenings))
		}
		for _, s := range l.Screenings {
			seen = append(seen, s.ID)
		}
		if l.Next == 0 {
			break
		}
		p.Before = l.Next
	}
	want := slices.Clone(ids)
	slices.Reverse(want)
	if !slices.Equal(seen, want) {
		t.Errorf("pages give %v, want newest first %v", seen, want)
	}
	l, _ := f.svc.List(ctx, officer, screenings.Page{})
	c := l.Counts
	if c.Total != 5 || c.Trafficking["indicated"] != 2 || c.Trafficking["not_indicated"] != 3 ||
		c.ChildLabour["child_labour"] != 3 || c.ChildLabour["not_applicable"] != 2 || c.ForcedLabour["indicated"] != 3 {
		t.Errorf("counts %+v", c)
	}
	analyst := f.actor(t, f.labour, core.RoleAnalyst)
	if l, err := f.svc.List(ctx, analyst, screenings.Page{}); err != nil || l.Counts.Total != 5 || !l.CountsOnly {
		t.Errorf("analyst counts %+v %v", l, err)
	}
	for _, bad := range []screenings.Page{{Limit: -1}, {Limit: screenings.MaxPageSize + 1}, {Before: -3}} {
		if _, err := f.svc.List(ctx, officer, bad); !core.Is(err, core.Invalid) {
			t.Errorf("page %+v: %v", bad, err)
		}
	}
}

func testLinkPerson(t *testing.T, f *fixture) {
	ctx := context.Background()
	// Without the persons module's check, no link is made at all (fail closed).
	unchecked := f.actor(t, f.labour, core.RoleLabourInspector)
	sc0, err := f.svc.CreateDocument(ctx, unchecked, scenario(t, "brick-kiln-boy-15"), screening.Spanish)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.LinkPerson(ctx, unchecked, sc0.ID, 42); !core.Is(err, core.Forbidden) {
		t.Errorf("link without a person check: %v, want forbidden", err)
	}

	// With the persons module wired, its check decides (here: only person 5 is visible).
	checked := newFixture(t, freshLike(t, f.db), screenings.Config{CheckPerson: func(_ context.Context, _ core.Actor, personID int64) error {
		if personID != 5 {
			return core.Errorf(core.NotFound, "error.not_found")
		}
		return nil
	}})
	officer := checked.actor(t, checked.labour, core.RoleLabourInspector)
	admin := checked.actor(t, checked.labour, core.RoleAgencyAdmin)
	outsider := checked.actor(t, checked.police, core.RoleInvestigator)
	sc, err := checked.svc.CreateDocument(ctx, officer, scenario(t, "brick-kiln-boy-15"), screening.Spanish)
	if err != nil {
		t.Fatal(err)
	}
	// A person the check refuses is a field error on person_id, worded as a number that
	// names nobody, so the page can keep what was typed and tell nothing more.
	if err := checked.svc.LinkPerson(ctx, officer, sc.ID, 6); !core.Is(err, core.Invalid) || !hasField(err, "person_id", "screening.error.person_unknown") {
		t.Errorf("a person the check refuses: %v", err)
	}
	// Someone who may not link learns nothing about persons: the screening is checked first.
	if err := checked.svc.LinkPerson(ctx, admin, sc.ID, 6); !core.Is(err, core.Forbidden) {
		t.Errorf("an administrator links an invisible person: %v", err)
	}
	if err := checked.svc.LinkPerson(ctx, outsider, sc.ID, 6); !core.Is(err, core.NotFound) {
		t.Errorf("another agency links an invisible person: %v", err)
	}
	if err := checked.svc.LinkPerson(ctx, officer, sc.ID, 5); err != nil {
		t.Fatalf("a person the check accepts: %v", err)
	}
	if got, _ := checked.svc.Get(ctx, officer, sc.ID); got.PersonID != 5 {
		t.Errorf("linked person %d", got.PersonID)
	}
	if err := checked.svc.LinkPerson(ctx, outsider, sc.ID, 5); !core.Is(err, core.NotFound) {
		t.Errorf("another agency links: %v", err)
	}
	if err := checked.svc.LinkPerson(ctx, admin, sc.ID, 5); !core.Is(err, core.Forbidden) {
		t.Errorf("an administrator links: %v", err)
	}
	if err := checked.svc.LinkPerson(ctx, officer, sc.ID, -1); !core.Is(err, core.Invalid) {
		t.Errorf("negative person id: %v", err)
	}
	if err := checked.svc.LinkPerson(ctx, officer, 999999, 5); !core.Is(err, core.NotFound) {
		t.Errorf("missing screening: %v", err)
	}
	if err := checked.svc.LinkPerson(ctx, officer, sc.ID, 0); err != nil {
		t.Fatal(err)
	}
	if got, _ := checked.svc.Get(ctx, officer, sc.ID); got.PersonID != 0 {
		t.Errorf("unlinked, still person %d", got.PersonID)
	}
	if got := auditActions(t, checked.db); !slices.Equal(got, []string{"screening.create", "screening.link_person", "screening.read",
		"screening.unlink_person", "screening.read"}) {
		t.Errorf("audit rows %v", got)
	}
}

func testInLanguage(t *testing.T, f *fixture) {
	ctx := context.Background()
	officer := f.actor(t, f.labour, core.RoleLabourInspector)
	sc, err := f.svc.CreateDocument(ctx, officer, scenario(t, "criadazgo-girl-12"), screening.Spanish)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.Get(ctx, officer, sc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r := f.svc.InLanguage(got, screening.Spanish); r != got.Result {
		t.Error("the stored language does not give the stored result")
	}
	en := f.svc.InLanguage(got, screening.English)
	es, _ := got.Result.Framework(screening.FrameworkChildLabour)
	enCL, _ := en.Framework(screening.FrameworkChildLabour)
	if en.Lang != screening.English || enCL.Outcome != es.Outcome || enCL.Explanation == es.Explanation ||
		!strings.Contains(strings.ToLower(enCL.Explanation), "child labour") {
		t.Errorf("English view: %q (stored: %q)", enCL.Explanation, es.Explanation)
	}
	// Without the rulebook version at hand, the stored words are shown.
	got.RulebookVersion = "0.1.0"
	if r := f.svc.InLanguage(got, screening.English); r != got.Result {
		t.Error("an unavailable rulebook version was used")
	}
}

func hasField(err error, field, key string) bool {
	var ce *core.Error
	if !errors.As(err, &ce) {
		return false
	}
	for _, f := range ce.Fields {
		if f.Field == field && f.Key == key {
			return true
		}
	}
	return false
}
