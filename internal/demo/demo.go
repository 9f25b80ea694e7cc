// Package demo creates the demonstration task force: the Ciudad del Este task force with its
// agencies and one account per role. Every person in it is fictitious. Seeding is idempotent:
// running it again leaves what exists and adds what is missing.
package demo

import (
	"context"

	"nanduti/internal/accounts"
	"nanduti/internal/cases"
	"nanduti/internal/core"
	"nanduti/internal/dedupe"
	"nanduti/internal/persons"
	"nanduti/internal/screenings"
	"nanduti/internal/training"
)

// TaskForceName names the demo task force.
const TaskForceName = "Mesa Interinstitucional de Ciudad del Este (demostración)"

// Password is every demo account's password. It is printed on start: the demo holds no real
// data, and a newcomer should be able to look around at once.
const Password = "demo-nanduti-2026"

// Agencies of the demo task force, as in the story of DESIGN.md.
var Agencies = []accounts.NewAgency{
	{Code: "PN", Name: "Policía Nacional", Kind: core.AgencyPolice},
	{Code: "MP", Name: "Ministerio Público", Kind: core.AgencyProsecution},
	{Code: "DGM", Name: "Dirección General de Migraciones", Kind: core.AgencyImmigration},
	{Code: "MTESS", Name: "Ministerio de Trabajo, Empleo y Seguridad Social", Kind: core.AgencyLabour},
	{Code: "MINMUJER", Name: "Ministerio de la Mujer", Kind: core.AgencyWomen},
	{Code: "MINNA", Name: "Ministerio de la Niñez y la Adolescencia", Kind: core.AgencyChildren},
	{Code: "GOBAP", Name: "Gobernación de Alto Paraná", Kind: core.AgencyLocalGovernment},
	{Code: "ONG-REFUGIO", Name: "Hogar Arasunu (refugio; ONG ficticia)", Kind: core.AgencyNGO},
	{Code: "ACADEMIA", Name: "Academia Nacional de Policía", Kind: core.AgencyTraining},
}

// Account is one demo account.
type Account struct {
	Email      string
	Name       string
	AgencyCode string
	Role       core.Role
}

// Accounts are the demo accounts, one per role (two caseworkers: the children's ministry and
// the shelter). Names are invented.
var Accounts = []Account{
	{"admin@nanduti.example", "Sistema Administración", "GOBAP", core.RoleSystemAdmin},
	{"admin.pn@nanduti.example", "Rosa Benítez Ayala", "PN", core.RoleAgencyAdmin},
	{"investigador@nanduti.example", "Comisario Julio Cáceres Ortiz", "PN", core.RoleInvestigator},
	{"fiscal@nanduti.example", "Abog. Liz Martínez Duarte", "MP", core.RoleProsecutor},
	{"inspectora@nanduti.example", "Inspectora Nilda Giménez Rojas", "MTESS", core.RoleLabourInspector},
	{"migraciones@nanduti.example", "Oficial Hugo Villalba Sosa", "DGM", core.RoleImmigrationOfficer},
	{"asistente@nanduti.example", "Lic. Carmen Acosta Ríos", "MINNA", core.RoleCaseworker},
	{"refugio@nanduti.example", "Lic. Ana Franco Núñez", "ONG-REFUGIO", core.RoleCaseworker},
	{"analista@nanduti.example", "Lic. Pedro Ramírez Vera", "MP", core.RoleAnalyst},
	{"instructora@nanduti.example", "Subcomisario Mirta Aquino Paredes", "ACADEMIA", core.RoleTrainer},
	{"formador@nanduti.example", "Lic. Tomás Galeano Ferreira", "ACADEMIA", core.RoleTrainer},
	{"auditora@nanduti.example", "Cont. Gladys Insfrán Torres", "GOBAP", core.RoleAuditor},
}

// Services are the domain services the demo fills. Each module adds its field here and one
// call in Seed; a nil service is skipped, so that a module's tests can seed only the part they
// need.
type Services struct {
	Accounts   *accounts.Service
	Training   *training.Service
	Screenings *screenings.Service
	Persons    *persons.Service
	// Cases needs Persons: the demo cases put the demo persons in them.
	Cases *cases.Service
	// Dedupe finds the demo's planted duplicate (needs Persons).
	Dedupe *dedupe.Service
}

// Seed creates what is missing of the demo task force and returns the demo accounts. It
// refuses a database that already holds another deployment's accounts, so that the demo's
// known password can never be added to real data.
func Seed(ctx context.Context, s Services) ([]Account, error) {
	svc := s.Accounts
	actor := core.SystemActor
	tfs, err := svc.ListTaskForces(ctx, actor)
	if err != nil {
		return nil, err
	}
	for _, tf := range tfs {
		if tf.Name != TaskForceName {
			return nil, core.Errorf(core.Conflict, "demo.not_a_demo_database")
		}
	}
	tf, err := svc.EnsureTaskForce(ctx, actor, TaskForceName, "Alto Paraná")
	if err != nil {
		return nil, err
	}
	codes := map[string]int64{}
	for _, in := range Agencies {
		a, err := svc.AgencyByCode(ctx, actor, in.Code)
		if core.Is(err, core.NotFound) {
			in.TaskForceID = tf.ID
			a, err = svc.CreateAgency(ctx, actor, in)
		}
		if err != nil {
			return nil, err
		}
		codes[a.Code] = a.ID
	}
	for _, acc := range Accounts {
		_, err := svc.UserByEmail(ctx, actor, acc.Email)
		if core.Is(err, core.NotFound) {
			_, err = svc.CreateUser(ctx, actor, accounts.NewUser{AgencyID: codes[acc.AgencyCode], Email: acc.Email,
				Name: acc.Name, Roles: []core.Role{acc.Role}, Password: Password})
		}
		if err != nil {
			return nil, err
		}
	}
	if s.Training != nil {
		if err := seedTraining(ctx, svc, s.Training, codes); err != nil {
			return nil, err
		}
	}
	if s.Screenings != nil {
		if err := seedScreenings(ctx, svc, s.Screenings); err != nil {
			return nil, err
		}
	}
	if s.Persons != nil {
		if err := seedPersons(ctx, svc, s.Persons); err != nil {
			return nil, err
		}
	}
	if s.Cases != nil && s.Persons != nil {
		if err := seedCases(ctx, svc, s.Cases, s.Persons); err != nil {
			return nil, err
		}
	}
	if err := seedDedupe(ctx, svc, s); err != nil {
		return nil, err
	}
	return Accounts, nil
}
