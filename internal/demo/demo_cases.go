package demo

import (
	"context"
	"fmt"
	"time"

	"nanduti/internal/accounts"
	"nanduti/internal/cases"
	"nanduti/internal/core"
	"nanduti/internal/persons"
)

// The demo cases: the brick kiln near Ciudad del Este of DESIGN.md, ranches in the Chaco,
// criadazgo in Asunción, sexual exploitation at the Triple Frontier and forced begging. Each
// case is owned by one agency and shared with others at the level their part needs, so that
// every demo account sees a different slice: the police and the prosecutor's office see
// pseudonyms where a case is shared with them operationally and identities where it is shared
// in full; the children's ministry sees the kiln case in full for the boy's referral; the
// shelter sees the referrals sent to it and nothing else of the cases; the analyst sees
// counts. Every person, place detail and number in them is invented. Dates are counted back
// from the day the demo is created, so that none lies in the future.

// casePerson is a person's part in a demo case. Document names an existing demo person (of
// the story in demo_persons.go); otherwise the person is created with the invented name.
type casePerson struct {
	Role         string
	PerpRoles    []string
	VictimStatus string
	DecidedBy    string
	// AddedBy is the account that puts the person in the case (and whose agency records the
	// person); the case owner when empty.
	AddedBy  string
	Document string

	Kind     persons.Kind
	Gender   string
	Age      int
	Country  string // ISO 3166 alpha-3
	Language string // ISO 639
	Given    string
	Paternal string
	Maternal string
}

type caseEvent struct {
	Kind        string
	DaysAgo     int
	Department  string
	District    string
	Place       string
	Description string
}

type caseTask struct {
	Title  string
	Agency string // code of the agency that does it
	DueIn  int    // days from the demo's day; negative for an overdue task
	Status string
	// By is the account that adds the task; the case owner when empty.
	By string
}

type caseShare struct {
	Agency string
	Level  core.ShareLevel
}

// caseCharge is a charge the prosecutor files against the suspect at Person (an index into
// the case's persons), with its hearing and outcome when the case got that far.
type caseCharge struct {
	Person         int
	Article        string
	FiledDaysAgo   int
	Court          string
	Outcome        string
	OutcomeDaysAgo int
	Sentence       string
}

// caseReferral sends the victim at Person to a service, with the consent recorded; Accepted
// has the receiving agency accept it and record the service delivered.
type caseReferral struct {
	Person   int
	Service  string
	ToAgency string
	Outside  string
	Consent  string
	Override string
	Accepted bool
}

type demoCase struct {
	Owner           string // email of the account that opens the case
	Title           string
	Exploitation    []string
	Sector          string
	Department      string
	District        string
	Source          string
	Sensitive       bool
	ReportedDaysAgo int
	Status          cases.Status
	Shares          []caseShare
	Persons         []casePerson
	Events          []caseEvent
	Tasks           []caseTask
	Charge          *caseCharge
	Referrals       []caseReferral
	// Kiln adds the evidence log, an attachment and a sealed note of the story's case.
	Kiln bool
}

const (
	inspectora  = "inspectora@nanduti.example"
	investigado = "investigador@nanduti.example"
	fiscal      = "fiscal@nanduti.example"
	migraciones = "migraciones@nanduti.example"
	asistente   = "asistente@nanduti.example"
	refugio     = "refugio@nanduti.example"
)

// KilnCaseTitle is the title of the story's case, the one the demo's walkthrough opens.
const KilnCaseTitle = "Olería con adolescentes cerca de Ciudad del Este"

func victim(gender string, age int, given, paternal, maternal string) casePerson {
	return casePerson{Role: "victim", VictimStatus: "possible", Kind: persons.KindVictim, Gender: gender, Age: age,
		Country: "PRY", Language: "gn", Given: given, Paternal: paternal, Maternal: maternal}
}

func suspect(role string, age int, given, paternal, maternal string) casePerson {
	return casePerson{Role: "suspect", PerpRoles: []string{role}, Kind: persons.KindSuspect, Gender: "Masculine", Age: age,
		Country: "PRY", Language: "es", Given: given, Paternal: paternal, Maternal: maternal}
}

func withCountry(p casePerson, country, lang string) casePerson {
	p.Country, p.Language = country, lang
	return p
}

func actual(p casePerson, by string) casePerson {
	p.VictimStatus, p.DecidedBy = "actual", by
	return p
}

func addedBy(p casePerson, email string) casePerson {
	p.AddedBy = email
	return p
}

func female(p casePerson) casePerson {
	p.Gender = "Feminine"
	return p
}

