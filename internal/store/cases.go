package store

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"

	"nanduti/internal/cases"
	"nanduti/internal/core"
)

// Cases returns the cases domain's view of the database.
func (db *DB) Cases() cases.Store { return casesStore{db} }

type casesStore struct{ db *DB }

func (s casesStore) Read(ctx context.Context, fn func(cases.Tx) error) error {
	return s.db.ReadTx(ctx, func(tx *Tx) error { return fn(tx) })
}

func (s casesStore) Write(ctx context.Context, fn func(cases.Tx) error) error {
	return s.db.WriteTx(ctx, func(tx *Tx) error { return fn(tx) })
}

// joinSet stores a set of vocabulary values as ",A,B," so that one value is found with LIKE
// '%,A,%' on either engine.
func joinSet(values []string) string {
	if len(values) == 0 {
		return ""
	}
	return "," + strings.Join(values, ",") + ","
}

func splitSet(s string) []string {
	s = strings.Trim(s, ",")
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (tx *Tx) NextCaseSeq(ctx context.Context, agencyID int64, year int) (int, error) {
	var n int
	err := tx.queryRow(ctx, `INSERT INTO case_counters (agency_id, year, last) VALUES ($1, $2, 1)
		ON CONFLICT (agency_id, year) DO UPDATE SET last = case_counters.last + 1 RETURNING last`, agencyID, year).Scan(&n)
	return n, tx.scanErr(err)
}

const caseColumns = `c.id, c.agency_id, c.number, c.year, c.seq, c.title, c.status, c.exploitation, c.sector, c.department,
	c.district, c.reported_on, c.opened_on, c.closed_on, c.source, c.sensitive, c.version, c.created_by, c.created_at, c.updated_at`

func scanCase(row interface{ Scan(...any) error }, extra ...any) (cases.Case, error) {
	var c cases.Case
	var ex string
	var sensitive int
	err := row.Scan(append([]any{&c.ID, &c.AgencyID, &c.Number, &c.Year, &c.Seq, &c.Title, &c.Status, &ex, &c.Sector,
		&c.Department, &c.District, &c.ReportedOn, &c.OpenedOn, &c.ClosedOn, &c.Source, &sensitive, &c.Version,
		&c.CreatedBy, &c.CreatedAt, &c.UpdatedAt}, extra...)...)
	c.Exploitation = splitSet(ex)
	c.Sensitive = sensitive != 0
	c.CreatedAt, c.UpdatedAt = utc(c.CreatedAt), utc(c.UpdatedAt)
	return c, err
}

func (tx *Tx) CreateCase(ctx context.Context, c *cases.Case) error {
	var err error
	c.ID, err = tx.insertID(ctx, `INSERT INTO cases (agency_id, number, year, seq, title, status, exploitation, sector,
		department, district, reported_on, opened_on, closed_on, source, sensitive, version, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id`,
		c.AgencyID, c.Number, c.Year, c.Seq, c.Title, c.Status, joinSet(c.Exploitation), c.Sector, c.Department, c.District,
		c.ReportedOn, c.OpenedOn, c.ClosedOn, c.Source, boolInt(c.Sensitive), c.Version, c.CreatedBy, c.CreatedAt, c.UpdatedAt)
	return err
}

func (tx *Tx) caseWhere(ctx context.Context, where string, arg any) (cases.Case, error) {
	c, err := scanCase(tx.queryRow(ctx, `SELECT `+caseColumns+` FROM cases c WHERE `+where, arg))
	if err != nil {
		return c, tx.scanErr(err)
	}
	rows, err := tx.query(ctx, `SELECT user_id FROM case_officers WHERE case_id = $1 ORDER BY user_id`, c.ID)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var uid int64
		if err := rows.Scan(&uid); err != nil {
			return c, tx.db.translateErr(err)
		}
		c.Officers = append(c.Officers, uid)
	}
	return c, tx.db.translateErr(rows.Err())
}

func (tx *Tx) CaseByID(ctx context.Context, id int64) (cases.Case, error) {
	return tx.caseWhere(ctx, `c.id = $1`, id)
}

func (tx *Tx) CaseByNumber(ctx context.Context, number string) (cases.Case, error) {
	return tx.caseWhere(ctx, `c.number = $1`, number)
}

