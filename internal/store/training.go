package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"nanduti/internal/core"
	"nanduti/internal/training"
)

// Training returns the training domain's view of the database.
func (db *DB) Training() training.Store { return trainingStore{db} }

type trainingStore struct{ db *DB }

func (s trainingStore) Read(ctx context.Context, fn func(training.Tx) error) error {
	return s.db.ReadTx(ctx, func(tx *Tx) error { return fn(trainingTx{tx}) })
}

func (s trainingStore) Write(ctx context.Context, fn func(training.Tx) error) error {
	return s.db.WriteTx(ctx, func(tx *Tx) error { return fn(trainingTx{tx}) })
}

// trainingTx carries the training queries on their own type, so that their names cannot
// collide with other domains' methods on Tx.
type trainingTx struct{ *Tx }

type scanner interface{ Scan(...any) error }

func (tx trainingTx) AgencyExists(ctx context.Context, id int64) (bool, error) {
	var n int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM agencies WHERE id = $1`, id).Scan(&n); err != nil {
		return false, tx.scanErr(err)
	}
	return n > 0, nil
}

func (tx trainingTx) AgencyName(ctx context.Context, id int64) (string, error) {
	var name string
	if err := tx.queryRow(ctx, `SELECT name FROM agencies WHERE id = $1`, id).Scan(&name); err != nil {
		return "", tx.scanErr(err)
	}
	return name, nil
}

func (tx trainingTx) AgencyLabels(ctx context.Context) (map[int64]string, error) {
	rows, err := tx.query(ctx, `SELECT id, code, name FROM agencies`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var code, name string
		if err := rows.Scan(&id, &code, &name); err != nil {
			return nil, tx.db.translateErr(err)
		}
		out[id] = name + " (" + code + ")"
	}
	return out, tx.db.translateErr(rows.Err())
}

func (tx trainingTx) UserInfo(ctx context.Context, userID int64) (int64, string, []core.Role, error) {
	var agencyID int64
	var name, roles string
	err := tx.queryRow(ctx, `SELECT agency_id, name, roles FROM users WHERE id = $1`, userID).Scan(&agencyID, &name, &roles)
	if err != nil {
		return 0, "", nil, tx.scanErr(err)
	}
	return agencyID, name, splitRoles(roles), nil
}

// ---- courses ----

func (tx trainingTx) CreateCourse(ctx context.Context, c *training.Course) error {
	id, err := tx.insertID(ctx, `INSERT INTO training_courses (owner_agency_id, title, objectives, language, min_attendance_pct,
		min_post_score, trainer_course, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		c.OwnerAgencyID, c.Title, c.Objectives, c.Language, c.MinAttendancePct, c.MinPostScore, c.TrainerCourse, c.CreatedAt)
	if err != nil {
		return err
	}
	c.ID = id
	for i := range c.Modules {
		m := &c.Modules[i]
		if m.ID, err = tx.insertID(ctx, `INSERT INTO training_modules (course_id, position, title, minutes) VALUES ($1, $2, $3, $4) RETURNING id`,
			c.ID, m.Position, m.Title, m.Minutes); err != nil {
			return err
		}
	}
	return nil
}

const courseColumns = `id, owner_agency_id, title, objectives, language, min_attendance_pct, min_post_score, trainer_course, created_at`

func scanCourse(row scanner) (training.Course, error) {
	var c training.Course
	err := row.Scan(&c.ID, &c.OwnerAgencyID, &c.Title, &c.Objectives, &c.Language, &c.MinAttendancePct, &c.MinPostScore,
		&c.TrainerCourse, &c.CreatedAt)
	c.CreatedAt = utc(c.CreatedAt)
	return c, err
}

func (tx trainingTx) modules(ctx context.Context, courseIDs ...int64) (map[int64][]training.Module, error) {
	out := map[int64][]training.Module{}
	query := `SELECT course_id, id, position, title, minutes FROM training_modules`
	var args []any
	if len(courseIDs) == 1 {
		query += ` WHERE course_id = $1`
		args = append(args, courseIDs[0])
	}
	rows, err := tx.query(ctx, query+` ORDER BY course_id, position`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var cid int64
		var m training.Module
		if err := rows.Scan(&cid, &m.ID, &m.Position, &m.Title, &m.Minutes); err != nil {
			return nil, tx.db.translateErr(err)
		}
		out[cid] = append(out[cid], m)
	}
	return out, tx.db.translateErr(rows.Err())
}