// ranch is one of the Chaco ranch cases: forced labour of adult farmhands held by debt.
func ranch(title, dept string, daysAgo int, status cases.Status, shares []caseShare, ps []casePerson, place string) demoCase {
	return demoCase{Owner: inspectora, Title: title, Exploitation: []string{"ForcedLabour"}, Sector: "A", Department: dept,
		Source: "inspection", ReportedDaysAgo: daysAgo, Status: status, Shares: shares, Persons: ps,
		Events: []caseEvent{
			{Kind: "Recruitment", DaysAgo: daysAgo + 200, Department: "02", Place: "San Pedro del Ycuamandiyú",
				Description: "Contratista ofrece trabajo de alambrador con adelanto de sueldo."},
			{Kind: "Transit", DaysAgo: daysAgo + 195, Department: dept, Place: "Ruta Transchaco",
				Description: "Traslado en camión de la estancia; documentos retenidos por el capataz."},
			{Kind: "Exploitation", DaysAgo: daysAgo + 5, Department: dept, Place: place,
				Description: "Deuda por comida y herramientas en la proveeduría de la estancia; sin salida del predio."},
		},
		Tasks: []caseTask{
			{Title: "Relevar planillas de sueldo y libreta de la proveeduría", Agency: "MTESS", DueIn: 10, Status: "in_progress"},
		}}
}

func charged(dc demoCase, ch caseCharge) demoCase {
	dc.Charge = &ch
	return dc
}