func (tx *Tx) UpdateCase(ctx context.Context, c cases.Case) error {
	res, err := tx.exec(ctx, `UPDATE cases SET title = $1, status = $2, exploitation = $3, sector = $4, department = $5,
		district = $6, reported_on = $7, opened_on = $8, closed_on = $9, source = $10, sensitive = $11, version = $12,
		updated_at = $13 WHERE id = $14 AND version = $15`,
		c.Title, c.Status, joinSet(c.Exploitation), c.Sector, c.Department, c.District, c.ReportedOn, c.OpenedOn, c.ClosedOn,
		c.Source, boolInt(c.Sensitive), c.Version, c.UpdatedAt, c.ID, c.Version-1)
	if err != nil {
		return err
	}
	return tx.versioned(ctx, res, `SELECT count(*) FROM cases WHERE id = $1`, c.ID)
}

// versioned turns an update that matched no row into NotFound when the row is gone and
// Conflict when another transaction changed it first.
func (tx *Tx) versioned(ctx context.Context, res sql.Result, exists string, id int64) error {
	n, err := res.RowsAffected()
	if err != nil {
		return tx.db.translateErr(err)
	}
	if n > 0 {
		return nil
	}
	var found int
	if err := tx.queryRow(ctx, exists, id).Scan(&found); err != nil {
		return tx.scanErr(err)
	}
	if found == 0 {
		return core.Errorf(core.NotFound, "error.not_found")
	}
	return core.Errorf(core.Conflict, "case.error.stale")
}

func (tx *Tx) SetCaseOfficers(ctx context.Context, caseID int64, userIDs []int64) error {
	if _, err := tx.exec(ctx, `DELETE FROM case_officers WHERE case_id = $1`, caseID); err != nil {
		return err
	}
	for _, uid := range userIDs {
		if _, err := tx.exec(ctx, `INSERT INTO case_officers (case_id, user_id) VALUES ($1, $2)`, caseID, uid); err != nil {
			return err
		}
	}
	return nil
}

// caseFilter appends the filter's conditions to where, numbering bind variables after args.
func caseFilter(f cases.Filter, args []any) (string, []any) {
	var b strings.Builder
	add := func(cond string, v any) {
		args = append(args, v)
		b.WriteString(" AND " + strings.ReplaceAll(cond, "$?", "$"+strconv.Itoa(len(args))))
	}
	if f.Status != "" {
		add("c.status = $?", string(f.Status))
	}
	if f.Exploitation != "" {
		add("c.exploitation LIKE $?", "%,"+f.Exploitation+",%")
	}
	if f.Department != "" {
		add("c.department = $?", f.Department)
	}
	if f.From != "" {
		add("c.reported_on >= $?", f.From)
	}
	if f.To != "" {
		add("c.reported_on <= $?", f.To)
	}
	return b.String(), args
}

func levelsIn(levels []core.ShareLevel, args []any) (string, []any) {
	ph := make([]string, len(levels))
	for i, l := range levels {
		args = append(args, string(l))
		ph[i] = "$" + strconv.Itoa(len(args))
	}
	return "(" + strings.Join(ph, ", ") + ")", args
}

// ListCases runs two index-ordered queries, the agency's own cases and the cases shared with
// it, and merges them: one query with an OR across both would scan every case.
func (tx *Tx) ListCases(ctx context.Context, q cases.ListQuery) ([]cases.Case, error) {
	var out []cases.Case
	run := func(query string, args []any) error {
		rows, err := tx.query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var level string
			c, err := scanCase(rows, &level)
			if err != nil {
				return tx.db.translateErr(err)
			}
			c.Level = core.ShareLevel(level)
			out = append(out, c)
		}
		return tx.db.translateErr(rows.Err())
	}
	if q.Owned {
		args := []any{q.AgencyID, q.Before}
		where, args := caseFilter(q.Filter, args)
		args = append(args, q.Limit)
		if err := run(`SELECT `+caseColumns+`, '' FROM cases c WHERE c.agency_id = $1 AND ($2 = 0 OR c.id < $2)`+where+
			` ORDER BY c.id DESC LIMIT $`+strconv.Itoa(len(args)), args); err != nil {
			return nil, err
		}
	}
	if len(q.SharedLevels) > 0 {
		args := []any{q.AgencyID, q.Before}
		in, args := levelsIn(q.SharedLevels, args)
		where, args := caseFilter(q.Filter, args)
		args = append(args, q.Limit)
		if err := run(`SELECT `+caseColumns+`, s.level FROM case_shares s JOIN cases c ON c.id = s.case_id
			WHERE s.agency_id = $1 AND ($2 = 0 OR s.case_id < $2) AND s.level IN `+in+where+
			` ORDER BY s.case_id DESC LIMIT $`+strconv.Itoa(len(args)), args); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b cases.Case) int {
		switch {
		case a.ID > b.ID:
			return -1
		case a.ID < b.ID:
			return 1
		}
		return 0
	})
	if len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

