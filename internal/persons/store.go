package persons

import (
	"context"
	"time"

	"nanduti/internal/audit"
	"nanduti/internal/core"
)

// Store is the storage persons needs. Read runs fn in a read-only transaction, Write in a
// read-write one; fn's error rolls the transaction back.
type Store interface {
	Read(ctx context.Context, fn func(Tx) error) error
	Write(ctx context.Context, fn func(Tx) error) error
}

// Tx is one transaction's view of the persons storage. Lookups of missing rows return a
// core.NotFound error.
type Tx interface {
	AppendAudit(ctx context.Context, actor core.Actor, at time.Time, e audit.Entry) error

	// NextPseudonymNumber returns the next number of the year's pseudonym sequence; numbers
	// are never handed out twice.
	NextPseudonymNumber(ctx context.Context, year int) (int64, error)
	// InsertPerson stores a new person and sets r.ID. Its sealed columns and data key may be
	// empty: they are bound to the row id, so SetPersonSealed writes them once it is known.
	InsertPerson(ctx context.Context, r *Record) error
	SetPersonSealed(ctx context.Context, id int64, kekID string, dataKey []byte, sealed Sealed) error
	// UpdatePerson writes r's kind, profile, sealed columns, data key, version and update
	// time, provided the stored version is still expectVersion; otherwise it returns
	// core.Conflict.
	UpdatePerson(ctx context.Context, r Record, expectVersion int) error
	PersonByID(ctx context.Context, id int64) (Record, error)
	// PersonsByIDs returns the persons with these ids, in any order.
	PersonsByIDs(ctx context.Context, ids []int64) ([]Record, error)
	// ListPersons returns up to limit persons of an agency, newest first, with ids below
	// beforeID when it is not 0, without sealed columns.
	ListPersons(ctx context.Context, agencyID, beforeID int64, limit int) ([]Record, error)
	// AgencyPersonsExtent returns how many persons agencyID owns and the highest of their ids
	// (0 when it owns none).
	AgencyPersonsExtent(ctx context.Context, agencyID int64) (count int, lastID int64, err error)
	// AgencyPersonPage returns up to limit persons of agencyID with ids above afterID and not
	// above throughID, in id order, with their sealed columns.
	AgencyPersonPage(ctx context.Context, agencyID, afterID, throughID int64, limit int) ([]Record, error)

	PersonPhoto(ctx context.Context, personID int64) ([]byte, error)
	HasPersonPhoto(ctx context.Context, personID int64) (bool, error)
	SetPersonPhoto(ctx context.Context, personID int64, sealed []byte) error
	DeletePersonPhoto(ctx context.Context, personID int64) error

	// AddPersonIndex and RemovePersonIndex add and remove blind-index entries of a person.
	AddPersonIndex(ctx context.Context, personID, agencyID int64, hashes [][]byte) error
	RemovePersonIndex(ctx context.Context, personID, agencyID int64, hashes [][]byte) error
	// SearchPersonIndex returns up to limit persons of the agency that match every term: a
	// term matches a person with its Exact hash (score 2) or, failing that, its Phonetic
	// hash (score 1). Hits come best first.
	SearchPersonIndex(ctx context.Context, agencyID int64, terms []Term, limit int) ([]Hit, error)
}

// Term is one word of a search: the blind index of the word and, for names, of its phonetic
// code.
type Term struct {
	Exact    []byte
	Phonetic []byte
}

// Hit is one person found by a search and their score: the sum over the terms of 2 for an
// exact match and 1 for a phonetic one.
type Hit struct {
	PersonID int64
	Score    int
}