var demoCases = []demoCase{
	// The story: the labour inspector finds children firing bricks at a kiln near Ciudad del
	// Este. The labour ministry owns the case; the police investigate and the prosecutor's
	// office follows it with pseudonyms; the children's ministry sees it in full to take the
	// 15-year-old into its shelter, with his guardian's consent.
	{Owner: inspectora, Title: KilnCaseTitle, Exploitation: []string{"ChildLabour", "ForcedLabour"}, Sector: "C",
		Department: "10", District: "11", Source: "inspection", Sensitive: true, ReportedDaysAgo: 21,
		Status: cases.StatusWithProsecutor, Kiln: true,
		Shares: []caseShare{{"PN", core.ShareOperational}, {"MP", core.ShareOperational}, {"MINNA", core.ShareFull}},
		Persons: []casePerson{
			{Role: "victim", VictimStatus: "actual", DecidedBy: "NonPoliceGovernmentalOrganization", Document: "5.912.004"},
			{Role: "reporter", Document: "2.118.305"},
			{Role: "suspect", PerpRoles: []string{"RecruiterOrIntermediary", "Exploiter"}, Document: "3.407.118", AddedBy: investigado},
			addedBy(victim("Masculine", 14, "Éver Daniel", "Zárate", "Cabañas"), inspectora),
		},
		Events: []caseEvent{
			{Kind: "Recruitment", DaysAgo: 140, Department: "05", Place: "Compañía de Caaguazú",
				Description: "Promesa de trabajo en un comercio y de escuela, hecha a la familia."},
			{Kind: "Transit", DaysAgo: 135, Department: "10", Place: "Terminal de Ciudad del Este",
				Description: "Llegada en ómnibus acompañado por el reclutador."},
			{Kind: "Exploitation", DaysAgo: 22, Department: "10", District: "11", Place: "Olería sobre la ruta, kilómetro 20",
				Description: "Quema de ladrillos de noche, duerme en el predio, sin pago."},
		},
		Tasks: []caseTask{
			{Title: "Tomar declaración al denunciante en la comisaría", Agency: "PN", DueIn: -3, Status: "open", By: investigado},
			{Title: "Identificar al propietario de la olería en el catastro", Agency: "PN", DueIn: 7, Status: "in_progress", By: investigado},
			{Title: "Acta de inspección y cálculo de salarios adeudados", Agency: "MTESS", DueIn: -10, Status: "done"},
			{Title: "Evaluar la situación escolar del adolescente", Agency: "MINNA", DueIn: 14, Status: "open"},
		},
		Charge: &caseCharge{Person: 2, Article: "Ley 4788/2012 art. 6", FiledDaysAgo: 2},
		Referrals: []caseReferral{
			{Person: 0, Service: "shelter", ToAgency: "MINNA", Consent: "given_by_guardian", Accepted: true},
			{Person: 0, Service: "education", ToAgency: "MINNA", Consent: "given_by_guardian"},
		}},

	// Ranches in the Chaco: forced labour held by debt.
	ranch("Estancia ganadera con peones endeudados, Boquerón", "16", 60, cases.StatusUnderInvestigation,
		[]caseShare{{"PN", core.ShareOperational}},
		[]casePerson{victim("Masculine", 34, "Ramón Esteban", "Vera", "Ocampo"), victim("Masculine", 27, "Celso Andrés", "Báez", "Portillo"),
			suspect("Exploiter", 51, "Teodoro Aníbal", "Krauss", "Meza")}, "Estancia a 80 km de Filadelfia"),
	ranch("Peones sin salario en estancia de Alto Paraguay", "17", 95, cases.StatusWithProsecutor,
		[]caseShare{{"PN", core.ShareOperational}, {"MP", core.ShareFull}},
		[]casePerson{victim("Masculine", 41, "Fermín Gregorio", "Aquino", "Leguizamón"), suspect("Exploiter", 58, "Rubén Darío", "Scholz", "Benítez")},
		"Estancia cerca de Bahía Negra"),
	ranch("Alambradores retenidos por deuda, Presidente Hayes", "15", 30, cases.StatusScreening, nil,
		[]casePerson{victim("Masculine", 23, "Lucio Antonio", "Cardozo", "Rolón")}, "Estancia sobre la Transchaco, kilómetro 300"),
	charged(ranch("Familia indígena en carbonería de una estancia, Boquerón", "16", 150, cases.StatusOnTrial,
		[]caseShare{{"MP", core.ShareFull}, {"PN", core.ShareStatistical}},
		[]casePerson{victim("Masculine", 38, "Isidro", "Ramírez", "Ayala"), female(victim("Feminine", 35, "Juana Rosa", "Ayala", "Cuevas")),
			suspect("Exploiter", 47, "Gustavo Adolfo", "Wiens", "Penner")}, "Carbonería de la estancia"),
		caseCharge{Person: 2, Article: "Ley 4788/2012 art. 6", FiledDaysAgo: 60}),
	ranch("Trabajadores de desmonte sin pago, Alto Paraguay", "17", 12, cases.StatusReported,
		[]caseShare{{"MP", core.ShareStatistical}}, nil, "Campamento de desmonte"),
	ranch("Puesteros con documentos retenidos, Presidente Hayes", "15", 200, cases.StatusClosed,
		[]caseShare{{"PN", core.ShareOperational}},
		[]casePerson{victim("Masculine", 45, "Ángel María", "Duarte", "Fleitas")}, "Puesto de la estancia"),

	// Criadazgo in Asunción: girls from the interior living as unpaid domestic servants.
	{Owner: asistente, Title: "Criadazgo de una niña en una casa de Asunción", Exploitation: []string{"Criadazgo", "Servitude"}, Sector: "T",
		Department: "00", District: "00", Source: "hotline", Sensitive: true, ReportedDaysAgo: 45, Status: cases.StatusUnderInvestigation,
		Shares:  []caseShare{{"PN", core.ShareOperational}, {"MP", core.ShareFull}},
		Persons: []casePerson{female(victim("Feminine", 13, "Rosalía Belén", "Martínez", "Sanabria")), suspect("Exploiter", 49, "Nelson Fabián", "Insaurralde", "Gómez")},
		Events: []caseEvent{
			{Kind: "Recruitment", DaysAgo: 700, Department: "02", Place: "Compañía de San Pedro", Description: "La familia entrega a la niña con promesa de estudios en la capital."},
			{Kind: "Exploitation", DaysAgo: 50, Department: "00", District: "00", Place: "Vivienda en Asunción", Description: "Tareas domésticas de la mañana a la noche; no asiste a la escuela."},
		},
		Tasks: []caseTask{{Title: "Entrevista en cámara Gesell", Agency: "MP", DueIn: 5, Status: "open"},
			{Title: "Contactar a la familia de origen", Agency: "MINNA", DueIn: -2, Status: "in_progress"}},
		Referrals: []caseReferral{{Person: 0, Service: "psychological", Outside: "Centro de atención psicológica (servicio externo ficticio)", Consent: "given_by_guardian"}}},
	{Owner: asistente, Title: "Adolescente en servidumbre doméstica, barrio Sajonia", Exploitation: []string{"Criadazgo"}, Sector: "T",
		Department: "00", District: "00", Source: "referral", ReportedDaysAgo: 120, Status: cases.StatusClosed,
		Persons:   []casePerson{female(victim("Feminine", 15, "Liz Carolina", "Benegas", "Ortiz"))},
		Events:    []caseEvent{{Kind: "Exploitation", DaysAgo: 130, Department: "00", District: "00", Place: "Vivienda particular", Description: "Sin salario ni escolarización desde los once años."}},
		Referrals: []caseReferral{{Person: 0, Service: "education", Outside: "Escuela básica del barrio (servicio externo ficticio)", Consent: "given"}}},
	{Owner: asistente, Title: "Niña traída del Guairá para cuidar niños en Asunción", Exploitation: []string{"Criadazgo", "ChildLabour"}, Sector: "T",
		Department: "00", District: "00", Source: "self_report", ReportedDaysAgo: 8, Status: cases.StatusScreening,
		Shares:  []caseShare{{"MP", core.ShareOperational}},
		Persons: []casePerson{female(victim("Feminine", 12, "Mirna Soledad", "Gauto", "Villalba"))}},
	{Owner: investigado, Title: "Criadazgo denunciado por vecinos en Lambaré", Exploitation: []string{"Criadazgo"}, Sector: "T",
		Department: "11", Source: "hotline", ReportedDaysAgo: 33, Status: cases.StatusUnderInvestigation,
		Shares:  []caseShare{{"MINNA", core.ShareFull}, {"MP", core.ShareOperational}},
		Persons: []casePerson{female(victim("Feminine", 14, "Nancy Raquel", "Sosa", "Escobar")), suspect("Exploiter", 55, "Aurelio", "Fretes", "Cáceres")},
		Tasks:   []caseTask{{Title: "Allanamiento con orden judicial", Agency: "PN", DueIn: 3, Status: "open"}}},

	// Sexual exploitation at the Triple Frontier.
	{Owner: investigado, Title: "Explotación sexual en local nocturno de Ciudad del Este", Exploitation: []string{"SexualExploitation"}, Sector: "I",
		Department: "10", District: "01", Source: "patrol", Sensitive: true, ReportedDaysAgo: 420, Status: cases.StatusClosed,
		Shares: []caseShare{{"MP", core.ShareFull}, {"DGM", core.ShareOperational}, {"MINMUJER", core.ShareStatistical}},
		Persons: []casePerson{
			actual(female(victim("Feminine", 19, "Fátima Noemí", "Riveros", "Acuña")), "CourtOrProsecution"),
			actual(withCountry(female(victim("Feminine", 17, "Larissa", "Oliveira", "Santos")), "BRA", "pt"), "CourtOrProsecution"),
			suspect("Exploiter", 44, "Hermes Valentín", "Galeano", "Servín"),
			suspect("Transporter", 31, "Derlis Javier", "Núñez", "Britez"),
		},
		Events: []caseEvent{
			{Kind: "Recruitment", DaysAgo: 600, Department: "07", Place: "Encarnación", Description: "Oferta de trabajo como moza publicada en redes sociales."},
			{Kind: "Transit", DaysAgo: 590, Department: "10", District: "01", Place: "Puente de la Amistad", Description: "Cruce fronterizo de la víctima brasileña sin registro migratorio."},
			{Kind: "Exploitation", DaysAgo: 425, Department: "10", District: "01", Place: "Local nocturno del microcentro", Description: "Deudas por alojamiento y ropa; salidas vigiladas."},
		},
		Charge: &caseCharge{Person: 2, Article: "Ley 4788/2012 art. 5", FiledDaysAgo: 300, Court: "Tribunal de Sentencia de Ciudad del Este",
			Outcome: "conviction", OutcomeDaysAgo: 40, Sentence: "Doce años de pena privativa de libertad"},
		Referrals: []caseReferral{{Person: 0, Service: "shelter", ToAgency: "ONG-REFUGIO", Consent: "given", Accepted: true},
			{Person: 1, Service: "repatriation", Outside: "Consulado del Brasil (servicio externo)", Consent: "given_by_guardian"}}},
	{Owner: investigado, Title: "Adolescentes ofrecidas en hoteles de Presidente Franco", Exploitation: []string{"SexualExploitation"}, Sector: "I",
		Department: "10", Source: "hotline", Sensitive: true, ReportedDaysAgo: 70, Status: cases.StatusWithProsecutor,
		Shares: []caseShare{{"MP", core.ShareFull}, {"MINNA", core.ShareFull}, {"DGM", core.ShareStatistical}},
		Persons: []casePerson{female(victim("Feminine", 16, "Aylén Belén", "Cristaldo", "Paredes")), female(victim("Feminine", 15, "Yanina", "Torales", "Mendoza")),
			suspect("RecruiterOrIntermediary", 29, "Fredy Alcides", "Ovelar", "Zárate")},
		Tasks: []caseTask{{Title: "Pedido de informe de llamadas a la compañía telefónica", Agency: "PN", DueIn: -5, Status: "in_progress"},
			{Title: "Imputación del reclutador", Agency: "MP", DueIn: 4, Status: "open"}},
		Referrals: []caseReferral{{Person: 0, Service: "health", ToAgency: "MINNA", Consent: "override",
			Override: "Riesgo inminente para la salud; la guardadora es la presunta reclutadora."}}},
	{Owner: migraciones, Title: "Mujeres argentinas trasladadas a Hernandarias", Exploitation: []string{"SexualExploitation"},
		Department: "10", Source: "patrol", ReportedDaysAgo: 26, Status: cases.StatusUnderInvestigation,
		Shares:  []caseShare{{"PN", core.ShareOperational}, {"MP", core.ShareOperational}},
		Persons: []casePerson{withCountry(female(victim("Feminine", 22, "Micaela Soledad", "Ferreyra", "Luna")), "ARG", "es"), suspect("Transporter", 37, "Walter Hugo", "Benítez", "Rojas")},
		Tasks:   []caseTask{{Title: "Cruzar registros migratorios del puesto de control", Agency: "DGM", DueIn: 2, Status: "in_progress"}}},
	{Owner: migraciones, Title: "Paso irregular de menores por el puerto de Presidente Franco", Exploitation: []string{"SexualExploitation", "Other"},
		Department: "10", Source: "inspection", ReportedDaysAgo: 5, Status: cases.StatusReported,
		Shares: []caseShare{{"PN", core.ShareOperational}}},
	{Owner: investigado, Title: "Explotación sexual en línea desde Ciudad del Este", Exploitation: []string{"SexualExploitation"}, Sector: "J",
		Department: "10", District: "01", Source: "referral", Sensitive: true, ReportedDaysAgo: 180, Status: cases.StatusCharged,
		Shares:  []caseShare{{"MP", core.ShareFull}},
		Persons: []casePerson{female(victim("Feminine", 16, "Tamara", "Giménez", "Florentín")), suspect("Abuser", 33, "Cristian Ariel", "Medina", "Coronel")},
		Charge:  &caseCharge{Person: 1, Article: "Ley 4788/2012 art. 5", FiledDaysAgo: 20}},
	{Owner: fiscal, Title: "Red de captación en terminal de ómnibus, Ciudad del Este", Exploitation: []string{"SexualExploitation", "ForcedLabour"},
		Department: "10", District: "01", Source: "referral", ReportedDaysAgo: 260, Status: cases.StatusJudgement,
		Shares: []caseShare{{"PN", core.ShareOperational}, {"DGM", core.ShareOperational}},
		Persons: []casePerson{female(victim("Feminine", 20, "Dahiana", "Recalde", "Amarilla")), suspect("RecruiterOrIntermediary", 40, "Óscar Rubén", "Alfonso", "Vega"),
			suspect("BrokerTravelAgent", 36, "Silvio Ramón", "Candia", "Ortega")},
		Charge: &caseCharge{Person: 1, Article: "Ley 4788/2012 art. 7", FiledDaysAgo: 200, Court: "Tribunal de Sentencia de Ciudad del Este",
			Outcome: "acquittal", OutcomeDaysAgo: 10}},

	// Forced begging.
	{Owner: investigado, Title: "Niños obligados a pedir en semáforos de Ciudad del Este", Exploitation: []string{"ForcedBegging"},
		Department: "10", District: "01", Source: "patrol", ReportedDaysAgo: 18, Status: cases.StatusUnderInvestigation,
		Shares: []caseShare{{"MINNA", core.ShareOperational}, {"MP", core.ShareOperational}},
		Persons: []casePerson{victim("Masculine", 9, "Luis Fernando", "Chamorro", "Aranda"), victim("Masculine", 11, "Enzo Gabriel", "Chamorro", "Aranda"),
			female(suspect("Exploiter", 38, "Graciela", "Aranda", "Ruiz"))},
		Tasks: []caseTask{{Title: "Relevamiento nocturno de los cruces de la avenida", Agency: "PN", DueIn: -1, Status: "open"}},
		Referrals: []caseReferral{{Person: 0, Service: "shelter", ToAgency: "MINNA", Consent: "override",
			Override: "Niños en la calle de noche sin adulto responsable presente."}}},
	{Owner: asistente, Title: "Mendicidad forzada de una adolescente con discapacidad, Asunción", Exploitation: []string{"ForcedBegging"},
		Department: "00", District: "00", Source: "hotline", ReportedDaysAgo: 64, Status: cases.StatusUnderInvestigation,
		Shares:  []caseShare{{"PN", core.ShareFull}},
		Persons: []casePerson{female(victim("Feminine", 16, "Araceli", "Cabral", "Sosa"))}},
	{Owner: investigado, Title: "Adultos mayores obligados a pedir en la costanera de Encarnación", Exploitation: []string{"ForcedBegging"},
		Department: "07", Source: "media", ReportedDaysAgo: 240, Status: cases.StatusClosed},

	// More labour cases across the country.
	{Owner: inspectora, Title: "Aserradero con trabajadores sin registro en Canindeyú", Exploitation: []string{"ForcedLabour"}, Sector: "C",
		Department: "14", Source: "inspection", ReportedDaysAgo: 52, Status: cases.StatusUnderInvestigation,
		Shares:  []caseShare{{"PN", core.ShareOperational}},
		Persons: []casePerson{victim("Masculine", 19, "Diego Armando", "Ojeda", "Brítez"), suspect("Exploiter", 61, "Ignacio", "Rotela", "Duarte")}},
	{Owner: inspectora, Title: "Cosecha de yerba mate con niños en Itapúa", Exploitation: []string{"ChildLabour"}, Sector: "A",
		Department: "07", Source: "inspection", ReportedDaysAgo: 15, Status: cases.StatusScreening,
		Shares:  []caseShare{{"MINNA", core.ShareOperational}},
		Persons: []casePerson{victim("Masculine", 12, "Elías", "Kowalski", "Ramírez"), female(victim("Feminine", 13, "Noelia", "Kowalski", "Ramírez"))}},
	{Owner: inspectora, Title: "Obreros brasileños en una obra de Salto del Guairá", Exploitation: []string{"ForcedLabour"}, Sector: "F",
		Department: "14", Source: "referral", ReportedDaysAgo: 88, Status: cases.StatusWithProsecutor,
		Shares:  []caseShare{{"DGM", core.ShareOperational}, {"MP", core.ShareOperational}},
		Persons: []casePerson{withCountry(victim("Masculine", 30, "Adriano", "Pereira", "da Silva"), "BRA", "pt")}},
	{Owner: inspectora, Title: "Olería familiar en Tobatí con menores de catorce años", Exploitation: []string{"ChildLabour"}, Sector: "C",
		Department: "03", Source: "hotline", ReportedDaysAgo: 300, Status: cases.StatusClosed},
	{Owner: inspectora, Title: "Trabajo nocturno de adolescentes en una panadería de Caaguazú", Exploitation: []string{"ChildLabour"}, Sector: "C",
		Department: "05", Source: "inspection", ReportedDaysAgo: 3, Status: cases.StatusReported},
	{Owner: migraciones, Title: "Trabajadores bolivianos en un taller textil de Luque", Exploitation: []string{"ForcedLabour"}, Sector: "C",
		Department: "11", Source: "inspection", ReportedDaysAgo: 110, Status: cases.StatusWithProsecutor,
		Shares:  []caseShare{{"MTESS", core.ShareOperational}, {"MP", core.ShareFull}},
		Persons: []casePerson{withCountry(victim("Masculine", 26, "Wilfredo", "Mamani", "Quispe"), "BOL", "qu"), withCountry(female(victim("Feminine", 24, "Rosmery", "Condori", "Choque")), "BOL", "es")}},
	{Owner: migraciones, Title: "Pasaportes retenidos a trabajadoras en el exterior", Exploitation: []string{"ForcedLabour", "Servitude"},
		Department: "00", District: "00", Source: "referral", ReportedDaysAgo: 75, Status: cases.StatusUnderInvestigation,
		Shares: []caseShare{{"MP", core.ShareOperational}, {"MINMUJER", core.ShareOperational}}},
	{Owner: fiscal, Title: "Matrimonio forzado de una adolescente en Concepción", Exploitation: []string{"ForcedMarriage"},
		Department: "01", Source: "referral", Sensitive: true, ReportedDaysAgo: 90, Status: cases.StatusWithProsecutor,
		Shares:  []caseShare{{"MINNA", core.ShareFull}, {"PN", core.ShareOperational}},
		Persons: []casePerson{female(victim("Feminine", 15, "Sonia Beatriz", "Lezcano", "Mora"))}},
	{Owner: refugio, Title: "Mujer rescatada de explotación en un prostíbulo de Pedro Juan Caballero", Exploitation: []string{"SexualExploitation"},
		Department: "13", Source: "self_report", Sensitive: true, ReportedDaysAgo: 40, Status: cases.StatusScreening,
		Shares: []caseShare{{"MP", core.ShareOperational}}},
}

