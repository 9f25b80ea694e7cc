// Package training is the training-of-trainers programme: courses with modules and a
// completion rule, sessions with their trainers and participants, attendance per module,
// pre- and post-test scores, certificates with public verification, imports of attendance and
// scores from spreadsheets, the cascade from trainer to trainee to the sessions trainees run,
// and the report that sets training beside identification in the field.
//
// Participants are staff (officers and officials), protected by the rules of package access,
// not sealed like victims. Every change is audited in the same transaction; reads of
// participants' records are audited as reads.
package training

import (
	"slices"
	"time"
)

// Module is one part of a course.
type Module struct {
	ID       int64
	Position int // 1-based order within the course
	Title    string
	Minutes  int
}

// Hours is the module's length in hours, for display.
func (m Module) Hours() float64 { return float64(m.Minutes) / 60 }

// Course is a curriculum that sessions deliver.
type Course struct {
	ID            int64
	OwnerAgencyID int64
	Title         string
	Objectives    string
	Language      string // "es", "en", "gn"
	// MinAttendancePct is the share of the course's minutes a participant must attend (present
	// or late) to complete it.
	MinAttendancePct int
	// MinPostScore is the post-test score (0-100) a participant must reach; 0 means no test is
	// required.
	MinPostScore int
	// TrainerCourse marks a training-of-trainers course: those who complete it may run sessions.
	TrainerCourse bool
	Modules       []Module
	CreatedAt     time.Time
}

// TotalMinutes is the course's length.
func (c Course) TotalMinutes() int {
	n := 0
	for _, m := range c.Modules {
		n += m.Minutes
	}
	return n
}

// TotalHours is the course's length in hours.
func (c Course) TotalHours() float64 { return float64(c.TotalMinutes()) / 60 }

// Participant is a member of staff who attends or runs sessions.
type Participant struct {
	ID                   int64
	AgencyID             int64 // their own agency
	RegisteredByAgencyID int64 // the agency whose programme registered them
	UserID               int64 // their user account, 0 if none (trainers need one to take attendance)
	Name                 string
	Rank                 string // rank or position
	Unit                 string
	Department           string // INE code of the department where they serve
	Contact              string
	CreatedAt            time.Time
}

// Initials are what the public verification page shows of a name: "Mirta Aquino Paredes"
// becomes "M. A. P.".
func (p Participant) Initials() string { return Initials(p.Name) }

// Session is one delivery of a course.
type Session struct {
	ID           int64
	CourseID     int64
	HostAgencyID int64
	StartsOn     time.Time // dates, at midnight UTC
	EndsOn       time.Time
	Department   string // INE code
	District     string
	Place        string
	TrainerIDs   []int64 // participant ids of the trainers
	// TrainerUserIDs are the trainers' user accounts, for access checks (filled by the store).
	TrainerUserIDs []int64
	CreatedAt      time.Time
}

// Attendance is a participant's presence at one module.
type Attendance string

// Attendance values. Late counts as attended for completion.
const (
	Present Attendance = "present"
	Late    Attendance = "late"
	Absent  Attendance = "absent"
)

// AttendanceValues lists them in the order forms show them.
var AttendanceValues = []Attendance{Present, Late, Absent}

// ValidAttendance reports whether a is a known value.
func ValidAttendance(a Attendance) bool { return slices.Contains(AttendanceValues, a) }

// Enrolment is a participant in a session, with what was recorded about them there.
type Enrolment struct {
	SessionID   int64
	Participant Participant
	PreScore    *int // 0-100
	PostScore   *int
	Feedback    *int                 // 1-5
	Attendance  map[int64]Attendance // by module id; missing means not recorded (absent)
	Certificate *Certificate
}

// Progress is a participant's standing against the course's completion rule.
type Progress struct {
	AttendedMinutes int
	AttendancePct   int // rounded down
	Completed       bool
	Gain            *int // post minus pre, when both are known
}

// Evaluate applies the course's completion rule to an enrolment.
func Evaluate(c Course, e Enrolment) Progress {
	var p Progress
	total := c.TotalMinutes()
	for _, m := range c.Modules {
		if st := e.Attendance[m.ID]; st == Present || st == Late {
			p.AttendedMinutes += m.Minutes
		}
	}
	if total > 0 {
		p.AttendancePct = p.AttendedMinutes * 100 / total
	}
	scoreOK := c.MinPostScore == 0 || (e.PostScore != nil && *e.PostScore >= c.MinPostScore)
	p.Completed = total > 0 && p.AttendancePct >= c.MinAttendancePct && scoreOK
	if e.PreScore != nil && e.PostScore != nil {
		g := *e.PostScore - *e.PreScore
		p.Gain = &g
	}
	return p
}

// Certificate attests that a participant completed a session's course.
type Certificate struct {
	ID            int64
	SessionID     int64
	ParticipantID int64
	// Code is the verification code printed on the certificate (16 base32 characters, 80
	// random bits). It is stored as is so that a certificate can be printed again; it reveals
	// only what the public verification page shows.
	Code      string
	IssuedAt  time.Time
	RevokedAt time.Time // zero while valid
}

// Revoked reports whether the certificate was withdrawn.
func (c Certificate) Revoked() bool { return !c.RevokedAt.IsZero() }

// Department is one of Paraguay's departments (and the capital district), by the national
// statistics office's code.
type Department struct {
	Code string
	Name string
}

// Departments are Paraguay's seventeen departments and the capital, with INE codes; a test
// checks them against the office's published list.
var Departments = []Department{
	{"00", "Asunción"}, {"01", "Concepción"}, {"02", "San Pedro"}, {"03", "Cordillera"},
	{"04", "Guairá"}, {"05", "Caaguazú"}, {"06", "Caazapá"}, {"07", "Itapúa"},
	{"08", "Misiones"}, {"09", "Paraguarí"}, {"10", "Alto Paraná"}, {"11", "Central"},
	{"12", "Ñeembucú"}, {"13", "Amambay"}, {"14", "Canindeyú"}, {"15", "Presidente Hayes"},
	{"16", "Boquerón"}, {"17", "Alto Paraguay"},
}

// DepartmentName returns the name of the department with this code, or the code itself.
func DepartmentName(code string) string {
	for _, d := range Departments {
		if d.Code == code {
			return d.Name
		}
	}
	return code
}

func validDepartment(code string) bool {
	for _, d := range Departments {
		if d.Code == code {
			return true
		}
	}
	return false
}

// Languages of instruction a course may have.
var Languages = []string{"es", "gn", "en"}
