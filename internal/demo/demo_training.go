package demo

import (
	"context"
	"fmt"
	"time"

	"nanduti/internal/accounts"
	"nanduti/internal/core"
	"nanduti/internal/training"
)

// The demo's training story: the police academy runs a 15-hour training-of-trainers course
// on investigating child labour, forced labour and trafficking for twenty officers; three of
// them go on to teach. The academy's instructor (instructora@nanduti.example) trains forty
// cadets in two classes, and two police officers run workshops in their own departments. The
// cascade page then shows three generations: the course's lead trainer, the twenty, and the
// sixty-seven they trained. Every name is invented.

// TrainingCourseTitle names the demo's training-of-trainers course.
const TrainingCourseTitle = "Investigación del trabajo infantil, el trabajo forzoso y la trata de personas"

// CadetCourseTitle names the course the trained trainers teach.
const CadetCourseTitle = "Trabajo infantil, trabajo forzoso y trata: curso para cadetes y agentes"

// LeadTrainerEmail is the account of the course's lead trainer, generation 0 of the cascade
// (one of Accounts).
const LeadTrainerEmail = "formador@nanduti.example"

var trainingModules = []string{
	"Marco legal: Ley 4788/2012, Código Penal, Código de la Niñez y convenios de la OIT",
	"Indicadores de trata, trabajo forzoso y trabajo infantil (incluido el criadazgo)",
	"Entrevista a víctimas con enfoque de derechos y sin revictimización",
	"Planificación de la investigación y preservación de la evidencia",
	"Coordinación interinstitucional y derivación a servicios de protección",
}

// Invented first names and surnames; combinations are not real people.
var demoFirst = []string{"Ana", "Blas", "Celia", "Darío", "Elsa", "Fabio", "Gloria", "Hernán", "Inés", "Jorge",
	"Karina", "Lucio", "Marta", "Nelson", "Olga", "Pablo", "Rocío", "Sergio", "Teresa", "Víctor", "Zulma", "Ramón",
	"Liz", "Osvaldo", "Perla", "Derlis", "Nidia", "Arnaldo", "Fátima", "Cristhian"}
var demoLast = []string{"Acosta", "Benítez", "Cabrera", "Duarte", "Escobar", "Florentín", "González", "Irala", "Jara",
	"López", "Mereles", "Núñez", "Ortiz", "Portillo", "Quiñónez", "Riveros", "Samaniego", "Torales", "Villalba",
	"Zárate", "Ayala", "Brítez", "Cardozo", "Fleitas", "Galeano", "Insaurralde", "Leguizamón", "Ocampo", "Paredes", "Rojas"}