// seedCases creates the demo cases that are missing. A case is there when its owner's
// agency already holds a case with its title; a present case is left as it is.
func seedCases(ctx context.Context, acc *accounts.Service, cs *cases.Service, ps *persons.Service) error {
	sd := &caseSeeder{acc: acc, cs: cs, ps: ps, actors: map[string]core.Actor{}, agencies: map[string]int64{},
		titles: map[string]map[string]bool{}, today: cs.Now().UTC()}
	for _, dc := range demoCases {
		owner, err := sd.actor(ctx, dc.Owner)
		if err != nil {
			return err
		}
		seen, err := sd.existing(ctx, owner)
		if err != nil {
			return err
		}
		if seen[dc.Title] {
			continue
		}
		if err := sd.create(ctx, dc); err != nil {
			return fmt.Errorf("demo case %q: %w", dc.Title, err)
		}
		seen[dc.Title] = true
	}
	return nil
}

type caseSeeder struct {
	acc      *accounts.Service
	cs       *cases.Service
	ps       *persons.Service
	actors   map[string]core.Actor
	agencies map[string]int64
	titles   map[string]map[string]bool // owner email -> titles of their agency's cases
	today    time.Time
}

func (sd *caseSeeder) day(daysAgo int) string {
	return sd.today.AddDate(0, 0, -daysAgo).Format(time.DateOnly)
}

