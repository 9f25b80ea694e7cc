package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"nanduti/internal/accounts"
	"nanduti/internal/core"
	"nanduti/internal/persons"
	"nanduti/internal/store"
	"nanduti/internal/store/storetest"
)

// eachKeysDB is eachDB with the key file: SQLite keeps it under --data, PostgreSQL needs
// --kek-file.
func eachKeysDB(t *testing.T, fn func(t *testing.T, cfg *dbConfig, args []string)) {
	t.Run(store.SQLite, func(t *testing.T) {
		dir := t.TempDir()
		fn(t, &dbConfig{data: dir}, []string{"--data", dir})
	})
	t.Run(store.Postgres, func(t *testing.T) {
		u := storetest.PostgresURL(t)
		if u == "" {
			t.Skip("NANDUTI_TEST_POSTGRES is not set")
		}
		dsn, _ := storetest.NewSchema(t, u)
		kek := filepath.Join(t.TempDir(), "kek.json")
		fn(t, &dbConfig{dsn: dsn, kekFile: kek}, []string{"--db", dsn, "--kek-file", kek})
	})
}

// seedPersons records n synthetic persons in one agency, in batches, and returns their ids
// and an actor who may see them.
func seedPersons(t *testing.T, cfg *dbConfig, n int) ([]int64, core.Actor) {
	t.Helper()
	ctx := context.Background()
	a, err := openApp(ctx, cfg, appOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	tf, err := a.accounts.EnsureTaskForce(ctx, core.SystemActor, "Mesa de prueba", "")
	if err != nil {
		t.Fatal(err)
	}
	ag, err := a.accounts.CreateAgency(ctx, core.SystemActor, accounts.NewAgency{TaskForceID: tf.ID, Code: "MTESS", Name: "Trabajo", Kind: core.AgencyLabour})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for len(ids) < n {
		batch := make([]persons.Input, min(1000, n-len(ids)))
		for i := range batch {
			k := len(ids) + i
			batch[i] = persons.Input{AgencyID: ag.ID, Kind: persons.KindVictim, Identity: persons.Identity{
				GivenNames: fmt.Sprintf("Persona%d", k), PaternalSurname: "Giménez", MaternalSurname: "Benítez",
				Document: persons.Document{Type: "ci", Number: strconv.Itoa(1000000 + k)}, Phones: []string{fmt.Sprintf("0981 %06d", k)}}}
		}
		ps, err := a.protect.persons.CreateBatch(ctx, core.SystemActor, batch)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			ids = append(ids, p.ID)
		}
	}
	return ids, core.Actor{UserID: 1, AgencyID: ag.ID, Roles: []core.Role{core.RoleLabourInspector}}
}