func (tx trainingTx) CourseByID(ctx context.Context, id int64) (training.Course, error) {
	c, err := scanCourse(tx.queryRow(ctx, `SELECT `+courseColumns+` FROM training_courses WHERE id = $1`, id))
	if err != nil {
		return c, tx.scanErr(err)
	}
	mods, err := tx.modules(ctx, id)
	c.Modules = mods[id]
	return c, err
}

func (tx trainingTx) ListCourses(ctx context.Context) ([]training.Course, error) {
	rows, err := tx.query(ctx, `SELECT `+courseColumns+` FROM training_courses ORDER BY title, id`)
	if err != nil {
		return nil, err
	}
	var out []training.Course
	for rows.Next() {
		c, err := scanCourse(rows)
		if err != nil {
			rows.Close()
			return nil, tx.db.translateErr(err)
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, tx.db.translateErr(err)
	}
	mods, err := tx.modules(ctx)
	for i := range out {
		out[i].Modules = mods[out[i].ID]
	}
	return out, err
}

// ---- participants ----

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

func (tx trainingTx) CreateParticipant(ctx context.Context, p *training.Participant) error {
	id, err := tx.insertID(ctx, `INSERT INTO training_participants (agency_id, registered_by_agency_id, user_id, name, rank, unit,
		department, contact, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		p.AgencyID, p.RegisteredByAgencyID, nullID(p.UserID), p.Name, p.Rank, p.Unit, p.Department, p.Contact, p.CreatedAt)
	p.ID = id
	return err
}

const participantColumns = `p.id, p.agency_id, p.registered_by_agency_id, p.user_id, p.name, p.rank, p.unit, p.department, p.contact, p.created_at`

func scanParticipant(row scanner) (training.Participant, error) {
	var p training.Participant
	var user sql.NullInt64
	err := row.Scan(&p.ID, &p.AgencyID, &p.RegisteredByAgencyID, &user, &p.Name, &p.Rank, &p.Unit, &p.Department, &p.Contact, &p.CreatedAt)
	p.UserID = user.Int64
	p.CreatedAt = utc(p.CreatedAt)
	return p, err
}

func (tx trainingTx) ParticipantByID(ctx context.Context, id int64) (training.Participant, error) {
	p, err := scanParticipant(tx.queryRow(ctx, `SELECT `+participantColumns+` FROM training_participants p WHERE p.id = $1`, id))
	return p, tx.scanErr(err)
}

func (tx trainingTx) ParticipantByUserID(ctx context.Context, userID int64) (training.Participant, error) {
	p, err := scanParticipant(tx.queryRow(ctx, `SELECT `+participantColumns+` FROM training_participants p WHERE p.user_id = $1`, userID))
	return p, tx.scanErr(err)
}

func (tx trainingTx) ParticipantSessions(ctx context.Context, participantID int64) (hosts, trainerUsers, sessions []int64, err error) {
	rows, err := tx.query(ctx, `SELECT s.id, s.host_agency_id, COALESCE(tp.user_id, 0)
		FROM training_enrolments e
		JOIN training_sessions s ON s.id = e.session_id
		LEFT JOIN training_session_trainers st ON st.session_id = s.id
		LEFT JOIN training_participants tp ON tp.id = st.participant_id
		WHERE e.participant_id = $1 ORDER BY s.id`, participantID)
	if err != nil {
		return nil, nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var sid, host, user int64
		if err := rows.Scan(&sid, &host, &user); err != nil {
			return nil, nil, nil, tx.db.translateErr(err)
		}
		if len(sessions) == 0 || sessions[len(sessions)-1] != sid {
			sessions = append(sessions, sid)
			hosts = append(hosts, host)
		}
		if user != 0 {
			trainerUsers = append(trainerUsers, user)
		}
	}
	return hosts, trainerUsers, sessions, tx.db.translateErr(rows.Err())
}

func (tx trainingTx) ListParticipants(ctx context.Context, f training.ParticipantFilter) ([]training.Participant, error) {
	query := `SELECT ` + participantColumns + ` FROM training_participants p`
	var args []any
	if f.AgencyID != 0 {
		conds := []string{`p.registered_by_agency_id = $1`,
			`p.id IN (SELECT e.participant_id FROM training_enrolments e JOIN training_sessions s ON s.id = e.session_id WHERE s.host_agency_id = $1)`}
		if f.OwnStaff {
			conds = append(conds, `p.agency_id = $1`)
		}
		args = append(args, f.AgencyID)
		if f.TrainerUserID != 0 {
			conds = append(conds, `p.id IN (SELECT e.participant_id FROM training_enrolments e
				JOIN training_session_trainers st ON st.session_id = e.session_id
				JOIN training_participants tp ON tp.id = st.participant_id WHERE tp.user_id = $2)`)
			args = append(args, f.TrainerUserID)
		}
		query += ` WHERE ` + strings.Join(conds, " OR ")
	}
	rows, err := tx.query(ctx, query+` ORDER BY p.name, p.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []training.Participant
	for rows.Next() {
		p, err := scanParticipant(rows)
		if err != nil {
			return nil, tx.db.translateErr(err)
		}
		out = append(out, p)
	}
	return out, tx.db.translateErr(rows.Err())
}

func (tx trainingTx) CompletedTrainerCourse(ctx context.Context, participantID int64) (bool, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT count(*) FROM training_certificates c
		JOIN training_sessions s ON s.id = c.session_id
		JOIN training_courses k ON k.id = s.course_id
		WHERE c.participant_id = $1 AND c.revoked_at IS NULL AND k.trainer_course = $2`, participantID, true).Scan(&n)
	if err != nil {
		return false, tx.scanErr(err)
	}
	return n > 0, nil
}

// ---- sessions ----

func (tx trainingTx) CreateSession(ctx context.Context, s *training.Session) error {
	id, err := tx.insertID(ctx, `INSERT INTO training_sessions (course_id, host_agency_id, starts_on, ends_on, department, district,
		place, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		s.CourseID, s.HostAgencyID, s.StartsOn, s.EndsOn, s.Department, s.District, s.Place, s.CreatedAt)
	if err != nil {
		return err
	}
	s.ID = id
	for _, p := range s.TrainerIDs {
		if _, err := tx.exec(ctx, `INSERT INTO training_session_trainers (session_id, participant_id) VALUES ($1, $2)`, id, p); err != nil {
			return err
		}
	}
	return nil
}

const sessionColumns = `s.id, s.course_id, s.host_agency_id, s.starts_on, s.ends_on, s.department, s.district, s.place, s.created_at`

func scanSession(row scanner) (training.Session, error) {
	var s training.Session
	err := row.Scan(&s.ID, &s.CourseID, &s.HostAgencyID, &s.StartsOn, &s.EndsOn, &s.Department, &s.District, &s.Place, &s.CreatedAt)
	s.StartsOn, s.EndsOn, s.CreatedAt = utc(s.StartsOn), utc(s.EndsOn), utc(s.CreatedAt)
	return s, err
}

// fillTrainers loads the trainers of the sessions, in participant id order.
func (tx trainingTx) fillTrainers(ctx context.Context, list []training.Session) error {
	if len(list) == 0 {
		return nil
	}
	index := map[int64]int{}
	for i, s := range list {
		index[s.ID] = i
	}
	query := `SELECT st.session_id, st.participant_id, COALESCE(p.user_id, 0) FROM training_session_trainers st
		JOIN training_participants p ON p.id = st.participant_id`
	var args []any
	if len(list) == 1 {
		query += ` WHERE st.session_id = $1`
		args = append(args, list[0].ID)
	}
	rows, err := tx.query(ctx, query+` ORDER BY st.session_id, st.participant_id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var sid, pid, uid int64
		if err := rows.Scan(&sid, &pid, &uid); err != nil {
			return tx.db.translateErr(err)
		}
		i, ok := index[sid]
		if !ok {
			continue
		}
		list[i].TrainerIDs = append(list[i].TrainerIDs, pid)
		if uid != 0 {
			list[i].TrainerUserIDs = append(list[i].TrainerUserIDs, uid)
		}
	}
	return tx.db.translateErr(rows.Err())
}

func (tx trainingTx) SessionByID(ctx context.Context, id int64) (training.Session, error) {
	s, err := scanSession(tx.queryRow(ctx, `SELECT `+sessionColumns+` FROM training_sessions s WHERE s.id = $1`, id))
	if err != nil {
		return s, tx.scanErr(err)
	}
	list := []training.Session{s}
	err = tx.fillTrainers(ctx, list)
	return list[0], err
}

func (tx trainingTx) ListSessions(ctx context.Context, f training.SessionFilter) ([]training.Session, error) {
	query := `SELECT ` + sessionColumns + ` FROM training_sessions s`
	var args []any
	if f.HostAgencyID != 0 {
		query += ` WHERE s.host_agency_id = $1 OR s.id IN (SELECT st.session_id FROM training_session_trainers st
			JOIN training_participants p ON p.id = st.participant_id WHERE p.user_id = $2)`
		args = append(args, f.HostAgencyID, f.TrainerUserID)
	}
	rows, err := tx.query(ctx, query+` ORDER BY s.starts_on DESC, s.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	var out []training.Session
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			rows.Close()
			return nil, tx.db.translateErr(err)
		}
		out = append(out, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, tx.db.translateErr(err)
	}
	return out, tx.fillTrainers(ctx, out)
}

// ---- enrolments, attendance, scores ----

func (tx trainingTx) Enrol(ctx context.Context, sessionID, participantID int64, at time.Time) error {
	_, err := tx.exec(ctx, `INSERT INTO training_enrolments (session_id, participant_id, enrolled_at) VALUES ($1, $2, $3)`,
		sessionID, participantID, at)
	return err
}

func nullInt(p *int) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: int64(*p), Valid: true}
}

