package access

import "nanduti/internal/core"

// View is how much of a person record an actor may see.
type View int

// The views of a person, from nothing to the sealed identity.
const (
	// ViewNone: the person does not exist for the actor (not found).
	ViewNone View = iota
	// ViewPseudonymous: the pseudonym and the open fields used for statistics.
	ViewPseudonymous
	// ViewIdentified: the sealed identity too; every look is audited.
	ViewIdentified
)

// pseudonymRoles see their own agency's persons by pseudonym: administrators to help their
// staff, analysts to count, auditors to review who looked at whom.
var pseudonymRoles = []core.Role{core.RoleAgencyAdmin, core.RoleAnalyst, core.RoleAuditor}

// roleView is the most a user's roles allow on a person of their own agency.
func roleView(roles []core.Role) View {
	if MaySeeIdentities(roles) {
		return ViewIdentified
	}
	for _, r := range roles {
		for _, p := range pseudonymRoles {
			if r == p {
				return ViewPseudonymous
			}
		}
	}
	return ViewNone
}

// shareCap is the most a sharing level lets another agency's staff see: nothing below
// operational (statistical sharing gives counts only), pseudonyms at operational, identities
// at full.
func shareCap(s core.ShareLevel) View {
	switch {
	case s.AtLeast(core.ShareFull):
		return ViewIdentified
	case s.AtLeast(core.ShareOperational):
		return ViewPseudonymous
	default:
		return ViewNone
	}
}

// PersonView says how much of a person owned by ownerAgencyID the actor may see, given the
// level at which that agency shares the person with the actor's agency through a case
// (core.ShareNone when it does not; ignored for the actor's own agency). It is the smaller of what the actor's roles allow and what the
// sharing level allows. Identities additionally need a session that has passed the second
// factor: the web layer only builds actors from such sessions (or from the demo waiver).
// The system actor (the command line on the server) sees pseudonyms only: no command prints
// identities.
func PersonView(a core.Actor, ownerAgencyID int64, share core.ShareLevel) View {
	switch {
	case a.System:
		return ViewPseudonymous
	case a.UserID == 0:
		return ViewNone
	case a.AgencyID == ownerAgencyID:
		return roleView(a.Roles)
	default:
		return min(roleView(a.Roles), shareCap(share))
	}
}

// CanListPersons reports whether the actor may list and search the persons of their agency.
func CanListPersons(a core.Actor) bool {
	return a.System || PersonView(a, a.AgencyID, core.ShareNone) >= ViewPseudonymous
}

// CanCreatePerson reports whether the actor may record persons in their agency: those who
// may see identities, since creating one means typing it. The system actor creates the
// demo's persons.
func CanCreatePerson(a core.Actor) bool {
	return a.System || (a.UserID != 0 && MaySeeIdentities(a.Roles))
}

// CanEditPerson reports whether the actor may change a person: staff of the owning agency who
// may see the identity. Sharing never gives another agency the right to change a record.
func CanEditPerson(a core.Actor, ownerAgencyID int64) bool {
	return !a.System && a.AgencyID == ownerAgencyID && PersonView(a, ownerAgencyID, core.ShareNone) == ViewIdentified
}

// CanEncodePersonsForLinkage reports whether the actor may turn their agency's persons into
// CLKs for privacy-preserving record linkage with an outside party ('nanduti linkage encode
// --from-db'): staff of an agency who may see the identities of its persons, since encoding
// opens every one of them. Administrators, analysts, trainers and auditors, who do not see
// identities, may not; nor may the system actor, for whom no one would answer.
func CanEncodePersonsForLinkage(a core.Actor) bool {
	return !a.System && a.UserID != 0 && a.AgencyID != 0 &&
		PersonView(a, a.AgencyID, core.ShareNone) == ViewIdentified
}
