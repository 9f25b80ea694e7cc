package cases_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"nanduti/internal/accounts"
	"nanduti/internal/audit"
	"nanduti/internal/cases"
	"nanduti/internal/core"
	"nanduti/internal/store"
	"nanduti/internal/store/storetest"
)

// directory is an in-memory persons directory of synthetic people, standing in for the
// persons module (which is not SQL the tests would mock: the cases store stays real).
type directory struct {
	mu    sync.Mutex
	names map[int64]string
}

func (d *directory) Pseudonyms(_ context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	for _, id := range ids {
		out[id] = fmt.Sprintf("V-2026-%05d", id)
	}
	return out, nil
}

func (d *directory) Identities(_ context.Context, ids []int64) (map[int64]cases.Identity, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := map[int64]cases.Identity{}
	for _, id := range ids {
		if n, ok := d.names[id]; ok {
			out[id] = cases.Identity{Name: n}
		}
	}
	return out, nil
}

func (d *directory) Exists(_ context.Context, _ core.Actor, id int64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.names[id]; !ok {
		return core.Errorf(core.NotFound, "error.not_found")
	}
	return nil
}

type world struct {
	db       *store.DB
	svc      *cases.Service
	acc      *accounts.Service
	clock    *core.FixedClock
	a, b, c  core.Agency
	inspA    core.Actor // labour inspector of A (owner)
	polB     core.Actor // investigator of B
	fiscalC  core.Actor // prosecutor of C
	analystA core.Actor
	trainerA core.Actor
}

func actorOf(u core.User) core.Actor {
	return core.Actor{UserID: u.ID, AgencyID: u.AgencyID, Roles: u.Roles}
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{db: db, clock: core.NewFixedClock(time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC))}
	w.acc = accounts.New(db.Accounts(), accounts.Config{Clock: w.clock, Password: accounts.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}})
	dir := &directory{names: map[int64]string{101: "Persona Ficticia Uno", 102: "Persona Ficticia Dos", 103: "Persona Ficticia Tres"}}
	w.svc = cases.New(db.Cases(), cases.Config{Clock: w.clock, Directory: dir})
	tf, err := w.acc.EnsureTaskForce(ctx, core.SystemActor, "Mesa de prueba", "")
	if err != nil {
		t.Fatal(err)
	}
	mk := func(code string, kind core.AgencyKind) core.Agency {
		a, err := w.acc.CreateAgency(ctx, core.SystemActor, accounts.NewAgency{TaskForceID: tf.ID, Code: code, Name: "Agencia " + code, Kind: kind})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	w.a, w.b, w.c = mk("MTESS", core.AgencyLabour), mk("PN", core.AgencyPolice), mk("MP", core.AgencyProsecution)
	n := 0
	user := func(a core.Agency, r core.Role) core.Actor {
		n++
		u, err := w.acc.CreateUser(ctx, core.SystemActor, accounts.NewUser{AgencyID: a.ID, Email: fmt.Sprintf("u%d@prueba.example", n),
			Name: fmt.Sprintf("Usuario %d", n), Roles: []core.Role{r}, Password: "a long test password"})
		if err != nil {
			t.Fatal(err)
		}
		return actorOf(u)
	}
	w.inspA, w.polB, w.fiscalC = user(w.a, core.RoleLabourInspector), user(w.b, core.RoleInvestigator), user(w.c, core.RoleProsecutor)
	w.analystA, w.trainerA = user(w.a, core.RoleAnalyst), user(w.a, core.RoleTrainer)
	return w
}

func kiln() cases.Input {
	return cases.Input{Title: "Olería cerca de Ciudad del Este", Exploitation: []string{"ChildLabour", "ForcedLabour"}, Sector: "c",
		Department: "10", District: "01", ReportedOn: "2026-03-01", Source: "inspection"}
}