func intPtr(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}

// attendance returns the attendance marks of one session (or all, for sessionID 0), keyed by
// session and participant.
func (tx trainingTx) attendance(ctx context.Context, sessionID int64) (map[[2]int64]map[int64]training.Attendance, error) {
	query := `SELECT session_id, participant_id, module_id, status FROM training_attendance`
	var args []any
	if sessionID != 0 {
		query += ` WHERE session_id = $1`
		args = append(args, sessionID)
	}
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[[2]int64]map[int64]training.Attendance{}
	for rows.Next() {
		var sid, pid, mid int64
		var st string
		if err := rows.Scan(&sid, &pid, &mid, &st); err != nil {
			return nil, tx.db.translateErr(err)
		}
		k := [2]int64{sid, pid}
		if out[k] == nil {
			out[k] = map[int64]training.Attendance{}
		}
		out[k][mid] = training.Attendance(st)
	}
	return out, tx.db.translateErr(rows.Err())
}

func (tx trainingTx) Enrolments(ctx context.Context, sessionID int64) ([]training.Enrolment, error) {
	rows, err := tx.query(ctx, `SELECT `+participantColumns+`, e.pre_score, e.post_score, e.feedback,
		c.id, c.code, c.issued_at, c.revoked_at
		FROM training_enrolments e
		JOIN training_participants p ON p.id = e.participant_id
		LEFT JOIN training_certificates c ON c.session_id = e.session_id AND c.participant_id = e.participant_id
		WHERE e.session_id = $1 ORDER BY p.name, p.id`, sessionID)
	if err != nil {
		return nil, err
	}
	var out []training.Enrolment
	for rows.Next() {
		var e training.Enrolment
		var pre, post, fb, certID sql.NullInt64
		var code sql.NullString
		var issued, revoked sql.NullTime
		var user sql.NullInt64
		p := &e.Participant
		if err := rows.Scan(&p.ID, &p.AgencyID, &p.RegisteredByAgencyID, &user, &p.Name, &p.Rank, &p.Unit, &p.Department, &p.Contact,
			&p.CreatedAt, &pre, &post, &fb, &certID, &code, &issued, &revoked); err != nil {
			rows.Close()
			return nil, tx.db.translateErr(err)
		}
		p.UserID = user.Int64
		p.CreatedAt = utc(p.CreatedAt)
		e.SessionID = sessionID
		e.PreScore, e.PostScore, e.Feedback = intPtr(pre), intPtr(post), intPtr(fb)
		if certID.Valid {
			c := training.Certificate{ID: certID.Int64, SessionID: sessionID, ParticipantID: p.ID, Code: code.String, IssuedAt: utc(issued.Time)}
			if revoked.Valid {
				c.RevokedAt = utc(revoked.Time)
			}
			e.Certificate = &c
		}
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, tx.db.translateErr(err)
	}
	att, err := tx.attendance(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Attendance = att[[2]int64{sessionID, out[i].Participant.ID}]
		if out[i].Attendance == nil {
			out[i].Attendance = map[int64]training.Attendance{}
		}
	}
	return out, nil
}