// checkReadable opens every person with a freshly loaded key file, as a restarted server
// would, and checks the identity.
func checkReadable(t *testing.T, cfg *dbConfig, ids []int64, actor core.Actor) {
	t.Helper()
	ctx := context.Background()
	a, err := openApp(ctx, cfg, appOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for i, id := range ids {
		p, err := a.protect.persons.Get(ctx, actor, id)
		if err != nil || p.Identity == nil || p.Identity.PaternalSurname != "Giménez" {
			t.Fatalf("person %d of %d after the rotation: %v", i+1, len(ids), err)
		}
	}
	res, err := a.protect.persons.Search(ctx, actor, persons.Query{By: persons.SearchByDocument, Text: strconv.Itoa(1000000 + len(ids) - 1)})
	if err != nil || len(res) != 1 {
		t.Errorf("search after the rotation: %d %v", len(res), err)
	}
}

var keyLine = regexp.MustCompile(`(?m)^(kek-\S+)\s+\S+\s+(\d+)\s+(.*)$`)

// keyRows parses keys status: key id -> rows.
func keyRows(t *testing.T, args []string) map[string]int {
	t.Helper()
	code, out, errs := run(t, "", append([]string{"keys", "status"}, args...)...)
	if code != 0 {
		t.Fatalf("keys status: %d %q %q", code, out, errs)
	}
	rows := map[string]int{}
	for _, m := range keyLine.FindAllStringSubmatch(out, -1) {
		rows[m[1]], _ = strconv.Atoi(m[2])
	}
	return rows
}

func TestKeysCommands(t *testing.T) {
	eachKeysDB(t, func(t *testing.T, cfg *dbConfig, args []string) {
		with := func(a ...string) []string { return append(a, args...) }
		ids, actor := seedPersons(t, cfg, 57)
		rows := keyRows(t, args)
		if len(rows) != 1 {
			t.Fatalf("status before rotating: %v", rows)
		}
		var first string
		for k := range rows {
			first = k
		}
		if rows[first] != 57 {
			t.Errorf("%d rows under %s, want 57", rows[first], first)
		}
		// An interrupted run: two batches of ten.
		code, out, errs := run(t, "", with("keys", "rotate", "--batch-size", "10", "--max-batches", "2")...)
		if code != 0 || !strings.Contains(out, "new active key") || !strings.Contains(out, "re-wrapped 20 data keys") ||
			!strings.Contains(out, "37 rows are still under older keys") {
			t.Fatalf("interrupted rotate: %d %q %q", code, out, errs)
		}
		if code, _, errs := run(t, "", with("keys", "retire", "--id", first)...); code != 1 || !strings.Contains(errs, "37 rows") {
			t.Errorf("retire a key in use: %d %q", code, errs)
		}
		code, out, _ = run(t, "", with("keys", "rotate", "--batch-size", "10")...)
		if code != 0 || !strings.Contains(out, "continuing the rotation") || !strings.Contains(out, "re-wrapped 37 data keys") ||
			!strings.Contains(out, "keys retire --id "+first) {
			t.Fatalf("rerun: %d %q", code, out)
		}
		code, out, errs = run(t, "", with("keys", "retire", "--id", first)...)
		if code != 0 || !strings.Contains(out, "removed key "+first) {
			t.Fatalf("retire: %d %q %q", code, out, errs)
		}
		rows = keyRows(t, args)
		if _, ok := rows[first]; ok || len(rows) != 1 {
			t.Errorf("status after retiring: %v", rows)
		}
		code, out, _ = run(t, "", with("keys", "status", "--format", "json")...)
		var st struct {
			Active string
			Keys   []struct {
				ID   string
				Rows int
			}
		}
		if code != 0 || json.Unmarshal([]byte(out), &st) != nil || len(st.Keys) != 1 || st.Keys[0].Rows != 57 || st.Keys[0].ID != st.Active {
			t.Errorf("status as JSON: %d %q", code, out)
		}
		checkReadable(t, cfg, ids, actor)
	})
}

func TestKeysUsageAndWrongKeyFile(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"keys"}, "missing subcommand"},
		{[]string{"keys", "rotate", "--batch-size", "0"}, "--batch-size must be between"},
		{[]string{"keys", "retire"}, "--id is required"},
		{[]string{"keys", "status", "--format", "xml"}, "--format must be text or json"},
		{[]string{"keys", "status", "--db", "postgres://nobody@127.0.0.1:1/none"}, "--kek-file (or NANDUTI_KEK_FILE) must name the key file"},
	} {
		if code, out, errs := run(t, "", c.args...); code != 2 || !strings.Contains(out+errs, c.want) {
			t.Errorf("nanduti %v: %d %q %q", c.args, code, out, errs)
		}
	}
	// A database with sealed rows refuses a missing key file and a stranger's key file, and
	// a world-readable one.
	dir := t.TempDir()
	seedPersons(t, &dbConfig{data: dir}, 3)
	kek := filepath.Join(dir, "keys", "kek.json")
	os.Rename(kek, kek+".bak")
	if code, _, errs := run(t, "", "keys", "status", "--data", dir); code != 1 || !strings.Contains(errs, "restore the key file") {
		t.Errorf("missing key file: %d %q", code, errs)
	}
	if _, err := os.Stat(kek); err == nil {
		t.Error("a new key file was made for a database with sealed rows")
	}
	stranger := filepath.Join(t.TempDir(), "kek.json")
	run(t, "", "keys", "status", "--data", t.TempDir(), "--kek-file", stranger)
	if code, _, errs := run(t, "", "keys", "status", "--data", dir, "--kek-file", stranger); code != 1 || !strings.Contains(errs, "does not match the database") {
		t.Errorf("a stranger's key file: %d %q", code, errs)
	}
	os.Rename(kek+".bak", kek)
	os.Chmod(kek, 0o644)
	if code, _, errs := run(t, "", "keys", "status", "--data", dir); code != 1 || !strings.Contains(errs, "chmod 600") {
		t.Errorf("a world-readable key file: %d %q", code, errs)
	}
	os.Chmod(kek, 0o600)
	if code, _, errs := run(t, "", "keys", "status", "--data", dir); code != 0 {
		t.Errorf("the right key file: %d %q", code, errs)
	}
}

