package training

import (
	"context"
	"crypto/rand"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"nanduti/internal/access"
	"nanduti/internal/audit"
	"nanduti/internal/core"
)

// Config sets the service's collaborators. Zero values take the defaults of New.
type Config struct {
	Clock core.Clock
	// Random supplies the bytes of verification codes; crypto/rand unless a test pins it.
	Random io.Reader
	// Field counts identifications and cases in the field for the effect report; NoCaseData
	// until the case module provides it.
	Field FieldCounts
}

// Service is the training domain. Every entry point (web, API, command line) goes through it.
type Service struct {
	store Store
	cfg   Config
}

// New returns a Service on store.
func New(store Store, cfg Config) *Service {
	if cfg.Clock == nil {
		cfg.Clock = core.SystemClock{}
	}
	if cfg.Random == nil {
		cfg.Random = rand.Reader
	}
	if cfg.Field == nil {
		cfg.Field = NoCaseData{}
	}
	return &Service{store: store, cfg: cfg}
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.cfg.Clock.Now() }

var notFound = core.Errorf(core.NotFound, "error.not_found")

func id(n int64) string { return strconv.FormatInt(n, 10) }

func checkText(v *core.Validation, field, value string, max int, required bool) {
	if value == "" {
		if required {
			v.Add(field, "error.required")
		}
	} else if utf8.RuneCountInString(value) > max {
		v.Add(field, "error.too_long", max)
	}
}

// ---- courses ----

// NewModule is one module of a new course.
type NewModule struct {
	Title   string
	Minutes int
}

// NewCourse is the input for creating a course.
type NewCourse struct {
	OwnerAgencyID    int64 // 0: the actor's agency
	Title            string
	Objectives       string
	Language         string
	MinAttendancePct int
	MinPostScore     int
	TrainerCourse    bool
	Modules          []NewModule
}

// MaxModules bounds a course's modules; forms show this many rows.
const MaxModules = 12

// CreateCourse adds a course to the owner agency's catalogue.
func (s *Service) CreateCourse(ctx context.Context, actor core.Actor, in NewCourse) (Course, error) {
	if in.OwnerAgencyID == 0 {
		in.OwnerAgencyID = actor.AgencyID
	}
	if !access.CanManageCourses(actor, in.OwnerAgencyID) {
		return Course{}, core.Errorf(core.Forbidden, "error.forbidden")
	}
	in.Title = strings.TrimSpace(in.Title)
	in.Objectives = strings.TrimSpace(in.Objectives)
	var v core.Validation
	checkText(&v, "title", in.Title, 200, true)
	checkText(&v, "objectives", in.Objectives, 4000, false)
	if !slices.Contains(Languages, in.Language) {
		v.Add("language", "training.language_invalid")
	}
	if in.MinAttendancePct < 0 || in.MinAttendancePct > 100 {
		v.Add("min_attendance", "training.percent_range")
	}
	if in.MinPostScore < 0 || in.MinPostScore > 100 {
		v.Add("min_post_score", "training.score_range")
	}
	var modules []Module
	for i, m := range in.Modules {
		m.Title = strings.TrimSpace(m.Title)
		if m.Title == "" && m.Minutes == 0 {
			continue
		}
		field := "module_" + strconv.Itoa(i+1)
		checkText(&v, field, m.Title, 200, true)
		if m.Minutes <= 0 || m.Minutes > 100*60 {
			v.Add(field, "training.module_hours_range")
		}
		modules = append(modules, Module{Position: len(modules) + 1, Title: m.Title, Minutes: m.Minutes})
	}
	if len(modules) == 0 {
		v.Add("module_1", "training.modules_required")
	}
	if len(modules) > MaxModules {
		v.Add("module_1", "training.modules_too_many", MaxModules)
	}
	if err := v.Err(); err != nil {
		return Course{}, err
	}
	c := Course{OwnerAgencyID: in.OwnerAgencyID, Title: in.Title, Objectives: in.Objectives, Language: in.Language,
		MinAttendancePct: in.MinAttendancePct, MinPostScore: in.MinPostScore, TrainerCourse: in.TrainerCourse,
		Modules: modules, CreatedAt: s.Now()}
	err := s.store.Write(ctx, func(tx Tx) error {
		if ok, err := tx.AgencyExists(ctx, c.OwnerAgencyID); err != nil {
			return err
		} else if !ok {
			return notFound
		}
		if err := tx.CreateCourse(ctx, &c); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "training.course.create", ObjectType: "training_course",
			ObjectID: id(c.ID), ObjectAgencyID: c.OwnerAgencyID,
			Fields: []string{"title", "objectives", "language", "min_attendance", "min_post_score", "trainer_course", "modules"}})
	})
	return c, err
}