func (tx trainingTx) EnrolmentCounts(ctx context.Context) (map[int64]int, error) {
	rows, err := tx.query(ctx, `SELECT session_id, count(*) FROM training_enrolments GROUP BY session_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var sid int64
		var n int
		if err := rows.Scan(&sid, &n); err != nil {
			return nil, tx.db.translateErr(err)
		}
		out[sid] = n
	}
	return out, tx.db.translateErr(rows.Err())
}

func (tx trainingTx) SetAttendance(ctx context.Context, sessionID, participantID, moduleID int64, a training.Attendance) error {
	_, err := tx.exec(ctx, `INSERT INTO training_attendance (session_id, participant_id, module_id, status) VALUES ($1, $2, $3, $4)
		ON CONFLICT (session_id, participant_id, module_id) DO UPDATE SET status = excluded.status`,
		sessionID, participantID, moduleID, string(a))
	return err
}

func (tx trainingTx) SetScores(ctx context.Context, sessionID, participantID int64, pre, post, feedback *int) error {
	res, err := tx.exec(ctx, `UPDATE training_enrolments SET pre_score = $3, post_score = $4, feedback = $5
		WHERE session_id = $1 AND participant_id = $2`, sessionID, participantID, nullInt(pre), nullInt(post), nullInt(feedback))
	if err != nil {
		return err
	}
	return affected(res)
}

// ---- certificates ----

func (tx trainingTx) CreateCertificate(ctx context.Context, c *training.Certificate) error {
	id, err := tx.insertID(ctx, `INSERT INTO training_certificates (session_id, participant_id, code, issued_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		c.SessionID, c.ParticipantID, c.Code, c.IssuedAt)
	c.ID = id
	return err
}

const certificateColumns = `id, session_id, participant_id, code, issued_at, revoked_at`

func scanCertificate(row scanner) (training.Certificate, error) {
	var c training.Certificate
	var revoked sql.NullTime
	err := row.Scan(&c.ID, &c.SessionID, &c.ParticipantID, &c.Code, &c.IssuedAt, &revoked)
	c.IssuedAt = utc(c.IssuedAt)
	if revoked.Valid {
		c.RevokedAt = utc(revoked.Time)
	}
	return c, err
}

func (tx trainingTx) CertificateByID(ctx context.Context, id int64) (training.Certificate, error) {
	c, err := scanCertificate(tx.queryRow(ctx, `SELECT `+certificateColumns+` FROM training_certificates WHERE id = $1`, id))
	return c, tx.scanErr(err)
}

func (tx trainingTx) CertificateByCode(ctx context.Context, code string) (training.Certificate, error) {
	c, err := scanCertificate(tx.queryRow(ctx, `SELECT `+certificateColumns+` FROM training_certificates WHERE code = $1`, code))
	return c, tx.scanErr(err)
}

func (tx trainingTx) RevokeCertificate(ctx context.Context, id int64, at time.Time) error {
	res, err := tx.exec(ctx, `UPDATE training_certificates SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, id, at)
	if err != nil {
		return err
	}
	return affected(res)
}

// ---- cascade and reports ----

func (tx trainingTx) AllSessionFacts(ctx context.Context) ([]training.SessionFacts, error) {
	sessions, err := tx.ListSessions(ctx, training.SessionFilter{})
	if err != nil {
		return nil, err
	}
	courses, err := tx.ListCourses(ctx)
	if err != nil {
		return nil, err
	}
	byCourse := map[int64]training.Course{}
	for _, c := range courses {
		byCourse[c.ID] = c
	}
	out := make([]training.SessionFacts, len(sessions))
	index := map[int64]int{}
	for i, s := range sessions {
		out[i] = training.SessionFacts{Session: s, Course: byCourse[s.CourseID]}
		index[s.ID] = i
	}
	att, err := tx.attendance(ctx, 0)
	if err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, `SELECT e.session_id, p.id, p.agency_id, p.department, e.pre_score, e.post_score
		FROM training_enrolments e JOIN training_participants p ON p.id = e.participant_id ORDER BY e.session_id, p.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var sid int64
		var t training.TraineeFacts
		var pre, post sql.NullInt64
		if err := rows.Scan(&sid, &t.ParticipantID, &t.AgencyID, &t.Department, &pre, &post); err != nil {
			return nil, tx.db.translateErr(err)
		}
		t.PreScore, t.PostScore = intPtr(pre), intPtr(post)
		t.Attendance = att[[2]int64{sid, t.ParticipantID}]
		if i, ok := index[sid]; ok {
			out[i].Trainees = append(out[i].Trainees, t)
		}
	}
	return out, tx.db.translateErr(rows.Err())
}
