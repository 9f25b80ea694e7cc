package seal

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"nanduti/internal/audit"
	"nanduti/internal/core"
)

// Store is the storage the key manager needs: the wrapped data keys of every table that seals
// records, and a note of which index key the database's blind indexes were made with.
type Store interface {
	Read(ctx context.Context, fn func(Tx) error) error
	Write(ctx context.Context, fn func(Tx) error) error
}

// Tx is one transaction of the key manager's storage.
type Tx interface {
	AppendAudit(ctx context.Context, actor core.Actor, at time.Time, e audit.Entry) error
	// SealedTables names the tables whose rows carry a wrapped data key.
	SealedTables() []string
	// KeyUsage counts the rows of every sealed table by the KEK that wraps their data key.
	KeyUsage(ctx context.Context) ([]Usage, error)
	// WrappedKeysUnder returns up to limit rows of table whose data key is wrapped by kekID,
	// in id order.
	WrappedKeysUnder(ctx context.Context, table, kekID string, limit int) ([]WrappedKey, error)
	// SetWrappedKey replaces a row's wrapped key, provided it is still wrapped by oldKEK.
	SetWrappedKey(ctx context.Context, table string, rowID int64, oldKEK, newKEK string, wrapped []byte) error
	// IndexKeyID returns the index key id recorded for the database, "" when none is.
	IndexKeyID(ctx context.Context) (string, error)
	SetIndexKeyID(ctx context.Context, id string) error
}

// Usage is how many rows of a table use one key-encryption key.
type Usage struct {
	Table string
	KEKID string
	Rows  int64
}

// WrappedKey is one row's wrapped data key.
type WrappedKey struct {
	Table   string
	RowID   int64
	KEKID   string
	Wrapped []byte
}

// Manager rotates, retires and reports on the keys. Only the system actor (the operator at
// the command line on the server) uses it.
type Manager struct {
	store Store
	ring  *Ring
	clock core.Clock
}

// NewManager returns the key manager for a database and its key ring.
func NewManager(store Store, ring *Ring, clock core.Clock) *Manager {
	if clock == nil {
		clock = core.SystemClock{}
	}
	return &Manager{store: store, ring: ring, clock: clock}
}

// KeyStatus is one key-encryption key and the rows that use it.
type KeyStatus struct {
	KeyInfo
	Rows int64
	// Missing marks a key that rows use but the key file does not hold.
	Missing bool
}

// Status is the state of the keys.
type Status struct {
	File       string
	Active     string
	IndexKeyID string
	// RecordedIndexKeyID is the index key the database's blind indexes were made with.
	RecordedIndexKeyID string
	Keys               []KeyStatus
	tables             []string
}

// Unfinished reports whether rows remain under a key other than the active one.
func (s Status) Unfinished() int64 {
	var n int64
	for _, k := range s.Keys {
		if k.ID != s.Active {
			n += k.Rows
		}
	}
	return n
}

func forbidUnlessSystem(actor core.Actor) error {
	if !actor.System {
		return core.Errorf(core.Forbidden, "error.forbidden")
	}
	return nil
}

// Status reports the keys of the file and how many rows use each.
func (m *Manager) Status(ctx context.Context, actor core.Actor) (Status, error) {
	if err := forbidUnlessSystem(actor); err != nil {
		return Status{}, err
	}
	if err := m.ring.Refresh(); err != nil {
		return Status{}, err
	}
	st := Status{File: m.ring.Path(), Active: m.ring.ActiveID(), IndexKeyID: m.ring.IndexKeyID()}
	var usage []Usage
	err := m.store.Read(ctx, func(tx Tx) error {
		var err error
		st.tables = tx.SealedTables()
		if usage, err = tx.KeyUsage(ctx); err != nil {
			return err
		}
		st.RecordedIndexKeyID, err = tx.IndexKeyID(ctx)
		return err
	})
	if err != nil {
		return Status{}, err
	}
	rows := map[string]int64{}
	for _, u := range usage {
		rows[u.KEKID] += u.Rows
	}
	for _, k := range m.ring.Keys() {
		st.Keys = append(st.Keys, KeyStatus{KeyInfo: k, Rows: rows[k.ID]})
		delete(rows, k.ID)
	}
	var missing []string
	for id := range rows {
		missing = append(missing, id)
	}
	slices.Sort(missing)
	for _, id := range missing {
		st.Keys = append(st.Keys, KeyStatus{KeyInfo: KeyInfo{ID: id}, Rows: rows[id], Missing: true})
	}
	return st, nil
}