// Courses lists the catalogue.
func (s *Service) Courses(ctx context.Context, actor core.Actor) ([]Course, error) {
	if !access.CanReadCourses(actor) {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	var out []Course
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.ListCourses(ctx)
		return err
	})
	return out, err
}

// Course returns one course of the catalogue.
func (s *Service) Course(ctx context.Context, actor core.Actor, courseID int64) (Course, error) {
	if !access.CanReadCourses(actor) {
		return Course{}, notFound
	}
	var c Course
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		c, err = tx.CourseByID(ctx, courseID)
		return err
	})
	return c, err
}

// ---- participants ----

// NewParticipant is the input for registering a participant.
type NewParticipant struct {
	AgencyID   int64
	UserID     int64 // optional: their user account
	Name       string
	Rank       string
	Unit       string
	Department string
	Contact    string
}

func (s *Service) validateParticipant(in *NewParticipant) error {
	in.Name = strings.TrimSpace(in.Name)
	in.Rank = strings.TrimSpace(in.Rank)
	in.Unit = strings.TrimSpace(in.Unit)
	in.Department = strings.TrimSpace(in.Department)
	in.Contact = strings.TrimSpace(in.Contact)
	var v core.Validation
	checkText(&v, "name", in.Name, 200, true)
	checkText(&v, "rank", in.Rank, 100, false)
	checkText(&v, "unit", in.Unit, 200, false)
	checkText(&v, "contact", in.Contact, 200, false)
	if in.AgencyID == 0 {
		v.Add("agency", "error.required")
	}
	if !validDepartment(in.Department) {
		v.Add("department", "training.department_invalid")
	}
	return v.Err()
}

// registerParticipant creates a participant inside a transaction, registered by the actor's
// agency (or by registeringAgency for the system actor).
func (s *Service) registerParticipant(ctx context.Context, tx Tx, actor core.Actor, registeringAgency int64, in NewParticipant) (Participant, error) {
	if ok, err := tx.AgencyExists(ctx, in.AgencyID); err != nil {
		return Participant{}, err
	} else if !ok {
		return Participant{}, &core.Error{Code: core.Invalid, Key: "error.invalid_form",
			Fields: []core.FieldError{{Field: "agency", Key: "training.agency_unknown"}}}
	}
	if in.UserID != 0 {
		agencyID, _, _, err := tx.UserInfo(ctx, in.UserID)
		if err != nil || agencyID != in.AgencyID {
			return Participant{}, &core.Error{Code: core.Invalid, Key: "error.invalid_form",
				Fields: []core.FieldError{{Field: "user", Key: "training.user_unknown"}}}
		}
	}
	p := Participant{AgencyID: in.AgencyID, RegisteredByAgencyID: registeringAgency, UserID: in.UserID, Name: in.Name,
		Rank: in.Rank, Unit: in.Unit, Department: in.Department, Contact: in.Contact, CreatedAt: s.Now()}
	if err := tx.CreateParticipant(ctx, &p); err != nil {
		if core.Is(err, core.Conflict) {
			return Participant{}, &core.Error{Code: core.Conflict, Key: "error.invalid_form",
				Fields: []core.FieldError{{Field: "user", Key: "training.user_taken"}}, Err: err}
		}
		return Participant{}, err
	}
	return p, tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "training.participant.create", ObjectType: "training_participant",
		ObjectID: id(p.ID), ObjectAgencyID: p.AgencyID, Fields: []string{"name", "agency", "user", "rank", "unit", "department", "contact"}})
}

// RegisterParticipant adds a member of staff to the actor's agency's programme register.
func (s *Service) RegisterParticipant(ctx context.Context, actor core.Actor, registeringAgency int64, in NewParticipant) (Participant, error) {
	if registeringAgency == 0 {
		registeringAgency = actor.AgencyID
	}
	if !access.CanRegisterParticipant(actor, registeringAgency) {
		return Participant{}, core.Errorf(core.Forbidden, "error.forbidden")
	}
	if err := s.validateParticipant(&in); err != nil {
		return Participant{}, err
	}
	var p Participant
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		p, err = s.registerParticipant(ctx, tx, actor, registeringAgency, in)
		return err
	})
	return p, err
}

