package training

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"nanduti/internal/audit"
	"nanduti/internal/core"
)

// Imports read attendance and test scores from the spreadsheets training staff keep: CSV
// (comma or semicolon separated, UTF-8) or XLSX (first sheet). The first row names the
// columns, in Spanish or English:
//
//	participante | participant_id     the participant's number in Ñandutí (required)
//	nombre | name                     ignored: for the people who fill the sheet
//	pre | pre_test | prueba_inicial   pre-test score, 0-100
//	post | post_test | prueba_final   post-test score, 0-100
//	valoracion | feedback             feedback, 1-5
//	modulo_N | module_N               attendance at the course's module N:
//	                                  presente/present/P, tarde/late/T/L, ausente/absent/A
//
// An empty cell leaves the recorded value as it is. Every row is checked before anything is
// written; one bad cell rejects the file, and each problem names its row and column.

// Limits on an imported file, so that a hostile upload cannot exhaust the server.
const (
	MaxImportBytes   = 4 << 20
	MaxImportRows    = 5000
	MaxImportColumns = 64
	maxXLSXUnpacked  = 64 << 20
)

// ImportProblem is one problem of an imported file. Row is the spreadsheet's row number
// (1 is the header row; 0 for the file as a whole); Column is the header as written.
type ImportProblem struct {
	Row    int
	Column string
	Key    string // catalogue key; its arguments are Args
	Args   []any
}

// ImportRow is one valid row, ready to apply.
type ImportRow struct {
	Row           int
	ParticipantID int64
	Name          string // from the register, for the preview
	Pre           *int
	Post          *int
	Feedback      *int
	Attendance    map[int64]Attendance // by module id
}

// ImportPlan is the result of reading a file against a session.
type ImportPlan struct {
	Modules  []Module // the modules the file has columns for, in column order
	HasPre   bool
	HasPost  bool
	HasFeedb bool
	Rows     []ImportRow
	Problems []ImportProblem
}

// Valid reports whether the file can be applied.
func (p ImportPlan) Valid() bool { return len(p.Problems) == 0 && len(p.Rows) > 0 }

var errUnreadable = errors.New("unreadable spreadsheet")

// ReadSheet reads a CSV or XLSX file into rows of cells. XLSX is recognised by its content
// (a ZIP archive), not by the name, so a renamed file still reads.
func ReadSheet(data []byte) ([][]string, error) {
	if len(data) > MaxImportBytes {
		return nil, errUnreadable
	}
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return readXLSX(data)
	}
	return readCSV(data)
}

func readCSV(data []byte) ([][]string, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	firstLine, _, _ := bytes.Cut(data, []byte("\n"))
	r := csv.NewReader(bytes.NewReader(data))
	if bytes.Count(firstLine, []byte(";")) > bytes.Count(firstLine, []byte(",")) {
		r.Comma = ';'
	}
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	var out [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, errUnreadable
		}
		if len(out) > MaxImportRows {
			return nil, errTooManyRows
		}
		out = append(out, rec)
	}
	return out, nil
}

var errTooManyRows = errors.New("too many rows")

func readXLSX(data []byte) (rows [][]string, err error) {
	// Refuse archives that unpack to far more than they weigh before excelize inflates them.
	zr, zerr := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if zerr != nil {
		return nil, errUnreadable
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
	}
	if total > maxXLSXUnpacked {
		return nil, errUnreadable
	}
	defer func() {
		// A damaged workbook must not take the server down with it.
		if recover() != nil {
			rows, err = nil, errUnreadable
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxXLSXUnpacked, UnzipXMLSizeLimit: maxXLSXUnpacked})
	if err != nil {
		return nil, errUnreadable
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, errUnreadable
	}
	rows, err = f.GetRows(sheets[0])
	if err != nil {
		return nil, errUnreadable
	}
	if len(rows) > MaxImportRows+1 {
		return nil, errTooManyRows
	}
	return rows, nil
}

