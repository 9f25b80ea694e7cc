// Package cases is the task force's daily work: cases owned by one agency and shared with
// others on a need-to-know basis, with their persons, trafficking events, investigation plan,
// evidence and chain of custody, referrals to services and prosecution. Every entry point
// (web pages, JSON API, command line) goes through Service, which validates, asks package
// access, writes and audits in one transaction. A case the actor may not see is not found.
package cases

import (
	"slices"
	"time"

	"nanduti/internal/core"
)

// Status is where a case stands in the workflow.
type Status string

// The statuses of the case workflow, in order.
const (
	StatusReported           Status = "reported"
	StatusScreening          Status = "screening"
	StatusUnderInvestigation Status = "under_investigation"
	StatusWithProsecutor     Status = "with_prosecutor"
	StatusCharged            Status = "charged"
	StatusOnTrial            Status = "on_trial"
	StatusJudgement          Status = "judgement"
	StatusClosed             Status = "closed"
)

// Statuses lists the statuses in workflow order.
var Statuses = []Status{StatusReported, StatusScreening, StatusUnderInvestigation, StatusWithProsecutor,
	StatusCharged, StatusOnTrial, StatusJudgement, StatusClosed}

// transitions are the moves the workflow allows. A case can be closed at any point before
// trial (no grounds, referred elsewhere); a closed case is reopened with Reopen and a reason.
// A prosecutor may send a case back for more investigation.
var transitions = map[Status][]Status{
	StatusReported:           {StatusScreening, StatusUnderInvestigation, StatusClosed},
	StatusScreening:          {StatusUnderInvestigation, StatusClosed},
	StatusUnderInvestigation: {StatusWithProsecutor, StatusClosed},
	StatusWithProsecutor:     {StatusCharged, StatusUnderInvestigation, StatusClosed},
	StatusCharged:            {StatusOnTrial, StatusClosed},
	StatusOnTrial:            {StatusJudgement},
	StatusJudgement:          {StatusClosed},
	StatusClosed:             {},
}

// Next lists the statuses a case in s may move to.
func Next(s Status) []Status { return transitions[s] }

// CanMove reports whether the workflow allows moving from one status to another.
func CanMove(from, to Status) bool { return slices.Contains(transitions[from], to) }

// Exploitations are the forms of exploitation: HTCDS vic_TypeOfExploitation plus Paraguay's
// criadazgo (child domestic servitude).
var Exploitations = []string{"ForcedLabour", "SexualExploitation", "ChildLabour", "ForcedMarriage", "Servitude",
	"ForcedMilitaryByNonStateActors", "OrganRemoval", "ForcedBegging", "ForcedAdoption", "Surrogacy", "Criadazgo", "Other"}

// Sectors are the ISIC rev. 4 sections A to U (HTCDS vic_ForcedLabourIndustry).
var Sectors = []string{"A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S", "T", "U"}

// Sources are how a case reached the agency.
var Sources = []string{"hotline", "inspection", "patrol", "referral", "self_report", "media", "other"}

// Case is a case as its readers see it. Level is what the reading actor may see of it.
type Case struct {
	ID           int64
	AgencyID     int64
	Number       string // agency code, year and sequence: MTESS-2026-0042
	Year         int
	Seq          int
	Title        string // non-identifying
	Status       Status
	Exploitation []string
	Sector       string // ISIC section letter, "" when unknown
	Department   string // INE department code, 00 to 17
	District     string // INE district code within the department, two digits; "" when unknown
	ReportedOn   string // YYYY-MM-DD
	OpenedOn     string // YYYY-MM-DD, "" before the case is opened
	ClosedOn     string // YYYY-MM-DD while closed
	Source       string
	Sensitive    bool
	Officers     []int64 // assigned users of the owning agency
	Version      int
	CreatedBy    int64
	CreatedAt    time.Time
	UpdatedAt    time.Time

	// Level is the reading actor's level on the case; set by the service.
	Level core.ShareLevel
}

// Input is what a case form or document carries: the facts an owner may set.
type Input struct {
	Title        string
	Exploitation []string
	Sector       string
	Department   string
	District     string
	ReportedOn   string
	OpenedOn     string
	Source       string
	Sensitive    bool
	Officers     []int64
}

// Filter selects cases of a list. Zero fields select everything.
type Filter struct {
	Status       Status
	Exploitation string
	Department   string
	From, To     string // reported between these dates, inclusive, YYYY-MM-DD
	Before       int64  // keyset paging: cases with ids below this one
	Limit        int
}

