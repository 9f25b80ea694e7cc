package access

import "nanduti/internal/core"

// CanRunDedupe reports whether the actor may run the dedupe job: only the system (the command
// line on the server and the background job), which holds the key ring and decrypts
// identities in memory to compare them.
func CanRunDedupe(a core.Actor) bool { return a.System }

// CanSeeDedupe reports whether the actor may look at possible duplicates at all: staff who see
// their agency's persons. Which candidates they see, and how much of each, depends on the two
// persons (DedupeSight).
func CanSeeDedupe(a core.Actor) bool {
	return !a.System && a.UserID != 0 && PersonView(a, a.AgencyID, core.ShareNone) >= ViewPseudonymous
}

// DedupeSight is how much of a candidate pair an actor sees.
type DedupeSight int

// The sights of a candidate.
const (
	// SightNone: neither person is visible; the candidate does not exist for the actor.
	SightNone DedupeSight = iota
	// SightOneSide: one person is visible; the actor is told only that a record in another
	// agency's case may be the same person.
	SightOneSide
	// SightBoth: both persons are visible (at least by pseudonym).
	SightBoth
)

// CandidateSight is what an actor who may see the dedupe pages sees of a pair, given their
// view of each person (PersonView, with case sharing).
func CandidateSight(a core.Actor, viewA, viewB View) DedupeSight {
	if !CanSeeDedupe(a) {
		return SightNone
	}
	switch {
	case viewA >= ViewPseudonymous && viewB >= ViewPseudonymous:
		return SightBoth
	case viewA >= ViewPseudonymous || viewB >= ViewPseudonymous:
		return SightOneSide
	}
	return SightNone
}

// CanDecideDuplicate reports whether the actor may confirm, reject or undo a merge of two
// persons: someone who may see both identities, since deciding means comparing them.
func CanDecideDuplicate(a core.Actor, viewA, viewB View) bool {
	return CanSeeDedupe(a) && viewA == ViewIdentified && viewB == ViewIdentified
}

// CanRequestDedupeAccess reports whether the actor may ask for access to the other record of a
// candidate they see one side of: those who work cases, as for any case access request.
func CanRequestDedupeAccess(a core.Actor) bool { return CanSeeDedupe(a) && CanRequestCaseAccess(a) }
