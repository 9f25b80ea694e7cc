// Package access is the policy: pure functions that say whether an actor may do an action on
// a record. The service layer asks these before every action; handlers never decide access.
package access

import (
	"slices"

	"nanduti/internal/core"
)

// identityRoles are the roles whose work can require seeing who a victim, suspect or witness
// is (subject to the case's sharing level). Analysts, trainers and auditors never see
// identities.
var identityRoles = []core.Role{
	core.RoleInvestigator, core.RoleProsecutor, core.RoleLabourInspector,
	core.RoleImmigrationOfficer, core.RoleCaseworker,
}

// IdentityRoles returns the roles that may, in principle, see sealed identities, for messages
// that tell a user which role a refused action needs.
func IdentityRoles() []core.Role { return slices.Clone(identityRoles) }

// MaySeeIdentities reports whether any of the roles can, in principle, see sealed identities.
func MaySeeIdentities(roles []core.Role) bool {
	for _, r := range roles {
		if slices.Contains(identityRoles, r) {
			return true
		}
	}
	return false
}

// RequiresSecondFactor reports whether a user with these roles must use a second factor:
// anyone who can see identities, and anyone who administers accounts or reads the audit trail,
// because each of those accounts opens a way to identities.
func RequiresSecondFactor(roles []core.Role) bool {
	if MaySeeIdentities(roles) {
		return true
	}
	for _, r := range roles {
		switch r {
		case core.RoleSystemAdmin, core.RoleAgencyAdmin, core.RoleAuditor:
			return true
		}
	}
	return false
}

// CanManageAgencies reports whether the actor may create and change agencies and task forces.
func CanManageAgencies(a core.Actor) bool {
	return a.System || a.Has(core.RoleSystemAdmin)
}

// CanListAgencies reports whether the actor may list the task force's agencies. Every signed-in
// user may: sharing a case or referring a victim needs to name the other agency.
func CanListAgencies(a core.Actor) bool {
	return a.System || a.UserID != 0
}

// CanSeeUser reports whether the actor may see the staff record of a user of agencyID.
// System admins see everyone, agency admins their agency's staff, users themselves.
func CanSeeUser(a core.Actor, userID, agencyID int64) bool {
	switch {
	case a.System || a.Has(core.RoleSystemAdmin):
		return true
	case a.Has(core.RoleAgencyAdmin) && a.AgencyID == agencyID:
		return true
	default:
		return a.UserID != 0 && a.UserID == userID
	}
}

// CanListUsers reports whether the actor may list staff, and of which agency: all reports
// every agency (agencyID is then 0).
func CanListUsers(a core.Actor) (ok, all bool, agencyID int64) {
	switch {
	case a.System || a.Has(core.RoleSystemAdmin):
		return true, true, 0
	case a.Has(core.RoleAgencyAdmin):
		return true, false, a.AgencyID
	default:
		return false, false, 0
	}
}

// CanManageUser reports whether the actor may create, disable, enable or reset the password
// of a user in agencyID. Nobody manages their own account through administration, so that an
// administrator cannot, for example, lift their own suspension.
func CanManageUser(a core.Actor, userID, agencyID int64) bool {
	if a.UserID != 0 && a.UserID == userID {
		return false
	}
	switch {
	case a.System || a.Has(core.RoleSystemAdmin):
		return true
	case a.Has(core.RoleAgencyAdmin):
		return a.AgencyID == agencyID
	default:
		return false
	}
}

// CanGrantRoles reports whether the actor may give these roles to a user. Only system
// administrators make system administrators.
func CanGrantRoles(a core.Actor, roles []core.Role) bool {
	if a.System || a.Has(core.RoleSystemAdmin) {
		return true
	}
	if !a.Has(core.RoleAgencyAdmin) {
		return false
	}
	return !slices.Contains(roles, core.RoleSystemAdmin)
}

// AuditScope says which audit rows the actor may read: auditors read the rows of actions by
// their agency's staff or on their agency's records; all is for the system operator, who reads
// the whole chain with the command line.
func AuditScope(a core.Actor) (ok, all bool, agencyID int64) {
	switch {
	case a.System:
		return true, true, 0
	case a.Has(core.RoleAuditor):
		return true, false, a.AgencyID
	default:
		return false, false, 0
	}
}

// CanManageOwnTokens reports whether the actor may create and revoke API tokens for themselves.
func CanManageOwnTokens(a core.Actor) bool { return a.UserID != 0 }