func (w *world) auditActions(t *testing.T, action string) []audit.Record {
	t.Helper()
	var out []audit.Record
	err := w.db.Audit().Read(context.Background(), func(tx audit.Tx) error {
		return tx.EachAudit(context.Background(), func(r audit.Record) error {
			if r.Action == action {
				out = append(out, r)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCreateNumbersAndValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		c1, err := w.svc.Create(ctx, w.inspA, kiln())
		if err != nil {
			t.Fatal(err)
		}
		c2, err := w.svc.Create(ctx, w.inspA, kiln())
		if err != nil {
			t.Fatal(err)
		}
		cb, err := w.svc.Create(ctx, w.polB, kiln())
		if err != nil {
			t.Fatal(err)
		}
		if c1.Number != "MTESS-2026-0001" || c2.Number != "MTESS-2026-0002" || cb.Number != "PN-2026-0001" {
			t.Errorf("numbers %s %s %s", c1.Number, c2.Number, cb.Number)
		}
		if c1.Sector != "C" || !slices.Equal(c1.Exploitation, []string{"ForcedLabour", "ChildLabour"}) {
			t.Errorf("normalised: %q %v", c1.Sector, c1.Exploitation)
		}
		bad := []struct {
			edit  func(*cases.Input)
			field string
		}{
			{func(in *cases.Input) { in.Title = "" }, "title"},
			{func(in *cases.Input) { in.Title = "Caso de CI 4.567.890" }, "title"},
			{func(in *cases.Input) { in.Exploitation = nil }, "exploitation"},
			{func(in *cases.Input) { in.Exploitation = []string{"Slavery"} }, "exploitation"},
			{func(in *cases.Input) { in.Sector = "Z" }, "sector"},
			{func(in *cases.Input) { in.Department = "18" }, "department"},
			{func(in *cases.Input) { in.Department = "1" }, "department"},
			{func(in *cases.Input) { in.District = "1a" }, "district"},
			{func(in *cases.Input) { in.ReportedOn = "2026-13-01" }, "reported_on"},
			{func(in *cases.Input) { in.ReportedOn = "2027-01-01" }, "reported_on"},
			{func(in *cases.Input) { in.OpenedOn = "2026-02-01" }, "opened_on"},
			{func(in *cases.Input) { in.Source = "rumour" }, "source"},
			{func(in *cases.Input) { in.Officers = []int64{w.polB.UserID} }, "officers"},
		}
		for _, b := range bad {
			in := kiln()
			b.edit(&in)
			_, err := w.svc.Create(ctx, w.inspA, in)
			var ce *core.Error
			if !core.Is(err, core.Invalid) || !asError(err, &ce) || ce.Fields[0].Field != b.field {
				t.Errorf("bad %s: %v", b.field, err)
			}
		}
		if _, err := w.svc.Create(ctx, w.analystA, kiln()); !core.Is(err, core.Forbidden) {
			t.Errorf("analyst creates: %v", err)
		}
	})
}

func asError(err error, target **core.Error) bool {
	ce, ok := err.(*core.Error)
	if ok {
		*target = ce
	}
	return ok && len(ce.Fields) > 0
}

func TestWorkflowAndConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		c, err := w.svc.Create(ctx, w.inspA, kiln())
		if err != nil {
			t.Fatal(err)
		}
		// Two officers read version 1; the first update wins, the second is a conflict.
		in := kiln()
		in.Title = "Olería en Minga Guazú"
		c2, err := w.svc.Update(ctx, w.inspA, c.ID, 1, in)
		if err != nil || c2.Version != 2 {
			t.Fatalf("update: %v %d", err, c2.Version)
		}
		if _, err := w.svc.Update(ctx, w.inspA, c.ID, 1, kiln()); !core.Is(err, core.Conflict) {
			t.Errorf("stale update: %v", err)
		}
		if d := cases.Differences(c2, kiln()); !slices.Equal(d, []string{"title"}) {
			t.Errorf("differences %v", d)
		}
		// An invalid move names the allowed ones.
		_, err = w.svc.SetStatus(ctx, w.inspA, c.ID, 2, cases.StatusCharged)
		if ce, ok := err.(*core.Error); !ok || !core.Is(err, core.Invalid) || ce.Fields[0].Key != "case.error.transition" {
			t.Errorf("reported -> charged: %v", err)
		}
		v := 2
		for _, st := range []cases.Status{cases.StatusUnderInvestigation, cases.StatusClosed} {
			c2, err = w.svc.SetStatus(ctx, w.inspA, c.ID, v, st)
			if err != nil {
				t.Fatalf("to %s: %v", st, err)
			}
			v = c2.Version
		}
		if c2.ClosedOn != "2026-03-10" || c2.OpenedOn != "2026-03-10" {
			t.Errorf("dates: opened %q closed %q", c2.OpenedOn, c2.ClosedOn)
		}
		if _, err := w.svc.SetStatus(ctx, w.inspA, c.ID, v, cases.StatusScreening); !core.Is(err, core.Invalid) {
			t.Errorf("move a closed case: %v", err)
		}
		if _, err := w.svc.Reopen(ctx, w.inspA, c.ID, v, " "); !core.Is(err, core.Invalid) {
			t.Errorf("reopen without reason: %v", err)
		}
		c2, err = w.svc.Reopen(ctx, w.inspA, c.ID, v, "Nuevos testimonios")
		if err != nil || c2.Status != cases.StatusUnderInvestigation || c2.ClosedOn != "" {
			t.Fatalf("reopen: %v %+v", err, c2)
		}
		_, hist, err := w.svc.Get(ctx, w.inspA, c.ID)
		if err != nil || len(hist) != 4 || hist[3].Reason != "Nuevos testimonios" {
			t.Errorf("history: %v %+v", err, hist)
		}
		if n := len(w.auditActions(t, "case.reopen")); n != 1 {
			t.Errorf("%d reopen audit rows", n)
		}
	})
}

