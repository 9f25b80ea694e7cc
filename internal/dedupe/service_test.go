package dedupe_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"nanduti/internal/access"
	"nanduti/internal/accounts"
	"nanduti/internal/audit"
	"nanduti/internal/cases"
	"nanduti/internal/casewire"
	"nanduti/internal/core"
	"nanduti/internal/dedupe"
	"nanduti/internal/persons"
	"nanduti/internal/seal"
	"nanduti/internal/store"
	"nanduti/internal/store/storetest"
)

type fixture struct {
	t        *testing.T
	db       *store.DB
	clock    *core.FixedClock
	svc      casewire.Services
	dedupe   *dedupe.Service
	audit    *audit.Service
	acc      *accounts.Service
	tf       core.TaskForce
	agencies map[string]core.Agency
	n        int
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	f := newServices(t, db)
	var err error
	if f.tf, err = f.acc.EnsureTaskForce(context.Background(), core.SystemActor, "Mesa de prueba", "Alto Paraná"); err != nil {
		t.Fatal(err)
	}
	return f
}

// newServices wires the services on an empty database, without any task force.
func newServices(t *testing.T, db *store.DB) *fixture {
	clock := core.NewFixedClock(time.Date(2026, 4, 2, 10, 0, 0, 0, time.UTC))
	ring, err := seal.CreateRing(filepath.Join(t.TempDir(), "keys", "kek.json"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, db: db, clock: clock, svc: casewire.New(db, ring, casewire.Config{Clock: clock}),
		audit: audit.NewService(db.Audit()), agencies: map[string]core.Agency{},
		acc: accounts.New(db.Accounts(), accounts.Config{Clock: clock, Password: accounts.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}})}
	f.dedupe = dedupe.New(db.Dedupe(), f.svc.Persons, dedupe.Config{Clock: clock, Cases: f.svc.Cases})
	return f
}

// user creates a user of the agency with this code (creating the agency on first use).
func (f *fixture) user(code string, roles ...core.Role) core.Actor {
	f.t.Helper()
	ctx := context.Background()
	ag, ok := f.agencies[code]
	if !ok {
		var err error
		if ag, err = f.acc.CreateAgency(ctx, core.SystemActor, accounts.NewAgency{TaskForceID: f.tf.ID, Code: code, Name: "Agencia " + code, Kind: core.AgencyOther}); err != nil {
			f.t.Fatal(err)
		}
		f.agencies[code] = ag
	}
	f.n++
	u, err := f.acc.CreateUser(ctx, core.SystemActor, accounts.NewUser{AgencyID: ag.ID, Email: strings.ToLower(code) + string(rune('a'+f.n)) + "@prueba.example",
		Name: "Persona " + code, Roles: roles, Password: "a long test password"})
	if err != nil {
		f.t.Fatal(err)
	}
	return core.Actor{UserID: u.ID, AgencyID: ag.ID, TaskForceID: f.tf.ID, Roles: u.Roles}
}

func (f *fixture) person(actor core.Actor, gender string, id persons.Identity) int64 {
	f.t.Helper()
	p, err := f.svc.Persons.Create(context.Background(), actor, persons.Input{Kind: persons.KindVictim,
		Profile: persons.Profile{Gender: gender, Citizenship: []string{"PRY"}}, Identity: id})
	if err != nil {
		f.t.Fatal(err)
	}
	f.clock.Advance(time.Hour)
	return p.ID
}

func (f *fixture) count(action string) int {
	rows, err := f.audit.List(context.Background(), core.SystemActor, audit.Filter{Action: action, Limit: 1000})
	if err != nil {
		f.t.Fatal(err)
	}
	return len(rows)
}

