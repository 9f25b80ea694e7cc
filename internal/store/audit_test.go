package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"nanduti/internal/audit"
	"nanduti/internal/core"
	"nanduti/internal/store"
	"nanduti/internal/store/storetest"
)

func appendRows(t *testing.T, db *store.DB, n int) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < n; i++ {
		err := db.WriteTx(ctx, func(tx *store.Tx) error {
			return tx.AppendAudit(ctx, core.Actor{UserID: int64(i + 1), AgencyID: 3}, time.Now(),
				audit.Entry{Action: "user.update", ObjectType: "user", ObjectID: fmt.Sprint(i), ObjectAgencyID: 3, Fields: []string{"roles"}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// dropAppendOnly removes the append-only triggers, as someone covering their tracks with the
// database owner's rights would.
func dropAppendOnly(t *testing.T, db *store.DB) {
	t.Helper()
	stmts := []string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`}
	if db.Engine() == store.Postgres {
		stmts = []string{`DROP TRIGGER audit_log_no_update ON audit_log`}
	}
	for _, s := range stmts {
		if err := db.ExecForTest(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAuditChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := audit.NewService(db.Audit())
		appendRows(t, db, 12)
		rep, err := svc.Verify(ctx, core.SystemActor)
		if err != nil || rep.Break != nil || rep.Rows != 12 {
			t.Fatalf("intact chain: %+v %v", rep, err)
		}

		// The application cannot change history.
		if err := db.ExecForTest(ctx, `UPDATE audit_log SET action = 'x' WHERE seq = 3`); err == nil {
			t.Error("audit_log accepted an UPDATE")
		}
		if err := db.ExecForTest(ctx, `DELETE FROM audit_log WHERE seq = 3`); err == nil {
			t.Error("audit_log accepted a DELETE")
		}

		dropAppendOnly(t, db)
		if err := db.ExecForTest(ctx, `UPDATE audit_log SET object_id = '99' WHERE seq = 7`); err != nil {
			t.Fatal(err)
		}
		rep, err = svc.Verify(ctx, core.SystemActor)
		if err != nil || rep.Break == nil || rep.Break.Seq != 7 {
			t.Fatalf("altered row 7: %+v %v", rep, err)
		}
		if !strings.Contains(rep.Break.Reason, "altered") {
			t.Errorf("reason %q", rep.Break.Reason)
		}
	})
}

func TestAuditChainDeletedRow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		appendRows(t, db, 5)
		dropAppendOnly(t, db)
		if err := db.ExecForTest(ctx, `DELETE FROM audit_log WHERE seq = 2`); err != nil {
			t.Fatal(err)
		}
		rep, err := audit.NewService(db.Audit()).Verify(ctx, core.SystemActor)
		if err != nil || rep.Break == nil || rep.Break.Seq != 3 {
			t.Fatalf("deleted row 2: %+v %v", rep, err)
		}
	})
}

// Concurrent writers must append one after another: the chain never forks.
func TestAuditChainConcurrentAppends(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				appendRows(t, db, 10)
			}()
		}
		wg.Wait()
		rep, err := audit.NewService(db.Audit()).Verify(context.Background(), core.SystemActor)
		if err != nil || rep.Break != nil || rep.Rows != 40 {
			t.Fatalf("after concurrent appends: %+v %v", rep, err)
		}
	})
}

func TestAuditVerifyIsForTheOperatorOnly(t *testing.T) {
	db := storetest.OpenSQLite(t)
	_, err := audit.NewService(db.Audit()).Verify(context.Background(), core.Actor{UserID: 1, Roles: []core.Role{core.RoleAuditor}})
	if !core.Is(err, core.Forbidden) {
		t.Errorf("auditor verify: %v", err)
	}
}