// The first "Done when", at the service: B gets not found for A's unshared case; an
// operational share shows pseudonyms only; full shows identities, each view audited;
// revocation hides the case again. Statistical access counts it without showing it.
func TestSharingLevels(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		c, err := w.svc.Create(ctx, w.inspA, kiln())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.AddPerson(ctx, w.inspA, c.ID, cases.PersonInput{PersonID: 101, Role: "victim", VictimStatus: "possible"}); err != nil {
			t.Fatal(err)
		}
		hidden := func(stage string) {
			t.Helper()
			if _, _, err := w.svc.Get(ctx, w.polB, c.ID); !core.Is(err, core.NotFound) {
				t.Errorf("%s: get: %v", stage, err)
			}
			if _, _, err := w.svc.Persons(ctx, w.polB, c.ID); !core.Is(err, core.NotFound) {
				t.Errorf("%s: persons: %v", stage, err)
			}
			l, err := w.svc.List(ctx, w.polB, cases.Filter{})
			if err != nil || len(l.Cases) != 0 {
				t.Errorf("%s: list: %v %d", stage, err, len(l.Cases))
			}
		}
		hidden("unshared")
		if err := w.svc.Share(ctx, w.inspA, c.ID, w.b.ID, core.ShareStatistical); err != nil {
			t.Fatal(err)
		}
		hidden("statistical")
		if l, _ := w.svc.List(ctx, w.polB, cases.Filter{}); l.Statistical[cases.StatusReported] != 1 {
			t.Errorf("statistical counts %v", l.Statistical)
		}
		if err := w.svc.Share(ctx, w.inspA, c.ID, w.b.ID, core.ShareOperational); err != nil {
			t.Fatal(err)
		}
		before := len(w.auditActions(t, "person.identity.read"))
		_, ps, err := w.svc.Persons(ctx, w.polB, c.ID)
		if err != nil || len(ps) != 1 || ps[0].Pseudonym != "V-2026-00101" || ps[0].Identity != nil {
			t.Fatalf("operational persons: %v %+v", err, ps)
		}
		if n := len(w.auditActions(t, "person.identity.read")); n != before {
			t.Errorf("operational view audited as a reveal")
		}
		if l, _ := w.svc.List(ctx, w.polB, cases.Filter{}); len(l.Cases) != 1 || l.Cases[0].Level != core.ShareOperational {
			t.Errorf("operational list %+v", l.Cases)
		}
		if err := w.svc.Share(ctx, w.inspA, c.ID, w.b.ID, core.ShareFull); err != nil {
			t.Fatal(err)
		}
		_, ps, err = w.svc.Persons(ctx, w.polB, c.ID)
		if err != nil || ps[0].Identity == nil || ps[0].Identity.Name != "Persona Ficticia Uno" {
			t.Fatalf("full persons: %v %+v", err, ps)
		}
		reads := w.auditActions(t, "person.identity.read")
		if len(reads) != before+1 || reads[len(reads)-1].ActorUserID != w.polB.UserID || reads[len(reads)-1].ObjectID != "101" {
			t.Errorf("identity reads %+v", reads)
		}
		// The analyst of B's level is capped: never identities, never the case itself.
		if err := w.svc.Revoke(ctx, w.inspA, c.ID, w.b.ID); err != nil {
			t.Fatal(err)
		}
		hidden("revoked")
		if err := w.svc.Revoke(ctx, w.inspA, c.ID, w.b.ID); !core.Is(err, core.NotFound) {
			t.Errorf("revoke twice: %v", err)
		}
		// Sharing is the owner's: B cannot share, and the owner's analyst and trainer see no case.
		if err := w.svc.Share(ctx, w.polB, c.ID, w.c.ID, core.ShareFull); !core.Is(err, core.NotFound) {
			t.Errorf("B shares: %v", err)
		}
		if _, _, err := w.svc.Get(ctx, w.analystA, c.ID); !core.Is(err, core.NotFound) {
			t.Errorf("analyst reads: %v", err)
		}
		if l, err := w.svc.List(ctx, w.analystA, cases.Filter{}); err != nil || !l.CountsOnly || l.Statistical[cases.StatusReported] != 1 {
			t.Errorf("analyst list %v %+v", err, l)
		}
		if _, err := w.svc.List(ctx, w.trainerA, cases.Filter{}); !core.Is(err, core.Forbidden) {
			t.Errorf("trainer list %v", err)
		}
		for _, a := range []string{"case.share", "case.unshare"} {
			if len(w.auditActions(t, a)) == 0 {
				t.Errorf("no %s audit row", a)
			}
		}
	})
}