func (sd *caseSeeder) actor(ctx context.Context, email string) (core.Actor, error) {
	if a, ok := sd.actors[email]; ok {
		return a, nil
	}
	u, err := sd.acc.UserByEmail(ctx, core.SystemActor, email)
	if err != nil {
		return core.Actor{}, err
	}
	ag, err := sd.acc.Agency(ctx, core.SystemActor, u.AgencyID)
	if err != nil {
		return core.Actor{}, err
	}
	a := core.Actor{UserID: u.ID, AgencyID: u.AgencyID, TaskForceID: ag.TaskForceID, Roles: u.Roles}
	sd.actors[email] = a
	return a, nil
}

func (sd *caseSeeder) agency(ctx context.Context, code string) (int64, error) {
	if id, ok := sd.agencies[code]; ok {
		return id, nil
	}
	a, err := sd.acc.AgencyByCode(ctx, core.SystemActor, code)
	if err != nil {
		return 0, err
	}
	sd.agencies[code] = a.ID
	return a.ID, nil
}

// existing lists the titles of the cases the owner's agency holds.
func (sd *caseSeeder) existing(ctx context.Context, owner core.Actor) (map[string]bool, error) {
	key := fmt.Sprint(owner.AgencyID)
	if t, ok := sd.titles[key]; ok {
		return t, nil
	}
	titles := map[string]bool{}
	f := cases.Filter{Limit: cases.MaxPageSize}
	for {
		l, err := sd.cs.List(ctx, owner, f)
		if err != nil {
			return nil, err
		}
		for _, c := range l.Cases {
			if c.AgencyID == owner.AgencyID {
				titles[c.Title] = true
			}
		}
		if l.Next == 0 {
			break
		}
		f.Before = l.Next
	}
	sd.titles[key] = titles
	return titles, nil
}