// fold lowercases a header and strips accents, spaces and punctuation: "Módulo 2" -> "modulo2".
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, strings.ToLower(strings.TrimSpace(s)))
	if err != nil {
		out = strings.ToLower(s)
	}
	var b strings.Builder
	for _, r := range out {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

type columnKind int

const (
	colIgnore columnKind = iota
	colParticipant
	colPre
	colPost
	colFeedback
	colModule
)

var headerKinds = map[string]columnKind{
	"participante": colParticipant, "participanteid": colParticipant, "participantid": colParticipant,
	"participant": colParticipant, "id": colParticipant, "nro": colParticipant, "numero": colParticipant,
	"nombre": colIgnore, "name": colIgnore, "apellidoynombre": colIgnore, "nombreyapellido": colIgnore,
	"pre": colPre, "pretest": colPre, "pruebainicial": colPre, "evaluacioninicial": colPre,
	"post": colPost, "posttest": colPost, "pruebafinal": colPost, "evaluacionfinal": colPost,
	"valoracion": colFeedback, "feedback": colFeedback, "satisfaccion": colFeedback,
}

func moduleNumber(folded string) (int, bool) {
	for _, prefix := range []string{"modulo", "module", "mod"} {
		if rest, ok := strings.CutPrefix(folded, prefix); ok {
			n, err := strconv.Atoi(rest)
			return n, err == nil && n > 0
		}
	}
	return 0, false
}

// ParseAttendance reads an attendance cell; empty reports ok with "".
func ParseAttendance(cell string) (Attendance, bool) {
	switch fold(cell) {
	case "":
		return "", true
	case "presente", "present", "p", "si", "yes", "x", "1":
		return Present, true
	case "tarde", "late", "t", "l", "llegotarde":
		return Late, true
	case "ausente", "absent", "a", "no", "0":
		return Absent, true
	}
	return "", false
}

// parseScore reads a whole number in [lo, hi]; spreadsheets write 85 as "85" or "85.0".
func parseScore(cell string, lo, hi int) (*int, bool) {
	cell = strings.TrimSpace(cell)
	if cell == "" {
		return nil, true
	}
	f, err := strconv.ParseFloat(strings.Replace(cell, ",", ".", 1), 64)
	if err != nil || math.IsNaN(f) || f != math.Trunc(f) || f < float64(lo) || f > float64(hi) {
		return nil, false
	}
	n := int(f)
	return &n, true
}

// PlanImport checks a sheet against a course and the session's participants (by id). It is
// pure: nothing is read or written.
func PlanImport(sheet [][]string, course Course, enrolled map[int64]Participant) ImportPlan {
	var plan ImportPlan
	problem := func(row int, col, key string, args ...any) {
		if len(plan.Problems) < 200 {
			plan.Problems = append(plan.Problems, ImportProblem{Row: row, Column: col, Key: key, Args: args})
		}
	}
	// Skip leading empty rows: the header is the first row with content.
	start := 0
	for start < len(sheet) && blank(sheet[start]) {
		start++
	}
	if start == len(sheet) {
		problem(0, "", "training.import.empty")
		return plan
	}
	header := sheet[start]
	headerRow := start + 1
	if len(header) > MaxImportColumns {
		problem(headerRow, "", "training.import.too_many_columns", MaxImportColumns)
		return plan
	}
	kinds := make([]columnKind, len(header))
	modAt := map[int]Module{}
	participantCol := -1
	seen := map[string]bool{}
	for i, h := range header {
		f := fold(h)
		name := strings.TrimSpace(h)
		if f == "" {
			continue
		}
		if seen[f] {
			problem(headerRow, name, "training.import.duplicate_column")
			continue
		}
		seen[f] = true
		if n, ok := moduleNumber(f); ok {
			if n > len(course.Modules) {
				problem(headerRow, name, "training.import.module_unknown", len(course.Modules))
				continue
			}
			kinds[i] = colModule
			modAt[i] = course.Modules[n-1]
			plan.Modules = append(plan.Modules, course.Modules[n-1])
			continue
		}
		k, ok := headerKinds[f]
		if !ok {
			problem(headerRow, name, "training.import.column_unknown")
			continue
		}
		kinds[i] = k
		switch k {
		case colParticipant:
			participantCol = i
		case colPre:
			plan.HasPre = true
		case colPost:
			plan.HasPost = true
		case colFeedback:
			plan.HasFeedb = true
		}
	}
	if participantCol < 0 {
		problem(headerRow, "", "training.import.participant_column_missing")
	}
	if len(plan.Problems) == 0 && len(plan.Modules) == 0 && !plan.HasPre && !plan.HasPost && !plan.HasFeedb {
		problem(headerRow, "", "training.import.no_data_columns")
	}
	if len(plan.Problems) > 0 {
		return plan
	}
	colName := func(i int) string { return strings.TrimSpace(header[i]) }
	rowsOf := map[int64]int{}
	for r := start + 1; r < len(sheet); r++ {
		cells := sheet[r]
		rowNo := r + 1
		if blank(cells) {
			continue
		}
		if len(cells) > len(header) && !blank(cells[len(header):]) {
			problem(rowNo, "", "training.import.extra_cells")
			continue
		}
		cell := func(i int) string {
			if i < len(cells) {
				return cells[i]
			}
			return ""
		}
		row := ImportRow{Row: rowNo, Attendance: map[int64]Attendance{}}
		ok := true
		raw := strings.TrimSpace(cell(participantCol))
		pid, err := strconv.ParseInt(strings.TrimSuffix(raw, ".0"), 10, 64)
		switch {
		case raw == "":
			problem(rowNo, colName(participantCol), "training.import.participant_missing")
			ok = false
		case err != nil || pid <= 0:
			problem(rowNo, colName(participantCol), "training.import.participant_not_number")
			ok = false
		case enrolled[pid].ID == 0:
			problem(rowNo, colName(participantCol), "training.import.participant_not_enrolled", pid)
			ok = false
		case rowsOf[pid] != 0:
			problem(rowNo, colName(participantCol), "training.import.participant_repeated", pid, rowsOf[pid])
			ok = false
		default:
			rowsOf[pid] = rowNo
			row.ParticipantID = pid
			row.Name = enrolled[pid].Name
		}
		for i, k := range kinds {
			v := cell(i)
			switch k {
			case colPre, colPost:
				n, good := parseScore(v, 0, 100)
				if !good {
					problem(rowNo, colName(i), "training.import.score_invalid")
					ok = false
				} else if k == colPre {
					row.Pre = n
				} else {
					row.Post = n
				}
			case colFeedback:
				n, good := parseScore(v, 1, 5)
				if !good {
					problem(rowNo, colName(i), "training.import.feedback_invalid")
					ok = false
				}
				row.Feedback = n
			case colModule:
				a, good := ParseAttendance(v)
				if !good {
					problem(rowNo, colName(i), "training.import.attendance_invalid")
					ok = false
				} else if a != "" {
					row.Attendance[modAt[i].ID] = a
				}
			}
		}
		if ok {
			plan.Rows = append(plan.Rows, row)
		}
	}
	if len(plan.Rows) == 0 && len(plan.Problems) == 0 {
		problem(0, "", "training.import.no_rows")
	}
	return plan
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func (s *Service) planFor(ctx context.Context, tx Tx, d SessionDetail, data []byte) ImportPlan {
	sheet, err := ReadSheet(data)
	if err != nil {
		key := "training.import.unreadable"
		if errors.Is(err, errTooManyRows) {
			key = "training.import.too_many_rows"
		}
		return ImportPlan{Problems: []ImportProblem{{Key: key, Args: []any{MaxImportRows}}}}
	}
	enrolled := map[int64]Participant{}
	for _, e := range d.Enrolments {
		enrolled[e.Participant.ID] = e.Participant
	}
	return PlanImport(sheet, d.Course, enrolled)
}

// PreviewImport reads a file against a session and reports what it would change, or what
// is wrong with it. Nothing is written but the audit row of the preview, which shows names.
func (s *Service) PreviewImport(ctx context.Context, actor core.Actor, sessionID int64, data []byte) (ImportPlan, error) {
	var plan ImportPlan
	err := s.manage(ctx, actor, sessionID, func(tx Tx, d SessionDetail) error {
		plan = s.planFor(ctx, tx, d, data)
		return tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "training.import.preview", ObjectType: "training_session",
			ObjectID: id(d.Session.ID), ObjectAgencyID: d.Session.HostAgencyID, Fields: []string{"participants"}})
	})
	return plan, err
}

