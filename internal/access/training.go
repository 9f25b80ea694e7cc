package access

import (
	"slices"

	"nanduti/internal/core"
)

// Training programmes belong to the agency that runs them (for example the police academy):
// its courses, the sessions it hosts and the staff it registers as participants. Participants
// are staff, not victims: their data is personal and protected by these rules, but not sealed.
//
//   - Every signed-in user may read the course catalogue (titles, modules, hours: nothing
//     personal), so that any agency can run an established course.
//   - Trainers and agency administrators (the programme's coordinators) create courses and
//     sessions for their own agency.
//   - A session, with its participants, scores and certificates, is seen and managed by the
//     hosting agency's administrators and by the session's own trainers. The hosting agency's
//     other trainers see that the session exists (course, dates, place, counts), not who was
//     in it.
//   - The register of participants is seen by the trainers and administrators of the agency
//     that registered them or hosted a session they attended; an agency's administrators also
//     see their own staff's participation wherever it took place. Anyone else: not found.
//   - Analysts, trainers and agency administrators see aggregate reach and the effect-in-the-
//     field report, which carry counts and never names.

func isCoordinator(a core.Actor, agencyID int64) bool {
	return a.Has(core.RoleAgencyAdmin) && a.AgencyID == agencyID
}

// CanReadCourses reports whether the actor may read the course catalogue.
func CanReadCourses(a core.Actor) bool { return a.System || a.UserID != 0 }

// CanManageCourses reports whether the actor may create courses owned by agencyID.
func CanManageCourses(a core.Actor, agencyID int64) bool {
	if a.System {
		return true
	}
	return a.AgencyID == agencyID && a.HasAny(core.RoleTrainer, core.RoleAgencyAdmin)
}

// CanCreateSession reports whether the actor may open a session hosted by agencyID.
func CanCreateSession(a core.Actor, hostAgencyID int64) bool {
	return CanManageCourses(a, hostAgencyID)
}

// SessionView is how much of a session the actor may see.
type SessionView int

// Session views, from nothing to everything.
const (
	SessionHidden  SessionView = iota // not found
	SessionSummary                    // course, dates, place, counts; no participant
	SessionFull                       // participants, attendance, scores, certificates
)

// TrainingSession says how much of a session hosted by hostAgencyID the actor sees;
// trainerUserIDs are the user accounts of the session's trainers.
func TrainingSession(a core.Actor, hostAgencyID int64, trainerUserIDs []int64) SessionView {
	switch {
	case a.System || isCoordinator(a, hostAgencyID):
		return SessionFull
	case a.Has(core.RoleTrainer) && a.UserID != 0 && slices.Contains(trainerUserIDs, a.UserID):
		return SessionFull
	case a.Has(core.RoleTrainer) && a.AgencyID == hostAgencyID:
		return SessionSummary
	default:
		return SessionHidden
	}
}

// CanManageSession reports whether the actor may enrol participants, take attendance, record
// scores and issue or revoke certificates in a session: those who see it in full.
func CanManageSession(a core.Actor, hostAgencyID int64, trainerUserIDs []int64) bool {
	return TrainingSession(a, hostAgencyID, trainerUserIDs) == SessionFull
}

// ListSessionsScope says whose sessions the actor may list: all for the system; otherwise
// the sessions hosted by agencyID and those the actor trains in (the service adds those).
func ListSessionsScope(a core.Actor) (ok, all bool, agencyID int64) {
	switch {
	case a.System:
		return true, true, 0
	case a.HasAny(core.RoleTrainer, core.RoleAgencyAdmin):
		return true, false, a.AgencyID
	default:
		return false, false, 0
	}
}

// ParticipantScope is what decides who may see a participant.
type ParticipantScope struct {
	AgencyID             int64   // the participant's own agency
	RegisteredByAgencyID int64   // the agency that registered them
	HostAgencyIDs        []int64 // agencies that hosted a session they attended
	TrainerUserIDs       []int64 // trainers of sessions they attended
}

// CanSeeParticipant reports whether the actor may see a participant's record.
func CanSeeParticipant(a core.Actor, p ParticipantScope) bool {
	switch {
	case a.System:
		return true
	case a.Has(core.RoleAgencyAdmin) && (a.AgencyID == p.AgencyID || a.AgencyID == p.RegisteredByAgencyID ||
		slices.Contains(p.HostAgencyIDs, a.AgencyID)):
		return true
	case a.Has(core.RoleTrainer) && (a.AgencyID == p.RegisteredByAgencyID || slices.Contains(p.HostAgencyIDs, a.AgencyID) ||
		(a.UserID != 0 && slices.Contains(p.TrainerUserIDs, a.UserID))):
		return true
	default:
		return false
	}
}

// ParticipantRegisterScope says which participants the actor may list: those registered by or
// trained at agencyID, and, with ownStaff, agencyID's own staff trained anywhere.
func ParticipantRegisterScope(a core.Actor) (ok, all bool, agencyID int64, ownStaff bool) {
	switch {
	case a.System:
		return true, true, 0, false
	case a.Has(core.RoleAgencyAdmin):
		return true, false, a.AgencyID, true
	case a.Has(core.RoleTrainer):
		return true, false, a.AgencyID, false
	default:
		return false, false, 0, false
	}
}

// CanRegisterParticipant reports whether the actor may register participants for agencyID's
// programme.
func CanRegisterParticipant(a core.Actor, registeringAgencyID int64) bool {
	return CanManageCourses(a, registeringAgencyID)
}

// CanSeeTrainingReach reports whether the actor may see aggregate reach (the cascade's counts)
// and the effect-in-the-field report. The cascade's names are shown only where
// CanSeeParticipant allows.
func CanSeeTrainingReach(a core.Actor) bool {
	return a.System || a.HasAny(core.RoleAnalyst, core.RoleTrainer, core.RoleAgencyAdmin)
}
