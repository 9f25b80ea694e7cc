package training

import (
	"context"
	"time"

	"nanduti/internal/audit"
	"nanduti/internal/core"
)

// Store is the storage that training needs. Read runs fn in a read-only transaction, Write in
// a read-write one; fn's error rolls the transaction back.
type Store interface {
	Read(ctx context.Context, fn func(Tx) error) error
	Write(ctx context.Context, fn func(Tx) error) error
}

// ParticipantFilter selects participants for the register. Zero AgencyID lists everyone.
type ParticipantFilter struct {
	// AgencyID lists those registered by this agency or enrolled in a session it hosted.
	AgencyID int64
	// OwnStaff adds AgencyID's own staff wherever they were trained.
	OwnStaff bool
	// TrainerUserID adds those enrolled in sessions this user trains in.
	TrainerUserID int64
}

// SessionFilter selects sessions. Zero fields select everything.
type SessionFilter struct {
	HostAgencyID  int64
	TrainerUserID int64 // with HostAgencyID: sessions of the host or trained by this user
}

// Tx is one transaction's view of the training storage. Lookups of missing rows return a
// core.NotFound error; unique violations return core.Conflict.
type Tx interface {
	// AppendAudit adds a row to the audit chain, in this transaction.
	AppendAudit(ctx context.Context, actor core.Actor, at time.Time, e audit.Entry) error
	// AgencyExists reports whether an agency with this id exists.
	AgencyExists(ctx context.Context, id int64) (bool, error)
	// AgencyName returns an agency's name.
	AgencyName(ctx context.Context, id int64) (string, error)
	// AgencyLabels returns every agency's "Name (CODE)" by id, for report rows.
	AgencyLabels(ctx context.Context) (map[int64]string, error)
	// UserInfo returns a user account's agency, name and roles, NotFound if none.
	UserInfo(ctx context.Context, userID int64) (agencyID int64, name string, roles []core.Role, err error)

	CreateCourse(ctx context.Context, c *Course) error
	CourseByID(ctx context.Context, id int64) (Course, error)
	ListCourses(ctx context.Context) ([]Course, error)

	CreateParticipant(ctx context.Context, p *Participant) error
	ParticipantByID(ctx context.Context, id int64) (Participant, error)
	ParticipantByUserID(ctx context.Context, userID int64) (Participant, error)
	// ParticipantSessions returns the host agencies, trainers' user accounts and ids of the
	// sessions the participant attended.
	ParticipantSessions(ctx context.Context, participantID int64) (hostAgencyIDs, trainerUserIDs, sessionIDs []int64, err error)
	ListParticipants(ctx context.Context, f ParticipantFilter) ([]Participant, error)
	// CompletedTrainerCourse reports whether the participant holds a valid certificate of a
	// training-of-trainers course.
	CompletedTrainerCourse(ctx context.Context, participantID int64) (bool, error)

	CreateSession(ctx context.Context, s *Session) error
	SessionByID(ctx context.Context, id int64) (Session, error)
	ListSessions(ctx context.Context, f SessionFilter) ([]Session, error)

	Enrol(ctx context.Context, sessionID, participantID int64, at time.Time) error
	Enrolments(ctx context.Context, sessionID int64) ([]Enrolment, error)
	// EnrolmentCounts returns the number of participants of each session.
	EnrolmentCounts(ctx context.Context) (map[int64]int, error)
	SetAttendance(ctx context.Context, sessionID, participantID, moduleID int64, a Attendance) error
	SetScores(ctx context.Context, sessionID, participantID int64, pre, post, feedback *int) error

	CreateCertificate(ctx context.Context, c *Certificate) error
	CertificateByID(ctx context.Context, id int64) (Certificate, error)
	CertificateByCode(ctx context.Context, code string) (Certificate, error)
	RevokeCertificate(ctx context.Context, id int64, at time.Time) error

	// AllSessionFacts returns every session with its trainers and trainees, for the cascade
	// and the reports.
	AllSessionFacts(ctx context.Context) ([]SessionFacts, error)
}

// SessionFacts is what the cascade and the reports need of a session: no names.
type SessionFacts struct {
	Session  Session
	Course   Course
	Trainees []TraineeFacts
}

// TraineeFacts is what the cascade and reports need of one participant in one session.
type TraineeFacts struct {
	ParticipantID int64
	AgencyID      int64
	Department    string
	Attendance    map[int64]Attendance
	Completed     bool // filled by the service from the course's rule
	PreScore      *int
	PostScore     *int
}