func TestAccessRequests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		c, _ := w.svc.Create(ctx, w.inspA, kiln())
		// A request for a number that does not exist answers like one that does.
		if err := w.svc.RequestAccess(ctx, w.polB, "MTESS-2026-9999", "Investigación conexa"); err != nil {
			t.Errorf("unknown number: %v", err)
		}
		if err := w.svc.RequestAccess(ctx, w.polB, strings.ToLower(c.Number), ""); !core.Is(err, core.Invalid) {
			t.Errorf("no reason: %v", err)
		}
		if err := w.svc.RequestAccess(ctx, w.polB, c.Number, "Investigación conexa"); err != nil {
			t.Fatal(err)
		}
		sh, err := w.svc.Sharing(ctx, w.inspA, c.ID)
		if err != nil || len(sh.Requests) != 1 || sh.Requests[0].Status != cases.RequestPending {
			t.Fatalf("requests: %v %+v", err, sh.Requests)
		}
		if err := w.svc.Decide(ctx, w.inspA, c.ID, sh.Requests[0].ID, true, core.ShareOperational); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.Decide(ctx, w.inspA, c.ID, sh.Requests[0].ID, false, ""); !core.Is(err, core.Conflict) {
			t.Errorf("decide twice: %v", err)
		}
		if got, _, err := w.svc.Get(ctx, w.polB, c.ID); err != nil || got.Level != core.ShareOperational {
			t.Errorf("after acceptance: %v %v", err, got.Level)
		}
		if err := w.svc.RequestAccess(ctx, w.fiscalC, c.Number, "Causa penal"); err != nil {
			t.Fatal(err)
		}
		sh, _ = w.svc.Sharing(ctx, w.inspA, c.ID)
		if err := w.svc.Decide(ctx, w.inspA, c.ID, sh.Requests[0].ID, false, ""); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.svc.Get(ctx, w.fiscalC, c.ID); !core.Is(err, core.NotFound) {
			t.Errorf("refused agency reads: %v", err)
		}
		if len(w.auditActions(t, "case.access_request")) != 3 || len(w.auditActions(t, "case.access_refuse")) != 1 {
			t.Errorf("request audit rows")
		}
	})
}

