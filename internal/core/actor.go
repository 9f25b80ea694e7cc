package core

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Role is what a user does in the task force; a user holds one or more.
type Role string

// The roles of DESIGN.md. Their powers live in package access, not here.
const (
	RoleSystemAdmin        Role = "system_admin"
	RoleAgencyAdmin        Role = "agency_admin"
	RoleInvestigator       Role = "investigator"
	RoleProsecutor         Role = "prosecutor"
	RoleLabourInspector    Role = "labour_inspector"
	RoleImmigrationOfficer Role = "immigration_officer"
	RoleCaseworker         Role = "caseworker"
	RoleAnalyst            Role = "analyst"
	RoleTrainer            Role = "trainer"
	RoleAuditor            Role = "auditor"
)

// AllRoles lists every role in the order forms show them.
var AllRoles = []Role{
	RoleSystemAdmin, RoleAgencyAdmin, RoleInvestigator, RoleProsecutor, RoleLabourInspector,
	RoleImmigrationOfficer, RoleCaseworker, RoleAnalyst, RoleTrainer, RoleAuditor,
}

// ParseRole returns the role named s and whether it exists.
func ParseRole(s string) (Role, bool) {
	r := Role(s)
	return r, slices.Contains(AllRoles, r)
}

// Actor is who is acting: a signed-in user within their agency, or the system itself (the
// command line run by an operator on the server, and background jobs).
type Actor struct {
	UserID      int64
	AgencyID    int64
	TaskForceID int64
	Roles       []Role
	System      bool
	// SessionID identifies the web session (a hash prefix, never the token) or API token used;
	// it appears in logs so that one person's requests can be followed without their identity.
	SessionID string
}

// SystemActor is the operator at the command line or a background job.
var SystemActor = Actor{System: true}

// Has reports whether the actor holds role r.
func (a Actor) Has(r Role) bool { return slices.Contains(a.Roles, r) }

// HasAny reports whether the actor holds any of the roles.
func (a Actor) HasAny(roles ...Role) bool {
	for _, r := range roles {
		if a.Has(r) {
			return true
		}
	}
	return false
}

type actorKey struct{}

// WithActor returns a context carrying the actor.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the context's actor and whether there is one.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}

// Clock tells the time; tests inject a fixed or stepped one.
type Clock interface{ Now() time.Time }

// SystemClock is the real clock, in UTC.
type SystemClock struct{}

// Now returns the current time in UTC, truncated to microseconds so that it survives a round
// trip through either database unchanged.
func (SystemClock) Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// FixedClock is a settable clock for tests; safe for use by a server's goroutines.
type FixedClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewFixedClock returns a clock stopped at t.
func NewFixedClock(t time.Time) *FixedClock { return &FixedClock{t: t.UTC()} }

// Now returns the clock's time.
func (c *FixedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *FixedClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
