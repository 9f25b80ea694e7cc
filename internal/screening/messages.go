package screening

// messages are the sentences the engine and the renderer compose explanations from. Labels of
// rules and indicators come from the rulebooks; only the connecting words live here.
type messages struct {
	caution string

	strength     map[Strength]string
	strengths    map[Strength]string // plural, for counts above one
	mediumsWeaks string
	framework    map[string]string
	outcome      map[string]string
	category     map[string]string
	exploitation map[string]string
	listAdult    string
	listChild    string
	mediumOrWeak string
	and, or      string

	// trafficking
	trafIndicated    string // list, clauses met
	trafNotIndicated string // list, clauses missing
	trafAlsoMet      string // clauses met
	trafChildMeans   string
	trafNotCounted   string // ids
	trafNotAssessed  string // exploitation
	actClause        string
	actMissing       string
	clauseEvidence   string // indicator labels, positive dimensions

	// ICLS
	iclsIndicated     string // reasons
	iclsNotIndicated  string // reasons
	iclsInvoluntary   string // items
	iclsCoercion      string // items
	iclsNoInvoluntary string
	iclsNoCoercion    string
	iclsChildCoercion string
	iclsChildWorst    string // items
	iclsAdultClause   string
	iclsChildClause1  string
	iclsChildClause2  string
	iclsNotAssessed   string

	// ILO 11
	iloPresent string // n, total, labels
	iloNone    string

	// child labour
	clNotApplicable string // age limit
	clIs            string // categories
	clIsNot         string
	clWorstForm     string
	clWorstFormD    string // labels
	clHazardous     string // age
	clHazardousD    string // labels
	clBelowMin      string // age
	clBelowMinD     string // hours, age
	clSDGEconomic   string // min, max
	clSDGEconomicD  string // hours, min, max, comparison, threshold
	clSDGChores     string // min, max
	clSDGChoresD    string // hours, min, max, comparison, threshold
	clAdolescent    string // min, max
	clAdolescentD   string // hours, limit, min, max
	clNight         string
	clNightD        string // from, to, age
	clCriadazgo     string
	clCriadazgoD    string
	clNoSchool      string
	atLeast         string
	moreThan        string
	hoursUnit       string

	// rendering
	rulebook   string
	dimensions string
	clauses    string
	evidence   string
	toVerify   string
	met        string
	notMet     string
}