// The second "Done when": a referral without consent cannot be sent unless the
// consent is overridden with a reason, and the override is audited. The receiving agency sees
// the referral and nothing else of the case.
func TestReferralConsent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		c, _ := w.svc.Create(ctx, w.inspA, kiln())
		p, err := w.svc.AddPerson(ctx, w.inspA, c.ID, cases.PersonInput{PersonID: 102, Role: "victim"})
		if err != nil {
			t.Fatal(err)
		}
		shelter := w.c
		refused := cases.ReferralInput{CasePersonID: p.ID, Service: "shelter", ToAgencyID: shelter.ID, Consent: "refused"}
		if _, err := w.svc.Refer(ctx, w.inspA, c.ID, refused); !core.Is(err, core.Invalid) {
			t.Errorf("refused consent sent: %v", err)
		}
		noReason := refused
		noReason.Consent = "override"
		if _, err := w.svc.Refer(ctx, w.inspA, c.ID, noReason); !core.Is(err, core.Invalid) {
			t.Errorf("override without reason sent: %v", err)
		}
		if n := len(w.auditActions(t, "case.referral.send")); n != 0 {
			t.Errorf("%d referrals sent", n)
		}
		withReason := noReason
		withReason.OverrideReason = "Riesgo inminente para el adolescente"
		r, err := w.svc.Refer(ctx, w.inspA, c.ID, withReason)
		if err != nil {
			t.Fatal(err)
		}
		ov := w.auditActions(t, "case.referral.consent_override")
		if len(ov) != 1 || ov[0].ObjectID != fmt.Sprint(r.ID) || ov[0].ActorUserID != w.inspA.UserID {
			t.Errorf("override audit %+v", ov)
		}
		// The receiver sees the referral by pseudonym, not the case.
		got, err := w.svc.Referral(ctx, w.fiscalC, r.ID)
		if err != nil || got.Pseudonym != "V-2026-00102" {
			t.Errorf("receiver reads: %v %+v", err, got)
		}
		if _, _, err := w.svc.Get(ctx, w.fiscalC, c.ID); !core.Is(err, core.NotFound) {
			t.Errorf("receiver reads the case: %v", err)
		}
		if _, err := w.svc.Referral(ctx, w.polB, r.ID); !core.Is(err, core.NotFound) {
			t.Errorf("bystander reads the referral: %v", err)
		}
		got, err = w.svc.SetReferralStatus(ctx, w.fiscalC, r.ID, 1, "accepted")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.SetReferralStatus(ctx, w.fiscalC, r.ID, got.Version, "revoked"); !core.Is(err, core.Invalid) {
			t.Errorf("receiver revokes: %v", err)
		}
		if _, err := w.svc.AddFollowUp(ctx, w.fiscalC, r.ID, "shelter", "Ingreso al hogar"); err != nil {
			t.Fatal(err)
		}
		got, _ = w.svc.Referral(ctx, w.inspA, r.ID)
		if len(got.FollowUps) != 1 || got.Status != "accepted" {
			t.Errorf("sender view %+v", got)
		}
		given := cases.ReferralInput{CasePersonID: p.ID, Service: "health", OutsideService: "Hospital Regional", Consent: "given_by_guardian"}
		if _, err := w.svc.Refer(ctx, w.inspA, c.ID, given); err != nil {
			t.Errorf("guardian consent: %v", err)
		}
	})
}