func (s *Service) participantScope(ctx context.Context, tx Tx, p Participant) (access.ParticipantScope, error) {
	hosts, trainers, _, err := tx.ParticipantSessions(ctx, p.ID)
	return access.ParticipantScope{AgencyID: p.AgencyID, RegisteredByAgencyID: p.RegisteredByAgencyID,
		HostAgencyIDs: hosts, TrainerUserIDs: trainers}, err
}

// ParticipantRecord is a participant with the sessions they attended or ran that the
// actor may see.
type ParticipantRecord struct {
	Participant Participant
	Sessions    []SessionLine
}

// SessionLine is one session in a participant's record.
type SessionLine struct {
	Session     Session
	Course      Course
	AsTrainer   bool
	Progress    Progress
	Certificate *Certificate
}

// Participant returns one participant's record; one the actor may not see is not found. The
// read is audited.
func (s *Service) Participant(ctx context.Context, actor core.Actor, participantID int64) (ParticipantRecord, error) {
	var rec ParticipantRecord
	err := s.store.Write(ctx, func(tx Tx) error {
		p, err := tx.ParticipantByID(ctx, participantID)
		if err != nil {
			return err
		}
		scope, err := s.participantScope(ctx, tx, p)
		if err != nil {
			return err
		}
		if !access.CanSeeParticipant(actor, scope) {
			return notFound
		}
		rec.Participant = p
		sessions, err := tx.ListSessions(ctx, SessionFilter{})
		if err != nil {
			return err
		}
		for _, ss := range sessions {
			asTrainer := slices.Contains(ss.TrainerIDs, p.ID)
			var line *SessionLine
			if asTrainer {
				line = &SessionLine{Session: ss, AsTrainer: true}
			}
			// Only sessions the actor may see, or those of the participant's agency for its
			// administrators, appear in the record.
			if access.TrainingSession(actor, ss.HostAgencyID, ss.TrainerUserIDs) == access.SessionHidden &&
				!(actor.Has(core.RoleAgencyAdmin) && actor.AgencyID == p.AgencyID) {
				continue
			}
			ens, err := tx.Enrolments(ctx, ss.ID)
			if err != nil {
				return err
			}
			for _, e := range ens {
				if e.Participant.ID != p.ID {
					continue
				}
				line = &SessionLine{Session: ss, Certificate: e.Certificate}
				c, err := tx.CourseByID(ctx, ss.CourseID)
				if err != nil {
					return err
				}
				line.Course = c
				line.Progress = Evaluate(c, e)
			}
			if line != nil {
				if line.Course.ID == 0 {
					if line.Course, err = tx.CourseByID(ctx, ss.CourseID); err != nil {
						return err
					}
				}
				rec.Sessions = append(rec.Sessions, *line)
			}
		}
		return tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "training.participant.read", ObjectType: "training_participant",
			ObjectID: id(p.ID), ObjectAgencyID: p.AgencyID, Fields: []string{"name", "rank", "unit", "department", "contact", "sessions"}})
	})
	return rec, err
}

// Participants lists the register the actor may see. The read is audited.
func (s *Service) Participants(ctx context.Context, actor core.Actor) ([]Participant, error) {
	ok, all, agencyID, ownStaff := access.ParticipantRegisterScope(actor)
	if !ok {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	f := ParticipantFilter{AgencyID: agencyID, OwnStaff: ownStaff, TrainerUserID: actor.UserID}
	if all {
		f = ParticipantFilter{}
	}
	var out []Participant
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		if out, err = tx.ListParticipants(ctx, f); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "training.participant.list", ObjectType: "training_participant",
			ObjectAgencyID: agencyID, Fields: []string{"name", "rank", "unit", "department"}})
	})
	return out, err
}

// ---- sessions ----

// NewSession is the input for opening a session.
type NewSession struct {
	CourseID     int64
	HostAgencyID int64 // 0: the actor's agency
	StartsOn     time.Time
	EndsOn       time.Time
	Department   string
	District     string
	Place        string
	// TrainerIDs are participants who will teach; empty: the actor, registered on first use.
	TrainerIDs []int64
}

// ParseDate reads a form date (YYYY-MM-DD).
func ParseDate(s string) (time.Time, bool) {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	return t, err == nil
}

