package cases

import (
	"context"
	"time"

	"nanduti/internal/core"
)

// PersonRoles are the parts a person plays in a case.
var PersonRoles = []string{"victim", "presumed_victim", "suspect", "witness", "reporter"}

// PerpetratorRoles are HTCDS per_RoleInProcess values, for suspects.
var PerpetratorRoles = []string{"TravellingPartner", "Transporter", "RecruiterOrIntermediary", "BrokerTravelAgent",
	"TransferredIndividual", "HarbouredIndividual", "SoldIndividual", "BoughtIndividual", "ReceivedIndividual",
	"ControlledIndividual", "Smuggler", "Abuser", "Kidnapper", "Exploiter", "Other"}

// VictimStatuses are HTCDS vic_TraffickingStatus values, short.
var VictimStatuses = []string{"possible", "actual", "not_a_victim"}

// DecidingOrgs are HTCDS vic_TraffickingStatusDecisionMakingOrg values.
var DecidingOrgs = []string{"Police", "NGO", "CourtOrProsecution", "NonPoliceGovernmentalOrganization", "Other"}

// CasePerson is a person's part in a case. The person is shown by pseudonym; Identity is
// filled only for actors who may see identities at the case's full level, and each such view
// is in the audit chain as person.identity.read.
type CasePerson struct {
	ID               int64
	CaseID           int64
	PersonID         int64
	Role             string
	PerpetratorRoles []string
	VictimStatus     string // victims and presumed victims
	StatusDecidedBy  string
	AgencyID         int64 // the agency that added the person to the case
	CreatedBy        int64
	CreatedAt        time.Time

	Pseudonym string
	Identity  *Identity
	// Screenings are the ids of the screenings linked to the person that the actor may see.
	Screenings []int64
}

// PersonInput adds a person to a case or changes their part.
type PersonInput struct {
	PersonID         int64
	Role             string
	PerpetratorRoles []string
	VictimStatus     string
	StatusDecidedBy  string
}

// Identity is what a reveal shows of a person: the name and what the persons module adds.
type Identity struct {
	Name      string
	BirthDate string
	Document  string
}

// Directory is what cases need of the persons module: pseudonyms for everyone who may see a
// case, identities for those who may see them (the reveal is audited by the cases service in
// its own transaction, so the persons module only opens the sealed fields), and a check that
// a person exists before it is put in a case.
type Directory interface {
	// Pseudonyms returns the pseudonym of each person id that exists.
	Pseudonyms(ctx context.Context, ids []int64) (map[int64]string, error)
	// Identities opens the sealed identities of the persons.
	Identities(ctx context.Context, ids []int64) (map[int64]Identity, error)
	// Exists reports whether the person exists and the actor may put them in a case.
	Exists(ctx context.Context, actor core.Actor, personID int64) error
}

// ScreeningLinks tells which screenings are linked to persons, for the case's persons tab.
type ScreeningLinks interface {
	// ForPersons returns, per person id, the ids of linked screenings the actor may read.
	ForPersons(ctx context.Context, actor core.Actor, personIDs []int64) (map[int64][]int64, error)
}

// ReferralServices are the services a victim can be referred to.
var ReferralServices = []string{"shelter", "health", "psychological", "legal_aid", "repatriation", "education", "livelihood"}

// Consents are the states of a referral's consent.
var Consents = []string{"given", "refused", "given_by_guardian", "override"}

// ReferralStatuses are the states of a referral.
var ReferralStatuses = []string{"pending", "accepted", "rejected", "done", "revoked"}

// Referral sends a person of a case to a service agency of the task force or to an outside
// service. The receiving agency sees the referral (service, consent, status, follow-ups) and
// the person's pseudonym, nothing else of the case.
type Referral struct {
	ID             int64
	CaseID         int64
	CasePersonID   int64
	Service        string
	ToAgencyID     int64  // 0 for an outside service
	OutsideService string // the outside service's name when ToAgencyID is 0
	Consent        string
	OverrideReason string
	Status         string
	FromAgencyID   int64
	CreatedBy      int64
	CreatedAt      time.Time
	SentAt         time.Time // zero until sent
	Version        int
	FollowUps      []FollowUp

	// Pseudonym is the referred person's, for the receiving agency's list.
	Pseudonym string
}

// ReferralInput creates a referral.
type ReferralInput struct {
	CasePersonID   int64
	Service        string
	ToAgencyID     int64
	OutsideService string
	Consent        string
	OverrideReason string
}

// FollowUp records what happened after a referral: services delivered and a note.
type FollowUp struct {
	ID         int64
	ReferralID int64
	At         time.Time
	Delivered  string // a ReferralServices value, "" for a plain note
	Note       string
	ByUser     int64
	ByAgency   int64
}

// Note kinds.
const (
	NoteCase       = "case"       // about the case, readable at operational level
	NotePerson     = "person"     // about a person: sealed, readable with identities only
	NoteAttachment = "attachment" // a file: sealed, readable at operational level
)

// Note is a note or an attachment of a case. Body is the plain text or file content when the
// actor may read it.
type Note struct {
	ID           int64
	CaseID       int64
	CasePersonID int64
	Kind         string
	Body         []byte
	SHA256       string
	Size         int64
	AgencyID     int64
	CreatedBy    int64
	CreatedAt    time.Time
	// Sealed reports whether the body was stored sealed.
	Sealed bool
}

// StoredNote is a note as stored: the body is ciphertext when DataKey is set.
type StoredNote struct {
	Note
	DataKey []byte
	KEKID   string
}