func TestWorkOnASharedCase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		c, _ := w.svc.Create(ctx, w.inspA, kiln())
		for _, ag := range []core.Agency{w.b, w.c} {
			if err := w.svc.Share(ctx, w.inspA, c.ID, ag.ID, core.ShareOperational); err != nil {
				t.Fatal(err)
			}
		}
		sus, err := w.svc.AddPerson(ctx, w.polB, c.ID, cases.PersonInput{PersonID: 103, Role: "suspect", PerpetratorRoles: []string{"RecruiterOrIntermediary"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.AddPerson(ctx, w.polB, c.ID, cases.PersonInput{PersonID: 999, Role: "witness"}); !core.Is(err, core.Invalid) {
			t.Errorf("unknown person: %v", err)
		}
		if _, err := w.svc.AddEvent(ctx, w.polB, c.ID, cases.EventInput{Kind: "Recruitment", OccurredOn: "2025-11-02", Department: "10",
			Description: "Captación en la terminal"}); err != nil {
			t.Fatal(err)
		}
		task, err := w.svc.AddTask(ctx, w.polB, c.ID, cases.TaskInput{Title: "Entrevistar al encargado", AssignedAgencyID: w.b.ID, DueOn: "2026-03-05"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.AddTask(ctx, w.polB, c.ID, cases.TaskInput{Title: "Otra", AssignedAgencyID: w.b.ID + 100}); !core.Is(err, core.Invalid) {
			t.Errorf("task to an agency off the case: %v", err)
		}
		over, err := w.svc.OverdueTasks(ctx, w.polB)
		if err != nil || len(over) != 1 || over[0].ID != task.ID || over[0].CaseNumber != c.Number {
			t.Errorf("overdue: %v %+v", err, over)
		}
		if _, err := w.svc.UpdateTask(ctx, w.polB, c.ID, task.ID, 1, cases.TaskInput{Title: task.Title, AssignedAgencyID: w.b.ID, DueOn: task.DueOn, Status: "done"}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.UpdateTask(ctx, w.polB, c.ID, task.ID, 1, cases.TaskInput{Title: "x", AssignedAgencyID: w.b.ID, Status: "open"}); !core.Is(err, core.Conflict) {
			t.Errorf("stale task update: %v", err)
		}
		ev, err := w.svc.AddEvidence(ctx, w.polB, c.ID, cases.EvidenceInput{Item: "Cuaderno de pagos", CollectedBy: "Oficial de turno",
			CollectedOn: "2026-03-02", Holder: "Depósito de evidencias PN", File: []byte("contenido de prueba")})
		if err != nil || len(ev.SHA256) != 64 {
			t.Fatalf("evidence: %v %+v", err, ev)
		}
		if _, err := w.svc.AppendCustody(ctx, w.fiscalC, c.ID, ev.ID, cases.CustodyInput{Action: "received", Holder: "Fiscalía"}); err != nil {
			t.Fatal(err)
		}
		if err := db.ExecForTest(ctx, `DELETE FROM case_custody`); err == nil {
			t.Error("a chain-of-custody entry was deleted")
		}
		if err := db.ExecForTest(ctx, `UPDATE case_custody SET holder = 'otro'`); err == nil {
			t.Error("a chain-of-custody entry was changed")
		}
		_, evs, _ := w.svc.Evidence(ctx, w.inspA, c.ID)
		if len(evs) != 1 || len(evs[0].Custody) != 2 {
			t.Errorf("evidence log %+v", evs)
		}
		// Charges are the prosecutor's.
		charge := cases.ChargeInput{CasePersonID: sus.ID, Article: "Ley 4788/2012 art. 5", FiledOn: "2026-03-09"}
		if _, err := w.svc.AddCharge(ctx, w.polB, c.ID, charge); !core.Is(err, core.Forbidden) {
			t.Errorf("police charges: %v", err)
		}
		if _, err := w.svc.AddCharge(ctx, w.fiscalC, c.ID, cases.ChargeInput{Article: "artículo cinco", FiledOn: "2026-03-09"}); !core.Is(err, core.Invalid) {
			t.Errorf("bad article: %v", err)
		}
		ch, err := w.svc.AddCharge(ctx, w.fiscalC, c.ID, charge)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.RecordOutcome(ctx, w.fiscalC, c.ID, ch.ID, 1, cases.OutcomeInput{Outcome: "conviction", OutcomeOn: "2026-03-10"}); !core.Is(err, core.Invalid) {
			t.Errorf("conviction without sentence: %v", err)
		}
		ch, err = w.svc.RecordOutcome(ctx, w.fiscalC, c.ID, ch.ID, 1, cases.OutcomeInput{Outcome: "conviction", OutcomeOn: "2026-03-10", Sentence: "8 años de pena privativa de libertad"})
		if err != nil || ch.Outcome != "conviction" {
			t.Fatalf("outcome: %v", err)
		}
		if _, err := w.svc.AddHearing(ctx, w.fiscalC, c.ID, cases.HearingInput{HeldOn: "2026-03-10", Kind: "trial", Court: "Tribunal de Sentencia de Ciudad del Este"}); err != nil {
			t.Fatal(err)
		}
		_, pr, err := w.svc.Prosecution(ctx, w.inspA, c.ID)
		if err != nil || len(pr.Charges) != 1 || len(pr.Hearings) != 1 {
			t.Errorf("prosecution %v %+v", err, pr)
		}
		// Shared agencies cannot change the owner's facts.
		if _, err := w.svc.Update(ctx, w.polB, c.ID, 1, kiln()); !core.Is(err, core.Forbidden) {
			t.Errorf("B edits facts: %v", err)
		}
	})
}

// Without the persons directory nobody can put a person in a case: the service fails closed
// instead of accepting ids it cannot check.
func TestAddPersonFailsClosedWithoutDirectory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		bare := cases.New(db.Cases(), cases.Config{Clock: w.clock})
		c, err := bare.Create(ctx, w.inspA, kiln())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := bare.AddPerson(ctx, w.inspA, c.ID, cases.PersonInput{PersonID: 101, Role: "victim"}); !core.Is(err, core.Forbidden) {
			t.Errorf("AddPerson without a directory: %v, want forbidden", err)
		}
		// With the directory, a person it does not know is refused as invalid input.
		if _, err := w.svc.AddPerson(ctx, w.inspA, c.ID, cases.PersonInput{PersonID: 999, Role: "victim"}); !core.Is(err, core.Invalid) {
			t.Errorf("AddPerson of an unknown person: %v, want invalid", err)
		}
	})
}
