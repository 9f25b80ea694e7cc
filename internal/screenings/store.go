// Package screenings stores screenings: what an officer observed about a person's situation,
// the rulebook version that judged it and the explained result, owned by the officer's agency.
// The judging itself is package screening's pure engine; this package adds access control,
// audit and storage, so that the web form, the API and the command line behave alike.
package screenings

import (
	"context"
	"time"

	"nanduti/internal/audit"
	"nanduti/internal/core"
)

// Store is the storage the screenings service needs. Read runs fn in a read-only
// transaction, Write in a read-write one; fn's error rolls the transaction back.
type Store interface {
	Read(ctx context.Context, fn func(Tx) error) error
	Write(ctx context.Context, fn func(Tx) error) error
}

// Tx is one transaction's view of the stored screenings. A missing row is core.NotFound.
type Tx interface {
	// AppendAudit adds a row to the audit chain, in this transaction.
	AppendAudit(ctx context.Context, actor core.Actor, at time.Time, e audit.Entry) error

	CreateScreening(ctx context.Context, s *Stored) error
	ScreeningByID(ctx context.Context, id int64) (Stored, error)
	// ListScreenings returns up to limit summaries of agencyID's screenings, newest first,
	// with ids below beforeID when it is not 0.
	ListScreenings(ctx context.Context, agencyID, beforeID int64, limit int) ([]Summary, error)
	// CountScreenings counts agencyID's screenings by outcome.
	CountScreenings(ctx context.Context, agencyID int64) (Counts, error)
	// SetScreeningPerson links a screening to a person id, or unlinks it when personID is 0.
	SetScreeningPerson(ctx context.Context, id, personID int64) error
}

// Outcomes are the verdicts of a result, repeated beside it for lists and counts.
type Outcomes struct {
	// Trafficking is the Delphi outcome: indicated, not_indicated or not_assessed.
	Trafficking string `json:"trafficking"`
	// ForcedLabour is the ICLS outcome: indicated, not_indicated or not_assessed.
	ForcedLabour string `json:"forced_labour"`
	// ChildLabour is child_labour, not_child_labour or not_applicable.
	ChildLabour string `json:"child_labour"`
}

// Summary is a screening as lists show it: who owns it, when, and its verdicts, without the
// input or the result.
type Summary struct {
	ID              int64
	AgencyID        int64
	OfficerID       int64
	CreatedAt       time.Time
	RulebookID      string
	RulebookVersion string
	Outcomes        Outcomes
	// PersonID is the linked person, 0 when the screening is not linked.
	PersonID int64
}

// Stored is a screening row: the summary with the input document and the result, each the
// exact JSON text the engine produced.
type Stored struct {
	Summary
	Lang   string
	Input  []byte
	Result []byte
}

// Counts are a set of screenings by outcome, per framework.
type Counts struct {
	Total        int            `json:"total"`
	Trafficking  map[string]int `json:"trafficking"`
	ForcedLabour map[string]int `json:"forced_labour"`
	ChildLabour  map[string]int `json:"child_labour"`
}