// MismatchError says the key file does not belong to the database: rows use keys it lacks,
// or the blind indexes were made with another index key.
type MismatchError struct{ Reason string }

func (e *MismatchError) Error() string {
	return "the key file does not match the database: " + e.Reason
}

// Check makes sure the key file belongs to the database before a server starts using it:
// every key that rows use must be in the file, and the index key must be the one the blind
// indexes were made with. A database without that record gets the file's index key recorded.
func (m *Manager) Check(ctx context.Context) error {
	return m.store.Write(ctx, func(tx Tx) error {
		usage, err := tx.KeyUsage(ctx)
		if err != nil {
			return err
		}
		for _, u := range usage {
			if !m.ring.Has(u.KEKID) {
				return &MismatchError{Reason: fmt.Sprintf("%d rows of %s use key %s, which %s does not hold",
					u.Rows, u.Table, u.KEKID, m.ring.Path())}
			}
		}
		recorded, err := tx.IndexKeyID(ctx)
		if err != nil {
			return err
		}
		switch recorded {
		case m.ring.IndexKeyID():
			return nil
		case "":
			return tx.SetIndexKeyID(ctx, m.ring.IndexKeyID())
		default:
			return &MismatchError{Reason: fmt.Sprintf("the blind indexes were made with index key %s, but %s holds %s",
				recorded, m.ring.Path(), m.ring.IndexKeyID())}
		}
	})
}

// RotateOptions tune a rotation.
type RotateOptions struct {
	// BatchSize is how many rows are re-wrapped per transaction (default 500).
	BatchSize int
	// MaxBatches stops the run after this many batches (0: no limit). Rerunning continues.
	MaxBatches int
	// Progress, when set, is called after each batch with the rows done so far in this run
	// and the rows that were left to do when it started.
	Progress func(done, total int64)
}

// RotateReport says what a rotation run did.
type RotateReport struct {
	KeyID     string // the active key after the run
	NewKey    bool   // the run generated KeyID; false when it continued an unfinished rotation
	Rewrapped int64
	Remaining int64 // rows still under older keys (0 when the rotation is complete)
	Stopped   bool  // MaxBatches or a cancelled context ended the run early
}

// Rotate re-wraps every data key under a new key-encryption key. When rows are still under
// older keys (an earlier run was interrupted, or a server wrote rows with the previous key
// before it noticed the rotation), it continues with the current active key instead of
// making another one. Each batch is one transaction, so an interruption loses at most the
// batch in progress, and rerunning continues where it stopped.
func (m *Manager) Rotate(ctx context.Context, actor core.Actor, opts RotateOptions) (RotateReport, error) {
	if err := forbidUnlessSystem(actor); err != nil {
		return RotateReport{}, err
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 500
	}
	st, err := m.Status(ctx, actor)
	if err != nil {
		return RotateReport{}, err
	}
	for _, k := range st.Keys {
		if k.Missing {
			return RotateReport{}, &MismatchError{Reason: fmt.Sprintf("%d rows use key %s, which %s does not hold", k.Rows, k.ID, st.File)}
		}
	}
	rep := RotateReport{KeyID: st.Active}
	total := st.Unfinished()
	if total == 0 {
		id, err := m.ring.AddKey()
		if err != nil {
			return rep, err
		}
		rep.KeyID, rep.NewKey = id, true
		for _, k := range st.Keys {
			total += k.Rows
		}
		err = m.store.Write(ctx, func(tx Tx) error {
			return tx.AppendAudit(ctx, actor, m.clock.Now(), audit.Entry{Action: "keys.create", ObjectType: "key", ObjectID: id})
		})
		if err != nil {
			return rep, err
		}
	}
	batches := 0
	for _, k := range st.Keys {
		if k.ID == rep.KeyID || k.Rows == 0 {
			continue
		}
		for _, table := range st.tables {
			for {
				if opts.MaxBatches > 0 && batches >= opts.MaxBatches || ctx.Err() != nil {
					rep.Stopped = true
					return m.finish(ctx, actor, rep)
				}
				n, err := m.rotateBatch(ctx, table, k.ID, rep.KeyID, opts.BatchSize)
				if err != nil {
					return rep, err
				}
				if n == 0 {
					break
				}
				batches++
				rep.Rewrapped += int64(n)
				if opts.Progress != nil {
					opts.Progress(rep.Rewrapped, total)
				}
			}
		}
	}
	return m.finish(ctx, actor, rep)
}

