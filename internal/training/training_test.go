package training_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"nanduti/internal/accounts"
	"nanduti/internal/audit"
	"nanduti/internal/core"
	"nanduti/internal/demo"
	"nanduti/internal/store"
	"nanduti/internal/store/storetest"
	"nanduti/internal/testutil"
	"nanduti/internal/training"
)

var cheap = accounts.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}

type fixture struct {
	db       *store.DB
	accounts *accounts.Service
	svc      *training.Service
	audit    *audit.Service
	clock    *core.FixedClock
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	clock := core.NewFixedClock(time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC))
	return &fixture{db: db, clock: clock, audit: audit.NewService(db.Audit()),
		accounts: accounts.New(db.Accounts(), accounts.Config{Clock: clock, Password: cheap}),
		svc:      training.New(db.Training(), training.Config{Clock: clock})}
}

// seedDemo seeds the demo task force and returns the actor of a demo account.
func (f *fixture) seedDemo(t *testing.T) {
	t.Helper()
	if _, err := demo.Seed(context.Background(), demo.Services{Accounts: f.accounts, Training: f.svc}); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) actor(t *testing.T, email string) core.Actor {
	t.Helper()
	u, err := f.accounts.UserByEmail(context.Background(), core.SystemActor, email)
	if err != nil {
		t.Fatal(err)
	}
	return core.Actor{UserID: u.ID, AgencyID: u.AgencyID, Roles: u.Roles}
}

func TestDemoCascadeHasThreeGenerations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.seedDemo(t)
		f.seedDemo(t) // idempotent
		ctx := context.Background()
		analyst := f.actor(t, "analista@nanduti.example")
		c, err := f.svc.Cascade(ctx, analyst)
		if err != nil {
			t.Fatal(err)
		}
		if c.Generations != 3 {
			t.Fatalf("generations = %d, want 3", c.Generations)
		}
		want := []int{1, 20, 67}
		for g, n := range want {
			if c.ByGeneration[g].People != n {
				t.Errorf("generation %d: %d people, want %d", g, c.ByGeneration[g].People, n)
			}
		}
		if c.People != 87 {
			t.Errorf("reach %d, want 87", c.People)
		}
		// The TOT session has 20 trainees, 18 completed, and three of them ran sessions.
		if len(c.Roots) != 1 || len(c.Roots[0].Sessions) != 1 {
			t.Fatalf("roots %+v", c.Roots)
		}
		tot := c.Roots[0].Sessions[0]
		if tot.Trainees != 20 || tot.Completed != 18 || len(tot.Trainers) != 3 {
			t.Errorf("TOT session: %d trainees, %d completed, %d went on to teach", tot.Trainees, tot.Completed, len(tot.Trainers))
		}
		// Analysts see no names anywhere in the tree.
		var names []string
		var walk func(n *training.CascadeNode)
		walk = func(n *training.CascadeNode) {
			if n.Name != "" {
				names = append(names, n.Name)
			}
			for _, s := range n.Sessions {
				for _, ch := range s.Trainers {
					walk(ch)
				}
			}
		}
		walk(c.Roots[0])
		if len(names) != 0 {
			t.Errorf("analyst sees names %v", names)
		}
		// The academy's instructor sees the names of her programme.
		c2, err := f.svc.Cascade(ctx, f.actor(t, "instructora@nanduti.example"))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, n := range c2.Roots[0].Sessions[0].Trainers {
			if strings.Contains(n.Name, "Mirta Aquino") {
				found = true
			}
		}
		if !found {
			t.Error("the instructor does not find herself in the cascade")
		}

		// Investigators of other agencies see neither the reach nor the sessions.
		inv := f.actor(t, "investigador@nanduti.example")
		if _, err := f.svc.Cascade(ctx, inv); !core.Is(err, core.Forbidden) {
			t.Errorf("investigator cascade: %v", err)
		}
		rep, err := f.svc.Report(ctx, analyst)
		if err != nil {
			t.Fatal(err)
		}
		if rep.CaseData {
			t.Error("report claims case data while none exists")
		}
		if !rep.Overall.Shown || rep.Overall.Gain <= 0 {
			t.Errorf("knowledge gain: %+v", rep.Overall)
		}
	})
}

