package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"nanduti/internal/testutil"
)

// linkageTestSchema is the published FEBRL schema (see internal/linkage/febrl_test.go).
const linkageTestSchema = `{
  "version": 3,
  "clkConfig": {"l": 1024, "kdf": {"type": "HKDF", "hash": "SHA256",
    "salt": "SCbL2zHNnmsckfzchsNkZY9XoHk96P/G5nUBrM7ybymlEFsMV6PAeDZCNp3rfNUPCtLDMOGQHG4pCQpfhiHCyA==",
    "info": "c2NoZW1hX2V4YW1wbGU=", "keySize": 64}},
  "features": [
    {"identifier": "rec_id", "ignored": true},
    {"identifier": "given_name", "format": {"type": "string"},
     "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerFeature": 200}}},
    {"identifier": "surname", "format": {"type": "string"},
     "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerFeature": 200}}},
    {"identifier": "street_number", "format": {"type": "integer"},
     "hashing": {"comparison": {"type": "ngram", "n": 1, "positional": true}, "strategy": {"bitsPerFeature": 100},
                 "missingValue": {"sentinel": ""}}},
    {"identifier": "address_1", "format": {"type": "string"},
     "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerFeature": 100}}},
    {"identifier": "address_2", "format": {"type": "string"},
     "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerFeature": 100}}},
    {"identifier": "suburb", "format": {"type": "string"},
     "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerFeature": 100}}},
    {"identifier": "postcode", "format": {"type": "integer", "minimum": 100, "maximum": 9999},
     "hashing": {"comparison": {"type": "ngram", "n": 1, "positional": true}, "strategy": {"bitsPerFeature": 100}}},
    {"identifier": "state", "format": {"type": "string", "maxLength": 3},
     "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerFeature": 100}}},
    {"identifier": "date_of_birth", "format": {"type": "integer"},
     "hashing": {"comparison": {"type": "ngram", "n": 1, "positional": true}, "strategy": {"bitsPerFeature": 200},
                 "missingValue": {"sentinel": ""}}},
    {"identifier": "soc_sec_id", "ignored": true}
  ]
}`

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = (&CLI{Stdout: &out, Stderr: &errb}).Run(context.Background(), args)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// febrlCSV copies a FEBRL file into dir as a plain CSV (the spaces after the commas removed)
// and returns its path and the rec_id of every row.
func febrlCSV(t *testing.T, dir, name string, keep func(row int) bool) (string, []string) {
	t.Helper()
	in, err := os.Open(testutil.SharedFile(t, "data/linkage/febrl/"+name))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	path := filepath.Join(dir, name)
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	w := csv.NewWriter(out)
	sc := bufio.NewScanner(in)
	var ids []string
	for line := 0; sc.Scan(); line++ {
		fields := strings.Split(sc.Text(), ",")
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		if line > 0 {
			if keep != nil && !keep(line-1) {
				continue
			}
			ids = append(ids, fields[0])
		}
		w.Write(fields)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	return path, ids
}

func readLinks(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != "party_a,row_a,party_b,row_b,similarity" {
		t.Fatalf("links header %v", rows)
	}
	return rows[1:]
}

func entityOf(recID string) string { return strings.Split(recID, "-")[1] }

// TestLinkageCLIEndToEnd encodes FEBRL4's two halves as two agencies would, matches them with
// no secret, and checks the links against the known true pairs.
func TestLinkageCLIEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("encodes and links 10,000 records")
	}
	dir := t.TempDir()
	schema := writeFile(t, dir, "schema.json", linkageTestSchema)
	secret := writeFile(t, dir, "key", "a shared secret between the two agencies\n")
	csvA, idsA := febrlCSV(t, dir, "dataset4a.csv", nil)
	csvB, idsB := febrlCSV(t, dir, "dataset4b.csv", nil)
	clksA, clksB := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	for _, c := range [][2]string{{csvA, clksA}, {csvB, clksB}} {
		code, _, stderr := runCLI(t, "linkage", "encode", "--schema", schema, "--secret-file", secret, "--in", c[0], "--out", c[1])
		if code != 0 {
			t.Fatalf("encode %s: exit %d: %s", c[0], code, stderr)
		}
	}
	var doc struct {
		CLKs []string `json:"clks"`
	}
	data, err := os.ReadFile(clksA)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.CLKs) != len(idsA) || len(doc.CLKs[0]) != 172 {
		t.Fatalf("%d CLKs of %d characters; want %d of 172", len(doc.CLKs), len(doc.CLKs[0]), len(idsA))
	}

	for _, c := range []struct {
		threshold            string
		minPrecision, minRcl float64
		maxRecall            float64
	}{
		{"0.8", 0.999, 0.99, 1},
		{"0.9", 0.999, 0.78, 0.84},
	} {
		links := filepath.Join(dir, "links-"+c.threshold+".csv")
		// --out after the files, as the usage line shows it.
		code, _, stderr := runCLI(t, "linkage", "match", "--threshold", c.threshold, clksA, clksB, "--out", links)
		if code != 0 {
			t.Fatalf("match: exit %d: %s", code, stderr)
		}
		rows := readLinks(t, links)
		tp := 0
		usedA, usedB := map[string]bool{}, map[string]bool{}
		for _, r := range rows {
			a, _ := strconv.Atoi(r[1])
			b, _ := strconv.Atoi(r[3])
			if r[0] != "0" || r[2] != "1" {
				t.Fatalf("link between parties %s and %s", r[0], r[2])
			}
			if usedA[r[1]] || usedB[r[3]] {
				t.Fatalf("record used twice in a two-party match: %v", r)
			}
			usedA[r[1]], usedB[r[3]] = true, true
			if sim, err := strconv.ParseFloat(r[4], 64); err != nil || sim < 0.8 || sim > 1 {
				t.Fatalf("similarity %q", r[4])
			}
			if entityOf(idsA[a]) == entityOf(idsB[b]) {
				tp++
			}
		}
		precision, recall := float64(tp)/float64(len(rows)), float64(tp)/5000
		t.Logf("threshold %s: %d links, precision %.4f, recall %.4f", c.threshold, len(rows), precision, recall)
		if precision < c.minPrecision || recall < c.minRcl || recall > c.maxRecall {
			t.Errorf("threshold %s: precision %.4f, recall %.4f", c.threshold, precision, recall)
		}
	}
}