// ensureSelf returns the actor's own participant record, registering it from their account.
func (s *Service) ensureSelf(ctx context.Context, tx Tx, actor core.Actor, department string) (Participant, error) {
	p, err := tx.ParticipantByUserID(ctx, actor.UserID)
	if err == nil || !core.Is(err, core.NotFound) {
		return p, err
	}
	agencyID, name, _, err := tx.UserInfo(ctx, actor.UserID)
	if err != nil {
		return Participant{}, err
	}
	return s.registerParticipant(ctx, tx, actor, agencyID, NewParticipant{AgencyID: agencyID, UserID: actor.UserID,
		Name: name, Department: department})
}

// qualifiedTrainer reports whether a participant may teach: a user account holding the
// trainer role, or a valid certificate of a training-of-trainers course.
func qualifiedTrainer(ctx context.Context, tx Tx, p Participant) (bool, error) {
	if p.UserID != 0 {
		_, _, roles, err := tx.UserInfo(ctx, p.UserID)
		if err != nil && !core.Is(err, core.NotFound) {
			return false, err
		}
		if slices.Contains(roles, core.RoleTrainer) {
			return true, nil
		}
	}
	return tx.CompletedTrainerCourse(ctx, p.ID)
}

// CreateSession opens a session of a course.
func (s *Service) CreateSession(ctx context.Context, actor core.Actor, in NewSession) (Session, error) {
	if in.HostAgencyID == 0 {
		in.HostAgencyID = actor.AgencyID
	}
	if !access.CanCreateSession(actor, in.HostAgencyID) {
		return Session{}, core.Errorf(core.Forbidden, "error.forbidden")
	}
	in.District = strings.TrimSpace(in.District)
	in.Place = strings.TrimSpace(in.Place)
	var v core.Validation
	if in.CourseID == 0 {
		v.Add("course", "error.required")
	}
	if in.StartsOn.IsZero() {
		v.Add("starts_on", "training.date_invalid")
	}
	if in.EndsOn.IsZero() {
		v.Add("ends_on", "training.date_invalid")
	} else if !in.StartsOn.IsZero() && in.EndsOn.Before(in.StartsOn) {
		v.Add("ends_on", "training.ends_before_start")
	}
	if !validDepartment(in.Department) {
		v.Add("department", "training.department_invalid")
	}
	checkText(&v, "district", in.District, 100, false)
	checkText(&v, "place", in.Place, 200, true)
	if err := v.Err(); err != nil {
		return Session{}, err
	}
	ss := Session{CourseID: in.CourseID, HostAgencyID: in.HostAgencyID, StartsOn: in.StartsOn.UTC(), EndsOn: in.EndsOn.UTC(),
		Department: in.Department, District: in.District, Place: in.Place, CreatedAt: s.Now()}
	err := s.store.Write(ctx, func(tx Tx) error {
		if _, err := tx.CourseByID(ctx, in.CourseID); err != nil {
			if core.Is(err, core.NotFound) {
				return &core.Error{Code: core.Invalid, Key: "error.invalid_form",
					Fields: []core.FieldError{{Field: "course", Key: "training.course_unknown"}}}
			}
			return err
		}
		trainers := slices.Clone(in.TrainerIDs)
		if len(trainers) == 0 {
			if actor.UserID == 0 {
				return &core.Error{Code: core.Invalid, Key: "error.invalid_form",
					Fields: []core.FieldError{{Field: "trainers", Key: "training.trainers_required"}}}
			}
			self, err := s.ensureSelf(ctx, tx, actor, in.Department)
			if err != nil {
				return err
			}
			trainers = []int64{self.ID}
		}
		slices.Sort(trainers)
		trainers = slices.Compact(trainers)
		for _, tid := range trainers {
			p, err := tx.ParticipantByID(ctx, tid)
			if err == nil {
				var scope access.ParticipantScope
				if scope, err = s.participantScope(ctx, tx, p); err == nil && !access.CanSeeParticipant(actor, scope) &&
					!(p.UserID != 0 && p.UserID == actor.UserID) {
					err = notFound
				}
			}
			if err != nil {
				if core.Is(err, core.NotFound) {
					return &core.Error{Code: core.Invalid, Key: "error.invalid_form",
						Fields: []core.FieldError{{Field: "trainers", Key: "training.participant_unknown"}}}
				}
				return err
			}
			ok, err := qualifiedTrainer(ctx, tx, p)
			if err != nil {
				return err
			}
			if !ok {
				return &core.Error{Code: core.Invalid, Key: "error.invalid_form",
					Fields: []core.FieldError{{Field: "trainers", Key: "training.trainer_not_qualified"}}}
			}
		}
		ss.TrainerIDs = trainers
		if err := tx.CreateSession(ctx, &ss); err != nil {
			return err
		}
		created, err := tx.SessionByID(ctx, ss.ID)
		if err != nil {
			return err
		}
		ss = created
		return tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "training.session.create", ObjectType: "training_session",
			ObjectID: id(ss.ID), ObjectAgencyID: ss.HostAgencyID,
			Fields: []string{"course", "host_agency", "starts_on", "ends_on", "department", "district", "place", "trainers"}})
	})
	return ss, err
}