func TestCertificatesVerifyAndRevoke(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.seedDemo(t)
		ctx := context.Background()
		instr := f.actor(t, "instructora@nanduti.example")
		sessions, err := f.svc.Sessions(ctx, instr)
		if err != nil {
			t.Fatal(err)
		}
		var mine training.SessionSummary
		for _, s := range sessions {
			if s.Course.Title == demo.CadetCourseTitle && s.View == 2 {
				mine = s
			}
		}
		if mine.Session.ID == 0 {
			t.Fatal("the instructor has no cadet session")
		}
		d, err := f.svc.Session(ctx, instr, mine.Session.ID)
		if err != nil {
			t.Fatal(err)
		}
		var cert *training.Certificate
		var name string
		for _, e := range d.Enrolments {
			if e.Certificate != nil {
				cert, name = e.Certificate, e.Participant.Name
				break
			}
		}
		if cert == nil {
			t.Fatal("no certificate issued")
		}
		v, err := f.svc.Verify(ctx, strings.ToLower(training.FormatCode(cert.Code)))
		if err != nil || !v.Found || v.Revoked || v.Initials != training.Initials(name) || v.CourseTitle != demo.CadetCourseTitle {
			t.Fatalf("verify: %+v %v", v, err)
		}
		pdf, err := f.svc.CertificatePDF(ctx, instr, cert.ID, "https://nanduti.example/verify/")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.Contains(pdf, []byte("%%EOF")) {
			t.Error("not a PDF")
		}
		if dir := os.Getenv("NANDUTI_SCREENSHOTS"); dir != "" {
			os.WriteFile(dir+"/certificate.pdf", pdf, 0o644)
		}
		// Another agency's trainer cannot print or revoke it: not found.
		other := core.Actor{UserID: 999999, AgencyID: f.actor(t, "investigador@nanduti.example").AgencyID, Roles: []core.Role{core.RoleTrainer}}
		if _, err := f.svc.RevokeCertificate(ctx, other, cert.ID); !core.Is(err, core.NotFound) {
			t.Errorf("other agency revokes: %v", err)
		}
		if _, err := f.svc.RevokeCertificate(ctx, instr, cert.ID); err != nil {
			t.Fatal(err)
		}
		if v, _ := f.svc.Verify(ctx, cert.Code); !v.Found || !v.Revoked {
			t.Errorf("after revocation: %+v", v)
		}
		for _, bad := range []string{"", "AAAA-AAAA-AAAA-AAAA", "not a code at all", cert.Code[:15], cert.Code + "A"} {
			if v, err := f.svc.Verify(ctx, bad); err != nil || v.Found {
				t.Errorf("verify %q: %+v %v", bad, v, err)
			}
		}
		// Every change is in the audit chain, and the chain holds.
		if _, err := f.audit.Verify(ctx, core.SystemActor); err != nil {
			t.Fatal(err)
		}
	})
}

func xlsxOf(t *testing.T, rows [][]any) []byte {
	t.Helper()
	x := excelize.NewFile()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestImportRejectsTheWholeFileOnOneBadRow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.seedDemo(t)
		ctx := context.Background()
		instr := f.actor(t, "instructora@nanduti.example")
		list, _ := f.svc.Sessions(ctx, instr)
		var sid int64
		for _, s := range list {
			if s.View == 2 && s.Course.Title == demo.CadetCourseTitle {
				sid = s.Session.ID
			}
		}
		d, _ := f.svc.Session(ctx, instr, sid)
		a, b := d.Enrolments[0].Participant.ID, d.Enrolments[1].Participant.ID
		good := xlsxOf(t, [][]any{{"Participante", "Nombre", "Pre", "Post", "Módulo 1"}, {a, "x", 20, 99, "ausente"}, {b, "y", 30, 98, "tarde"}})
		bad := xlsxOf(t, [][]any{{"Participante", "Nombre", "Pre", "Post", "Módulo 1"}, {a, "x", 20, 99, "ausente"},
			{99999, "desconocido", 30, 50, "presente"}, {b, "y", 30, 101, "presente"}})
		plan, err := f.svc.ApplyImport(ctx, instr, sid, bad)
		if !core.Is(err, core.Invalid) || len(plan.Problems) != 2 {
			t.Fatalf("bad file: %v, problems %+v", err, plan.Problems)
		}
		if p := plan.Problems[0]; p.Row != 3 || p.Column != "Participante" || p.Key != "training.import.participant_not_enrolled" {
			t.Errorf("first problem %+v", p)
		}
		if p := plan.Problems[1]; p.Row != 4 || p.Column != "Post" || p.Key != "training.import.score_invalid" {
			t.Errorf("second problem %+v", p)
		}
		after, _ := f.svc.Session(ctx, instr, sid)
		if *after.Enrolments[0].PostScore == 99 {
			t.Fatal("a rejected file changed a score")
		}
		if _, err := f.svc.ApplyImport(ctx, instr, sid, good); err != nil {
			t.Fatal(err)
		}
		after, _ = f.svc.Session(ctx, instr, sid)
		e := after.Enrolments[0]
		if *e.PostScore != 99 || *e.PreScore != 20 || e.Attendance[after.Course.Modules[0].ID] != training.Absent {
			t.Errorf("import not applied: %+v", e)
		}
		if after.Enrolments[1].Attendance[after.Course.Modules[0].ID] != training.Late {
			t.Error("second row not applied")
		}
		// The canonical CSV of a valid plan reads back to the same plan.
		plan, _ = f.svc.PreviewImport(ctx, instr, sid, good)
		again, _ := f.svc.PreviewImport(ctx, instr, sid, training.CanonicalCSV(plan))
		if len(again.Rows) != 2 || !again.Valid() || *again.Rows[0].Post != 99 {
			t.Errorf("canonical round trip: %+v", again)
		}
	})
}

