package access

import "nanduti/internal/core"

// Screenings describe a person's situation (age, sex, what was observed), so they are read on
// a need-to-know basis: the staff of the owning agency whose work is identifying victims, and
// that agency's administrators. Analysts see counts only; nobody outside the agency sees them.

// CanScreen reports whether the actor may record a screening for their agency: the officers
// in the field, whose roles can see identities.
func CanScreen(a core.Actor) bool {
	return a.UserID != 0 && a.AgencyID != 0 && MaySeeIdentities(a.Roles)
}

// CanSeeScreenings reports whether the actor may read, one by one, the screenings owned by
// agencyID.
func CanSeeScreenings(a core.Actor, agencyID int64) bool {
	if a.UserID == 0 || a.AgencyID == 0 || a.AgencyID != agencyID {
		return false
	}
	return MaySeeIdentities(a.Roles) || a.Has(core.RoleAgencyAdmin)
}

// CanCountScreenings reports whether the actor may see how many screenings agencyID holds by
// outcome, without seeing any one of them: whoever may read them, and the agency's analysts.
func CanCountScreenings(a core.Actor, agencyID int64) bool {
	if CanSeeScreenings(a, agencyID) {
		return true
	}
	return a.UserID != 0 && a.AgencyID == agencyID && a.Has(core.RoleAnalyst)
}

// CanLinkScreening reports whether the actor may link a screening of agencyID to a person:
// an officer of the owning agency.
func CanLinkScreening(a core.Actor, agencyID int64) bool {
	return CanScreen(a) && CanSeeScreenings(a, agencyID)
}