// SessionSummary is a session as lists show it.
type SessionSummary struct {
	Session      Session
	Course       Course
	Participants int
	View         access.SessionView
}

// Sessions lists the sessions the actor may see: their agency's and those they teach in.
func (s *Service) Sessions(ctx context.Context, actor core.Actor) ([]SessionSummary, error) {
	ok, all, agencyID := access.ListSessionsScope(actor)
	if !ok {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	f := SessionFilter{HostAgencyID: agencyID, TrainerUserID: actor.UserID}
	if all {
		f = SessionFilter{}
	}
	var out []SessionSummary
	err := s.store.Read(ctx, func(tx Tx) error {
		list, err := tx.ListSessions(ctx, f)
		if err != nil {
			return err
		}
		counts, err := tx.EnrolmentCounts(ctx)
		if err != nil {
			return err
		}
		courses := map[int64]Course{}
		for _, ss := range list {
			view := access.TrainingSession(actor, ss.HostAgencyID, ss.TrainerUserIDs)
			if view == access.SessionHidden {
				continue
			}
			c, ok := courses[ss.CourseID]
			if !ok {
				if c, err = tx.CourseByID(ctx, ss.CourseID); err != nil {
					return err
				}
				courses[c.ID] = c
			}
			out = append(out, SessionSummary{Session: ss, Course: c, Participants: counts[ss.ID], View: view})
		}
		return nil
	})
	return out, err
}

// EnrolmentView is an enrolment with its standing against the completion rule.
type EnrolmentView struct {
	Enrolment
	Progress Progress
}

// SessionDetail is a session as its page shows it.
type SessionDetail struct {
	Session  Session
	Course   Course
	View     access.SessionView
	Trainers []Participant // empty unless the view is full
	// Enrolments is empty unless the view is full.
	Enrolments   []EnrolmentView
	Participants int
	Completed    int
}

// CanManage reports whether the actor may change the session.
func (d SessionDetail) CanManage() bool { return d.View == access.SessionFull }

func (s *Service) loadDetail(ctx context.Context, tx Tx, actor core.Actor, sessionID int64) (SessionDetail, error) {
	ss, err := tx.SessionByID(ctx, sessionID)
	if err != nil {
		return SessionDetail{}, err
	}
	view := access.TrainingSession(actor, ss.HostAgencyID, ss.TrainerUserIDs)
	if view == access.SessionHidden {
		return SessionDetail{}, notFound
	}
	c, err := tx.CourseByID(ctx, ss.CourseID)
	if err != nil {
		return SessionDetail{}, err
	}
	d := SessionDetail{Session: ss, Course: c, View: view}
	ens, err := tx.Enrolments(ctx, ss.ID)
	if err != nil {
		return SessionDetail{}, err
	}
	d.Participants = len(ens)
	for _, e := range ens {
		ev := EnrolmentView{Enrolment: e, Progress: Evaluate(c, e)}
		if ev.Progress.Completed {
			d.Completed++
		}
		if view == access.SessionFull {
			d.Enrolments = append(d.Enrolments, ev)
		}
	}
	if view == access.SessionFull {
		for _, tid := range ss.TrainerIDs {
			p, err := tx.ParticipantByID(ctx, tid)
			if err != nil {
				return SessionDetail{}, err
			}
			d.Trainers = append(d.Trainers, p)
		}
	}
	return d, nil
}

// Session returns a session as the actor may see it. A full view (participants' names) is
// audited as a read.
func (s *Service) Session(ctx context.Context, actor core.Actor, sessionID int64) (SessionDetail, error) {
	var d SessionDetail
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		if d, err = s.loadDetail(ctx, tx, actor, sessionID); err != nil {
			return err
		}
		if d.View != access.SessionFull {
			return nil
		}
		return tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "training.session.read", ObjectType: "training_session",
			ObjectID: id(d.Session.ID), ObjectAgencyID: d.Session.HostAgencyID, Fields: []string{"participants", "attendance", "scores"}})
	})
	return d, err
}

