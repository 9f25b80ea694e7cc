package dedupe_test

import (
	"context"
	"testing"

	"nanduti/internal/access"
	"nanduti/internal/core"
	"nanduti/internal/demo"
	"nanduti/internal/screenings"
	"nanduti/internal/store"
	"nanduti/internal/store/storetest"
	"nanduti/internal/training"
)

// The demo plants one duplicate, the brick-kiln boy as the MINNA shelter recorded him: the
// shelter's caseworker, who sees the labour ministry's record through the shared case,
// compares both; the labour inspector is told only that another agency's record may be him.
func TestDemoShowsTheBrickKilnBoysDuplicate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newServices(t, db)
		scr, err := screenings.New(db.Screenings(), screenings.Config{})
		if err != nil {
			t.Fatal(err)
		}
		svc := demo.Services{Accounts: f.acc, Training: training.New(db.Training(), training.Config{}), Screenings: scr,
			Persons: f.svc.Persons, Cases: f.svc.Cases, Dedupe: f.dedupe}
		for range 2 { // idempotent
			if _, err := demo.Seed(ctx, svc); err != nil {
				t.Fatal(err)
			}
		}
		actor := func(email string) core.Actor {
			u, err := f.acc.UserByEmail(ctx, core.SystemActor, email)
			if err != nil {
				t.Fatal(err)
			}
			return core.Actor{UserID: u.ID, AgencyID: u.AgencyID, Roles: u.Roles}
		}
		shelter, inspector := actor("asistente@nanduti.example"), actor("inspectora@nanduti.example")
		list, _, err := f.dedupe.List(ctx, shelter)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Sight != access.SightBoth {
			t.Fatalf("MINNA's candidates: %+v", list)
		}
		v, err := f.dedupe.Get(ctx, shelter, list[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if !v.CanDecide || v.A.Identity == nil || v.B.Identity == nil {
			t.Errorf("the shelter cannot compare the two records: %+v", v)
		}
		names := map[string]bool{v.A.Identity.PaternalSurname: true, v.B.Identity.PaternalSurname: true}
		if !names["Giménez"] || !names["Gimenes"] {
			t.Errorf("the candidate is not the boy's two records: %v", names)
		}
		ins, _, err := f.dedupe.List(ctx, inspector)
		if err != nil {
			t.Fatal(err)
		}
		if len(ins) != 1 || ins[0].Sight != access.SightOneSide || ins[0].Own == nil {
			t.Errorf("the inspector's view: %+v", ins)
		}
	})
}