// ErrImportInvalid is returned by ApplyImport when the file has problems; nothing was written.
var ErrImportInvalid = core.Errorf(core.Invalid, "training.import.rejected")

// ApplyImport reads the file again and, only when every row is valid, writes all of it in one
// transaction. It returns the plan either way, so the caller can show the problems.
func (s *Service) ApplyImport(ctx context.Context, actor core.Actor, sessionID int64, data []byte) (ImportPlan, error) {
	var plan ImportPlan
	err := s.manage(ctx, actor, sessionID, func(tx Tx, d SessionDetail) error {
		plan = s.planFor(ctx, tx, d, data)
		if !plan.Valid() {
			return ErrImportInvalid
		}
		current := map[int64]EnrolmentView{}
		for _, e := range d.Enrolments {
			current[e.Participant.ID] = e
		}
		for _, row := range plan.Rows {
			e := current[row.ParticipantID]
			var fields []string
			for _, m := range d.Course.Modules {
				a, ok := row.Attendance[m.ID]
				if !ok || e.Attendance[m.ID] == a {
					continue
				}
				if err := tx.SetAttendance(ctx, sessionID, row.ParticipantID, m.ID, a); err != nil {
					return err
				}
				if len(fields) == 0 {
					fields = append(fields, "attendance")
				}
			}
			pre, post, fb := pick(row.Pre, e.PreScore), pick(row.Post, e.PostScore), pick(row.Feedback, e.Feedback)
			if !same(pre, e.PreScore) || !same(post, e.PostScore) || !same(fb, e.Feedback) {
				if err := tx.SetScores(ctx, sessionID, row.ParticipantID, pre, post, fb); err != nil {
					return err
				}
				fields = append(fields, "pre_score", "post_score", "feedback")
			}
			if len(fields) == 0 {
				continue
			}
			if err := tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "training.enrolment.import", ObjectType: "training_enrolment",
				ObjectID: id(sessionID) + ":" + id(row.ParticipantID), ObjectAgencyID: d.Session.HostAgencyID, Fields: fields}); err != nil {
				return err
			}
		}
		return nil
	})
	return plan, err
}