// TestLinkageCLIThreeParties links three agencies' files and checks that groups span them.
func TestLinkageCLIThreeParties(t *testing.T) {
	dir := t.TempDir()
	schema := writeFile(t, dir, "schema.json", linkageTestSchema)
	secret := writeFile(t, dir, "key", "three agencies")
	// Party 0: the first 300 originals; party 1: their duplicates; party 2: the originals again.
	csvA, idsA := febrlCSV(t, dir, "dataset4a.csv", func(r int) bool { return r < 300 })
	want := map[string]bool{}
	for _, id := range idsA {
		want[entityOf(id)] = true
	}
	csvB, idsB := febrlCSV(t, dir, "dataset4b.csv", func(int) bool { return true })
	var clks []string
	for i, in := range []string{csvA, csvB, csvA} {
		out := filepath.Join(dir, "p"+strconv.Itoa(i)+".json")
		if code, _, stderr := runCLI(t, "linkage", "encode", "--schema", schema, "--secret-file", secret, "--in", in, "--out", out); code != 0 {
			t.Fatalf("encode: %s", stderr)
		}
		clks = append(clks, out)
	}
	links := filepath.Join(dir, "links.csv")
	args := append([]string{"linkage", "match", "--out", links, "--threshold", "0.8"}, clks...)
	if code, _, stderr := runCLI(t, args...); code != 0 {
		t.Fatalf("match: %s", stderr)
	}
	ids := [][]string{idsA, idsB, idsA}
	pairs := map[string]int{}
	for _, r := range readLinks(t, links) {
		pa, _ := strconv.Atoi(r[0])
		ra, _ := strconv.Atoi(r[1])
		pb, _ := strconv.Atoi(r[2])
		rb, _ := strconv.Atoi(r[3])
		ea, eb := entityOf(ids[pa][ra]), entityOf(ids[pb][rb])
		if ea != eb {
			t.Errorf("false link %v", r)
		}
		pairs[r[0]+"-"+r[2]]++
	}
	// Party 0 and 2 hold identical records: all 300 link; the duplicates link to both.
	if pairs["0-2"] != 300 {
		t.Errorf("%d links between the identical parties 0 and 2, want 300", pairs["0-2"])
	}
	if pairs["0-1"] < 290 || pairs["1-2"] != pairs["0-1"] {
		t.Errorf("links 0-1: %d, 1-2: %d; want at least 290 and equal (groups of three)", pairs["0-1"], pairs["1-2"])
	}
}

