package casewire_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"nanduti/internal/access"
	"nanduti/internal/accounts"
	"nanduti/internal/cases"
	"nanduti/internal/casewire"
	"nanduti/internal/core"
	"nanduti/internal/persons"
	"nanduti/internal/screenings"
	"nanduti/internal/seal"
	"nanduti/internal/store"
	"nanduti/internal/store/storetest"
)

// The persons and cases services wired together: a person reaches another agency only through
// a shared case and only as far as the share goes; identities on a case page come from the
// persons module; notes about persons are sealed with the key ring and survive a key rotation;
// linked screenings show to the owning agency only.
func TestWiredPersonsAndCases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := core.NewFixedClock(time.Date(2026, 3, 9, 14, 0, 0, 0, time.UTC))
		ring, err := seal.CreateRing(filepath.Join(t.TempDir(), "keys", "kek.json"))
		if err != nil {
			t.Fatal(err)
		}
		svc := casewire.New(db, ring, casewire.Config{Clock: clock})
		acc := accounts.New(db.Accounts(), accounts.Config{Clock: clock, Password: accounts.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}})
		tf, err := acc.EnsureTaskForce(ctx, core.SystemActor, "Mesa de prueba", "Alto Paraná")
		if err != nil {
			t.Fatal(err)
		}
		user := func(code string, kind core.AgencyKind, role core.Role) core.Actor {
			ag, err := acc.CreateAgency(ctx, core.SystemActor, accounts.NewAgency{TaskForceID: tf.ID, Code: code, Name: code, Kind: kind})
			if err != nil {
				t.Fatal(err)
			}
			u, err := acc.CreateUser(ctx, core.SystemActor, accounts.NewUser{AgencyID: ag.ID, Email: code + "@prueba.example",
				Name: "Persona " + code, Roles: []core.Role{role}, Password: "a long test password"})
			if err != nil {
				t.Fatal(err)
			}
			return core.Actor{UserID: u.ID, AgencyID: ag.ID, TaskForceID: tf.ID, Roles: u.Roles}
		}
		inspector := user("MTESS", core.AgencyLabour, core.RoleLabourInspector)
		police := user("PN", core.AgencyPolice, core.RoleInvestigator)

		age := 15
		p, err := svc.Persons.Create(ctx, inspector, persons.Input{Kind: persons.KindVictim,
			Profile: persons.Profile{Gender: "Masculine", AgeAtIdentification: &age, Department: "10"},
			Identity: persons.Identity{GivenNames: "Tobías Arandu", PaternalSurname: "Villalba", MaternalSurname: "Ortiz",
				BirthDate: "2010-08-14", Document: persons.Document{Type: "ci", Number: "7.301.552", Country: "PRY"}}})
		if err != nil {
			t.Fatal(err)
		}
		c, err := svc.Cases.Create(ctx, inspector, cases.Input{Title: "Olería cerca de Ciudad del Este",
			Exploitation: []string{"ChildLabour"}, Department: "10", ReportedOn: "2026-03-02", Source: "inspection"})
		if err != nil {
			t.Fatal(err)
		}
		cp, err := svc.Cases.AddPerson(ctx, inspector, c.ID, cases.PersonInput{PersonID: p.ID, Role: "victim", VictimStatus: "possible"})
		if err != nil {
			t.Fatal(err)
		}
		// A person the inspector cannot see cannot be put in the case.
		if _, err := svc.Cases.AddPerson(ctx, inspector, c.ID, cases.PersonInput{PersonID: p.ID + 1000, Role: "witness"}); !core.Is(err, core.Invalid) {
			t.Errorf("unknown person added: %v", err)
		}
		if _, err := svc.Cases.AddNote(ctx, inspector, c.ID, cp.ID, cases.NotePerson, []byte("Relata jornadas de doce horas.")); err != nil {
			t.Fatalf("sealed note: %v", err)
		}

		// Before any share the police do not find the person.
		if _, err := svc.Persons.Get(ctx, police, p.ID); !core.Is(err, core.NotFound) {
			t.Errorf("unshared person: %v", err)
		}
		if err := svc.Cases.Share(ctx, inspector, c.ID, police.AgencyID, core.ShareOperational); err != nil {
			t.Fatal(err)
		}
		got, err := svc.Persons.Get(ctx, police, p.ID)
		if err != nil || got.View != access.ViewPseudonymous || got.Identity != nil {
			t.Errorf("operational share: view %v identity %v err %v", got.View, got.Identity, err)
		}
		_, ps, err := svc.Cases.Persons(ctx, police, c.ID)
		if err != nil || len(ps) != 1 || ps[0].Identity != nil || ps[0].Pseudonym != p.Pseudonym {
			t.Fatalf("operational persons: %+v %v", ps, err)
		}
		_, notes, err := svc.Cases.Notes(ctx, police, c.ID)
		if err != nil || len(notes) != 1 || notes[0].Body != nil {
			t.Errorf("operational notes: %+v %v", notes, err)
		}

		if err := svc.Cases.Share(ctx, inspector, c.ID, police.AgencyID, core.ShareFull); err != nil {
			t.Fatal(err)
		}
		_, ps, err = svc.Cases.Persons(ctx, police, c.ID)
		want := cases.Identity{Name: "Tobías Arandu Villalba Ortiz", BirthDate: "2010-08-14", Document: "ci 7.301.552"}
		if err != nil || len(ps) != 1 || ps[0].Identity == nil || *ps[0].Identity != want {
			t.Fatalf("full persons: %+v %v", ps, err)
		}

		// Rotation re-wraps the notes' keys too, and the note still opens.
		if _, err := seal.NewManager(db.Seal(), ring, clock).Rotate(ctx, core.SystemActor, seal.RotateOptions{}); err != nil {
			t.Fatal(err)
		}
		err = db.Seal().Read(ctx, func(tx seal.Tx) error {
			usage, err := tx.KeyUsage(ctx)
			for _, u := range usage {
				if u.Table == "case_notes" && u.KEKID != ring.ActiveID() {
					t.Errorf("case note left under %s after rotation", u.KEKID)
				}
			}
			if !slices.ContainsFunc(usage, func(u seal.Usage) bool { return u.Table == "case_notes" }) {
				t.Errorf("key usage does not count case notes: %+v", usage)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		_, notes, err = svc.Cases.Notes(ctx, police, c.ID)
		if err != nil || len(notes) != 1 || string(notes[0].Body) != "Relata jornadas de doce horas." {
			t.Errorf("full notes after rotation: %+v %v", notes, err)
		}

		// A screening of the inspector's agency linked to the person shows to that agency only.
		var scr screenings.Stored
		err = db.Screenings().Write(ctx, func(tx screenings.Tx) error {
			scr = screenings.Stored{Summary: screenings.Summary{AgencyID: inspector.AgencyID, OfficerID: inspector.UserID,
				CreatedAt: clock.Now(), RulebookID: "prueba", RulebookVersion: "1"}, Lang: "es", Input: []byte(`{}`), Result: []byte(`{}`)}
			if err := tx.CreateScreening(ctx, &scr); err != nil {
				return err
			}
			return tx.SetScreeningPerson(ctx, scr.ID, p.ID)
		})
		if err != nil {
			t.Fatal(err)
		}
		_, ps, err = svc.Cases.Persons(ctx, inspector, c.ID)
		if err != nil || len(ps) != 1 || !slices.Equal(ps[0].Screenings, []int64{scr.ID}) {
			t.Errorf("owner's linked screenings: %+v %v", ps, err)
		}
		_, ps, err = svc.Cases.Persons(ctx, police, c.ID)
		if err != nil || len(ps) != 1 || len(ps[0].Screenings) != 0 {
			t.Errorf("another agency sees screenings: %+v %v", ps, err)
		}

		// After revocation the person is gone for the police again.
		if err := svc.Cases.Revoke(ctx, inspector, c.ID, police.AgencyID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Persons.Get(ctx, police, p.ID); !core.Is(err, core.NotFound) {
			t.Errorf("person after revocation: %v", err)
		}
	})
}
