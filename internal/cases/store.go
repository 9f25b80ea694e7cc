package cases

import (
	"context"
	"time"

	"nanduti/internal/audit"
	"nanduti/internal/core"
)

// Store is the storage the cases service needs. Read runs fn in a read-only transaction,
// Write in a read-write one; fn's error rolls the transaction back.
type Store interface {
	Read(ctx context.Context, fn func(Tx) error) error
	Write(ctx context.Context, fn func(Tx) error) error
}

// ListQuery is a list of cases as the store runs it: the cases agencyID owns, and the cases
// shared with it at one of sharedLevels, matching the filter.
type ListQuery struct {
	AgencyID     int64
	Owned        bool
	SharedLevels []core.ShareLevel
	Filter
}

// Tx is one transaction's view of the stored cases. A missing row is core.NotFound.
type Tx interface {
	// AppendAudit adds a row to the audit chain, in this transaction.
	AppendAudit(ctx context.Context, actor core.Actor, at time.Time, e audit.Entry) error
	AgencyByID(ctx context.Context, id int64) (core.Agency, error)
	UserByID(ctx context.Context, id int64) (core.User, error)
	ListUsers(ctx context.Context, agencyID int64) ([]core.User, error)

	// NextCaseSeq assigns the next sequence number of agencyID's cases of year.
	NextCaseSeq(ctx context.Context, agencyID int64, year int) (int, error)
	CreateCase(ctx context.Context, c *Case) error
	CaseByID(ctx context.Context, id int64) (Case, error)
	CaseByNumber(ctx context.Context, number string) (Case, error)
	// UpdateCase writes c if its stored version is c.Version-1; otherwise Conflict.
	UpdateCase(ctx context.Context, c Case) error
	SetCaseOfficers(ctx context.Context, caseID int64, userIDs []int64) error
	ListCases(ctx context.Context, q ListQuery) ([]Case, error)
	// CountCases counts by status the cases of q (its paging is ignored).
	CountCases(ctx context.Context, q ListQuery) (map[Status]int, error)
	AddStatusChange(ctx context.Context, sc *StatusChange) error
	ListStatusChanges(ctx context.Context, caseID int64) ([]StatusChange, error)

	// CaseShare returns agencyID's share of the case, core.ShareNone when there is none.
	CaseShare(ctx context.Context, caseID, agencyID int64) (core.ShareLevel, error)
	PutCaseShare(ctx context.Context, s Share) error
	DeleteCaseShare(ctx context.Context, caseID, agencyID int64) error
	ListCaseShares(ctx context.Context, caseID int64) ([]Share, error)
	CreateAccessRequest(ctx context.Context, r *AccessRequest) error
	AccessRequestByID(ctx context.Context, id int64) (AccessRequest, error)
	DecideAccessRequest(ctx context.Context, r AccessRequest) error
	ListAccessRequests(ctx context.Context, caseID int64) ([]AccessRequest, error)

	CreateCaseEvent(ctx context.Context, e *Event) error
	ListCaseEvents(ctx context.Context, caseID int64) ([]Event, error)
	CreateCaseTask(ctx context.Context, t *Task) error
	CaseTaskByID(ctx context.Context, id int64) (Task, error)
	// UpdateCaseTask writes t if its stored version is t.Version-1; otherwise Conflict.
	UpdateCaseTask(ctx context.Context, t Task) error
	ListCaseTasks(ctx context.Context, caseID int64) ([]Task, error)
	// ListOpenTasksOfAgency lists the open and in-progress tasks assigned to agencyID due
	// before the date, across cases, soonest first.
	ListOpenTasksOfAgency(ctx context.Context, agencyID int64, dueBefore string, limit int) ([]Task, error)
	CreateCaseEvidence(ctx context.Context, e *Evidence) error
	CaseEvidenceByID(ctx context.Context, id int64) (Evidence, error)
	ListCaseEvidence(ctx context.Context, caseID int64) ([]Evidence, error)
	AppendCustody(ctx context.Context, c *Custody) error
	ListCustody(ctx context.Context, evidenceID int64) ([]Custody, error)
	CreateCaseCharge(ctx context.Context, c *Charge) error
	CaseChargeByID(ctx context.Context, id int64) (Charge, error)
	UpdateCaseCharge(ctx context.Context, c Charge) error
	ListCaseCharges(ctx context.Context, caseID int64) ([]Charge, error)
	CreateCaseHearing(ctx context.Context, h *Hearing) error
	ListCaseHearings(ctx context.Context, caseID int64) ([]Hearing, error)

	AddCasePerson(ctx context.Context, p *CasePerson) error
	CasePersonByID(ctx context.Context, id int64) (CasePerson, error)
	UpdateCasePerson(ctx context.Context, p CasePerson) error
	ListCasePersons(ctx context.Context, caseID int64) ([]CasePerson, error)
	// PersonCaseLevels returns, for each case that includes the person and reaches agencyID,
	// the level it reaches it at (full for the agency's own cases).
	PersonCaseLevels(ctx context.Context, personID, agencyID int64) ([]core.ShareLevel, error)
	CreateReferral(ctx context.Context, r *Referral) error
	ReferralByID(ctx context.Context, id int64) (Referral, error)
	UpdateReferral(ctx context.Context, r Referral) error
	ListCaseReferrals(ctx context.Context, caseID int64) ([]Referral, error)
	ListReferralsTo(ctx context.Context, agencyID int64) ([]Referral, error)
	AddFollowUp(ctx context.Context, f *FollowUp) error
	ListFollowUps(ctx context.Context, referralID int64) ([]FollowUp, error)
	CreateCaseNote(ctx context.Context, n *StoredNote) error
	SetCaseNoteBody(ctx context.Context, n StoredNote) error
	CaseNoteByID(ctx context.Context, id int64) (StoredNote, error)
	ListCaseNotes(ctx context.Context, caseID int64) ([]StoredNote, error)
}