// person finds the story's person by document or records the invented one, in the agency of
// the account that puts them in the case.
func (sd *caseSeeder) person(ctx context.Context, by core.Actor, p casePerson) (int64, error) {
	if p.Document != "" {
		found, err := sd.ps.Search(ctx, core.SystemActor, persons.Query{By: persons.SearchByDocument, Text: p.Document, AgencyID: by.AgencyID})
		if err != nil {
			return 0, err
		}
		if len(found) == 0 {
			return 0, fmt.Errorf("demo person with document %s not found", p.Document)
		}
		return found[0].Person.ID, nil
	}
	age := p.Age
	in := persons.Input{AgencyID: by.AgencyID, Kind: p.Kind,
		Profile:  persons.Profile{Gender: p.Gender, AgeAtIdentification: &age, Citizenship: []string{p.Country}, PrimaryLanguage: p.Language},
		Identity: persons.Identity{GivenNames: p.Given, PaternalSurname: p.Paternal, MaternalSurname: p.Maternal}}
	created, err := sd.ps.Create(ctx, core.SystemActor, in)
	return created.ID, err
}

func (sd *caseSeeder) create(ctx context.Context, dc demoCase) error {
	owner, err := sd.actor(ctx, dc.Owner)
	if err != nil {
		return err
	}
	c, err := sd.cs.Create(ctx, owner, cases.Input{Title: dc.Title, Exploitation: dc.Exploitation, Sector: dc.Sector,
		Department: dc.Department, District: dc.District, ReportedOn: sd.day(dc.ReportedDaysAgo), Source: dc.Source,
		Sensitive: dc.Sensitive, Officers: []int64{owner.UserID}})
	if err != nil {
		return err
	}
	for _, sh := range dc.Shares {
		ag, err := sd.agency(ctx, sh.Agency)
		if err != nil {
			return err
		}
		if err := sd.cs.Share(ctx, owner, c.ID, ag, sh.Level); err != nil {
			return err
		}
	}
	var inCase []cases.CasePerson
	for _, p := range dc.Persons {
		by := owner
		if p.AddedBy != "" {
			if by, err = sd.actor(ctx, p.AddedBy); err != nil {
				return err
			}
		}
		pid, err := sd.person(ctx, by, p)
		if err != nil {
			return err
		}
		status := p.VictimStatus
		if status == "" && (p.Role == "victim" || p.Role == "presumed_victim") {
			status = "possible"
		}
		cp, err := sd.cs.AddPerson(ctx, by, c.ID, cases.PersonInput{PersonID: pid, Role: p.Role, PerpetratorRoles: p.PerpRoles,
			VictimStatus: status, StatusDecidedBy: p.DecidedBy})
		if err != nil {
			return err
		}
		inCase = append(inCase, cp)
	}
	for _, e := range dc.Events {
		if _, err := sd.cs.AddEvent(ctx, owner, c.ID, cases.EventInput{Kind: e.Kind, OccurredOn: sd.day(e.DaysAgo),
			Department: e.Department, District: e.District, Place: e.Place, Description: e.Description}); err != nil {
			return err
		}
	}
	for _, t := range dc.Tasks {
		by := owner
		if t.By != "" {
			if by, err = sd.actor(ctx, t.By); err != nil {
				return err
			}
		}
		ag, err := sd.agency(ctx, t.Agency)
		if err != nil {
			return err
		}
		if _, err := sd.cs.AddTask(ctx, by, c.ID, cases.TaskInput{Title: t.Title, AssignedAgencyID: ag,
			DueOn: sd.day(-t.DueIn), Status: t.Status}); err != nil {
			return err
		}
	}
	if dc.Kiln {
		if err := sd.kilnRecords(ctx, owner, c.ID, inCase); err != nil {
			return err
		}
	}
	for _, r := range dc.Referrals {
		if err := sd.refer(ctx, owner, c.ID, inCase, r); err != nil {
			return err
		}
	}
	return sd.walk(ctx, owner, c, dc, inCase)
}

