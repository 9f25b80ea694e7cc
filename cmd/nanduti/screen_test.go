package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runScreenCLI runs the CLI with stdin and returns the exit code and both streams.
func runScreenCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	c := &CLI{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	code := c.Run(context.Background(), args)
	return code, out.String(), errb.String()
}

func screenTempFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const screenCriadazgo = `{
  "subject": {"age": 12, "sex": "female"},
  "exploitation": "labour",
  "work": {"economic_hours_per_week": 35, "activities": ["domestic_work"],
           "lives_in_employer_household": true, "employer_is_family": false, "attends_school": false}
}`

func TestScreenTextFromFileInBothLanguages(t *testing.T) {
	path := screenTempFile(t, "case.json", screenCriadazgo)
	code, out, errOut := runScreenCLI(t, "", "screen", path)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Reglas: py-2026 1.1.0", "TRABAJO INFANTIL", "criadazgo", "no es una determinación legal"} {
		if !strings.Contains(out, want) {
			t.Errorf("Spanish output lacks %q:\n%s", want, out)
		}
	}
	// Flags may come after the file too.
	code, out, _ = runScreenCLI(t, "", "screen", path, "--lang", "en")
	if code != 0 || !strings.Contains(out, "Child labour: CHILD LABOUR") || !strings.Contains(out, "not a legal determination") {
		t.Errorf("exit %d, English output:\n%s", code, out)
	}
}