func TestPlanImportMessages(t *testing.T) {
	course := training.Course{Modules: []training.Module{{ID: 11, Position: 1, Minutes: 60}, {ID: 12, Position: 2, Minutes: 60}}}
	enrolled := map[int64]training.Participant{5: {ID: 5, Name: "Ana"}, 6: {ID: 6, Name: "Blas"}}
	cases := []struct {
		name string
		csv  string
		want []string // "row/column/key"
	}{
		{"ok semicolons", "participante;pre;modulo_2\n5;40;P\n6;;tarde\n", nil},
		{"unknown column", "participante,edad\n5,30\n", []string{"1/edad/training.import.column_unknown"}},
		{"module beyond course", "participante,modulo 3\n5,P\n", []string{"1/modulo 3/training.import.module_unknown"}},
		{"no participant column", "pre\n40\n", []string{"1//training.import.participant_column_missing"}},
		{"bad cells", "participante,pre,valoracion,modulo_1\nx,40,3,P\n5,40.5,9,quizá\n5,40,3,P\n",
			[]string{"2/participante/training.import.participant_not_number", "3/pre/training.import.score_invalid",
				"3/valoracion/training.import.feedback_invalid", "3/modulo_1/training.import.attendance_invalid",
				"4/participante/training.import.participant_repeated"}},
		{"empty", "\n\n", []string{"0//training.import.empty"}},
		{"header only", "participante,pre\n", []string{"0//training.import.no_rows"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sheet, err := training.ReadSheet([]byte(c.csv))
			if err != nil {
				t.Fatal(err)
			}
			plan := training.PlanImport(sheet, course, enrolled)
			var got []string
			for _, p := range plan.Problems {
				got = append(got, strings.Join([]string{strconv.Itoa(p.Row), p.Column, p.Key}, "/"))
			}
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("problems\n got %v\nwant %v", got, c.want)
			}
		})
	}
}

func TestDepartmentsMatchINE(t *testing.T) {
	path := testutil.SharedFile(t, "data/paraguay/py_departamentos_ine_codes.csv")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows)-1 != len(training.Departments) {
		t.Fatalf("%d departments in the INE list, %d in code", len(rows)-1, len(training.Departments))
	}
	for i, r := range rows[1:] {
		d := training.Departments[i]
		if d.Code != r[0] || !strings.EqualFold(d.Name, r[1]) {
			t.Errorf("department %s %q, INE says %s %q", d.Code, d.Name, r[0], r[1])
		}
	}
}

func TestEvaluateAndInitials(t *testing.T) {
	c := training.Course{MinAttendancePct: 80, MinPostScore: 70, Modules: []training.Module{
		{ID: 1, Minutes: 180}, {ID: 2, Minutes: 180}, {ID: 3, Minutes: 180}, {ID: 4, Minutes: 180}, {ID: 5, Minutes: 180}}}
	n := func(v int) *int { return &v }
	all := map[int64]training.Attendance{1: training.Present, 2: training.Late, 3: training.Present, 4: training.Present, 5: training.Present}
	four := map[int64]training.Attendance{1: training.Present, 2: training.Present, 3: training.Absent, 4: training.Present, 5: training.Present}
	three := map[int64]training.Attendance{1: training.Present, 2: training.Present, 3: training.Present}
	cases := []struct {
		att  map[int64]training.Attendance
		post *int
		want bool
	}{
		{all, n(70), true}, {all, n(69), false}, {all, nil, false}, {four, n(90), true}, {three, n(100), false},
	}
	for i, tc := range cases {
		if got := training.Evaluate(c, training.Enrolment{Attendance: tc.att, PostScore: tc.post}).Completed; got != tc.want {
			t.Errorf("case %d: completed %v, want %v", i, got, tc.want)
		}
	}
	for in, want := range map[string]string{"Mirta Aquino Paredes": "M. A. P.", "ana de la cruz": "A. C.", "  ": "", "Ñandú Ávalos": "Ñ. Á."} {
		if got := training.Initials(in); got != want {
			t.Errorf("Initials(%q) = %q, want %q", in, got, want)
		}
	}
}
