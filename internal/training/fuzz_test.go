package training_test

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"

	"nanduti/internal/training"
)

var fuzzCourse = training.Course{Modules: []training.Module{{ID: 11, Position: 1, Minutes: 60}, {ID: 12, Position: 2, Minutes: 90}}}
var fuzzEnrolled = map[int64]training.Participant{5: {ID: 5, Name: "Ana"}, 6: {ID: 6, Name: "Blas"}}

// Any bytes, CSV or XLSX: reading never panics and never returns more than the limits allow,
// and a plan's rows always name enrolled participants with values in range.
func FuzzReadSheet(f *testing.F) {
	f.Add([]byte("participante;pre;post;modulo_1\n5;40;80;P\n6;;;tarde\n"))
	f.Add([]byte("\xef\xbb\xbfParticipant ID,Module 2,Feedback\n6,late,5\n"))
	f.Add([]byte("participante,\"pre\n5,\"40"))
	x := excelize.NewFile()
	x.SetSheetRow("Sheet1", "A1", &[]any{"participante", "post", "módulo 2"})
	x.SetSheetRow("Sheet1", "A2", &[]any{5, 99.0, "ausente"})
	var buf bytes.Buffer
	x.Write(&buf)
	f.Add(buf.Bytes())
	f.Add([]byte("PK\x03\x04garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sheet, err := training.ReadSheet(data)
		if err != nil {
			return
		}
		if len(sheet) > training.MaxImportRows+1 {
			t.Fatalf("%d rows read", len(sheet))
		}
		checkPlan(t, training.PlanImport(sheet, fuzzCourse, fuzzEnrolled))
	})
}

// Any table of cells: planning never panics and valid rows respect every rule.
func FuzzPlanImport(f *testing.F) {
	f.Add("participante", "modulo_1", "5", "P", "6", "x")
	f.Add("post", "participant_id", "101", "5", "", "6")
	f.Add("módulo 2", "id", "tarde", "5.0", "ausente", "6")
	f.Fuzz(func(t *testing.T, h1, h2, a1, a2, b1, b2 string) {
		checkPlan(t, training.PlanImport([][]string{{h1, h2}, {a1, a2}, {b1, b2}}, fuzzCourse, fuzzEnrolled))
	})
}

func checkPlan(t *testing.T, plan training.ImportPlan) {
	t.Helper()
	seen := map[int64]bool{}
	for _, r := range plan.Rows {
		if fuzzEnrolled[r.ParticipantID].ID == 0 || seen[r.ParticipantID] {
			t.Fatalf("row %d names participant %d", r.Row, r.ParticipantID)
		}
		seen[r.ParticipantID] = true
		for _, p := range []*int{r.Pre, r.Post} {
			if p != nil && (*p < 0 || *p > 100) {
				t.Fatalf("score %d accepted", *p)
			}
		}
		if r.Feedback != nil && (*r.Feedback < 1 || *r.Feedback > 5) {
			t.Fatalf("feedback %d accepted", *r.Feedback)
		}
		for mid, a := range r.Attendance {
			if (mid != 11 && mid != 12) || !training.ValidAttendance(a) {
				t.Fatalf("attendance %d=%q accepted", mid, a)
			}
		}
	}
	if plan.Valid() {
		// A valid plan survives its canonical form unchanged.
		sheet, err := training.ReadSheet(training.CanonicalCSV(plan))
		if err != nil {
			t.Fatal(err)
		}
		again := training.PlanImport(sheet, fuzzCourse, fuzzEnrolled)
		if !again.Valid() || len(again.Rows) != len(plan.Rows) {
			t.Fatalf("canonical form does not read back: %+v", again.Problems)
		}
	}
}