var catalogue = map[Lang]*messages{
	Spanish: {
		caution:      "Este resultado apoya el criterio de quien identifica y no lo reemplaza; no es una determinación legal.",
		strength:     map[Strength]string{Strong: "fuerte", Medium: "medio", Weak: "débil", StrengthNone: "sin peso en esta lista"},
		strengths:    map[Strength]string{Strong: "fuertes", Medium: "medios", Weak: "débiles"},
		mediumsWeaks: "medios o débiles",
		framework:    map[string]string{FrameworkTrafficking: "Trata de personas", FrameworkILO11: "Trabajo forzoso: 11 indicadores de la OIT", FrameworkICLS: "Trabajo forzoso: definición de la CIET", FrameworkChildLabour: "Trabajo infantil"},
		outcome:      map[string]string{OutcomeIndicated: "hay indicios", OutcomeNotIndicated: "sin indicios suficientes", OutcomeNotAssessed: "no evaluado", OutcomeChildLabour: "trabajo infantil", OutcomeNoChildLabour: "no es trabajo infantil", OutcomeNotApplicable: "no aplica", "": "sin veredicto"},
		category:     map[string]string{CategoryWorstForm: "peor forma", CategoryHazardous: "trabajo peligroso", CategoryBelowMinimumAge: "por debajo de la edad mínima", CategoryExcessiveHours: "horas excesivas", CategoryHouseholdChores: "tareas domésticas excesivas", CategoryNightWork: "trabajo nocturno", CategoryCriadazgo: "criadazgo"},
		exploitation: map[string]string{"labour": "laboral", "sexual": "sexual"},
		listAdult:    "lista de personas adultas",
		listChild:    "lista de niños, niñas y adolescentes",
		mediumOrWeak: "medio o débil",
		and:          " y ",
		or:           " o ",

		trafIndicated:    "Hay indicios de trata de personas (%s): se cumplen todas las condiciones de la regla de combinación: %s.",
		trafNotIndicated: "No hay indicios suficientes de trata de personas (%s): falta %s.",
		trafAlsoMet:      " Se cumple: %s.",
		trafChildMeans:   " En menores de 18 años no se exigen medios; los medios presentes se informan como evidencia.",
		trafNotCounted:   " Registrados pero sin peso en la lista aplicada: %s.",
		trafNotAssessed:  "No evaluado: la lista de indicadores de trata con fines de explotación %s no está cargada en este conjunto de reglas, y no se adivina un resultado.",
		actClause:        "al menos un acto (captación, transporte, traslado, acogida o recepción)",
		actMissing:       "ningún acto registrado",
		clauseEvidence:   "evidencia registrada: %s; con dimensión positiva: %s",

		iclsIndicated:     "Hay indicios de trabajo forzoso según la definición estadística de la CIET: %s.",
		iclsNotIndicated:  "No hay indicios de trabajo forzoso según la definición de la CIET: %s.",
		iclsInvoluntary:   "involuntariedad (%s)",
		iclsCoercion:      "coerción (%s)",
		iclsNoInvoluntary: "ningún indicador de involuntariedad",
		iclsNoCoercion:    "ningún indicador de coerción",
		iclsChildCoercion: "coerción de un tercero sobre un niño, niña o adolescente (%s)",
		iclsChildWorst:    "una peor forma de trabajo infantil del Convenio 182 art. 3(a)-(c) (%s)",
		iclsAdultClause:   "involuntariedad y coerción",
		iclsChildClause1:  "menor de edad: coerción de un tercero",
		iclsChildClause2:  "menor de edad: peor forma del Convenio 182 art. 3(a)-(c)",
		iclsNotAssessed:   "No evaluado: la correspondencia con la CIET se basa en la lista de indicadores de explotación laboral, y la lista de explotación %s no está cargada; no se adivina un resultado.",

		iloPresent: "Indicadores de trabajo forzoso de la OIT presentes (%d de %d): %s. La OIT no fija un umbral: son señales para el criterio de quien identifica, no un veredicto.",
		iloNone:    "Ninguno de los 11 indicadores de trabajo forzoso de la OIT se deriva de lo registrado.",

		clNotApplicable: "No aplica: el marco de trabajo infantil cubre a personas menores de %d años.",
		clIs:            "Trabajo infantil: %s.",
		clIsNot:         "Con lo registrado no se identifica trabajo infantil.",
		clWorstForm:     "peor forma de trabajo infantil (Convenio 182 art. 3(a)-(c))",
		clWorstFormD:    "peor forma: %s",
		clHazardous:     "trabajo peligroso, prohibido a menores de %d años",
		clHazardousD:    "trabajo peligroso: %s",
		clBelowMin:      "trabajo económico por debajo de la edad mínima de %d años",
		clBelowMinD:     "%s h/semana de trabajo económico por debajo de la edad mínima de %d años",
		clSDGEconomic:   "umbral ODS 8.7.1 de actividad económica, %d a %d años",
		clSDGEconomicD:  "%s h/semana de actividad económica; el umbral para %d a %d años es %s %s h",
		clSDGChores:     "umbral ODS 8.7.1 de tareas domésticas, %d a %d años",
		clSDGChoresD:    "%s h/semana de tareas domésticas; el umbral para %d a %d años es %s %s h",
		clAdolescent:    "límite semanal de horas para adolescentes de %d a %d años",
		clAdolescentD:   "%s h/semana superan el límite de %s h/semana para adolescentes de %d a %d años",
		clNight:         "trabajo nocturno",
		clNightD:        "trabajo nocturno (entre las %s y las %s), prohibido a menores de %d años",
		clCriadazgo:     "criadazgo",
		clCriadazgoD:    "criadazgo: vive en un hogar que no es el de su familia y hace trabajo doméstico allí",
		clNoSchool:      ", sin asistir a la escuela",
		atLeast:         "al menos",
		moreThan:        "más de",
		hoursUnit:       "h/semana",

		rulebook:   "Reglas",
		dimensions: "Dimensiones",
		clauses:    "Condiciones",
		evidence:   "Evidencia",
		toVerify:   "A verificar",
		met:        "se cumple",
		notMet:     "no se cumple",
	},
	English: {
		caution:      "This result supports the judgement of the person screening and does not replace it; it is not a legal determination.",
		strength:     map[Strength]string{Strong: "strong", Medium: "medium", Weak: "weak", StrengthNone: "not on this list"},
		strengths:    map[Strength]string{Strong: "strong", Medium: "medium", Weak: "weak"},
		mediumsWeaks: "medium or weak",
		framework:    map[string]string{FrameworkTrafficking: "Trafficking in persons", FrameworkILO11: "Forced labour: ILO's 11 indicators", FrameworkICLS: "Forced labour: ICLS definition", FrameworkChildLabour: "Child labour"},
		outcome:      map[string]string{OutcomeIndicated: "indicated", OutcomeNotIndicated: "not indicated", OutcomeNotAssessed: "not assessed", OutcomeChildLabour: "child labour", OutcomeNoChildLabour: "not child labour", OutcomeNotApplicable: "not applicable", "": "no verdict"},
		category:     map[string]string{CategoryWorstForm: "worst form", CategoryHazardous: "hazardous work", CategoryBelowMinimumAge: "below the minimum age", CategoryExcessiveHours: "excessive hours", CategoryHouseholdChores: "excessive household chores", CategoryNightWork: "night work", CategoryCriadazgo: "criadazgo"},
		exploitation: map[string]string{"labour": "labour", "sexual": "sexual"},
		listAdult:    "adult list",
		listChild:    "child list",
		mediumOrWeak: "medium or weak",
		and:          " and ",
		or:           " or ",

		trafIndicated:    "Trafficking in persons is indicated (%s): every condition of the combination rule is met: %s.",
		trafNotIndicated: "Trafficking in persons is not indicated (%s): missing %s.",
		trafAlsoMet:      " Met: %s.",
		trafChildMeans:   " For under-18s the means are not required; any means present are reported as evidence.",
		trafNotCounted:   " Recorded but not counted on the list applied: %s.",
		trafNotAssessed:  "Not assessed: the list of indicators of trafficking for %s exploitation is not loaded in this rulebook, and no result is guessed.",
		actClause:        "at least one act (recruitment, transport, transfer, harbouring or receipt)",
		actMissing:       "no act recorded",
		clauseEvidence:   "recorded evidence: %s; with positive dimension: %s",

		iclsIndicated:     "Forced labour is indicated under the ICLS statistical definition: %s.",
		iclsNotIndicated:  "Forced labour is not indicated under the ICLS definition: %s.",
		iclsInvoluntary:   "involuntariness (%s)",
		iclsCoercion:      "coercion (%s)",
		iclsNoInvoluntary: "no involuntariness indicator",
		iclsNoCoercion:    "no coercion indicator",
		iclsChildCoercion: "coercion by a third party on a child (%s)",
		iclsChildWorst:    "a worst form of child labour under C182 art. 3(a)-(c) (%s)",
		iclsAdultClause:   "involuntariness and coercion",
		iclsChildClause1:  "child: coercion by a third party",
		iclsChildClause2:  "child: worst form under C182 art. 3(a)-(c)",
		iclsNotAssessed:   "Not assessed: the ICLS mapping rests on the labour-exploitation indicator list, and the %s exploitation list is not loaded; no result is guessed.",

		iloPresent: "ILO forced-labour indicators present (%d of %d): %s. ILO sets no threshold: they are signs for the judgement of the person screening, not a verdict.",
		iloNone:    "None of ILO's 11 forced-labour indicators follows from what was recorded.",

		clNotApplicable: "Not applicable: the child-labour framework covers persons under %d.",
		clIs:            "Child labour: %s.",
		clIsNot:         "No child labour is identified in what was recorded.",
		clWorstForm:     "worst form of child labour (C182 art. 3(a)-(c))",
		clWorstFormD:    "worst form: %s",
		clHazardous:     "hazardous work, forbidden under %d",
		clHazardousD:    "hazardous work: %s",
		clBelowMin:      "economic work below the minimum age of %d",
		clBelowMinD:     "%s h/week of economic work below the minimum age of %d",
		clSDGEconomic:   "SDG 8.7.1 economic-activity threshold, ages %d to %d",
		clSDGEconomicD:  "%s h/week of economic activity; the threshold for ages %d to %d is %s %s h",
		clSDGChores:     "SDG 8.7.1 household-chores threshold, ages %d to %d",
		clSDGChoresD:    "%s h/week of household chores; the threshold for ages %d to %d is %s %s h",
		clAdolescent:    "weekly hour limit for adolescents aged %d to %d",
		clAdolescentD:   "%s h/week exceed the limit of %s h/week for adolescents aged %d to %d",
		clNight:         "night work",
		clNightD:        "night work (between %s and %s), forbidden under %d",
		clCriadazgo:     "criadazgo",
		clCriadazgoD:    "criadazgo: lives in a household other than the family's and does domestic work there",
		clNoSchool:      ", without attending school",
		atLeast:         "at least",
		moreThan:        "more than",
		hoursUnit:       "h/week",

		rulebook:   "Rulebook",
		dimensions: "Dimensions",
		clauses:    "Conditions",
		evidence:   "Evidence",
		toVerify:   "To verify",
		met:        "met",
		notMet:     "not met",
	},
}

func msgs(lang Lang) *messages {
	if m, ok := catalogue[lang]; ok {
		return m
	}
	return catalogue[Spanish]
}