func TestScreenJSONFromStdin(t *testing.T) {
	code, out, errOut := runScreenCLI(t, screenCriadazgo, "screen", "--format", "json", "--lang", "en", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res struct {
		Rulebook struct{ ID, Version string }
		Results  []struct {
			Framework  string
			Outcome    string
			Categories []string
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if res.Rulebook.ID != "py-2026" || len(res.Results) != 4 {
		t.Fatalf("result %+v", res)
	}
	cl := res.Results[3]
	if cl.Framework != "child_labour" || cl.Outcome != "child_labour" || !strings.Contains(strings.Join(cl.Categories, ","), "criadazgo") {
		t.Errorf("child labour %+v", cl)
	}
}

func TestScreenBadInputExits2NamingTheField(t *testing.T) {
	cases := []struct {
		name, doc, want string
	}{
		{"unknown indicator", `{"subject": {"age": 30}, "exploitation": "labour", "indicators": ["dr_wagez"]}`, `indicators[0]: unknown indicator id "dr_wagez"`},
		{"age out of range", `{"subject": {"age": 150}, "exploitation": "labour"}`, "subject.age: must be a whole number of years between 0 and 120"},
		{"negative hours", `{"subject": {"age": 15}, "exploitation": "labour", "work": {"economic_hours_per_week": -1}}`, "work.economic_hours_per_week: must not be negative"},
		{"unknown activity", `{"subject": {"age": 15}, "exploitation": "labour", "work": {"activities": ["knitting"]}}`, `work.activities[0]: unknown activity "knitting"`},
		{"unknown hazard", `{"subject": {"age": 15}, "exploitation": "labour", "work": {"hazards": ["dust"]}}`, `work.hazards[0]: unknown hazard "dust"`},
		{"broken JSON", "{\n  \"subject\": {\"age\": 15,,\n}", "line 2: invalid JSON"},
		{"empty", "", "empty document"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runScreenCLI(t, tc.doc, "screen", "-")
			if code != 2 || out != "" || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and %q", code, out, errOut, tc.want)
			}
		})
	}
}

func TestScreenUsageErrors(t *testing.T) {
	path := screenTempFile(t, "case.json", screenCriadazgo)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"screen"}, "want exactly one input document"},
		{[]string{"screen", path, path}, "want exactly one input document"},
		{[]string{"screen", "--lang", "gn", path}, "--lang"},
		{[]string{"screen", "--format", "xml", path}, "--format"},
		{[]string{"screen", "--bogus", path}, "flag provided but not defined"},
		{[]string{"screen", filepath.Join(t.TempDir(), "missing.json")}, "cannot read"},
		{[]string{"screen", "--rules", filepath.Join(t.TempDir(), "missing.json"), path}, "--rules: cannot read"},
	}
	for _, tc := range cases {
		code, _, errOut := runScreenCLI(t, "", tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
	code, out, _ := runScreenCLI(t, "", "screen", "--help")
	if code != 0 || !strings.Contains(out, "--rules") {
		t.Errorf("--help: exit %d\n%s", code, out)
	}
}

// cdeRules is a deployment's rulebook that moves night work for children to 19:00-07:00.
const cdeRules = `{
  "id": "py-2026-cde",
  "version": "3",
  "extends": "py-2026",
  "child_labour": {
    "night_work": {"age_limit": 18, "from": "19:00", "to": "07:00", "source": "codigo_ninez_art58", "confidence": "S"}
  }
}`

func TestScreenWithDeploymentRules(t *testing.T) {
	rules := screenTempFile(t, "cde.json", cdeRules)
	doc := `{"subject": {"age": 16}, "exploitation": "labour", "work": {"night_work": true}}`
	code, out, errOut := runScreenCLI(t, doc, "screen", "--rules", rules, "--lang", "en", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "Rulebook: py-2026-cde 3 (py-2026@1.1.0)") || !strings.Contains(out, "between 19:00 and 07:00") {
		t.Errorf("deployment rules not applied:\n%s", out)
	}

	bad := screenTempFile(t, "bad.json", "{\n  \"id\": \"py-2026-cde\",\n  \"version\": \"3\",\n  \"extends\": \"py-2026\",\n  \"forced_labour_ilo11\": {\"indicators\": [\n    {\"id\": \"deception\", \"label\": {\"es\": \"engaño\", \"en\": \"deception\"}, \"from\": {\"indicators\": [\"dr_lies\"]}, \"source\": \"ilo_11_2012\", \"confidence\": \"V\"}\n  ]}\n}\n")
	code, _, errOut = runScreenCLI(t, doc, "screen", "--rules", bad, "-")
	if code != 2 || !strings.Contains(errOut, bad+":6: forced_labour_ilo11.indicators[0].from.indicators[0]: unknown indicator id \"dr_lies\"") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

func TestRulesListAndShow(t *testing.T) {
	code, out, errOut := runScreenCLI(t, "", "rules", "list", "--lang", "en")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"py-2026 1.1.0", "ilo-ec-delphi-2009-labour 1.1.0", "67 indicators in 6 dimensions", "forced_labour_ilo11", "forced_labour_icls", "child_labour", "to verify"} {
		if !strings.Contains(out, want) {
			t.Errorf("rules list lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runScreenCLI(t, "", "rules", "show", "trafficking", "--lang", "en")
	if code != 0 || !strings.Contains(out, "rv_travel_difficulty") || !strings.Contains(out, "TO VERIFY") || !strings.Contains(out, "1 strong + 1 medium or weak") {
		t.Errorf("rules show trafficking: exit %d\n%s", code, out)
	}
	code, out, _ = runScreenCLI(t, "", "rules", "show", "child-labour-icls-sdg871-py")
	if code != 0 || !strings.Contains(out, "Night work: forbidden under 18 between 20:00 and 06:00") {
		t.Errorf("rules show by book id: exit %d\n%s", code, out)
	}
	code, out, _ = runScreenCLI(t, "", "rules", "show", "--format", "json", "forced_labour_icls")
	var book struct {
		ID       string `json:"id"`
		Coercion []struct {
			ID string `json:"id"`
		} `json:"coercion"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &book) != nil || book.ID != "icls-20-2018-forced-labour" || len(book.Coercion) != 6 {
		t.Errorf("rules show --format json: exit %d %+v", code, book)
	}
	code, out, _ = runScreenCLI(t, "", "rules", "show", "py-2026")
	if code != 0 || !strings.Contains(out, "child_labour night_work") {
		t.Errorf("rules show py-2026: exit %d\n%s", code, out)
	}
	for _, args := range [][]string{{"rules"}, {"rules", "frobnicate"}, {"rules", "show"}, {"rules", "show", "nope"}, {"rules", "list", "extra"}} {
		if code, _, _ := runScreenCLI(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
