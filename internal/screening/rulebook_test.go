package screening

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"nanduti/internal/testutil"
)

// referenceRow is a row of the Delphi table of the screening reference (section 2).
type referenceRow struct {
	id, dimension, label, adult, child string
}

func readReference(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(testutil.SharedFile(t, "reference/screening.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestRulebookMatchesReferenceDelphiTable(t *testing.T) {
	ref := readReference(t)
	var rows []referenceRow
	rowRE := regexp.MustCompile(`^\| ([a-z]{2}_[a-z_]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$`)
	for _, line := range strings.Split(ref, "\n") {
		if m := rowRE.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			rows = append(rows, referenceRow{m[1], strings.TrimSpace(m[2]), strings.TrimSpace(m[3]), strings.TrimSpace(m[4]), strings.TrimSpace(m[5])})
		}
	}
	rb := embeddedBook(t)
	if len(rows) != 67 || len(rows) != len(rb.Trafficking.Indicators) {
		t.Fatalf("reference has %d indicators, rulebook %d", len(rows), len(rb.Trafficking.Indicators))
	}
	strength := map[string]Strength{"S": Strong, "M": Medium, "W": Weak, "-": StrengthNone}
	dimName := map[string]string{}
	for _, d := range rb.Trafficking.Dimensions {
		dimName[d.ID] = d.Name.EN
	}
	for _, row := range rows {
		ind := rb.idx.indicators[row.id]
		if ind == nil {
			t.Errorf("%s: missing from the rulebook", row.id)
			continue
		}
		if want := strength[row.adult[:1]]; ind.Adult != want {
			t.Errorf("%s: adult strength %s, reference %s", row.id, ind.Adult, row.adult)
		}
		if want := strength[row.child[:1]]; ind.Child != want {
			t.Errorf("%s: child strength %s, reference %s", row.id, ind.Child, row.child)
		}
		if toVerify := strings.Contains(row.adult+row.child, "[U"); ind.ToVerify() != toVerify {
			t.Errorf("%s: to verify = %v, reference says %v", row.id, ind.ToVerify(), toVerify)
		}
		if ind.Label.EN != row.label {
			t.Errorf("%s: label %q, reference %q", row.id, ind.Label.EN, row.label)
		}
		if dimName[ind.Dimension] != row.dimension {
			t.Errorf("%s: dimension %q, reference %q", row.id, dimName[ind.Dimension], row.dimension)
		}
	}
}

// backticked returns the `ids` of the reference's bullet that starts with "- `name`".
func backticked(t *testing.T, ref, name string) []string {
	t.Helper()
	start := strings.Index(ref, "- `"+name+"`")
	if start < 0 {
		t.Fatalf("no %s bullet in the reference", name)
	}
	rest := ref[start+len(name)+4:]
	if end := strings.Index(rest, "\n- "); end >= 0 {
		rest = rest[:end]
	}
	var out []string
	for _, m := range regexp.MustCompile("`([a-z_]+)`").FindAllStringSubmatch(rest, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestRulebookVocabulariesMatchReference(t *testing.T) {
	ref := readReference(t)
	rb := embeddedBook(t)
	keys := func(terms []Term) []string {
		var out []string
		for _, t := range terms {
			out = append(out, t.ID)
		}
		return out
	}
	var activities []string
	for _, a := range rb.ChildLabour.Activities {
		activities = append(activities, a.ID)
	}
	for _, c := range []struct {
		name string
		got  []string
	}{
		{"activities", activities},
		{"hazards", keys(rb.ChildLabour.Hazards)},
		{"worst_forms", keys(rb.ChildLabour.WorstForms)},
	} {
		if want := backticked(t, ref, c.name); !slices.Equal(c.got, want) {
			t.Errorf("%s: rulebook %v, reference %v", c.name, c.got, want)
		}
	}
	if got, want := keys(rb.Trafficking.Acts), []string{"recruitment", "transport", "transfer", "harbouring", "receipt"}; !slices.Equal(got, want) {
		t.Errorf("acts %v, want %v", got, want)
	}
	cl := rb.ChildLabour
	if cl.MinimumAge.Value != 14 || cl.HazardousAgeLimit.Value != 18 || cl.AgeLimit.Value != 18 || cl.Criadazgo.Activity != "domestic_work" {
		t.Error("Paraguay overlay parameters differ from the reference")
	}
	if len(rb.ILO11.Indicators) != 11 || len(rb.ICLS.Involuntariness) != 9 || len(rb.ICLS.Coercion) != 6 {
		t.Errorf("ILO 11: %d, ICLS: %d involuntariness, %d coercion", len(rb.ILO11.Indicators), len(rb.ICLS.Involuntariness), len(rb.ICLS.Coercion))
	}
}

func TestToVerifyMatchesReference(t *testing.T) {
	// Exactly the items the reference tags [U] or calls "to verify".
	want := []string{
		"trafficking indicators[rv_difficulties_past]",
		"trafficking indicators[rv_travel_difficulty]",
		// The Palermo reading that lets one recruitment indicator count when coercion at
		// destination is positive: a project decision on a [U] rule, so itself to verify.
		"trafficking combination.adult.all_of[recruitment].or_evidence",
		"trafficking combination.adult",
		"trafficking combination.child",
		"child_labour adolescent_hours[younger_adolescents]",
		"child_labour adolescent_hours[older_adolescents]",
		"child_labour night_work",
	}
	var got []string
	for _, v := range embeddedBook(t).ToVerify() {
		got = append(got, v.Framework+" "+v.Path)
		if v.Note.ES == "" || v.Note.EN == "" {
			t.Errorf("%s %s: no note saying what to verify", v.Framework, v.Path)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("to verify:\n got %q\nwant %q", got, want)
	}
}

func TestEveryItemCitesAKnownSource(t *testing.T) {
	rb := embeddedBook(t)
	n := 0
	for _, b := range rb.books() {
		h := headerOf(b)
		walkProvenance(reflect.ValueOf(b), "", func(p string, pv *Provenance) {
			n++
			if citation(h, pv) == pv.Source {
				t.Errorf("%s %s: source %q has no citation", h.Framework, p, pv.Source)
			}
		})
	}
	if n < 150 {
		t.Errorf("only %d cited items found; the walk misses some", n)
	}
}

const validOverlay = `{
  "id": "py-2026-alto-parana",
  "version": "2026.1",
  "extends": "py-2026",
  "child_labour": {
    "version": "1.0.0-ap1",
    "night_work": {"age_limit": 18, "from": "19:00", "to": "07:00", "source": "codigo_ninez_art58", "confidence": "S"},
    "hazards": [
      {"id": "kiln_firing", "label": {"es": "atender el horno de una olería", "en": "tending a brick kiln's fire"}, "source": "decreto_4951_2005", "confidence": "U",
       "note": {"es": "Ítem de la lista completa, a verificar.", "en": "Item of the full list, to verify."}}
    ]
  },
  "forced_labour_icls": {
    "involuntariness": [
      {"id": "no_freedom_to_end_job", "label": {"es": "ninguna o poca libertad para dejar el trabajo", "en": "no or limited freedom to end the job"},
       "from": {"indicators": ["vd_dependency"]}, "source": "icls_20_2018", "confidence": "V2"}
    ]
  }
}`

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOverlayOverridesAndExtends(t *testing.T) {
	rb, err := LoadFile(writeFile(t, "ap.json", validOverlay))
	if err != nil {
		t.Fatal(err)
	}
	if ref := rb.Ref(); ref.ID != "py-2026-alto-parana" || ref.Version != "2026.1" || ref.Extends != "py-2026@1.1.0" {
		t.Errorf("ref %+v", ref)
	}
	if ref := rb.ChildLabour.Ref(); ref.Version != "1.0.0-ap1" || ref.ModifiedBy != "py-2026-alto-parana@2026.1" {
		t.Errorf("child-labour ref %+v", ref)
	}
	if ref := rb.Trafficking.Ref(); ref.ModifiedBy != "" {
		t.Errorf("untouched framework marked modified: %+v", ref)
	}
	in := person(16, work(func(w *Work) { w.Hazards, w.NightWork = []string{"kiln_firing"}, true }))
	if err := rb.Validate(&in); err != nil {
		t.Fatalf("an added hazard is not accepted: %v", err)
	}
	r := rb.Screen(in, English)
	f := framework(t, r, FrameworkChildLabour)
	night, _ := clause(f, "night_work")
	if !strings.Contains(night.Detail, "19:00") || night.ToVerify {
		t.Errorf("night-work override not applied: %+v", night)
	}
	if !slices.ContainsFunc(f.ToVerify, func(v VerifyFlag) bool { return v.ID == "kiln_firing" }) {
		t.Errorf("the added hazard to verify is not flagged: %+v", f.ToVerify)
	}
	icls := framework(t, screenWith(t, rb, person(30, indicators("vd_dependency", "cd_isolation"))), FrameworkICLS)
	if icls.Outcome != OutcomeIndicated {
		t.Errorf("replaced ICLS mapping not applied: %s", icls.Explanation)
	}
	// The embedded rulebook is untouched.
	base := embeddedBook(t)
	if base.ChildLabour.NightWork.From != "20:00" || len(base.ChildLabour.Hazards) != 12 || base.idx.hazards["kiln_firing"] != nil {
		t.Error("loading an overlay modified the embedded rulebook")
	}
	in2 := person(16, work(func(w *Work) { w.Hazards = []string{"kiln_firing"} }))
	if err := base.Validate(&in2); err == nil {
		t.Error("the embedded rulebook accepts the overlay's hazard")
	}
}

func screenWith(t *testing.T, rb *Rulebook, in Input) *Result {
	t.Helper()
	if err := rb.Validate(&in); err != nil {
		t.Fatal(err)
	}
	return rb.Screen(in, English)
}

func TestMalformedOverlayIsRejectedWithFileLineAndReason(t *testing.T) {
	head := "{\n  \"id\": \"py-test\",\n  \"version\": \"1\",\n  \"extends\": \"py-2026\",\n"
	cases := []struct {
		name string
		body string
		line int
		want string
	}{
		{"syntax error", head + "  \"trafficking\": {\n    \"version\": \"2\",,\n  }\n}", 6, "invalid JSON"},
		{"unknown field", head + "  \"trafficking\": {\n    \"indicatorz\": []\n  }\n}", 6, "trafficking.indicatorz: unknown field"},
		{"wrong type", head + "  \"child_labour\": {\n    \"minimum_age\": {\"value\": \"fourteen\"}\n  }\n}", 6, "must be a whole number"},
		{"unknown indicator in a mapping", head + `  "forced_labour_ilo11": {
    "indicators": [
      {"id": "debt_bondage", "label": {"es": "servidumbre", "en": "bondage"},
       "from": {"indicators": ["cd_debt_bondage", "cd_debt_bondagee"]},
       "source": "ilo_11_2012", "confidence": "V"}
    ]
  }
}`, 8, `forced_labour_ilo11.indicators[0].from.indicators[1]: unknown indicator id "cd_debt_bondagee"`},
		{"unknown dimension", head + `  "trafficking": {
    "indicators": [
      {"id": "dr_new", "dimension": "deception", "adult": "medium", "child": "medium",
       "label": {"es": "a", "en": "b"}, "source": "ilo_ec_2009", "confidence": "S"}
    ]
  }
}`, 7, `trafficking.indicators[0].dimension: unknown dimension "deception"`},
		{"bad strength", head + `  "trafficking": {
    "indicators": [
      {"id": "dr_new", "dimension": "deceptive_recruitment", "adult": "huge", "child": "medium",
       "label": {"es": "a", "en": "b"}, "source": "ilo_ec_2009", "confidence": "S"}
    ]
  }
}`, 7, "adult: must be strong, medium, weak or none"},
		{"unknown source", head + `  "child_labour": {
    "hazards": [
      {"id": "x_hazard", "label": {"es": "a", "en": "b"},
       "source": "rumour", "confidence": "V"}
    ]
  }
}`, 8, `child_labour.hazards[0].source: unknown source "rumour"`},
		{"missing source", head + `  "child_labour": {
    "hazards": [
      {"id": "x_hazard", "label": {"es": "a", "en": "b"}, "confidence": "V"}
    ]
  }
}`, 7, "must cite its source"},
		{"to verify without a note", head + `  "child_labour": {
    "minimum_age": {"value": 15, "label": {"es": "a", "en": "b"},
                    "source": "c138_py", "confidence": "U"}
  }
}`, 6, "needs a note"},
		{"missing English", head + `  "child_labour": {
    "hazards": [
      {"id": "x_hazard", "label": {"es": "a"}, "source": "ilo_r190", "confidence": "V"}
    ]
  }
}`, 7, "English text is required"},
		{"duplicate id in the file", head + `  "child_labour": {
    "hazards": [
      {"id": "x_hazard", "label": {"es": "a", "en": "b"}, "source": "ilo_r190", "confidence": "V"},
      {"id": "x_hazard", "label": {"es": "a", "en": "b"}, "source": "ilo_r190", "confidence": "V"}
    ]
  }
}`, 8, `duplicate id "x_hazard"`},
		{"one fact for both halves of ICLS", head + `  "forced_labour_icls": {
    "coercion": [
      {"id": "abuse_of_vulnerability", "label": {"es": "a", "en": "b"},
       "from": {"indicators": ["ex_low_no_salary"]}, "source": "icls_20_2018", "confidence": "V2"}
    ]
  }
}`, 8, "one fact cannot prove both halves"},
		{"bad threshold comparison", head + `  "child_labour": {
    "sdg_bands": [
      {"id": "age_15_17", "min_age": 15, "max_age": 17,
       "economic": {"comparison": "above", "hours": 43}, "economic_category": "excessive_hours",
       "source": "sdg_871", "confidence": "V"}
    ]
  }
}`, 8, "comparison: must be at_least or more_than"},
		{"framework under the wrong key", head + `  "child_labour": {
    "framework": "trafficking"
  }
}`, 6, `framework: is "trafficking" under the key "child_labour"`},
		{"evidence path on an unknown dimension", head + `  "trafficking": {
    "combination": {
      "adult": {
        "all_of": [
          {"id": "recruitment", "label": {"es": "r", "en": "r"}, "any_of": ["deceptive_recruitment"],
           "or_evidence": {"indicator_in": ["deceptive_recruitment"], "when_positive": ["coercion_at_destination"],
                           "source": "palermo_art3", "confidence": "V"}}
        ],
        "source": "palermo_art3", "confidence": "V"
      }
    }
  }
}`, 10, `when_positive[0]: unknown dimension "coercion_at_destination"`},
		{"evidence path without a condition", head + `  "trafficking": {
    "combination": {
      "adult": {
        "all_of": [
          {"id": "recruitment", "label": {"es": "r", "en": "r"}, "any_of": ["deceptive_recruitment"],
           "or_evidence": {"indicator_in": ["deceptive_recruitment"], "when_positive": [],
                           "source": "palermo_art3", "confidence": "V"}}
        ],
        "source": "palermo_art3", "confidence": "V"
      }
    }
  }
}`, 10, "evidence alone never meets a clause"},
		{"same id as the embedded rulebook", "{\n  \"id\": \"py-2026\",\n  \"version\": \"1\",\n  \"extends\": \"py-2026\"\n}", 2, "must differ"},
		{"unknown base", "{\n  \"id\": \"x-1\",\n  \"version\": \"1\",\n  \"extends\": \"py-2019\"\n}", 4, `must be "py-2026@1.1.0" (the rulebook embedded in this binary) or an earlier version kept in it: "py-2026@1.0.0"`},
		{"trailing data", head + "  \"title\": {\"es\": \"a\", \"en\": \"b\"}\n}\n{}", 7, "unexpected data"},
		{"empty", "", 1, "empty document"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "deploy.json", tc.body)
			_, err := LoadFile(path)
			if err == nil {
				t.Fatal("accepted")
			}
			var first *RulebookError
			var all RulebookErrors
			switch {
			case errors.As(err, &all):
				first = all[0]
			case errors.As(err, &first):
			default:
				t.Fatalf("error %T %v is not a RulebookError", err, err)
			}
			if first.File != path || first.Line != tc.line || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %q (file %s line %d), want line %d and %q", err, first.File, first.Line, tc.line, tc.want)
			}
			if !strings.HasPrefix(err.Error(), path+":") {
				t.Errorf("message %q does not start with file:line", err)
			}
		})
	}
}
