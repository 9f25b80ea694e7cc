package access

import "nanduti/internal/core"

// Cases are shared on a need-to-know basis. What an actor may do with a case follows from two
// things: the level at which the case reaches the actor's agency (the owning agency has full
// access, another agency the level the owner granted, none when it was not shared) and the
// actor's roles, which cap that level. The service computes the level once with CaseLevel and
// asks the functions below; a level below operational means the case does not exist for the
// actor (not found), except for counts.

// caseRoles are the roles whose work is cases: they may open cases and work on them within
// the level their agency has.
var caseRoles = []core.Role{
	core.RoleInvestigator, core.RoleProsecutor, core.RoleLabourInspector,
	core.RoleImmigrationOfficer, core.RoleCaseworker,
}

// WorksCases reports whether the actor holds a role whose work is cases.
func WorksCases(a core.Actor) bool {
	return a.UserID != 0 && a.AgencyID != 0 && a.HasAny(caseRoles...)
}

// caseRoleCap is the most a role lets its holder see of any case: case workers everything
// their agency has, analysts counts only (they never see identities, nor single cases), and
// everyone else nothing.
func caseRoleCap(a core.Actor) core.ShareLevel {
	switch {
	case WorksCases(a):
		return core.ShareFull
	case a.UserID != 0 && a.AgencyID != 0 && a.Has(core.RoleAnalyst):
		return core.ShareStatistical
	}
	return core.ShareNone
}

// CaseLevel is what the actor may see of a case owned by ownerAgencyID and shared with the
// actor's agency at shared (core.ShareNone when not shared): the agency's level capped by the
// actor's roles.
func CaseLevel(a core.Actor, ownerAgencyID int64, shared core.ShareLevel) core.ShareLevel {
	agency := shared
	if a.AgencyID != 0 && a.AgencyID == ownerAgencyID {
		agency = core.ShareFull
	}
	roleCap := caseRoleCap(a)
	if roleCap.AtLeast(agency) {
		return agency
	}
	return roleCap
}

// CanSeeCase reports whether a case at this level exists for the actor: listed, readable by
// id, exported. Statistical access shows counts only.
func CanSeeCase(level core.ShareLevel) bool { return level.AtLeast(core.ShareOperational) }

// CanSeeCaseIdentities reports whether the actor may see who the persons of a case at this
// level are: full level and a role that may see identities. Each such view is audited.
func CanSeeCaseIdentities(a core.Actor, level core.ShareLevel) bool {
	return level.AtLeast(core.ShareFull) && MaySeeIdentities(a.Roles)
}

// CanCreateCase reports whether the actor may open a case for their agency.
func CanCreateCase(a core.Actor) bool { return WorksCases(a) }

// CanEditCase reports whether the actor may change a case's facts, its assigned officers and
// its sharing: case workers of the owning agency only.
func CanEditCase(a core.Actor, ownerAgencyID int64) bool {
	return WorksCases(a) && a.AgencyID == ownerAgencyID
}

// CanContribute reports whether the actor may add to a case at this level: events, tasks,
// evidence, persons, status changes and referrals. An agency the case is shared with at
// operational level or above works its part of the case.
func CanContribute(a core.Actor, level core.ShareLevel) bool {
	return WorksCases(a) && level.AtLeast(core.ShareOperational)
}

// CanProsecute reports whether the actor may record charges, hearings and outcomes: a
// prosecutor whose agency has the case at operational level or above.
func CanProsecute(a core.Actor, level core.ShareLevel) bool {
	return CanContribute(a, level) && a.Has(core.RoleProsecutor)
}

// CanRequestCaseAccess reports whether the actor may ask another agency for access to one of
// its cases.
func CanRequestCaseAccess(a core.Actor) bool { return WorksCases(a) }

// CanCountCases reports whether the actor may see counts of the cases their agency holds or
// receives at any level.
func CanCountCases(a core.Actor) bool { return caseRoleCap(a) != core.ShareNone }

// CanSeeReferral reports whether the actor may see a referral sent to receivingAgencyID: the
// receiving agency's case workers see what the referral grants, and nothing else of the case.
func CanSeeReferral(a core.Actor, receivingAgencyID int64) bool {
	return WorksCases(a) && a.AgencyID == receivingAgencyID
}

// CanExportCaseIdentities reports whether an export of the actor's visible cases may name the
// persons: only a role that may see identities, and then only for cases at full level.
func CanExportCaseIdentities(a core.Actor) bool { return MaySeeIdentities(a.Roles) }