// ImportTemplate returns a CSV with the header and one row per participant, to fill in.
func ImportTemplate(d SessionDetail) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	header := []string{"participante", "nombre", "pre", "post", "valoracion"}
	for _, m := range d.Course.Modules {
		header = append(header, fmt.Sprintf("modulo_%d", m.Position))
	}
	w.Write(header)
	for _, e := range d.Enrolments {
		row := []string{strconv.FormatInt(e.Participant.ID, 10), e.Participant.Name, intCell(e.PreScore), intCell(e.PostScore), intCell(e.Feedback)}
		for _, m := range d.Course.Modules {
			row = append(row, attendanceCell(e.Attendance[m.ID]))
		}
		w.Write(row)
	}
	w.Flush()
	return buf.Bytes()
}

func intCell(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

func attendanceCell(a Attendance) string {
	switch a {
	case Present:
		return "presente"
	case Late:
		return "tarde"
	case Absent:
		return "ausente"
	}
	return ""
}

// CanonicalCSV writes a valid plan back as CSV in the import format, with only the columns
// the file had. The preview page carries it to the confirmation, which reads and checks it
// again, so that the original upload need not be kept on the server.
func CanonicalCSV(plan ImportPlan) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	header := []string{"participante"}
	if plan.HasPre {
		header = append(header, "pre")
	}
	if plan.HasPost {
		header = append(header, "post")
	}
	if plan.HasFeedb {
		header = append(header, "valoracion")
	}
	for _, m := range plan.Modules {
		header = append(header, fmt.Sprintf("modulo_%d", m.Position))
	}
	w.Write(header)
	for _, r := range plan.Rows {
		row := []string{strconv.FormatInt(r.ParticipantID, 10)}
		if plan.HasPre {
			row = append(row, intCell(r.Pre))
		}
		if plan.HasPost {
			row = append(row, intCell(r.Post))
		}
		if plan.HasFeedb {
			row = append(row, intCell(r.Feedback))
		}
		for _, m := range plan.Modules {
			row = append(row, attendanceCell(r.Attendance[m.ID]))
		}
		w.Write(row)
	}
	w.Flush()
	return buf.Bytes()
}