// kilnRecords adds what the inspector collected at the kiln: the production sheets (whose
// file is only fingerprinted), the inspection report as a sealed attachment, and a sealed
// note about the boy.
func (sd *caseSeeder) kilnRecords(ctx context.Context, owner core.Actor, caseID int64, inCase []cases.CasePerson) error {
	sheets := []byte("fecha;hornada;ladrillos\n(planilla ficticia de la demostración)\n")
	e, err := sd.cs.AddEvidence(ctx, owner, caseID, cases.EvidenceInput{Item: "Planillas de producción de la olería",
		Description: "Cuaderno con las hornadas de los últimos tres meses, fotografiado en el lugar.",
		CollectedBy: "Inspección del MTESS", CollectedOn: sd.day(21), File: sheets, Holder: "Archivo de la Dirección de Inspección, MTESS"})
	if err != nil {
		return err
	}
	if _, err := sd.cs.AppendCustody(ctx, owner, caseID, e.ID, cases.CustodyInput{Action: "transferred",
		Holder: "Departamento contra la trata, Policía Nacional", Note: "Entregado con acta a la unidad investigadora."}); err != nil {
		return err
	}
	if _, err := sd.cs.AddNote(ctx, owner, caseID, 0, cases.NoteAttachment,
		[]byte("Acta de inspección (documento ficticio de la demostración).\n")); err != nil {
		return err
	}
	if len(inCase) > 0 {
		if _, err := sd.cs.AddNote(ctx, owner, caseID, inCase[0].ID, cases.NotePerson,
			[]byte("Relata que no vuelve a su casa desde hace meses y que el encargado guarda su cédula.")); err != nil {
			return err
		}
	}
	_, err = sd.cs.AddNote(ctx, owner, caseID, 0, cases.NoteCase, []byte("Coordinar con el MINNA antes de cualquier entrevista a los adolescentes."))
	return err
}