// manage runs fn on a session the actor may manage: one they may not see is not found, one
// they see only in summary is forbidden.
func (s *Service) manage(ctx context.Context, actor core.Actor, sessionID int64, fn func(tx Tx, d SessionDetail) error) error {
	return s.store.Write(ctx, func(tx Tx) error {
		d, err := s.loadDetail(ctx, tx, actor, sessionID)
		if err != nil {
			return err
		}
		if !d.CanManage() {
			return core.Errorf(core.Forbidden, "error.forbidden")
		}
		return fn(tx, d)
	})
}

// Enrol adds an existing participant to a session.
func (s *Service) Enrol(ctx context.Context, actor core.Actor, sessionID, participantID int64) error {
	return s.manage(ctx, actor, sessionID, func(tx Tx, d SessionDetail) error {
		p, err := tx.ParticipantByID(ctx, participantID)
		if err == nil {
			var scope access.ParticipantScope
			if scope, err = s.participantScope(ctx, tx, p); err == nil && !access.CanSeeParticipant(actor, scope) {
				err = notFound
			}
		}
		if err != nil {
			if core.Is(err, core.NotFound) {
				return &core.Error{Code: core.Invalid, Key: "error.invalid_form",
					Fields: []core.FieldError{{Field: "participant", Key: "training.participant_unknown"}}}
			}
			return err
		}
		return s.enrol(ctx, tx, actor, d, p)
	})
}

func (s *Service) enrol(ctx context.Context, tx Tx, actor core.Actor, d SessionDetail, p Participant) error {
	for _, e := range d.Enrolments {
		if e.Participant.ID == p.ID {
			return &core.Error{Code: core.Conflict, Key: "error.invalid_form",
				Fields: []core.FieldError{{Field: "participant", Key: "training.already_enrolled"}}}
		}
	}
	if err := tx.Enrol(ctx, d.Session.ID, p.ID, s.Now()); err != nil {
		return err
	}
	return tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "training.enrolment.create", ObjectType: "training_enrolment",
		ObjectID: id(d.Session.ID) + ":" + id(p.ID), ObjectAgencyID: d.Session.HostAgencyID, Fields: []string{"session", "participant"}})
}

// EnrolNew registers a participant in the session's host agency's register and enrols them.
func (s *Service) EnrolNew(ctx context.Context, actor core.Actor, sessionID int64, in NewParticipant) (Participant, error) {
	if err := s.validateParticipant(&in); err != nil {
		return Participant{}, err
	}
	var p Participant
	err := s.manage(ctx, actor, sessionID, func(tx Tx, d SessionDetail) error {
		var err error
		if p, err = s.registerParticipant(ctx, tx, actor, d.Session.HostAgencyID, in); err != nil {
			return err
		}
		return s.enrol(ctx, tx, actor, d, p)
	})
	return p, err
}

// AttendanceMark is one participant's presence at one module.
type AttendanceMark struct {
	ParticipantID int64
	ModuleID      int64
	Status        Attendance
}