// TestKeysHelperProcess is not a test: TestKeysRotateSurvivesAKill runs the test binary again
// with NANDUTI_KEYS_HELPER set to make it a nanduti process it can kill.
func TestKeysHelperProcess(t *testing.T) {
	args := os.Getenv("NANDUTI_KEYS_HELPER")
	if args == "" {
		t.Skip("helper process for TestKeysRotateSurvivesAKill")
	}
	var argv []string
	if err := json.Unmarshal([]byte(args), &argv); err != nil {
		t.Fatal(err)
	}
	c := &CLI{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	os.Exit(c.Run(context.Background(), argv))
}

// rotatePersons is how many persons the kill test seals; NANDUTI_ROTATE_PERSONS raises it
// (the issue asks for 100,000, which takes minutes).
func rotatePersons() int {
	if n, err := strconv.Atoi(os.Getenv("NANDUTI_ROTATE_PERSONS")); err == nil && n > 0 {
		return n
	}
	return 3000
}

// A rotation killed with SIGKILL in the middle loses nothing: the rows done are under the new
// key, the others under the old one, everything opens; the rerun completes it, the old key is
// removed, and every person is still readable.
func TestKeysRotateSurvivesAKill(t *testing.T) {
	eachKeysDB(t, func(t *testing.T, cfg *dbConfig, args []string) {
		n := rotatePersons()
		start := time.Now()
		ids, actor := seedPersons(t, cfg, n)
		t.Logf("sealed %d persons in %s", n, time.Since(start).Round(time.Millisecond))
		before := keyRows(t, args)
		var old string
		for k := range before {
			old = k
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestKeysHelperProcess$")
		argv, _ := json.Marshal(append([]string{"keys", "rotate", "--batch-size", "20", "--verbose"}, args...))
		cmd.Env = append(os.Environ(), "NANDUTI_KEYS_HELPER="+string(argv))
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Killed halfway through (batches of 20).
		half := max(3, n/20/2)
		lines, sc := 0, bufio.NewScanner(stdout)
		for sc.Scan() && lines < half {
			if strings.HasPrefix(sc.Text(), "re-wrapped ") {
				lines++
			}
		}
		cmd.Process.Kill()
		cmd.Wait()
		if lines < half {
			t.Fatalf("the child printed %d progress lines before it ended", lines)
		}
		mid := keyRows(t, args)
		if len(mid) != 2 || mid[old] == 0 || mid[old] == n {
			t.Fatalf("after the kill: %v (want rows under both keys)", mid)
		}
		t.Logf("killed after re-wrapping %d of %d", n-mid[old], n)
		start = time.Now()
		code, out, errs := run(t, "", append([]string{"keys", "rotate"}, args...)...)
		if code != 0 || !strings.Contains(out, "continuing the rotation") || !strings.Contains(out, fmt.Sprintf("re-wrapped %d data keys", mid[old])) {
			t.Fatalf("rerun: %d %q %q", code, out, errs)
		}
		t.Logf("the rerun re-wrapped %d data keys in %s", mid[old], time.Since(start).Round(time.Millisecond))
		if code, _, errs := run(t, "", append([]string{"keys", "retire", "--id", old}, args...)...); code != 0 {
			t.Fatalf("retire: %d %q", code, errs)
		}
		start = time.Now()
		checkReadable(t, cfg, ids, actor)
		t.Logf("opened all %d persons in %s", n, time.Since(start).Round(time.Millisecond))
	})
}