// candidateOf finds the stored candidate of two persons.
func (f *fixture) candidateOf(a, b int64) (dedupe.Candidate, bool) {
	if a > b {
		a, b = b, a
	}
	var c dedupe.Candidate
	var ok bool
	err := f.db.Dedupe().Read(context.Background(), func(tx dedupe.Tx) error {
		all, err := tx.DedupeCandidateStates(context.Background())
		c, ok = all[[2]int64{a, b}]
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return c, ok
}

// plant records the synthetic people of the tests: three duplicates spelt otherwise across
// agencies and a crowd of distinct people around them.
type planted struct {
	benitezA, benitezB int64 // Benítez / Benites, MTESS and MINNA
	swappedA, swappedB int64 // surnames swapped, police and MINNA
	nodateA, nodateB   int64 // a birth date missing on one side
	namesakeA          int64 // same common name, another birth date and document
}

func plant(f *fixture, mtess, minna, police core.Actor) planted {
	var p planted
	p.benitezA = f.person(mtess, "Masculine", persons.Identity{GivenNames: "Tobías Arandu", PaternalSurname: "Benítez", MaternalSurname: "Ortiz",
		BirthDate: "2010-08-14", Document: persons.Document{Type: "ci", Number: "7.301.552"}})
	p.benitezB = f.person(minna, "Masculine", persons.Identity{GivenNames: "Tobias", PaternalSurname: "Benites", MaternalSurname: "Ortíz",
		BirthDate: "2010-08-14"})
	p.swappedA = f.person(police, "Feminine", persons.Identity{GivenNames: "Ramona Mercedes", PaternalSurname: "Cáceres", MaternalSurname: "Villalba",
		BirthDate: "1999-02-03", Phones: []string{"+595981301777"}})
	p.swappedB = f.person(minna, "Feminine", persons.Identity{GivenNames: "Ramona", PaternalSurname: "Villalba", MaternalSurname: "Caceres",
		BirthDate: "1999-02-03"})
	p.nodateA = f.person(mtess, "Feminine", persons.Identity{GivenNames: "Liz Johana", PaternalSurname: "Arévalo", MaternalSurname: "Giménez",
		BirthDate: "2008-11-30", Document: persons.Document{Type: "ci", Number: "6.550.120"}})
	p.nodateB = f.person(police, "Feminine", persons.Identity{GivenNames: "Lis Johanna", PaternalSurname: "Arevalo", MaternalSurname: "Jiménez",
		Document: persons.Document{Type: "ci", Number: "6550120"}})
	p.namesakeA = f.person(police, "Masculine", persons.Identity{GivenNames: "Tobías", PaternalSurname: "Benítez", MaternalSurname: "Ortiz",
		BirthDate: "1971-05-20", Document: persons.Document{Type: "ci", Number: "1.204.993"}})
	given := []string{"María", "José", "Juan", "Ana", "Carlos", "Rosa", "Pedro", "Lucía", "Diego", "Elena", "Hugo", "Celeste"}
	surnames := []string{"González", "Martínez", "Ramírez", "Duarte", "Sanabria", "Núñez", "Rolón", "Escobar", "Cabrera", "Acosta", "Ayala", "Paredes"}
	for i := 0; i < 36; i++ {
		who := []core.Actor{mtess, minna, police}[i%3]
		f.person(who, []string{"Feminine", "Masculine"}[i%2], persons.Identity{GivenNames: given[i%len(given)],
			PaternalSurname: surnames[(i*5)%len(surnames)], MaternalSurname: surnames[(i*7+3)%len(surnames)],
			BirthDate: time.Date(1980+i%30, time.Month(1+i%12), 1+i%27, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)})
	}
	return p
}

func TestDedupeFindsPlantedDuplicates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		mtess := f.user("MTESS", core.RoleLabourInspector)
		minna := f.user("MINNA", core.RoleCaseworker)
		police := f.user("PN", core.RoleInvestigator)
		p := plant(f, mtess, minna, police)

		if _, err := f.dedupe.Run(ctx, mtess, dedupe.RunOptions{}); !core.Is(err, core.Forbidden) {
			t.Errorf("a user ran the job: %v", err)
		}
		sum, err := f.dedupe.Run(ctx, core.SystemActor, dedupe.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("run: %+v", sum)
		for _, pair := range [][2]int64{{p.benitezA, p.benitezB}, {p.swappedA, p.swappedB}, {p.nodateA, p.nodateB}} {
			c, ok := f.candidateOf(pair[0], pair[1])
			if !ok || c.Status != dedupe.StatusOpen {
				t.Errorf("planted duplicate %v not proposed", pair)
				continue
			}
			if c.Weight < dedupe.DefaultThreshold {
				t.Errorf("candidate %v below the threshold: %.1f", pair, c.Weight)
			}
		}
		if c, ok := f.candidateOf(p.nodateA, p.nodateB); ok && c.Levels[dedupe.FieldBirthDate] != -1 {
			t.Errorf("missing birth date compared as level %d", c.Levels[dedupe.FieldBirthDate])
		}
		for _, other := range []int64{p.benitezA, p.benitezB} {
			if _, ok := f.candidateOf(other, p.namesakeA); ok {
				t.Errorf("the namesake born in 1971 was proposed as the boy")
			}
		}
		if sum.New != 3 || sum.Found != 3 {
			t.Errorf("run found %d (new %d), want exactly the three planted duplicates", sum.Found, sum.New)
		}
		if f.count(dedupe.ActionRun) != 1 {
			t.Error("the run is not audited")
		}
		// Nothing of any identity is stored with the candidates.
		var stored []string
		db.Dedupe().Read(ctx, func(tx dedupe.Tx) error {
			all, _ := tx.DedupeCandidateStates(ctx)
			for _, c := range all {
				stored = append(stored, dedupe.FormatLevels(c.Levels))
			}
			return nil
		})
		for _, s := range stored {
			for _, word := range []string{"enit", "Tob", "2010", "7301552"} {
				if strings.Contains(s, word) {
					t.Errorf("candidate levels %q hold a value", s)
				}
			}
		}

		// A second run proposes nothing new; a rejected pair is not proposed again.
		c, _ := f.candidateOf(p.swappedA, p.swappedB)
		sum2, err := f.dedupe.Run(ctx, core.SystemActor, dedupe.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if sum2.New != 0 || sum2.Updated != 3 {
			t.Errorf("second run: %+v", sum2)
		}
		// The job's own rule (rejection through the service is in the need-to-know test): a
		// rejected candidate stays rejected.
		c.Status = dedupe.StatusRejected
		if err := db.Dedupe().Write(ctx, func(tx dedupe.Tx) error { return tx.UpdateDedupeCandidate(ctx, c) }); err != nil {
			t.Fatal(err)
		}
		sum3, err := f.dedupe.Run(ctx, core.SystemActor, dedupe.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if after, _ := f.candidateOf(p.swappedA, p.swappedB); after.Status != dedupe.StatusRejected || sum3.Skipped != 1 {
			t.Errorf("rejected pair proposed again: %s, %+v", after.Status, sum3)
		}
	})
}

// shareCaseWith opens a case of the owner's agency holding the person and shares it.
func (f *fixture) shareCaseWith(owner core.Actor, personID, withAgency int64, level core.ShareLevel) cases.Case {
	f.t.Helper()
	ctx := context.Background()
	c, err := f.svc.Cases.Create(ctx, owner, cases.Input{Title: "Olería cerca de Ciudad del Este", Exploitation: []string{"ChildLabour"},
		Department: "10", ReportedOn: "2026-03-02", Source: "inspection"})
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.svc.Cases.AddPerson(ctx, owner, c.ID, cases.PersonInput{PersonID: personID, Role: "victim", VictimStatus: "possible"}); err != nil {
		f.t.Fatal(err)
	}
	if withAgency != 0 {
		if err := f.svc.Cases.Share(ctx, owner, c.ID, withAgency, level); err != nil {
			f.t.Fatal(err)
		}
	}
	return c
}

func TestDedupeNeedToKnowConfirmUndo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		mtess := f.user("MTESS", core.RoleLabourInspector)
		minna := f.user("MINNA", core.RoleCaseworker)
		police := f.user("PN", core.RoleInvestigator)
		analystMINNA := f.user("MINNA", core.RoleAnalyst)
		p := plant(f, mtess, minna, police)
		// The boy is in an MTESS case; MINNA's record of him is in no case.
		kiln := f.shareCaseWith(mtess, p.benitezA, 0, "")
		if _, err := f.dedupe.Run(ctx, core.SystemActor, dedupe.RunOptions{}); err != nil {
			t.Fatal(err)
		}
		boy, _ := f.candidateOf(p.benitezA, p.benitezB)

		// Neither record visible: the police see nothing of the boy's candidate.
		if _, err := f.dedupe.Get(ctx, police, boy.ID); !core.Is(err, core.NotFound) {
			t.Errorf("police see the boy's candidate: %v", err)
		}
		list, _, err := f.dedupe.List(ctx, police)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range list {
			if v.ID == boy.ID {
				t.Error("the boy's candidate is listed for the police")
			}
		}

		// One side visible: MINNA is told only that another agency's record may be the same
		// person, with nothing of that record.
		v, err := f.dedupe.Get(ctx, minna, boy.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Sight != access.SightOneSide || v.A != nil || v.B != nil || v.Levels != nil || v.Weight != 0 || v.Own == nil || v.Own.PersonID != p.benitezB || !v.CanRequest {
			t.Errorf("MINNA's one-sided view: %+v", v)
		}
		// The same is told to MTESS about its own record.
		v, err = f.dedupe.Get(ctx, mtess, boy.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Sight != access.SightOneSide || v.Own == nil || v.Own.PersonID != p.benitezA {
			t.Errorf("MTESS's one-sided view: %+v", v)
		}
		// Nobody decides on what they cannot see.
		if _, err := f.dedupe.Confirm(ctx, minna, boy.ID, dedupe.CanonicalByRule); !core.Is(err, core.NotFound) {
			t.Errorf("confirmed with one side hidden: %v", err)
		}
		if _, err := f.dedupe.Reject(ctx, mtess, boy.ID); !core.Is(err, core.NotFound) {
			t.Errorf("rejected with one side hidden: %v", err)
		}

		// MINNA asks for access: MTESS's case gets an access request, MTESS a notice.
		if _, err := f.dedupe.RequestAccess(ctx, minna, boy.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.dedupe.RequestAccess(ctx, minna, boy.ID); !core.Is(err, core.Conflict) {
			t.Errorf("second request: %v", err)
		}
		sh, err := f.svc.Cases.Sharing(ctx, mtess, kiln.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(sh.Requests) != 1 || sh.Requests[0].AgencyID != minna.AgencyID || strings.Contains(sh.Requests[0].Reason, "Benit") {
			t.Errorf("case access requests: %+v", sh.Requests)
		}
		_, notices, err := f.dedupe.List(ctx, mtess)
		if err != nil {
			t.Fatal(err)
		}
		if len(notices) != 1 || notices[0].FromAgencyName != "Agencia MINNA" || notices[0].CaseNumber != kiln.Number {
			t.Errorf("MTESS notices: %+v", notices)
		}
		if f.count(dedupe.ActionAccessRequest) != 1 || f.count("case.access_request") != 1 {
			t.Error("the access request is not audited")
		}

		// MTESS shares the case at full level: MINNA now sees both and decides.
		if err := f.svc.Cases.Share(ctx, mtess, kiln.ID, minna.AgencyID, core.ShareFull); err != nil {
			t.Fatal(err)
		}
		reads := f.count(persons.ActionIdentityRead)
		v, err = f.dedupe.Get(ctx, minna, boy.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Sight != access.SightBoth || !v.CanDecide || v.A.Identity == nil || v.B.Identity == nil || v.A.Identity.PaternalSurname != "Benítez" {
			t.Fatalf("MINNA's view after sharing: %+v", v)
		}
		if got := f.count(persons.ActionIdentityRead) - reads; got != 2 {
			t.Errorf("%d identity reads audited, want 2", got)
		}
		// MINNA's analyst sees both by pseudonym and decides nothing.
		av, err := f.dedupe.Get(ctx, analystMINNA, boy.ID)
		if err != nil {
			t.Fatal(err)
		}
		if av.Sight != access.SightBoth || av.CanDecide || av.A.Identity != nil || av.B.Identity != nil {
			t.Errorf("analyst's view: %+v", av)
		}
		if _, err := f.dedupe.Confirm(ctx, analystMINNA, boy.ID, 0); !core.Is(err, core.Forbidden) {
			t.Errorf("analyst confirmed: %v", err)
		}

		// Confirm by rule: the older record (MTESS's) stands for the boy.
		if _, err := f.dedupe.Confirm(ctx, minna, boy.ID, 999999); !core.Is(err, core.Invalid) {
			t.Errorf("canonical outside the pair: %v", err)
		}
		v, err = f.dedupe.Confirm(ctx, minna, boy.ID, dedupe.CanonicalByRule)
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != dedupe.StatusConfirmed || v.Merge == nil || v.Merge.CanonicalPersonID != p.benitezA || !v.Merge.Active ||
			v.Merge.ConfirmedAgencyName != "Agencia MINNA" {
			t.Errorf("after confirming: %+v %+v", v, v.Merge)
		}
		if _, err := f.dedupe.Confirm(ctx, minna, boy.ID, 0); !core.Is(err, core.Conflict) {
			t.Errorf("confirmed twice: %v", err)
		}
		notes, err := f.dedupe.MergeNotes(ctx, minna, p.benitezB)
		if err != nil {
			t.Fatal(err)
		}
		if len(notes) != 1 || notes[0].OtherPersonID != p.benitezA || notes[0].Canonical || notes[0].AgencyName != "Agencia MINNA" {
			t.Errorf("merge notes: %+v", notes)
		}
		if notes, _ := f.dedupe.MergeNotes(ctx, police, p.benitezB); len(notes) != 0 {
			t.Errorf("police told of the merge: %+v", notes)
		}
		if f.count(dedupe.ActionConfirm) != 1 || f.count(dedupe.ActionMerge) != 1 {
			t.Error("the confirmation is not audited")
		}

		// Undo keeps the row and opens the candidate again.
		v, err = f.dedupe.Undo(ctx, minna, boy.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != dedupe.StatusOpen || v.Merge == nil || v.Merge.Active || v.Merge.UndoneAt.IsZero() {
			t.Errorf("after undoing: %+v %+v", v, v.Merge)
		}
		if _, err := f.dedupe.Undo(ctx, minna, boy.ID); !core.Is(err, core.Conflict) {
			t.Errorf("undone twice: %v", err)
		}
		if f.count(dedupe.ActionUndo) != 1 || f.count(dedupe.ActionMergeUndo) != 1 {
			t.Error("the undo is not audited")
		}
		// Confirm again, choosing MINNA's record; then the job leaves the pair alone.
		if v, err = f.dedupe.Confirm(ctx, minna, boy.ID, p.benitezB); err != nil || v.Merge.CanonicalPersonID != p.benitezB {
			t.Fatalf("confirm with a chosen record: %v %+v", err, v.Merge)
		}
		var merges int
		db.Dedupe().Read(ctx, func(tx dedupe.Tx) error {
			all, err := tx.ActivePersonMerges(ctx)
			merges = len(all)
			return err
		})
		if merges != 1 {
			t.Errorf("%d active merges, want 1", merges)
		}

		// Reject: the swapped-surname pair shared with MINNA by the police.
		f.shareCaseWith(police, p.swappedA, minna.AgencyID, core.ShareFull)
		sw, _ := f.candidateOf(p.swappedA, p.swappedB)
		if _, err := f.dedupe.Reject(ctx, minna, sw.ID); err != nil {
			t.Fatal(err)
		}
		sum, err := f.dedupe.Run(ctx, core.SystemActor, dedupe.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if after, _ := f.candidateOf(p.swappedA, p.swappedB); after.Status != dedupe.StatusRejected || sum.New != 0 {
			t.Errorf("rejected pair proposed again: %s %+v", after.Status, sum)
		}
		if f.count(dedupe.ActionReject) != 1 || f.count(dedupe.ActionRead) != 4 || f.count(dedupe.ActionList) < 2 {
			t.Error("decisions and views are not all audited")
		}
		if rep, err := f.audit.Verify(ctx, core.SystemActor); err != nil || rep.Break != nil {
			t.Errorf("audit chain: %v %+v", err, rep)
		}
	})
}