// RecordAttendance records marks for a session's participants in one transaction; a mark for
// someone not enrolled or a module not of the course rejects the whole set.
func (s *Service) RecordAttendance(ctx context.Context, actor core.Actor, sessionID int64, marks []AttendanceMark) error {
	return s.manage(ctx, actor, sessionID, func(tx Tx, d SessionDetail) error {
		enrolled := map[int64]EnrolmentView{}
		for _, e := range d.Enrolments {
			enrolled[e.Participant.ID] = e
		}
		modules := map[int64]bool{}
		for _, m := range d.Course.Modules {
			modules[m.ID] = true
		}
		var v core.Validation
		for _, m := range marks {
			field := "a_" + id(m.ParticipantID) + "_" + id(m.ModuleID)
			switch {
			case enrolled[m.ParticipantID].Participant.ID == 0:
				v.Add(field, "training.participant_not_enrolled")
			case !modules[m.ModuleID]:
				v.Add(field, "training.module_unknown")
			case !ValidAttendance(m.Status):
				v.Add(field, "training.attendance_invalid")
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		changed := map[int64]bool{}
		for _, m := range marks {
			if enrolled[m.ParticipantID].Attendance[m.ModuleID] == m.Status {
				continue
			}
			if err := tx.SetAttendance(ctx, sessionID, m.ParticipantID, m.ModuleID, m.Status); err != nil {
				return err
			}
			changed[m.ParticipantID] = true
		}
		return s.auditEnrolments(ctx, tx, actor, d, changed, []string{"attendance"})
	})
}

func (s *Service) auditEnrolments(ctx context.Context, tx Tx, actor core.Actor, d SessionDetail, changed map[int64]bool, fields []string) error {
	ids := make([]int64, 0, len(changed))
	for pid := range changed {
		ids = append(ids, pid)
	}
	slices.Sort(ids)
	for _, pid := range ids {
		if err := tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "training.enrolment.update", ObjectType: "training_enrolment",
			ObjectID: id(d.Session.ID) + ":" + id(pid), ObjectAgencyID: d.Session.HostAgencyID, Fields: fields}); err != nil {
			return err
		}
	}
	return nil
}

// Scores are one participant's test scores and feedback; nil leaves a value unchanged.
type Scores struct {
	ParticipantID int64
	Pre           *int
	Post          *int
	Feedback      *int
}

// RecordScores records scores for a session's participants in one transaction.
func (s *Service) RecordScores(ctx context.Context, actor core.Actor, sessionID int64, scores []Scores) error {
	return s.manage(ctx, actor, sessionID, func(tx Tx, d SessionDetail) error {
		enrolled := map[int64]EnrolmentView{}
		for _, e := range d.Enrolments {
			enrolled[e.Participant.ID] = e
		}
		var v core.Validation
		for _, sc := range scores {
			pid := id(sc.ParticipantID)
			if enrolled[sc.ParticipantID].Participant.ID == 0 {
				v.Add("pre_"+pid, "training.participant_not_enrolled")
				continue
			}
			if sc.Pre != nil && (*sc.Pre < 0 || *sc.Pre > 100) {
				v.Add("pre_"+pid, "training.score_range")
			}
			if sc.Post != nil && (*sc.Post < 0 || *sc.Post > 100) {
				v.Add("post_"+pid, "training.score_range")
			}
			if sc.Feedback != nil && (*sc.Feedback < 1 || *sc.Feedback > 5) {
				v.Add("feedback_"+pid, "training.feedback_range")
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		changed := map[int64]bool{}
		for _, sc := range scores {
			e := enrolled[sc.ParticipantID]
			pre, post, fb := pick(sc.Pre, e.PreScore), pick(sc.Post, e.PostScore), pick(sc.Feedback, e.Feedback)
			if same(pre, e.PreScore) && same(post, e.PostScore) && same(fb, e.Feedback) {
				continue
			}
			if err := tx.SetScores(ctx, sessionID, sc.ParticipantID, pre, post, fb); err != nil {
				return err
			}
			changed[sc.ParticipantID] = true
		}
		return s.auditEnrolments(ctx, tx, actor, d, changed, []string{"pre_score", "post_score", "feedback"})
	})
}

func pick(v, old *int) *int {
	if v != nil {
		return v
	}
	return old
}

func same(a, b *int) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// ---- helpers ----

// Initials turns a name into its initials: "Mirta Aquino Paredes" becomes "M. A. P.".
// Particles such as "de" and "del" are left out, as people write initials.
func Initials(name string) string {
	var parts []string
	for _, w := range strings.Fields(name) {
		switch strings.ToLower(w) {
		case "de", "del", "la", "las", "los", "y":
			continue
		}
		r, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsLetter(r) {
			continue
		}
		parts = append(parts, string(unicode.ToUpper(r))+".")
	}
	return strings.Join(parts, " ")
}

// sortSessions orders sessions by start date, then id: the order in which the cascade grew.
func sortSessions(ss []SessionFacts) {
	sort.SliceStable(ss, func(i, j int) bool {
		a, b := ss[i].Session, ss[j].Session
		if !a.StartsOn.Equal(b.StartsOn) {
			return a.StartsOn.Before(b.StartsOn)
		}
		return a.ID < b.ID
	})
}
