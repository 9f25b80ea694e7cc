package screening

import (
	"bytes"
	"encoding/json"
	"nanduti/internal/testutil"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestGolden screens every example input in both languages and compares the text and JSON
// outputs with the files under testdata/golden; run with -update after an intended change and
// read the diff.
func TestGolden(t *testing.T) {
	rb := embeddedBook(t)
	inputs, err := filepath.Glob("testdata/inputs/*.json")
	if err != nil || len(inputs) < 5 {
		t.Fatalf("example inputs: %v %v", inputs, err)
	}
	for _, path := range inputs {
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		in, err := rb.ParseInput(data)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, lang := range []Lang{Spanish, English} {
			res := rb.Screen(in, lang)
			var text, js bytes.Buffer
			if err := res.WriteText(&text); err != nil {
				t.Fatal(err)
			}
			if err := res.WriteJSON(&js); err != nil {
				t.Fatal(err)
			}
			compareGolden(t, filepath.Join("testdata", "golden", name+"."+string(lang)+".txt"), text.Bytes())
			compareGolden(t, filepath.Join("testdata", "golden", name+"."+string(lang)+".json"), js.Bytes())
		}
	}
}

// compareGolden compares got with the golden file at path; see testutil.Golden.
func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	testutil.Golden(t, path, got)
}

// TestIssueScenarios checks the outcomes the issue names as "done when".
func TestIssueScenarios(t *testing.T) {
	type want struct {
		trafficking, icls, child string
		categories               []string
	}
	cases := map[string]want{
		// A 12-year-old girl living with a non-family household doing domestic work 35 hours a
		// week without schooling: child labour, criadazgo.
		"criadazgo-girl-12": {OutcomeNotIndicated, OutcomeNotIndicated, OutcomeChildLabour,
			[]string{"hazardous", "below_minimum_age", "excessive_hours", "criadazgo"}},
		// A 16-year-old applying agrochemicals: hazardous child labour, no trafficking indicators.
		"agrochemicals-boy-16": {OutcomeNotIndicated, OutcomeNotIndicated, OutcomeChildLabour, []string{"hazardous"}},
		// An adult man deceived about wages, excessive hours for little pay, documents
		// confiscated, in debt bondage: trafficking indicated (the recruitment element by the
		// Palermo reading: one recorded deception while coercion at destination is positive),
		// forced labour.
		"adult-forced-labour": {OutcomeIndicated, OutcomeIndicated, OutcomeNotApplicable, nil},
		// An adult with one medium indicator in each dimension: not indicated.
		"adult-one-medium-each": {OutcomeNotIndicated, OutcomeIndicated, OutcomeNotApplicable, nil},
		"brick-kiln-boy-15": {OutcomeIndicated, OutcomeIndicated, OutcomeChildLabour,
			[]string{"hazardous", "excessive_hours", "night_work"}},
		"sexual-exploitation-girl-16": {OutcomeNotAssessed, OutcomeNotAssessed, OutcomeChildLabour, []string{"worst_form", "night_work"}},
	}
	rb := embeddedBook(t)
	for name, w := range cases {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "inputs", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			in, err := rb.ParseInput(data)
			if err != nil {
				t.Fatal(err)
			}
			r := rb.Screen(in, Spanish)
			tr, ic, cl := framework(t, r, FrameworkTrafficking), framework(t, r, FrameworkICLS), framework(t, r, FrameworkChildLabour)
			if tr.Outcome != w.trafficking || ic.Outcome != w.icls || cl.Outcome != w.child || !slices.Equal(cl.Categories, w.categories) {
				t.Errorf("trafficking %s, ICLS %s, child labour %s %v; want %s, %s, %s %v",
					tr.Outcome, ic.Outcome, cl.Outcome, cl.Categories, w.trafficking, w.icls, w.child, w.categories)
			}
		})
	}
}

// TestResultJSONShape checks the keys section 5 of the reference fixes.
func TestResultJSONShape(t *testing.T) {
	rb := embeddedBook(t)
	data, err := os.ReadFile("testdata/inputs/brick-kiln-boy-15.json")
	if err != nil {
		t.Fatal(err)
	}
	in, err := rb.ParseInput(data)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := rb.Screen(in, English).WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Rulebook map[string]string `json:"rulebook"`
		Results  []map[string]json.RawMessage
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Rulebook["id"] != "py-2026" || doc.Rulebook["version"] != "1.1.0" {
		t.Errorf("rulebook %v", doc.Rulebook)
	}
	byName := map[string]map[string]json.RawMessage{}
	for _, r := range doc.Results {
		var name string
		json.Unmarshal(r["framework"], &name)
		byName[name] = r
		if _, ok := r["explanation"]; !ok {
			t.Errorf("%s: no explanation", name)
		}
	}
	var dims []struct {
		ID         string `json:"id"`
		Positive   *bool  `json:"positive"`
		Indicators []struct {
			ID       string `json:"id"`
			Strength string `json:"strength"`
		} `json:"indicators"`
	}
	if err := json.Unmarshal(byName["trafficking"]["dimensions"], &dims); err != nil || len(dims) != 6 || dims[0].Positive == nil {
		t.Errorf("trafficking dimensions: %v %s", err, byName["trafficking"]["dimensions"])
	}
	var ilo []string
	if err := json.Unmarshal(byName["forced_labour_ilo11"]["indicators"], &ilo); err != nil || len(ilo) == 0 {
		t.Errorf("ILO 11 indicators must be a list of ids: %v %s", err, byName["forced_labour_ilo11"]["indicators"])
	}
	var cats []string
	if err := json.Unmarshal(byName["child_labour"]["categories"], &cats); err != nil || len(cats) == 0 {
		t.Errorf("child labour categories: %v", err)
	}
	for _, name := range []string{"trafficking", "forced_labour_icls", "child_labour"} {
		if _, ok := byName[name]["outcome"]; !ok {
			t.Errorf("%s: no outcome", name)
		}
	}
}