// rotateBatch re-wraps up to size data keys of table from the key from to the key to, in one
// transaction.
func (m *Manager) rotateBatch(ctx context.Context, table, from, kekID string, size int) (int, error) {
	n := 0
	err := m.store.Write(ctx, func(tx Tx) error {
		rows, err := tx.WrappedKeysUnder(ctx, table, from, size)
		if err != nil {
			return err
		}
		for _, row := range rows {
			ad := DataKeyAD(row.Table, row.RowID)
			dk, err := m.ring.Unwrap(row.Wrapped, ad)
			if err != nil {
				return fmt.Errorf("%s row %d: %w", row.Table, row.RowID, err)
			}
			id, kek := m.ring.activeKEK()
			if id != kekID {
				// Another rotation made a newer key meanwhile; stop rather than mix.
				return fmt.Errorf("seal: the active key changed from %s to %s during the rotation; run it again", kekID, id)
			}
			if err := tx.SetWrappedKey(ctx, row.Table, row.RowID, row.KEKID, id, wrapWith(id, kek, dk, ad)); err != nil {
				return err
			}
		}
		n = len(rows)
		return nil
	})
	return n, err
}

// finish counts what is left and records the run in the audit chain.
func (m *Manager) finish(ctx context.Context, actor core.Actor, rep RotateReport) (RotateReport, error) {
	// The audit row is written even when the caller's context was cancelled: the batches
	// done are real and belong in the record.
	ctx = context.WithoutCancel(ctx)
	err := m.store.Write(ctx, func(tx Tx) error {
		usage, err := tx.KeyUsage(ctx)
		if err != nil {
			return err
		}
		rep.Remaining = 0
		for _, u := range usage {
			if u.KEKID != rep.KeyID {
				rep.Remaining += u.Rows
			}
		}
		action := "keys.rotate"
		if rep.Remaining > 0 {
			action = "keys.rotate.partial"
		}
		return tx.AppendAudit(ctx, actor, m.clock.Now(), audit.Entry{Action: action, ObjectType: "key", ObjectID: rep.KeyID})
	})
	return rep, err
}

// ErrKeyInUse is returned by Retire while rows still use the key.
var ErrKeyInUse = errors.New("seal: rows still use this key")

// Retire removes a key-encryption key from the key file once no row uses it. It refuses the
// active key and a key still in use.
func (m *Manager) Retire(ctx context.Context, actor core.Actor, id string) error {
	st, err := m.Status(ctx, actor)
	if err != nil {
		return err
	}
	for _, k := range st.Keys {
		if k.ID != id {
			continue
		}
		switch {
		case k.Missing:
			return fmt.Errorf("seal: the key file holds no key %q", id)
		case k.Active:
			return fmt.Errorf("seal: %s is the active key; rotate first", id)
		case k.Rows > 0:
			return fmt.Errorf("%w: %d rows are wrapped by %s; finish the rotation with nanduti keys rotate", ErrKeyInUse, k.Rows, id)
		}
		// Check again inside a transaction right before removing: a server may have written
		// rows with this key since the status was read.
		err := m.store.Write(ctx, func(tx Tx) error {
			usage, err := tx.KeyUsage(ctx)
			if err != nil {
				return err
			}
			for _, u := range usage {
				if u.KEKID == id {
					return fmt.Errorf("%w: %d rows of %s are wrapped by %s", ErrKeyInUse, u.Rows, u.Table, id)
				}
			}
			if err := m.ring.RemoveKey(id); err != nil {
				return err
			}
			return tx.AppendAudit(ctx, actor, m.clock.Now(), audit.Entry{Action: "keys.retire", ObjectType: "key", ObjectID: id})
		})
		return err
	}
	return fmt.Errorf("seal: the key file holds no key %q", id)
}
