// Package dedupe finds persons recorded more than once in a deployment (the same victim known
// to the police, the shelter and the labour inspectorate under slightly different names),
// lets those who may see both records confirm, reject or undo a merge, and tells those who see
// only one side that a record in another agency's case may be the same person, never what
// that record holds.
//
// The job runs as the system with the key ring: it opens identities in memory only to compare
// them (package linkage: Paraguayan name normalisation, keyed blocking, Fellegi-Sunter with EM
// and term-frequency adjustment) and stores candidate pairs with their weight and agreement
// levels, never values.
package dedupe

import (
	"context"
	"time"

	"nanduti/internal/audit"
	"nanduti/internal/core"
	"nanduti/internal/persons"
)

// Candidate statuses.
const (
	StatusOpen      = "open"
	StatusConfirmed = "confirmed"
	StatusRejected  = "rejected"
	// StatusWithdrawn: a later run no longer found the pair (a record was corrected).
	StatusWithdrawn = "withdrawn"
)

// Candidate is a stored pair of persons that may be the same human being. PersonA < PersonB.
type Candidate struct {
	ID        int64
	PersonA   int64
	PersonB   int64
	Weight    float64
	Levels    []int8 // one agreement level per FieldNames entry; -1 missing
	Status    string
	MergeID   int64 // the merge a confirmation wrote (kept after an undo)
	FoundAt   time.Time
	UpdatedAt time.Time
	DecidedBy int64
	DecidedAt time.Time
}

// Merge is a row of person_merges: PersonID is the same human being as CanonicalPersonID.
type Merge struct {
	ID                int64
	PersonID          int64
	CanonicalPersonID int64
	ConfirmedBy       int64
	// ConfirmedByAgency is the agency of the user who confirmed (read with the merge).
	ConfirmedByAgency int64
	ConfirmedAt       time.Time
	UndoneBy          int64
	UndoneAt          time.Time
}

// Active reports whether the merge has not been undone.
func (m Merge) Active() bool { return m.UndoneAt.IsZero() }

// Notice kinds.
const (
	// NoticeAccessRequested: another agency, seeing one side of a candidate, asked for access
	// to the record of the agency told.
	NoticeAccessRequested = "access_requested"
)

// Notice is what an agency is told about a candidate: by whom, and through which case of its
// own when the request went to a case.
type Notice struct {
	ID           int64
	CandidateID  int64
	AgencyID     int64 // the agency told
	FromAgencyID int64
	Kind         string
	CaseID       int64 // 0 when no case holds the record
	CreatedBy    int64
	CreatedAt    time.Time
}

// CaseRef is a case that includes a person.
type CaseRef struct {
	ID       int64
	Number   string
	AgencyID int64
}

// Store is the storage dedupe needs. Read runs fn in a read-only transaction, Write in a
// read-write one; fn's error rolls the transaction back.
type Store interface {
	Read(ctx context.Context, fn func(Tx) error) error
	Write(ctx context.Context, fn func(Tx) error) error
}

// Tx is one transaction's view of the storage. Lookups of missing rows return core.NotFound.
type Tx interface {
	AppendAudit(ctx context.Context, actor core.Actor, at time.Time, e audit.Entry) error
	AgencyByID(ctx context.Context, id int64) (core.Agency, error)

	// PersonsByIDs returns the persons with these ids (open and sealed columns).
	PersonsByIDs(ctx context.Context, ids []int64) ([]persons.Record, error)
	// PersonCaseLevels returns, for each case that includes the person, the level at which it
	// reaches agencyID ("full" for its own cases, "" when not shared).
	PersonCaseLevels(ctx context.Context, personID, agencyID int64) ([]core.ShareLevel, error)
	// DedupePersonPage returns up to limit persons with ids above afterID, in id order,
	// without sealed columns.
	DedupePersonPage(ctx context.Context, afterID int64, limit int) ([]persons.Record, error)
	// CasesOfPerson returns the cases that include the person, oldest first.
	CasesOfPerson(ctx context.Context, personID int64) ([]CaseRef, error)

	// DedupeCandidateStates returns the id and status of every stored candidate by its pair.
	DedupeCandidateStates(ctx context.Context) (map[[2]int64]Candidate, error)
	InsertDedupeCandidate(ctx context.Context, c *Candidate) error
	// UpdateDedupeCandidate writes c's weight, levels, status, merge, decision and update
	// time.
	UpdateDedupeCandidate(ctx context.Context, c Candidate) error
	DedupeCandidateByID(ctx context.Context, id int64) (Candidate, error)
	// DedupeCandidatesNear returns up to limit open or confirmed candidates, newest first, of
	// which at least one person belongs to agencyID or is in a case that reaches it at
	// operational level or above. The caller still decides what the actor sees of each.
	DedupeCandidatesNear(ctx context.Context, agencyID int64, limit int) ([]Candidate, error)

	InsertPersonMerge(ctx context.Context, m *Merge) error
	PersonMergeByID(ctx context.Context, id int64) (Merge, error)
	UndoPersonMerge(ctx context.Context, id, undoneBy int64, at time.Time) error
	// ActivePersonMerges returns every active merge: person id -> canonical person id.
	ActivePersonMerges(ctx context.Context) (map[int64]int64, error)
	// PersonMergesOf returns the active merges in which the person is either side.
	PersonMergesOf(ctx context.Context, personID int64) ([]Merge, error)

	// InsertDedupeNotice stores a notice; one already given (same candidate, agencies and
	// kind) is left as it is and reported with false.
	InsertDedupeNotice(ctx context.Context, n *Notice) (bool, error)
	DedupeNotices(ctx context.Context, agencyID int64, limit int) ([]Notice, error)
	// DedupeNoticeGiven reports whether fromAgencyID has already asked about the candidate.
	DedupeNoticeGiven(ctx context.Context, candidateID, fromAgencyID int64) (bool, error)
}