func demoName(i int) string {
	return fmt.Sprintf("%s %s %s", demoFirst[i%len(demoFirst)], demoLast[(i*7+3)%len(demoLast)], demoLast[(i*11+5)%len(demoLast)])
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// seedTraining adds the training story once; a database that has the course keeps it as is.
func seedTraining(ctx context.Context, svc *accounts.Service, tr *training.Service, codes map[string]int64) error {
	actor := core.SystemActor
	courses, err := tr.Courses(ctx, actor)
	if err != nil {
		return err
	}
	for _, c := range courses {
		if c.Title == TrainingCourseTitle {
			return nil
		}
	}
	academy, police := codes["ACADEMIA"], codes["PN"]

	lead, err := svc.UserByEmail(ctx, actor, LeadTrainerEmail)
	if err != nil {
		return err
	}
	instructor, err := svc.UserByEmail(ctx, actor, "instructora@nanduti.example")
	if err != nil {
		return err
	}

	mods := make([]training.NewModule, len(trainingModules))
	short := make([]training.NewModule, len(trainingModules))
	for i, t := range trainingModules {
		mods[i] = training.NewModule{Title: t, Minutes: 180}
		short[i] = training.NewModule{Title: t, Minutes: 120}
	}
	tot, err := tr.CreateCourse(ctx, actor, training.NewCourse{OwnerAgencyID: academy, Title: TrainingCourseTitle,
		Objectives: "Que los participantes identifiquen situaciones de trabajo infantil, trabajo forzoso y trata, " +
			"investiguen con enfoque en la víctima y enseñen lo aprendido en la academia y en sus unidades.",
		Language: "es", MinAttendancePct: 80, MinPostScore: 70, TrainerCourse: true, Modules: mods})
	if err != nil {
		return err
	}
	cadet, err := tr.CreateCourse(ctx, actor, training.NewCourse{OwnerAgencyID: academy, Title: CadetCourseTitle,
		Objectives: "Reconocer los indicadores y saber a quién derivar.", Language: "es", MinAttendancePct: 80,
		MinPostScore: 70, Modules: short})
	if err != nil {
		return err
	}

	register := func(agency int64, user int64, name, rank, unit, dept string) (training.Participant, error) {
		return tr.RegisterParticipant(ctx, actor, academy, training.NewParticipant{AgencyID: agency, UserID: user, Name: name,
			Rank: rank, Unit: unit, Department: dept})
	}
	leadP, err := register(academy, lead.ID, lead.Name, "Formador principal", "Academia Nacional de Policía", "11")
	if err != nil {
		return err
	}
	totSession, err := tr.CreateSession(ctx, actor, training.NewSession{CourseID: tot.ID, HostAgencyID: academy,
		StartsOn: day(2025, 3, 10), EndsOn: day(2025, 3, 12), Department: "10", District: "Ciudad del Este",
		Place: "Academia Nacional de Policía, sede regional", TrainerIDs: []int64{leadP.ID}})
	if err != nil {
		return err
	}

	// The twenty: the instructor, sixteen police officers, two labour inspectors, one
	// immigration officer.
	instructorP, err := register(academy, instructor.ID, instructor.Name, "Subcomisario", "Academia Nacional de Policía", "10")
	if err != nil {
		return err
	}
	twenty := []training.Participant{instructorP}
	depts := []string{"10", "10", "10", "10", "10", "07", "07", "07", "11", "11", "11", "00", "00", "14", "14", "13"}
	for i, d := range depts {
		p, err := register(police, 0, demoName(i), []string{"Oficial inspector", "Suboficial", "Comisario", "Oficial segundo"}[i%4],
			"Comisaría "+fmt.Sprint(i+1), d)
		if err != nil {
			return err
		}
		twenty = append(twenty, p)
	}
	for i, spec := range []struct{ code, rank, dept string }{{"MTESS", "Inspectora de trabajo", "10"}, {"MTESS", "Inspector de trabajo", "11"}, {"DGM", "Oficial de migraciones", "10"}} {
		p, err := register(codes[spec.code], 0, demoName(40+i), spec.rank, "Oficina regional", spec.dept)
		if err != nil {
			return err
		}
		twenty = append(twenty, p)
	}
	// Two do not complete: one missed two modules, one scored 65 on the post-test.
	if err := runSession(ctx, tr, totSession, tot, twenty, 1, map[int]bool{7: true}, map[int]bool{12: true}); err != nil {
		return err
	}

	// Generation 2: the instructor's two cadet classes and two officers' workshops.
	cadets := 0
	newGroup := func(n int, agency int64, rank, unit, dept string) ([]training.Participant, error) {
		var out []training.Participant
		for range n {
			p, err := register(agency, 0, demoName(100+cadets), rank, unit, dept)
			if err != nil {
				return nil, err
			}
			cadets++
			out = append(out, p)
		}
		return out, nil
	}
	runs := []struct {
		trainer        training.Participant
		host           int64
		start          time.Time
		dept, district string
		place          string
		n              int
		rank, unit     string
	}{
		{instructorP, academy, day(2025, 5, 5), "10", "Ciudad del Este", "Academia Nacional de Policía, sede regional", 20, "Cadete", "Promoción 2025, sección A"},
		{instructorP, academy, day(2025, 8, 4), "10", "Ciudad del Este", "Academia Nacional de Policía, sede regional", 20, "Cadete", "Promoción 2025, sección B"},
		{twenty[1], police, day(2025, 6, 9), "10", "Hernandarias", "Comisaría 7.ª de Hernandarias", 15, "Suboficial", "Comisarías de Alto Paraná"},
		{twenty[6], police, day(2025, 9, 15), "07", "Encarnación", "Jefatura de Policía de Itapúa", 12, "Suboficial", "Comisarías de Itapúa"},
	}
	for i, r := range runs {
		agency := r.host
		group, err := newGroup(r.n, agency, r.rank, r.unit, r.dept)
		if err != nil {
			return err
		}
		ss, err := tr.CreateSession(ctx, actor, training.NewSession{CourseID: cadet.ID, HostAgencyID: r.host, StartsOn: r.start,
			EndsOn: r.start.AddDate(0, 0, 1), Department: r.dept, District: r.district, Place: r.place, TrainerIDs: []int64{r.trainer.ID}})
		if err != nil {
			return err
		}
		if err := runSession(ctx, tr, ss, cadet, group, i+2, map[int]bool{3: true}, map[int]bool{9: true}); err != nil {
			return err
		}
	}
	return nil
}

// runSession enrols the group, records attendance and scores (the seed varies them), and
// issues certificates to those who completed. absent marks who missed two modules, failing
// who scored below the pass mark.
func runSession(ctx context.Context, tr *training.Service, ss training.Session, c training.Course, group []training.Participant,
	seed int, absent, failing map[int]bool) error {
	actor := core.SystemActor
	var marks []training.AttendanceMark
	var scores []training.Scores
	for i, p := range group {
		if err := tr.Enrol(ctx, actor, ss.ID, p.ID); err != nil {
			return err
		}
		for j, m := range c.Modules {
			st := training.Present
			switch {
			case absent[i] && j >= 3:
				st = training.Absent
			case (i+j+seed)%9 == 0:
				st = training.Late
			}
			marks = append(marks, training.AttendanceMark{ParticipantID: p.ID, ModuleID: m.ID, Status: st})
		}
		pre := 35 + (i*13+seed*7)%30
		post := 72 + (i*17+seed*5)%26
		if failing[i] {
			post = 65
		}
		fb := 4 + (i+seed)%2
		scores = append(scores, training.Scores{ParticipantID: p.ID, Pre: &pre, Post: &post, Feedback: &fb})
	}
	if err := tr.RecordAttendance(ctx, actor, ss.ID, marks); err != nil {
		return err
	}
	if err := tr.RecordScores(ctx, actor, ss.ID, scores); err != nil {
		return err
	}
	_, err := tr.IssueCertificates(ctx, actor, ss.ID)
	return err
}
