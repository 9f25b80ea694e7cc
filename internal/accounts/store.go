// Package accounts is task forces, agencies, staff accounts and how they sign in: passwords,
// the second factor, lockout, sessions and API tokens. Every change is audited in the same
// transaction as the change.
package accounts

import (
	"context"
	"time"

	"nanduti/internal/audit"
	"nanduti/internal/core"
)

// Store is the storage that accounts needs. Read runs fn in a read-only transaction, Write in
// a read-write one; fn's error rolls the transaction back.
type Store interface {
	Read(ctx context.Context, fn func(Tx) error) error
	Write(ctx context.Context, fn func(Tx) error) error
}

// Tx is one transaction's view of the accounts storage. Lookups of missing rows return a
// core.NotFound error; unique violations return core.Conflict.
type Tx interface {
	// AppendAudit adds a row to the audit chain, in this transaction.
	AppendAudit(ctx context.Context, actor core.Actor, at time.Time, e audit.Entry) error

	CreateTaskForce(ctx context.Context, tf *core.TaskForce) error
	TaskForceByName(ctx context.Context, name string) (core.TaskForce, error)
	ListTaskForces(ctx context.Context) ([]core.TaskForce, error)

	CreateAgency(ctx context.Context, a *core.Agency) error
	AgencyByID(ctx context.Context, id int64) (core.Agency, error)
	AgencyByCode(ctx context.Context, code string) (core.Agency, error)
	ListAgencies(ctx context.Context) ([]core.Agency, error)

	CreateUser(ctx context.Context, u *core.User, passwordHash string) error
	UserByID(ctx context.Context, id int64) (core.User, error)
	UserCredentialsByEmail(ctx context.Context, email string) (Credentials, error)
	UserCredentialsByID(ctx context.Context, id int64) (Credentials, error)
	ListUsers(ctx context.Context, agencyID int64) ([]core.User, error) // 0: every agency
	SetUserDisabled(ctx context.Context, id int64, disabled bool) error
	SetUserRoles(ctx context.Context, id int64, roles []core.Role) error
	SetPassword(ctx context.Context, id int64, hash string, at time.Time) error
	SetTOTP(ctx context.Context, id int64, secret string, lastStep int64) error
	SetTOTPLastStep(ctx context.Context, id int64, step int64) error
	ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes []string) error
	UseRecoveryCode(ctx context.Context, userID int64, hash string, at time.Time) (bool, error)

	LoginThrottle(ctx context.Context, key string) (Throttle, error)
	SaveLoginThrottle(ctx context.Context, t Throttle) error

	CreateSession(ctx context.Context, s Session) error
	SessionByHash(ctx context.Context, hash string) (Session, error)
	UpdateSession(ctx context.Context, s Session) error
	DeleteSession(ctx context.Context, hash string) error
	DeleteUserSessions(ctx context.Context, userID int64) (int64, error)

	CreateToken(ctx context.Context, t *APIToken) error
	TokenByHash(ctx context.Context, hash string) (APIToken, error)
	ListTokens(ctx context.Context, userID int64) ([]APIToken, error)
	RevokeToken(ctx context.Context, userID, id int64, at time.Time) error
	TouchToken(ctx context.Context, id int64, at time.Time) error
}

// Credentials is a user with what signing in needs; it never leaves this package's service.
type Credentials struct {
	User         core.User
	PasswordHash string
	TOTPSecret   string // empty until enrolment is confirmed
	TOTPLastStep int64
}

// Throttle counts consecutive failed sign-ins for one email address, whether or not an account
// has it, so that lockout reveals nothing about which addresses exist.
type Throttle struct {
	Key         string
	Failures    int
	LockedUntil time.Time
	UpdatedAt   time.Time
}

// Stage is how far a session has come in signing in.
type Stage string

// Session stages. Only StageFull sessions act as their user; the others may only finish
// signing in.
const (
	StageSecondFactor Stage = "second_factor" // password checked, TOTP code (or recovery code) due
	StageEnrol        Stage = "enrol"         // password checked, the role requires a second factor not yet set up
	StageFull         Stage = "full"
)

// Session is a server-side web session. The browser holds a random token; the database holds
// only its hash.
type Session struct {
	Hash          string
	UserID        int64
	Stage         Stage
	Lang          string
	PendingSecret string // TOTP secret shown during enrolment, until confirmed
	CreatedAt     time.Time
	LastSeenAt    time.Time
}

// APIToken is a bearer token for programs, scoped to its user.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	Hash       string
	CreatedAt  time.Time
	LastUsedAt time.Time
	RevokedAt  time.Time
}
