package core

import "time"

// TaskForce groups the agencies that work one region together.
type TaskForce struct {
	ID        int64
	Name      string
	Region    string
	CreatedAt time.Time
}

// AgencyKind says what an agency does; it decides nothing about access by itself.
type AgencyKind string

// The agency kinds of a task force.
const (
	AgencyPolice          AgencyKind = "police"
	AgencyProsecution     AgencyKind = "prosecution"
	AgencyImmigration     AgencyKind = "immigration"
	AgencyLabour          AgencyKind = "labour"
	AgencyWomen           AgencyKind = "women"
	AgencyChildren        AgencyKind = "children"
	AgencyLocalGovernment AgencyKind = "local_government"
	AgencyNGO             AgencyKind = "ngo"
	AgencyTraining        AgencyKind = "training"
	AgencyOther           AgencyKind = "other"
)

// AgencyKinds lists the kinds in the order forms show them.
var AgencyKinds = []AgencyKind{
	AgencyPolice, AgencyProsecution, AgencyImmigration, AgencyLabour, AgencyWomen,
	AgencyChildren, AgencyLocalGovernment, AgencyNGO, AgencyTraining, AgencyOther,
}

// Agency is an organisation of the task force. Records belong to agencies.
type Agency struct {
	ID          int64
	TaskForceID int64
	Code        string // short unique code, used in case numbers and the command line
	Name        string
	Kind        AgencyKind
	CreatedAt   time.Time
}

// User is a member of staff of one agency. Staff data is personal but not sealed like
// victims' identities; access rules protect it.
type User struct {
	ID              int64
	AgencyID        int64
	Email           string
	Name            string
	Roles           []Role
	Disabled        bool
	TOTPEnrolled    bool
	PasswordChanged time.Time
	CreatedAt       time.Time
}