func (tx *Tx) CountCases(ctx context.Context, q cases.ListQuery) (map[cases.Status]int, error) {
	out := map[cases.Status]int{}
	run := func(query string, args []any) error {
		rows, err := tx.query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var st string
			var n int
			if err := rows.Scan(&st, &n); err != nil {
				return tx.db.translateErr(err)
			}
			out[cases.Status(st)] += n
		}
		return tx.db.translateErr(rows.Err())
	}
	if q.Owned {
		where, args := caseFilter(q.Filter, []any{q.AgencyID})
		if err := run(`SELECT c.status, count(*) FROM cases c WHERE c.agency_id = $1`+where+` GROUP BY c.status`, args); err != nil {
			return nil, err
		}
	}
	if len(q.SharedLevels) > 0 {
		in, args := levelsIn(q.SharedLevels, []any{q.AgencyID})
		where, args := caseFilter(q.Filter, args)
		if err := run(`SELECT c.status, count(*) FROM case_shares s JOIN cases c ON c.id = s.case_id
			WHERE s.agency_id = $1 AND s.level IN `+in+where+` GROUP BY c.status`, args); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (tx *Tx) AddStatusChange(ctx context.Context, sc *cases.StatusChange) error {
	var err error
	sc.ID, err = tx.insertID(ctx, `INSERT INTO case_status_changes (case_id, from_status, to_status, reason, by_user, by_agency, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, sc.CaseID, sc.From, sc.To, sc.Reason, sc.ByUser, sc.ByAgency, sc.At)
	return err
}

func (tx *Tx) ListStatusChanges(ctx context.Context, caseID int64) ([]cases.StatusChange, error) {
	return collect(tx, ctx, `SELECT id, case_id, from_status, to_status, reason, by_user, by_agency, at
		FROM case_status_changes WHERE case_id = $1 ORDER BY id`, []any{caseID}, func(r *sql.Rows) (cases.StatusChange, error) {
		var s cases.StatusChange
		err := r.Scan(&s.ID, &s.CaseID, &s.From, &s.To, &s.Reason, &s.ByUser, &s.ByAgency, &s.At)
		s.At = utc(s.At)
		return s, err
	})
}

// ---- sharing ----

func (tx *Tx) CaseShare(ctx context.Context, caseID, agencyID int64) (core.ShareLevel, error) {
	var level string
	err := tx.queryRow(ctx, `SELECT level FROM case_shares WHERE case_id = $1 AND agency_id = $2`, caseID, agencyID).Scan(&level)
	if err == sql.ErrNoRows {
		return core.ShareNone, nil
	}
	return core.ShareLevel(level), tx.scanErr(err)
}

func (tx *Tx) PutCaseShare(ctx context.Context, s cases.Share) error {
	_, err := tx.exec(ctx, `INSERT INTO case_shares (case_id, agency_id, level, granted_by, granted_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (case_id, agency_id) DO UPDATE SET level = excluded.level, granted_by = excluded.granted_by,
		granted_at = excluded.granted_at`, s.CaseID, s.AgencyID, string(s.Level), s.GrantedBy, s.GrantedAt)
	return err
}

func (tx *Tx) DeleteCaseShare(ctx context.Context, caseID, agencyID int64) error {
	res, err := tx.exec(ctx, `DELETE FROM case_shares WHERE case_id = $1 AND agency_id = $2`, caseID, agencyID)
	if err != nil {
		return err
	}
	return affected(res)
}

func (tx *Tx) ListCaseShares(ctx context.Context, caseID int64) ([]cases.Share, error) {
	return collect(tx, ctx, `SELECT case_id, agency_id, level, granted_by, granted_at FROM case_shares WHERE case_id = $1
		ORDER BY agency_id`, []any{caseID}, func(r *sql.Rows) (cases.Share, error) {
		var s cases.Share
		err := r.Scan(&s.CaseID, &s.AgencyID, &s.Level, &s.GrantedBy, &s.GrantedAt)
		s.GrantedAt = utc(s.GrantedAt)
		return s, err
	})
}

func (tx *Tx) CreateAccessRequest(ctx context.Context, r *cases.AccessRequest) error {
	var err error
	r.ID, err = tx.insertID(ctx, `INSERT INTO case_access_requests (case_id, agency_id, requested_by, reason, status, level, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, r.CaseID, r.AgencyID, r.RequestedBy, r.Reason, r.Status, string(r.Level), r.CreatedAt)
	return err
}

const accessRequestColumns = `id, case_id, agency_id, requested_by, reason, status, level, decided_by, created_at, decided_at`

func scanAccessRequest(row interface{ Scan(...any) error }) (cases.AccessRequest, error) {
	var r cases.AccessRequest
	var decided sql.NullTime
	err := row.Scan(&r.ID, &r.CaseID, &r.AgencyID, &r.RequestedBy, &r.Reason, &r.Status, &r.Level, &r.DecidedBy, &r.CreatedAt, &decided)
	r.CreatedAt = utc(r.CreatedAt)
	if decided.Valid {
		r.DecidedAt = utc(decided.Time)
	}
	return r, err
}

func (tx *Tx) AccessRequestByID(ctx context.Context, id int64) (cases.AccessRequest, error) {
	r, err := scanAccessRequest(tx.queryRow(ctx, `SELECT `+accessRequestColumns+` FROM case_access_requests WHERE id = $1`, id))
	return r, tx.scanErr(err)
}

func (tx *Tx) DecideAccessRequest(ctx context.Context, r cases.AccessRequest) error {
	res, err := tx.exec(ctx, `UPDATE case_access_requests SET status = $1, level = $2, decided_by = $3, decided_at = $4 WHERE id = $5`,
		r.Status, string(r.Level), r.DecidedBy, nullTime(r.DecidedAt), r.ID)
	if err != nil {
		return err
	}
	return affected(res)
}

func (tx *Tx) ListAccessRequests(ctx context.Context, caseID int64) ([]cases.AccessRequest, error) {
	return collect(tx, ctx, `SELECT `+accessRequestColumns+` FROM case_access_requests WHERE case_id = $1 ORDER BY id DESC`,
		[]any{caseID}, func(r *sql.Rows) (cases.AccessRequest, error) { return scanAccessRequest(r) })
}

// ---- events, tasks, evidence, prosecution ----

func (tx *Tx) CreateCaseEvent(ctx context.Context, e *cases.Event) error {
	var err error
	e.ID, err = tx.insertID(ctx, `INSERT INTO case_events (case_id, agency_id, kind, occurred_on, department, district, place,
		description, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		e.CaseID, e.AgencyID, e.Kind, e.OccurredOn, e.Department, e.District, e.Place, e.Description, e.CreatedBy, e.CreatedAt)
	return err
}

func (tx *Tx) ListCaseEvents(ctx context.Context, caseID int64) ([]cases.Event, error) {
	return collect(tx, ctx, `SELECT id, case_id, agency_id, kind, occurred_on, department, district, place, description,
		created_by, created_at FROM case_events WHERE case_id = $1 ORDER BY occurred_on, id`, []any{caseID},
		func(r *sql.Rows) (cases.Event, error) {
			var e cases.Event
			err := r.Scan(&e.ID, &e.CaseID, &e.AgencyID, &e.Kind, &e.OccurredOn, &e.Department, &e.District, &e.Place,
				&e.Description, &e.CreatedBy, &e.CreatedAt)
			e.CreatedAt = utc(e.CreatedAt)
			return e, err
		})
}

func (tx *Tx) CreateCaseTask(ctx context.Context, t *cases.Task) error {
	var err error
	t.ID, err = tx.insertID(ctx, `INSERT INTO case_tasks (case_id, title, assigned_agency_id, assigned_user_id, due_on, status,
		version, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		t.CaseID, t.Title, t.AssignedAgencyID, t.AssignedUserID, t.DueOn, t.Status, t.Version, t.CreatedBy, t.CreatedAt, t.UpdatedAt)
	return err
}

const taskColumns = `t.id, t.case_id, c.number, t.title, t.assigned_agency_id, t.assigned_user_id, t.due_on, t.status,
	t.version, t.created_by, t.created_at, t.updated_at`

func scanTask(r interface{ Scan(...any) error }) (cases.Task, error) {
	var t cases.Task
	err := r.Scan(&t.ID, &t.CaseID, &t.CaseNumber, &t.Title, &t.AssignedAgencyID, &t.AssignedUserID, &t.DueOn, &t.Status,
		&t.Version, &t.CreatedBy, &t.CreatedAt, &t.UpdatedAt)
	t.CreatedAt, t.UpdatedAt = utc(t.CreatedAt), utc(t.UpdatedAt)
	return t, err
}

func (tx *Tx) CaseTaskByID(ctx context.Context, id int64) (cases.Task, error) {
	t, err := scanTask(tx.queryRow(ctx, `SELECT `+taskColumns+` FROM case_tasks t JOIN cases c ON c.id = t.case_id WHERE t.id = $1`, id))
	return t, tx.scanErr(err)
}

func (tx *Tx) UpdateCaseTask(ctx context.Context, t cases.Task) error {
	res, err := tx.exec(ctx, `UPDATE case_tasks SET title = $1, assigned_agency_id = $2, assigned_user_id = $3, due_on = $4,
		status = $5, version = $6, updated_at = $7 WHERE id = $8 AND version = $9`,
		t.Title, t.AssignedAgencyID, t.AssignedUserID, t.DueOn, t.Status, t.Version, t.UpdatedAt, t.ID, t.Version-1)
	if err != nil {
		return err
	}
	return tx.versioned(ctx, res, `SELECT count(*) FROM case_tasks WHERE id = $1`, t.ID)
}

func (tx *Tx) ListCaseTasks(ctx context.Context, caseID int64) ([]cases.Task, error) {
	return collect(tx, ctx, `SELECT `+taskColumns+` FROM case_tasks t JOIN cases c ON c.id = t.case_id WHERE t.case_id = $1
		ORDER BY t.due_on = '', t.due_on, t.id`, []any{caseID}, func(r *sql.Rows) (cases.Task, error) { return scanTask(r) })
}

func (tx *Tx) ListOpenTasksOfAgency(ctx context.Context, agencyID int64, dueBefore string, limit int) ([]cases.Task, error) {
	return collect(tx, ctx, `SELECT `+taskColumns+` FROM case_tasks t JOIN cases c ON c.id = t.case_id
		WHERE t.assigned_agency_id = $1 AND t.status IN ('open', 'in_progress') AND t.due_on <> '' AND t.due_on < $2
		ORDER BY t.due_on, t.id LIMIT $3`, []any{agencyID, dueBefore, limit}, func(r *sql.Rows) (cases.Task, error) { return scanTask(r) })
}

func (tx *Tx) CreateCaseEvidence(ctx context.Context, e *cases.Evidence) error {
	var err error
	e.ID, err = tx.insertID(ctx, `INSERT INTO case_evidence (case_id, agency_id, item, description, collected_by, collected_on,
		sha256, size, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		e.CaseID, e.AgencyID, e.Item, e.Description, e.CollectedBy, e.CollectedOn, e.SHA256, e.Size, e.CreatedBy, e.CreatedAt)
	return err
}

const evidenceColumns = `id, case_id, agency_id, item, description, collected_by, collected_on, sha256, size, created_by, created_at`

func scanEvidence(r interface{ Scan(...any) error }) (cases.Evidence, error) {
	var e cases.Evidence
	err := r.Scan(&e.ID, &e.CaseID, &e.AgencyID, &e.Item, &e.Description, &e.CollectedBy, &e.CollectedOn, &e.SHA256, &e.Size,
		&e.CreatedBy, &e.CreatedAt)
	e.CreatedAt = utc(e.CreatedAt)
	return e, err
}

func (tx *Tx) CaseEvidenceByID(ctx context.Context, id int64) (cases.Evidence, error) {
	e, err := scanEvidence(tx.queryRow(ctx, `SELECT `+evidenceColumns+` FROM case_evidence WHERE id = $1`, id))
	return e, tx.scanErr(err)
}

func (tx *Tx) ListCaseEvidence(ctx context.Context, caseID int64) ([]cases.Evidence, error) {
	return collect(tx, ctx, `SELECT `+evidenceColumns+` FROM case_evidence WHERE case_id = $1 ORDER BY id`, []any{caseID},
		func(r *sql.Rows) (cases.Evidence, error) { return scanEvidence(r) })
}

// AppendCustody adds an entry to an item's chain of custody. There is deliberately no update
// or delete: the table's triggers refuse them.
func (tx *Tx) AppendCustody(ctx context.Context, c *cases.Custody) error {
	var err error
	c.ID, err = tx.insertID(ctx, `INSERT INTO case_custody (evidence_id, at, action, holder, note, by_user, by_agency)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, c.EvidenceID, c.At, c.Action, c.Holder, c.Note, c.ByUser, c.ByAgency)
	return err
}

func (tx *Tx) ListCustody(ctx context.Context, evidenceID int64) ([]cases.Custody, error) {
	return collect(tx, ctx, `SELECT id, evidence_id, at, action, holder, note, by_user, by_agency FROM case_custody
		WHERE evidence_id = $1 ORDER BY id`, []any{evidenceID}, func(r *sql.Rows) (cases.Custody, error) {
		var c cases.Custody
		err := r.Scan(&c.ID, &c.EvidenceID, &c.At, &c.Action, &c.Holder, &c.Note, &c.ByUser, &c.ByAgency)
		c.At = utc(c.At)
		return c, err
	})
}

func (tx *Tx) CreateCaseCharge(ctx context.Context, c *cases.Charge) error {
	var err error
	c.ID, err = tx.insertID(ctx, `INSERT INTO case_charges (case_id, case_person_id, article, filed_on, outcome, outcome_on,
		sentence, version, created_by, agency_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		c.CaseID, c.CasePersonID, c.Article, c.FiledOn, c.Outcome, c.OutcomeOn, c.Sentence, c.Version, c.CreatedBy, c.AgencyID, c.CreatedAt)
	return err
}

const chargeColumns = `id, case_id, case_person_id, article, filed_on, outcome, outcome_on, sentence, version, created_by, agency_id, created_at`

func scanCharge(r interface{ Scan(...any) error }) (cases.Charge, error) {
	var c cases.Charge
	err := r.Scan(&c.ID, &c.CaseID, &c.CasePersonID, &c.Article, &c.FiledOn, &c.Outcome, &c.OutcomeOn, &c.Sentence, &c.Version,
		&c.CreatedBy, &c.AgencyID, &c.CreatedAt)
	c.CreatedAt = utc(c.CreatedAt)
	return c, err
}

func (tx *Tx) CaseChargeByID(ctx context.Context, id int64) (cases.Charge, error) {
	c, err := scanCharge(tx.queryRow(ctx, `SELECT `+chargeColumns+` FROM case_charges WHERE id = $1`, id))
	return c, tx.scanErr(err)
}

func (tx *Tx) UpdateCaseCharge(ctx context.Context, c cases.Charge) error {
	res, err := tx.exec(ctx, `UPDATE case_charges SET outcome = $1, outcome_on = $2, sentence = $3, version = $4
		WHERE id = $5 AND version = $6`, c.Outcome, c.OutcomeOn, c.Sentence, c.Version, c.ID, c.Version-1)
	if err != nil {
		return err
	}
	return tx.versioned(ctx, res, `SELECT count(*) FROM case_charges WHERE id = $1`, c.ID)
}

func (tx *Tx) ListCaseCharges(ctx context.Context, caseID int64) ([]cases.Charge, error) {
	return collect(tx, ctx, `SELECT `+chargeColumns+` FROM case_charges WHERE case_id = $1 ORDER BY id`, []any{caseID},
		func(r *sql.Rows) (cases.Charge, error) { return scanCharge(r) })
}

func (tx *Tx) CreateCaseHearing(ctx context.Context, h *cases.Hearing) error {
	var err error
	h.ID, err = tx.insertID(ctx, `INSERT INTO case_hearings (case_id, held_on, kind, court, result, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, h.CaseID, h.HeldOn, h.Kind, h.Court, h.Result, h.CreatedBy, h.CreatedAt)
	return err
}

func (tx *Tx) ListCaseHearings(ctx context.Context, caseID int64) ([]cases.Hearing, error) {
	return collect(tx, ctx, `SELECT id, case_id, held_on, kind, court, result, created_by, created_at FROM case_hearings
		WHERE case_id = $1 ORDER BY held_on, id`, []any{caseID}, func(r *sql.Rows) (cases.Hearing, error) {
		var h cases.Hearing
		err := r.Scan(&h.ID, &h.CaseID, &h.HeldOn, &h.Kind, &h.Court, &h.Result, &h.CreatedBy, &h.CreatedAt)
		h.CreatedAt = utc(h.CreatedAt)
		return h, err
	})
}

// ---- persons, referrals, notes ----

func (tx *Tx) AddCasePerson(ctx context.Context, p *cases.CasePerson) error {
	var err error
	p.ID, err = tx.insertID(ctx, `INSERT INTO case_persons (case_id, person_id, role, perpetrator_roles, victim_status,
		status_decided_by, agency_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		p.CaseID, p.PersonID, p.Role, joinSet(p.PerpetratorRoles), p.VictimStatus, p.StatusDecidedBy, p.AgencyID, p.CreatedBy, p.CreatedAt)
	return err
}

const casePersonColumns = `id, case_id, person_id, role, perpetrator_roles, victim_status, status_decided_by, agency_id, created_by, created_at`

func scanCasePerson(r interface{ Scan(...any) error }) (cases.CasePerson, error) {
	var p cases.CasePerson
	var roles string
	err := r.Scan(&p.ID, &p.CaseID, &p.PersonID, &p.Role, &roles, &p.VictimStatus, &p.StatusDecidedBy, &p.AgencyID, &p.CreatedBy, &p.CreatedAt)
	p.PerpetratorRoles = splitSet(roles)
	p.CreatedAt = utc(p.CreatedAt)
	return p, err
}

func (tx *Tx) CasePersonByID(ctx context.Context, id int64) (cases.CasePerson, error) {
	p, err := scanCasePerson(tx.queryRow(ctx, `SELECT `+casePersonColumns+` FROM case_persons WHERE id = $1`, id))
	return p, tx.scanErr(err)
}

func (tx *Tx) UpdateCasePerson(ctx context.Context, p cases.CasePerson) error {
	res, err := tx.exec(ctx, `UPDATE case_persons SET perpetrator_roles = $1, victim_status = $2, status_decided_by = $3 WHERE id = $4`,
		joinSet(p.PerpetratorRoles), p.VictimStatus, p.StatusDecidedBy, p.ID)
	if err != nil {
		return err
	}
	return affected(res)
}

func (tx *Tx) ListCasePersons(ctx context.Context, caseID int64) ([]cases.CasePerson, error) {
	return collect(tx, ctx, `SELECT `+casePersonColumns+` FROM case_persons WHERE case_id = $1 ORDER BY id`, []any{caseID},
		func(r *sql.Rows) (cases.CasePerson, error) { return scanCasePerson(r) })
}

func (tx *Tx) PersonCaseLevels(ctx context.Context, personID, agencyID int64) ([]core.ShareLevel, error) {
	return collect(tx, ctx, `SELECT CASE WHEN c.agency_id = $2 THEN 'full' ELSE coalesce(s.level, '') END
		FROM case_persons p JOIN cases c ON c.id = p.case_id
		LEFT JOIN case_shares s ON s.case_id = c.id AND s.agency_id = $2
		WHERE p.person_id = $1`, []any{personID, agencyID}, func(r *sql.Rows) (core.ShareLevel, error) {
		var l string
		err := r.Scan(&l)
		return core.ShareLevel(l), err
	})
}

func (tx *Tx) CreateReferral(ctx context.Context, r *cases.Referral) error {
	var err error
	r.ID, err = tx.insertID(ctx, `INSERT INTO case_referrals (case_id, case_person_id, service, to_agency_id, outside_service,
		consent, override_reason, status, from_agency_id, created_by, created_at, sent_at, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
		r.CaseID, r.CasePersonID, r.Service, r.ToAgencyID, r.OutsideService, r.Consent, r.OverrideReason, r.Status,
		r.FromAgencyID, r.CreatedBy, r.CreatedAt, nullTime(r.SentAt), r.Version)
	return err
}

const referralColumns = `id, case_id, case_person_id, service, to_agency_id, outside_service, consent, override_reason, status,
	from_agency_id, created_by, created_at, sent_at, version`

func scanReferral(row interface{ Scan(...any) error }) (cases.Referral, error) {
	var r cases.Referral
	var sent sql.NullTime
	err := row.Scan(&r.ID, &r.CaseID, &r.CasePersonID, &r.Service, &r.ToAgencyID, &r.OutsideService, &r.Consent, &r.OverrideReason,
		&r.Status, &r.FromAgencyID, &r.CreatedBy, &r.CreatedAt, &sent, &r.Version)
	r.CreatedAt = utc(r.CreatedAt)
	if sent.Valid {
		r.SentAt = utc(sent.Time)
	}
	return r, err
}

func (tx *Tx) ReferralByID(ctx context.Context, id int64) (cases.Referral, error) {
	r, err := scanReferral(tx.queryRow(ctx, `SELECT `+referralColumns+` FROM case_referrals WHERE id = $1`, id))
	return r, tx.scanErr(err)
}

func (tx *Tx) UpdateReferral(ctx context.Context, r cases.Referral) error {
	res, err := tx.exec(ctx, `UPDATE case_referrals SET status = $1, version = $2 WHERE id = $3 AND version = $4`,
		r.Status, r.Version, r.ID, r.Version-1)
	if err != nil {
		return err
	}
	return tx.versioned(ctx, res, `SELECT count(*) FROM case_referrals WHERE id = $1`, r.ID)
}

func (tx *Tx) ListCaseReferrals(ctx context.Context, caseID int64) ([]cases.Referral, error) {
	return collect(tx, ctx, `SELECT `+referralColumns+` FROM case_referrals WHERE case_id = $1 ORDER BY id`, []any{caseID},
		func(r *sql.Rows) (cases.Referral, error) { return scanReferral(r) })
}

func (tx *Tx) ListReferralsTo(ctx context.Context, agencyID int64) ([]cases.Referral, error) {
	return collect(tx, ctx, `SELECT `+referralColumns+` FROM case_referrals WHERE to_agency_id = $1 ORDER BY id DESC LIMIT 500`,
		[]any{agencyID}, func(r *sql.Rows) (cases.Referral, error) { return scanReferral(r) })
}

func (tx *Tx) AddFollowUp(ctx context.Context, f *cases.FollowUp) error {
	var err error
	f.ID, err = tx.insertID(ctx, `INSERT INTO case_referral_followups (referral_id, at, delivered, note, by_user, by_agency)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, f.ReferralID, f.At, f.Delivered, f.Note, f.ByUser, f.ByAgency)
	return err
}

func (tx *Tx) ListFollowUps(ctx context.Context, referralID int64) ([]cases.FollowUp, error) {
	return collect(tx, ctx, `SELECT id, referral_id, at, delivered, note, by_user, by_agency FROM case_referral_followups
		WHERE referral_id = $1 ORDER BY id`, []any{referralID}, func(r *sql.Rows) (cases.FollowUp, error) {
		var f cases.FollowUp
		err := r.Scan(&f.ID, &f.ReferralID, &f.At, &f.Delivered, &f.Note, &f.ByUser, &f.ByAgency)
		f.At = utc(f.At)
		return f, err
	})
}

func (tx *Tx) CreateCaseNote(ctx context.Context, n *cases.StoredNote) error {
	var err error
	n.ID, err = tx.insertID(ctx, `INSERT INTO case_notes (case_id, case_person_id, kind, body, data_key, kek_id, sha256, size,
		agency_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		n.CaseID, n.CasePersonID, n.Kind, caseBytes(n.Body), caseBytes(n.DataKey), n.KEKID, n.SHA256, n.Size, n.AgencyID, n.CreatedBy, n.CreatedAt)
	return err
}

// caseBytes stores an absent byte slice as an empty value: the columns are NOT NULL.
func caseBytes(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

func (tx *Tx) SetCaseNoteBody(ctx context.Context, n cases.StoredNote) error {
	res, err := tx.exec(ctx, `UPDATE case_notes SET body = $1, data_key = $2, kek_id = $3 WHERE id = $4`,
		caseBytes(n.Body), caseBytes(n.DataKey), n.KEKID, n.ID)
	if err != nil {
		return err
	}
	return affected(res)
}

const noteColumns = `id, case_id, case_person_id, kind, body, data_key, kek_id, sha256, size, agency_id, created_by, created_at`

func scanNote(r interface{ Scan(...any) error }) (cases.StoredNote, error) {
	var n cases.StoredNote
	err := r.Scan(&n.ID, &n.CaseID, &n.CasePersonID, &n.Kind, &n.Body, &n.DataKey, &n.KEKID, &n.SHA256, &n.Size, &n.AgencyID,
		&n.CreatedBy, &n.CreatedAt)
	n.CreatedAt = utc(n.CreatedAt)
	n.Sealed = len(n.DataKey) > 0
	return n, err
}

func (tx *Tx) CaseNoteByID(ctx context.Context, id int64) (cases.StoredNote, error) {
	n, err := scanNote(tx.queryRow(ctx, `SELECT `+noteColumns+` FROM case_notes WHERE id = $1`, id))
	return n, tx.scanErr(err)
}

func (tx *Tx) ListCaseNotes(ctx context.Context, caseID int64) ([]cases.StoredNote, error) {
	return collect(tx, ctx, `SELECT `+noteColumns+` FROM case_notes WHERE case_id = $1 ORDER BY id`, []any{caseID},
		func(r *sql.Rows) (cases.StoredNote, error) { return scanNote(r) })
}

// ScreeningsOfPersons returns, per person id, the ids of agencyID's screenings linked to the
// person, oldest first. It answers the case's persons tab; whether the reader may see the
// agency's screenings at all is the caller's decision.
func (db *DB) ScreeningsOfPersons(ctx context.Context, agencyID int64, personIDs []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	if len(personIDs) == 0 {
		return out, nil
	}
	args := []any{agencyID}
	for _, id := range personIDs {
		args = append(args, id)
	}
	err := db.ReadTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT person_id, id FROM screenings WHERE agency_id = $1 AND person_id IN (`+
			bindVars(2, len(personIDs))+`) ORDER BY id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var pid, sid int64
			if err := rows.Scan(&pid, &sid); err != nil {
				return tx.db.translateErr(err)
			}
			out[pid] = append(out[pid], sid)
		}
		return tx.db.translateErr(rows.Err())
	})
	return out, err
}
