package audit

import (
	"context"

	"nanduti/internal/access"
	"nanduti/internal/core"
)

// Store is the storage that reading the audit chain needs. Appending is part of every other
// domain's transaction (their Tx interfaces include AppendAudit).
type Store interface {
	Read(ctx context.Context, fn func(Tx) error) error
}

// Tx reads the chain.
type Tx interface {
	ListAudit(ctx context.Context, f Filter) ([]Record, error)
	EachAudit(ctx context.Context, fn func(Record) error) error
}

// Filter selects rows for the viewer.
type Filter struct {
	AgencyID  int64  // rows by this agency's staff or on its records; 0 for all
	BeforeSeq int64  // rows before this one (paging); 0 for the newest
	Action    string // one action; "" for all
	Limit     int
}

// Service reads and verifies the chain.
type Service struct{ store Store }

// NewService returns the audit service.
func NewService(store Store) *Service { return &Service{store: store} }

// List returns the rows the actor may read, newest first.
func (s *Service) List(ctx context.Context, actor core.Actor, f Filter) ([]Record, error) {
	ok, all, agencyID := access.AuditScope(actor)
	if !ok {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	f.AgencyID = agencyID
	if all {
		f.AgencyID = 0
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	var out []Record
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.ListAudit(ctx, f)
		return err
	})
	return out, err
}

// Report is the outcome of a verification.
type Report struct {
	Rows  int64
	Head  string // hash of the last row
	Break *Break // nil when the chain is intact
}

// Verify recomputes the whole chain. Only the system actor (the operator's command line)
// verifies: it reads every row.
func (s *Service) Verify(ctx context.Context, actor core.Actor) (Report, error) {
	if !actor.System {
		return Report{}, core.Errorf(core.Forbidden, "error.forbidden")
	}
	var v Verifier
	var rep Report
	err := s.store.Read(ctx, func(tx Tx) error {
		return tx.EachAudit(ctx, func(r Record) error {
			if err := v.Next(r); err != nil {
				b := err.(*Break)
				rep.Break = b
				return errStop
			}
			return nil
		})
	})
	if err != nil && err != errStop {
		return Report{}, err
	}
	rep.Rows, rep.Head = v.Count(), v.Head()
	return rep, nil
}

type stopError struct{}

func (stopError) Error() string { return "stop" }

var errStop error = stopError{}