func (sd *caseSeeder) refer(ctx context.Context, owner core.Actor, caseID int64, inCase []cases.CasePerson, r caseReferral) error {
	in := cases.ReferralInput{CasePersonID: inCase[r.Person].ID, Service: r.Service, OutsideService: r.Outside,
		Consent: r.Consent, OverrideReason: r.Override}
	var receiver core.Actor
	if r.ToAgency != "" {
		ag, err := sd.agency(ctx, r.ToAgency)
		if err != nil {
			return err
		}
		in.ToAgencyID = ag
		for _, acc := range Accounts {
			if acc.AgencyCode == r.ToAgency && acc.Role == core.RoleCaseworker {
				if receiver, err = sd.actor(ctx, acc.Email); err != nil {
					return err
				}
			}
		}
	}
	ref, err := sd.cs.Refer(ctx, owner, caseID, in)
	if err != nil || !r.Accepted || receiver.UserID == 0 {
		return err
	}
	if ref, err = sd.cs.SetReferralStatus(ctx, receiver, ref.ID, ref.Version, "accepted"); err != nil {
		return err
	}
	_, err = sd.cs.AddFollowUp(ctx, receiver, ref.ID, r.Service, "Ingreso al hogar; se asigna una referente.")
	return err
}

// mainPath is the workflow from report to closing after a judgement.
var mainPath = []cases.Status{cases.StatusUnderInvestigation, cases.StatusWithProsecutor, cases.StatusCharged,
	cases.StatusOnTrial, cases.StatusJudgement, cases.StatusClosed}

// walk moves the case to its status: screening directly; otherwise along the main path, the
// prosecutor filing the charge, holding the hearing and recording the outcome on the way.
// A case meant to be closed without a charge is closed once investigated.
func (sd *caseSeeder) walk(ctx context.Context, owner core.Actor, c cases.Case, dc demoCase, inCase []cases.CasePerson) error {
	var err error
	move := func(by core.Actor, to cases.Status) error {
		cur, _, err := sd.cs.Get(ctx, by, c.ID)
		if err != nil {
			return err
		}
		c, err = sd.cs.SetStatus(ctx, by, c.ID, cur.Version, to)
		return err
	}
	switch dc.Status {
	case cases.StatusReported:
		return nil
	case cases.StatusScreening:
		return move(owner, cases.StatusScreening)
	}
	if dc.Status == cases.StatusClosed && dc.Charge == nil {
		if err := move(owner, cases.StatusUnderInvestigation); err != nil {
			return err
		}
		return move(owner, cases.StatusClosed)
	}
	prosecutor, err := sd.actor(ctx, fiscal)
	if err != nil {
		return err
	}
	var charge cases.Charge
	file := func() error {
		charge, err = sd.cs.AddCharge(ctx, prosecutor, c.ID, cases.ChargeInput{CasePersonID: inCase[dc.Charge.Person].ID,
			Article: dc.Charge.Article, FiledOn: sd.day(dc.Charge.FiledDaysAgo)})
		return err
	}
	for _, to := range mainPath {
		by := owner
		switch to {
		case cases.StatusCharged:
			if dc.Charge == nil {
				return nil
			}
			if err := file(); err != nil {
				return err
			}
			by = prosecutor
		case cases.StatusOnTrial:
			by = prosecutor
		case cases.StatusJudgement:
			by = prosecutor
			if dc.Charge.Outcome != "" {
				if _, err := sd.cs.AddHearing(ctx, prosecutor, c.ID, cases.HearingInput{HeldOn: sd.day(dc.Charge.OutcomeDaysAgo),
					Kind: "trial", Court: dc.Charge.Court, Result: "Juicio oral y público concluido."}); err != nil {
					return err
				}
				if _, err := sd.cs.RecordOutcome(ctx, prosecutor, c.ID, charge.ID, charge.Version, cases.OutcomeInput{Outcome: dc.Charge.Outcome,
					OutcomeOn: sd.day(dc.Charge.OutcomeDaysAgo), Sentence: dc.Charge.Sentence}); err != nil {
					return err
				}
			}
		}
		if err := move(by, to); err != nil {
			return err
		}
		if to == dc.Status {
			// A case with the prosecutor may already carry the charge being prepared.
			if to == cases.StatusWithProsecutor && dc.Charge != nil {
				return file()
			}
			return nil
		}
	}
	return nil
}
