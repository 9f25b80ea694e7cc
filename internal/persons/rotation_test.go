package persons_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"nanduti/internal/core"
	"nanduti/internal/persons"
	"nanduti/internal/seal"
	"nanduti/internal/store"
	"nanduti/internal/store/storetest"
)

// Rotation on both engines: an interrupted run (a batch limit, then a cancelled context)
// leaves every person readable under either key, refuses to retire the old key, and a rerun
// completes it without making yet another key; then the old key goes and everything still
// opens and is found.
func TestKeyRotation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		inv := actor(f.agencyA, core.RoleInvestigator)
		var ids []int64
		for range 23 {
			p, err := f.svc.Create(ctx, inv, boy())
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, p.ID)
		}
		m := seal.NewManager(db.Seal(), f.ring, f.clock)
		if _, err := m.Rotate(ctx, inv, seal.RotateOptions{}); !core.Is(err, core.Forbidden) {
			t.Errorf("a user rotated the keys: %v", err)
		}
		if err := m.Check(ctx); err != nil {
			t.Fatal(err)
		}
		first := f.ring.ActiveID()
		rep, err := m.Rotate(ctx, core.SystemActor, seal.RotateOptions{BatchSize: 5, MaxBatches: 2})
		if err != nil {
			t.Fatal(err)
		}
		second := rep.KeyID
		if !rep.NewKey || second == first || rep.Rewrapped != 10 || rep.Remaining != 13 || !rep.Stopped {
			t.Fatalf("first run: %+v", rep)
		}
		if err := m.Retire(ctx, core.SystemActor, first); !errors.Is(err, seal.ErrKeyInUse) {
			t.Errorf("retired a key in use: %v", err)
		}
		for _, id := range ids {
			if p, err := f.svc.Get(ctx, inv, id); err != nil || p.Identity == nil {
				t.Fatalf("person %d during the rotation: %v", id, err)
			}
		}
		late, err := f.svc.Create(ctx, inv, boy())
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, late.ID)

		// A second run interrupted by its context (as by Ctrl-C) after one batch.
		cctx, cancel := context.WithCancel(ctx)
		rep, err = m.Rotate(cctx, core.SystemActor, seal.RotateOptions{BatchSize: 4, Progress: func(done, total int64) {
			if total != 13 {
				t.Errorf("progress total %d, want 13", total)
			}
			cancel()
		}})
		if err != nil {
			t.Fatal(err)
		}
		if rep.NewKey || rep.KeyID != second || rep.Rewrapped != 4 || rep.Remaining != 9 || !rep.Stopped {
			t.Errorf("interrupted run: %+v", rep)
		}
		st, err := m.Status(ctx, core.SystemActor)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Keys) != 2 || st.Keys[0].Rows != 9 || st.Keys[1].Rows != 15 || !st.Keys[1].Active || st.Unfinished() != 9 {
			t.Errorf("status: %+v", st.Keys)
		}

		// The rerun completes the rotation to the same key.
		rep, err = m.Rotate(ctx, core.SystemActor, seal.RotateOptions{BatchSize: 4})
		if err != nil || rep.NewKey || rep.KeyID != second || rep.Rewrapped != 9 || rep.Remaining != 0 || rep.Stopped {
			t.Fatalf("rerun: %+v %v", rep, err)
		}
		if err := m.Retire(ctx, core.SystemActor, second); err == nil {
			t.Error("retired the active key")
		}
		if err := m.Retire(ctx, core.SystemActor, first); err != nil {
			t.Fatal(err)
		}
		if f.ring.Has(first) {
			t.Error("the old key is still in the file")
		}
		// Everything opens with only the new key, as a freshly started server would see it.
		fresh, err := seal.LoadRing(f.ring.Path())
		if err != nil {
			t.Fatal(err)
		}
		svc := persons.New(db.Persons(), fresh, persons.Config{Clock: f.clock})
		for _, id := range ids {
			if p, err := svc.Get(ctx, inv, id); err != nil || p.Identity.PaternalSurname != "Giménez" {
				t.Fatalf("person %d after the rotation: %v", id, err)
			}
		}
		if res, err := svc.Search(ctx, inv, persons.Query{By: "name", Text: "Jiménez"}); err != nil || len(res) != len(ids) {
			t.Errorf("search after the rotation: %d results, %v", len(res), err)
		}
		// A later rotation makes a new key again.
		if rep, err := m.Rotate(ctx, core.SystemActor, seal.RotateOptions{}); err != nil || !rep.NewKey || rep.Rewrapped != int64(len(ids)) {
			t.Errorf("next rotation: %+v %v", rep, err)
		}
		want := map[string]int{"keys.create": 2, "keys.rotate.partial": 2, "keys.rotate": 2, "keys.retire": 1}
		for action, n := range want {
			if got := len(f.actions(t, action)); got != n {
				t.Errorf("%d %s audit rows, want %d", got, action, n)
			}
		}
	})
}

// A key file that does not belong to the database is refused before anything is served:
// rows under keys it lacks, or blind indexes made with another index key.
func TestKeyFileMismatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		if _, err := f.svc.Create(ctx, actor(f.agencyA, core.RoleInvestigator), boy()); err != nil {
			t.Fatal(err)
		}
		if err := seal.NewManager(db.Seal(), f.ring, nil).Check(ctx); err != nil {
			t.Fatal(err)
		}
		stranger, err := seal.CreateRing(filepath.Join(t.TempDir(), "kek.json"))
		if err != nil {
			t.Fatal(err)
		}
		var mm *seal.MismatchError
		if err := seal.NewManager(db.Seal(), stranger, nil).Check(ctx); !errors.As(err, &mm) {
			t.Errorf("a stranger's key file: %v", err)
		}
		// The right KEKs with another index key: searches would silently find nothing.
		mine, _ := os.ReadFile(f.ring.Path())
		theirs, _ := os.ReadFile(stranger.Path())
		var a, b map[string]json.RawMessage
		json.Unmarshal(mine, &a)
		json.Unmarshal(theirs, &b)
		a["index_key"] = b["index_key"]
		mixed, _ := json.Marshal(a)
		path := filepath.Join(t.TempDir(), "mixed.json")
		os.WriteFile(path, mixed, 0o600)
		ring, err := seal.LoadRing(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := seal.NewManager(db.Seal(), ring, nil).Check(ctx); !errors.As(err, &mm) {
			t.Errorf("another index key: %v", err)
		}
	})
}