func TestLinkageCLIErrors(t *testing.T) {
	dir := t.TempDir()
	schema := writeFile(t, dir, "schema.json", linkageTestSchema)
	secret := writeFile(t, dir, "key", "s\n")
	header := "rec_id,given_name,surname,street_number,address_1,address_2,suburb,postcode,state,date_of_birth,soc_sec_id\n"
	good := "rec-1-org,ana,benitez,12,calle palma,,asuncion,1209,py,19900102,1\n"
	out := filepath.Join(dir, "out.json")
	zero := strings.Repeat("A", 168) + "AAA=" // 1024 zero bits
	clk := `{"clks": ["` + zero + `"]}`
	okCLKs := writeFile(t, dir, "ok.json", clk)
	for _, c := range []struct {
		name     string
		args     []string
		wantCode int
		want     []string // substrings of stderr
		secret   string   // must not appear in stderr
	}{
		{"no subcommand", []string{"linkage"}, 2, []string{"encode, match or dedupe"}, ""},
		{"unknown subcommand", []string{"linkage", "link"}, 2, []string{"unknown subcommand"}, ""},
		{"missing schema", []string{"linkage", "encode", "--secret-file", secret, "--in", "x", "--out", out}, 2, []string{"--schema is required"}, ""},
		{"bad schema", []string{"linkage", "encode", "--schema", writeFile(t, dir, "bad.json", `{"version": 3, "clkConfig": {"l": 1024, "kdf": {"type": "HKDF"}}, "features": [{"identifier": "x", "format": {"type": "string"}, "hashing": {"comparison": {"type": "ngram", "n": 2}}}]}`), "--secret-file", secret, "--in", "x", "--out", out}, 2, []string{"bad.json", "features[0].hashing", "strategy"}, ""},
		{"wrong column count", []string{"linkage", "encode", "--schema", schema, "--secret-file", secret, "--in", writeFile(t, dir, "short.csv", header+good+"rec-2-org,ana\n"), "--out", out}, 2, []string{"short.csv", "record 2", "line 3", "wrong number of columns"}, ""},
		{"bad integer", []string{"linkage", "encode", "--schema", schema, "--secret-file", secret, "--in", writeFile(t, dir, "int.csv", header+good+"rec-2-org,ana,villalba,12,calle,,luque,99x9,py,19900102,1\n"), "--out", out}, 2, []string{"int.csv", "record 2", "column 8 (postcode)", "not an integer"}, "99x9"},
		{"wrong header", []string{"linkage", "encode", "--schema", schema, "--secret-file", secret, "--in", writeFile(t, dir, "hdr.csv", strings.Replace(header, "surname", "apellido", 1)+good), "--out", out}, 2, []string{"header column 3"}, ""},
		{"empty secret", []string{"linkage", "encode", "--schema", schema, "--secret-file", writeFile(t, dir, "empty", "\n"), "--in", "x", "--out", out}, 2, []string{"empty"}, ""},
		{"one file", []string{"linkage", "match", "--threshold", "0.8", okCLKs, "--out", out}, 2, []string{"at least two"}, ""},
		{"bad threshold", []string{"linkage", "match", "--threshold", "1.5", okCLKs, okCLKs, "--out", out}, 2, []string{"--threshold"}, ""},
		{"bad base64", []string{"linkage", "match", "--threshold", "0.8", okCLKs, writeFile(t, dir, "b64.json", `{"clks": ["`+zero+`", "!!not base64!!"]}`), "--out", out}, 2, []string{"b64.json", "party 1", "CLK 1", "base64"}, "!!not"},
		{"length mismatch", []string{"linkage", "match", "--threshold", "0.8", okCLKs, writeFile(t, dir, "len.json", `{"clks": ["AAAA"]}`), "--out", out}, 2, []string{"len.json", "CLK 0", "expected 1024"}, ""},
		{"not JSON", []string{"linkage", "match", "--threshold", "0.8", okCLKs, writeFile(t, dir, "nj.json", `clks`), "--out", out}, 2, []string{"nj.json", "not a JSON object"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, c.args...)
			if code != c.wantCode {
				t.Fatalf("exit %d, want %d; stderr: %s", code, c.wantCode, stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q: %s", w, stderr)
				}
			}
			if c.secret != "" && strings.Contains(stderr, c.secret) {
				t.Errorf("stderr repeats a value from the input: %s", stderr)
			}
		})
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed run left %s behind", out)
	}
	if code, stdout, _ := runCLI(t, "linkage", "encode", "--help"); code != 0 || !strings.Contains(stdout, "--schema") && !strings.Contains(stdout, "-schema") {
		t.Errorf("encode --help: exit %d, %q", code, stdout)
	}
}