// Listing is a page of the actor's visible cases, with counts of the cases their agency
// receives at statistical level (shown as numbers only, never as cases).
type Listing struct {
	Cases []Case
	// Next is the Before of the following page, 0 on the last page.
	Next int64
	// Statistical counts by status the cases shared with the actor's agency at statistical
	// level (and, for analysts, every case they may count).
	Statistical map[Status]int
	// CountsOnly is set for actors who may count cases and not see them (analysts).
	CountsOnly bool
}

// DefaultPageSize and MaxPageSize bound a list page.
const (
	DefaultPageSize = 25
	MaxPageSize     = 200
)

// Share is a case's grant to another agency.
type Share struct {
	CaseID    int64
	AgencyID  int64
	Level     core.ShareLevel
	GrantedBy int64
	GrantedAt time.Time
}

// Request statuses.
const (
	RequestPending  = "pending"
	RequestAccepted = "accepted"
	RequestRefused  = "refused"
)

// AccessRequest is another agency's request for access to a case, with the reason given.
type AccessRequest struct {
	ID          int64
	CaseID      int64
	AgencyID    int64
	RequestedBy int64
	Reason      string
	Status      string
	Level       core.ShareLevel // granted on acceptance
	DecidedBy   int64
	CreatedAt   time.Time
	DecidedAt   time.Time
}

// StatusChange is one move of the workflow, with the reason when one was given (reopening).
type StatusChange struct {
	ID       int64
	CaseID   int64
	From, To Status
	Reason   string
	ByUser   int64
	ByAgency int64
	At       time.Time
}

// EventKinds are HTCDS hte_Type values.
var EventKinds = []string{"Recruitment", "Transit", "Exploitation"}

// Event is a trafficking event of the case's timeline.
type Event struct {
	ID          int64
	CaseID      int64
	AgencyID    int64
	Kind        string
	OccurredOn  string
	Department  string
	District    string
	Place       string
	Description string
	CreatedBy   int64
	CreatedAt   time.Time
}

// TaskStatuses are the states of an investigation task.
var TaskStatuses = []string{"open", "in_progress", "done", "cancelled"}

// Task is one task of the investigation plan, assigned to an agency and optionally to one of
// its officers.
type Task struct {
	ID               int64
	CaseID           int64
	CaseNumber       string // filled in lists across cases
	Title            string
	AssignedAgencyID int64
	AssignedUserID   int64
	DueOn            string
	Status           string
	Version          int
	CreatedBy        int64
	CreatedAt        time.Time
	UpdatedAt        time.Time
	// Overdue is set by the service: due before today and not finished.
	Overdue bool
}

// CustodyActions are what can happen to an item of evidence.
var CustodyActions = []string{"collected", "transferred", "received", "analysed", "stored", "returned", "destroyed"}

// Evidence is one item of the evidence log with its chain of custody.
type Evidence struct {
	ID          int64
	CaseID      int64
	AgencyID    int64
	Item        string
	Description string
	CollectedBy string
	CollectedOn string
	SHA256      string // of the attached file, "" without one
	Size        int64
	CreatedBy   int64
	CreatedAt   time.Time
	Custody     []Custody
}

// Custody is one entry of an item's chain of custody. Entries are only ever appended.
type Custody struct {
	ID         int64
	EvidenceID int64
	At         time.Time
	Action     string
	Holder     string
	Note       string
	ByUser     int64
	ByAgency   int64
}

// Outcomes of a charge.
var Outcomes = []string{"conviction", "acquittal", "dismissal"}

// Charge is one charge against a person of the case under a legal article.
type Charge struct {
	ID           int64
	CaseID       int64
	CasePersonID int64 // the accused, 0 when not yet identified in the case
	Article      string
	FiledOn      string
	Outcome      string // "" while pending
	OutcomeOn    string
	Sentence     string
	Version      int
	CreatedBy    int64
	AgencyID     int64
	CreatedAt    time.Time
}

// HearingKinds are the kinds of hearing.
var HearingKinds = []string{"preliminary", "trial", "sentencing", "appeal", "other"}

// Hearing is one court hearing.
type Hearing struct {
	ID        int64
	CaseID    int64
	HeldOn    string
	Kind      string
	Court     string
	Result    string
	CreatedBy int64
	CreatedAt time.Time
}

// Prosecution is a case's charges and hearings.
type Prosecution struct {
	Charges  []Charge
	Hearings []Hearing
}
