package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"

	"golang.org/x/text/unicode/norm"

	"nanduti/internal/accounts"
	"nanduti/internal/audit"
	"nanduti/internal/core"
	"nanduti/internal/persons"
	"nanduti/internal/seal"
	"nanduti/internal/store"
	"nanduti/internal/store/storetest"
	"nanduti/internal/web"
)

// boyForm is the synthetic 15-year-old of the brick-kiln story as the web form sends him.
func boyForm() url.Values {
	return url.Values{"kind": {"victim"}, "given_names": {"Anatolio Ysapy"}, "paternal_surname": {"Giménez"},
		"maternal_surname": {"Benítez"}, "other_names": {"Tolito\r\nEl Ruso"}, "birth_date": {"2010-11-02"},
		"document_type": {"ci"}, "document_number": {"4.812.377"}, "document_country": {"PY"},
		"nationality_documents": {"BRA FZ-771209"}, "phones": {"0981 457 219"}, "addresses": {"Barrio San Juan, Minga Guazú"},
		"gender": {"Masculine"}, "age_at_identification": {"15"}, "citizenship": {"PRY, BRA"}, "primary_language": {"gn"},
		"department": {"10"}, "district": {"11"}, "vulnerabilities": {"Poverty", "Education"}}
}

// multipartForm encodes a form with an optional photo as a browser does.
func multipartForm(t *testing.T, form url.Values, photo []byte) (string, []byte) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, vs := range form {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	if photo != nil {
		fw, err := w.CreateFormFile("photo", "foto.png")
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(photo)
	}
	w.Close()
	return w.FormDataContentType(), b.Bytes()
}

func (h *harness) postMultipart(c *http.Client, path string, form url.Values, photo []byte) response {
	h.t.Helper()
	ct, body := multipartForm(h.t, form, photo)
	req, _ := http.NewRequest("POST", h.ts.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	resp, err := c.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (h *harness) auditRows(action string) []audit.Record {
	h.t.Helper()
	rows, err := audit.NewService(h.db.Audit()).List(context.Background(), core.SystemActor, audit.Filter{Action: action, Limit: 500})
	if err != nil {
		h.t.Fatal(err)
	}
	return rows
}

func TestPersonPages(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t), harnessOptions{waiveSecondFactor: true})
	inspector := h.user(h.agencyA, core.RoleLabourInspector)
	c := h.login(inspector, "/")

	// The form comes back with what was typed and the problems named, nothing stored.
	bad := boyForm()
	bad.Set("phones", "llamar a la tía")
	bad.Set("district", "00")
	r := h.postMultipart(c, "/persons", bad, []byte("GIF89a not a photo"))
	if r.status != 400 || !strings.Contains(r.body, `value="Anatolio Ysapy"`) || !strings.Contains(r.body, "llamar a la tía") ||
		!strings.Contains(r.body, `href="#phones"`) || !strings.Contains(r.body, `href="#district"`) || !strings.Contains(r.body, `href="#photo"`) {
		t.Fatalf("invalid form: %d\n%s", r.status, r.body)
	}
	if n := len(h.auditRows(persons.ActionCreate)); n != 0 {
		t.Fatalf("an invalid form created %d persons", n)
	}

	r = h.postMultipart(c, "/persons", boyForm(), matrixPNG())
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/persons/") {
		t.Fatalf("create: %d %q\n%s", r.status, r.header.Get("Location"), r.body)
	}
	page := r.header.Get("Location")
	view := h.get(c, page)
	for _, want := range []string{"V-2026-00001", `id="identity-notice"`, "Identidad visible: esta consulta queda registrada",
		inspector.Name, "Anatolio Ysapy", "Giménez", "Tolito; El Ruso", "4.812.377", "595981457219", "BRA FZ-771209",
		"Pobreza", "Alto Paraná (10)", "PRY, BRA", "Guaraní", `src="` + page + `/photo"`} {
		if view.status != 200 || !strings.Contains(view.body, want) {
			t.Errorf("view page lacks %q (%d)", want, view.status)
		}
	}
	if photo := h.get(c, page+"/photo"); photo.status != 200 || photo.header.Get("Content-Type") != "image/png" ||
		photo.header.Get("Cache-Control") != "no-store" {
		t.Errorf("photo: %d %q", photo.status, photo.header.Get("Content-Type"))
	}
	reads := h.auditRows(persons.ActionIdentityRead)
	if len(reads) != 2 || reads[0].ActorUserID != inspector.ID {
		t.Errorf("identity reads after a view and a photo: %+v", reads)
	}

	// A colleague without an identity role sees the pseudonym and the open fields only.
	analyst := h.login(h.user(h.agencyA, core.RoleAnalyst), "/")
	av := h.get(analyst, page)
	if av.status != 200 || !strings.Contains(av.body, `id="pseudonym-notice"`) || strings.Contains(av.body, "Anatolio") ||
		strings.Contains(av.body, "4.812.377") || strings.Contains(av.body, "/photo") || !strings.Contains(av.body, "Pobreza") {
		t.Errorf("analyst's view: %d\n%s", av.status, av.body)
	}
	if len(h.auditRows(persons.ActionIdentityRead)) != 2 {
		t.Error("a pseudonymous view was recorded as a reveal")
	}
	// Another agency's officer gets not found, for the page and the photo.
	other := h.login(h.user(h.agencyB, core.RoleInvestigator), "/")
	if r := h.get(other, page); r.status != 404 || strings.Contains(r.body, "V-2026") {
		t.Errorf("other agency: %d", r.status)
	}

	// The list shows pseudonyms only; the search, by POST, finds a misspelt surname by sound.
	list := h.get(c, "/persons")
	if !strings.Contains(list.body, "V-2026-00001") || strings.Contains(list.body, "Anatolio") {
		t.Errorf("list: %s", list.body)
	}
	res := h.post(c, "/persons/search", url.Values{"by": {"name"}, "q": {"Venítez"}})
	if res.status != 200 || !strings.Contains(res.body, "V-2026-00001") || !strings.Contains(res.body, "Anatolio Ysapy Giménez Benítez") ||
		!strings.Contains(res.body, "Por cómo suena") || !strings.Contains(res.body, `id="identity-notice"`) {
		t.Errorf("search by sound: %d\n%s", res.status, res.body)
	}
	if res := h.post(analyst, "/persons/search", url.Values{"by": {"document"}, "q": {"4812377"}}); !strings.Contains(res.body, "V-2026-00001") ||
		strings.Contains(res.body, "Anatolio") || strings.Contains(res.body, "identity-notice") {
		t.Errorf("analyst's search: %s", res.body)
	}
	if res := h.post(other, "/persons/search", url.Values{"by": {"phone"}, "q": {"0981457219"}}); res.status != 200 ||
		!strings.Contains(res.body, `id="no-results"`) {
		t.Errorf("other agency's search: %d", res.status)
	}
	if res := h.post(c, "/persons/search", url.Values{"by": {"name"}, "q": {"de la"}}); res.status != 400 || !strings.Contains(res.body, `href="#q"`) {
		t.Errorf("a search without words: %d", res.status)
	}

	// Editing shows the identity (recorded), keeps what is not changed, and records which
	// fields changed.
	edit := h.get(c, page+"/edit")
	if edit.status != 200 || !strings.Contains(edit.body, `value="Giménez"`) || !strings.Contains(edit.body, "Tolito\nEl Ruso") ||
		!strings.Contains(edit.body, `id="identity-notice"`) || !strings.Contains(edit.body, `name="version" value="1"`) {
		t.Fatalf("edit form: %d\n%s", edit.status, edit.body)
	}
	changed := boyForm()
	changed.Set("paternal_surname", "Villalba")
	changed.Set("version", "1")
	changed.Set("pseudonym", "V-2026-00001")
	if r := h.postMultipart(c, page+"/edit", changed, nil); r.status != http.StatusSeeOther {
		t.Fatalf("update: %d\n%s", r.status, r.body)
	}
	up := h.auditRows(persons.ActionUpdate)
	if len(up) != 1 || !slices.Equal(up[0].Fields, []string{"paternal_surname"}) {
		t.Errorf("update audit: %+v", up)
	}
	if v := h.get(c, page); !strings.Contains(v.body, "Villalba") || !strings.Contains(v.body, `/photo"`) {
		t.Error("the change or the photo is missing")
	}
	// The same stale form again is a conflict, shown as such.
	if r := h.postMultipart(c, page+"/edit", changed, nil); r.status != http.StatusConflict {
		t.Errorf("stale edit: %d", r.status)
	}
	// The analyst may see the person but not edit them.
	if r := h.get(analyst, page+"/edit"); r.status != 403 {
		t.Errorf("analyst edit form: %d", r.status)
	}
}

// Every persons page and API call, made by every role of agency A about a person of agency B,
// shows nothing of that person: names, document, phone, pseudonym.
func TestPersonsNeverCrossAgencies(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t), harnessOptions{waiveSecondFactor: true})
	ctx := context.Background()
	p, err := h.persons.Create(ctx, core.SystemActor, persons.Input{AgencyID: h.agencyB.ID, Kind: persons.KindVictim,
		Photo: matrixPNG(), Identity: persons.Identity{GivenNames: "Zenóbia", PaternalSurname: "Quiñónez",
			Document: persons.Document{Type: "ci", Number: "8306194"}, Phones: []string{"0985 613 047"}}})
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{"Zenóbia", "Quiñónez", "8306194", "613 047", "+595985613047", p.Pseudonym}
	id := fmt.Sprint(p.ID)
	for _, role := range core.AllRoles {
		u := h.user(h.agencyA, role)
		c := h.login(u, "/")
		tok := h.token(u)
		var rs []response
		for _, path := range []string{"/persons", "/persons/" + id, "/persons/" + id + "/edit", "/persons/" + id + "/photo"} {
			rs = append(rs, h.get(c, path))
		}
		// The queries are spelt unlike the secrets: the page repeats what the user typed.
		for _, q := range []url.Values{{"by": {"name"}, "q": {"zenobia kinones"}}, {"by": {"document"}, "q": {"8-306-194"}},
			{"by": {"phone"}, "q": {"0985613047"}}} {
			rs = append(rs, h.post(c, "/persons/search", q))
		}
		rs = append(rs, h.postMultipart(c, "/persons/"+id+"/edit", url.Values{"kind": {"victim"}}, nil))
		rs = append(rs, h.api("GET", "/api/v1/persons", tok, ""), h.api("GET", "/api/v1/persons/"+id, tok, ""),
			h.api("PUT", "/api/v1/persons/"+id, tok, `{"kind": "victim"}`),
			h.api("POST", "/api/v1/persons/search", tok, `{"by": "name", "q": "Quiñonez"}`),
			h.api("POST", "/api/v1/persons/search", tok, `{"by": "document", "q": "8-306-194"}`))
		for i, r := range rs {
			for _, s := range secrets {
				if strings.Contains(r.body, s) {
					t.Errorf("%s, call %d: response (%d) shows %q", role, i, r.status, s)
				}
			}
		}
	}
	// Nobody of agency A changed the person.
	got, err := h.persons.Get(ctx, core.Actor{UserID: 1, AgencyID: h.agencyB.ID, Roles: []core.Role{core.RoleInvestigator}}, p.ID)
	if err != nil || got.Version != 1 || got.Identity.GivenNames != "Zenóbia" {
		t.Errorf("agency B's person after agency A's attempts: %+v %v", got, err)
	}
}

// A ciphertext copied by hand from one person's row to another's shows a clear error on the
// page and in the API, never the other person.
func TestPersonTamperedPage(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t), harnessOptions{waiveSecondFactor: true})
	ctx := context.Background()
	u := h.user(h.agencyA, core.RoleInvestigator)
	a, _ := h.persons.Create(ctx, core.SystemActor, persons.Input{AgencyID: h.agencyA.ID, Kind: persons.KindVictim,
		Identity: persons.Identity{GivenNames: "Primera"}})
	b, _ := h.persons.Create(ctx, core.SystemActor, persons.Input{AgencyID: h.agencyA.ID, Kind: persons.KindVictim,
		Identity: persons.Identity{GivenNames: "Segunda"}})
	if err := h.db.ExecForTest(ctx, fmt.Sprintf(`UPDATE persons SET given_names = (SELECT given_names FROM persons WHERE id = %d) WHERE id = %d`, a.ID, b.ID)); err != nil {
		t.Fatal(err)
	}
	c := h.login(u, "/")
	r := h.get(c, fmt.Sprintf("/persons/%d", b.ID))
	if r.status != 500 || !strings.Contains(r.body, "fueron alterados o copiados de otro registro") || strings.Contains(r.body, "Primera") {
		t.Errorf("page: %d\n%s", r.status, r.body)
	}
	r = h.api("GET", fmt.Sprintf("/api/v1/persons/%d", b.ID), h.token(u), "")
	if r.status != 500 || !strings.Contains(r.body, "copiados de otro registro") || strings.Contains(r.body, "Primera") {
		t.Errorf("API: %d %s", r.status, r.body)
	}
}

// syncBuffer collects a server's log lines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.b.Bytes()...)
}

// leakForms returns the ways a value could be written down: as typed, lower and upper case,
// without accents, normalised as the indexes normalise it, and in UTF-16 both ways.
func leakForms(values ...string) [][]byte {
	var out [][]byte
	seen := map[string]bool{}
	add := func(s string) {
		forms := [][]byte{[]byte(s)}
		u := utf16.Encode([]rune(s))
		le, be := make([]byte, 2*len(u)), make([]byte, 2*len(u))
		for i, c := range u {
			le[2*i], le[2*i+1] = byte(c), byte(c>>8)
			be[2*i], be[2*i+1] = byte(c>>8), byte(c)
		}
		for _, f := range append(forms, le, be) {
			if len(f) >= 4 && !seen[string(f)] {
				seen[string(f)] = true
				out = append(out, f)
			}
		}
	}
	strip := func(s string) string {
		var b strings.Builder
		for _, r := range norm.NFD.String(s) {
			if r < 0x300 || r > 0x36f {
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	for _, v := range values {
		for _, s := range []string{v, strings.ToLower(v), strings.ToUpper(v), strip(v), strings.ToLower(strip(v)),
			persons.NormalizeName(v), persons.NormalizeDocument(v)} {
			add(s)
		}
		if p, err := persons.NormalizePhone(v); err == nil {
			add(p)
			add(strings.TrimPrefix(p, "+"))
		}
	}
	return out
}

// The first test: persons with distinctive synthetic names, documents and phones are
// created, read, searched and changed through the pages and the API of a server writing its
// logs; then every byte of the data directory (database, WAL, journal, key file, anything
// else) and of the logs is searched for each value in several forms. None is found.
func TestPersonsLeaveNoTraceOutsideTheSeal(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "nanduti.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	ring, err := seal.CreateRing(filepath.Join(dir, "keys", "kek.json"))
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	h := &harness{t: t, db: db, accounts: accounts.New(db.Accounts(), accounts.Config{Password: cheap, SecondFactorWaived: true})}
	h.persons = persons.New(db.Persons(), ring, persons.Config{})
	srv, err := web.New(web.Config{Accounts: h.accounts, Audit: audit.NewService(db.Audit()), Ping: db.Ping, Version: "test",
		Persons: h.persons, Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	h.server, h.ts = srv, httptest.NewTLSServer(srv)
	defer h.ts.Close()
	tf, _ := h.accounts.EnsureTaskForce(ctx, core.SystemActor, "Mesa de prueba", "")
	h.agencyA, _ = h.accounts.CreateAgency(ctx, core.SystemActor, accounts.NewAgency{TaskForceID: tf.ID, Code: "AAA", Name: "Agencia A", Kind: core.AgencyPolice})
	officer := h.user(h.agencyA, core.RoleInvestigator)
	c := h.login(officer, "/")
	tok := h.token(officer)

	form := url.Values{"kind": {"witness"}, "given_names": {"Zenóbia Ñandeyára"}, "paternal_surname": {"Quiñónez-Ybyraró"},
		"maternal_surname": {"Mbokajáty"}, "other_names": {"La Kuñataí Verá"}, "birth_date": {"1991-07-23"},
		"document_type": {"ci"}, "document_number": {"8.306.194"}, "phones": {"0985 613 047"},
		"addresses": {"Calle Yvaroty 4417, Hernandarias"}, "nationality_documents": {"ARG 37.118.522"}}
	r := h.postMultipart(c, "/persons", form, nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	page := r.header.Get("Location")
	body := `{"kind": "suspect", "identity": {"given_names": "Críspulo Ávalos", "paternal_surname": "Irigoitía",
		"document": {"type": "passport", "number": "FZ-449107", "country": "BRA"}, "phones": ["+55 45 99812 7730"]}}`
	api := h.api("POST", "/api/v1/persons", tok, body)
	if api.status != 201 {
		t.Fatalf("API create: %d %s", api.status, api.body)
	}
	var created struct{ ID int64 }
	json.Unmarshal([]byte(api.body), &created)
	h.get(c, page)
	h.get(c, page+"/edit")
	form.Set("version", "1")
	form.Set("addresses", "Calle Yvaroty 4417, Hernandarias\nKilómetro 11, Minga Guazú")
	h.postMultipart(c, page+"/edit", form, nil)
	h.api("GET", fmt.Sprintf("/api/v1/persons/%d", created.ID), tok, "")
	for _, q := range []url.Values{{"by": {"name"}, "q": {"Quiñónez"}}, {"by": {"name"}, "q": {"Kiñones Irigoitia"}},
		{"by": {"document"}, "q": {"8306194"}}, {"by": {"phone"}, "q": {"0985 613 047"}}} {
		if r := h.post(c, "/persons/search", q); r.status != 200 {
			t.Fatalf("search %v: %d", q, r.status)
		}
	}
	h.api("POST", "/api/v1/persons/search", tok, `{"by": "document", "q": "fz 449107"}`)
	h.api("POST", "/api/v1/persons/search", tok, `{"by": "phone", "q": "+55 45 99812-7730"}`)
	// A failed form and a failed API call must not echo the values into logs either.
	h.postMultipart(c, "/persons", url.Values{"kind": {"witness"}, "given_names": {"Zenóbia"}, "phones": {"Hernandarias"}}, nil)
	metrics := h.get(h.client(), "/metrics")

	values := []string{"Zenóbia", "Ñandeyára", "Quiñónez", "Ybyraró", "Mbokajáty", "Kuñataí", "Verá", "1991-07-23",
		"8.306.194", "8306194", "0985 613 047", "Yvaroty", "Hernandarias", "Minga Guazú", "37.118.522", "Críspulo",
		"Ávalos", "Irigoitía", "FZ-449107", "+55 45 99812 7730", "Kiñones"}
	forms := leakForms(values...)
	scanned, files := 0, map[string]bool{}
	scan := func() {
		filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			scanned += len(b)
			files[filepath.Base(path)] = true
			for _, f := range forms {
				if bytes.Contains(b, f) {
					t.Errorf("%s holds %q", strings.TrimPrefix(path, dir), f)
				}
			}
			return nil
		})
	}
	// Once while the database is open (its write-ahead log holds the recent pages), once
	// after it was closed and checkpointed.
	scan()
	h.ts.Close()
	db.Close()
	scan()
	for _, want := range []string{"nanduti.db", "nanduti.db-wal", "kek.json"} {
		if !files[want] {
			t.Errorf("the scan never saw %s (saw %v)", want, files)
		}
	}
	logBytes := logs.Bytes()
	if len(logBytes) < 1000 || !bytes.Contains(logBytes, []byte(`"route":"POST /persons/search"`)) {
		t.Fatalf("the logs are not what the test expects: %d bytes", len(logBytes))
	}
	for _, f := range forms {
		if bytes.Contains(logBytes, f) {
			t.Errorf("the logs hold %q", f)
		}
		if strings.Contains(metrics.body, string(f)) {
			t.Errorf("the metrics hold %q", f)
		}
	}
	t.Logf("%d bytes of files and %d bytes of logs scanned for %d forms of %d values", scanned, len(logBytes), len(forms), len(values))
}

// The API answers as its OpenAPI document says, in every case this test makes it answer.
func TestPersonsAPIResponsesMatchTheDocument(t *testing.T) {
	v := loadValidator(t)
	h := newHarness(t, storetest.OpenSQLite(t), harnessOptions{waiveSecondFactor: true})
	inv, analyst := h.user(h.agencyA, core.RoleInvestigator), h.user(h.agencyA, core.RoleAnalyst)
	tok, atok := h.token(inv), h.token(analyst)
	photo := base64.StdEncoding.EncodeToString(matrixPNG())
	createBody := `{"kind": "victim", "gender": "Masculine", "age_at_identification": 15, "citizenship": ["PY"],
		"primary_language": "gn", "department": "10", "district": "11", "vulnerabilities": ["Poverty"],
		"identity": {"given_names": "Anatolio", "paternal_surname": "Giménez", "other_names": ["Tolito"],
		"document": {"type": "ci", "number": "4812377"}, "nationality_documents": [{"type": "passport", "number": "FZ1", "country": "BRA"}],
		"phones": ["0981 457 219"]}, "photo": {"content_type": "image/png", "data": "` + photo + `"}}`
	created := h.api("POST", "/api/v1/persons", tok, createBody)
	var p struct {
		ID      int64
		Version int
	}
	json.Unmarshal([]byte(created.body), &p)
	id := fmt.Sprint(p.ID)
	calls := []struct {
		method, path, token, body string
		status                    int
	}{
		{"POST", "/api/v1/persons", tok, createBody, 201},
		{"POST", "/api/v1/persons", tok, `{"kind": "spy", "identity": {"phones": ["no"]}}`, 400},
		{"POST", "/api/v1/persons", tok, `{"kind": "victim", "photo": {"content_type": "image/png", "data": "bm90IGFuIGltYWdl"}}`, 400},
		{"POST", "/api/v1/persons", atok, `{"kind": "victim"}`, 403},
		{"GET", "/api/v1/persons", tok, "", 200},
		{"GET", "/api/v1/persons?limit=1&before=" + id, tok, "", 200},
		{"GET", "/api/v1/persons?limit=0", tok, "", 400},
		{"GET", "/api/v1/persons/" + id, tok, "", 200},
		{"GET", "/api/v1/persons/" + id, atok, "", 200},
		{"GET", "/api/v1/persons/999999", tok, "", 404},
		{"PUT", "/api/v1/persons/" + id, tok, `{"kind": "victim", "version": 1, "identity": {"given_names": "Anatolio", "paternal_surname": "Villalba"}}`, 200},
		{"PUT", "/api/v1/persons/" + id, tok, `{"kind": "victim", "version": 1}`, 409},
		{"PUT", "/api/v1/persons/" + id, atok, `{"kind": "victim"}`, 403},
		{"POST", "/api/v1/persons/search", tok, `{"by": "name", "q": "Vilalva"}`, 200},
		{"POST", "/api/v1/persons/search", atok, `{"by": "document", "q": "4.812.377"}`, 200},
		{"POST", "/api/v1/persons/search", tok, `{"by": "email", "q": "x"}`, 400},
		{"GET", "/api/v1/persons", "", "", 401},
	}
	for _, c := range calls {
		var body io.Reader
		if c.body != "" {
			body = strings.NewReader(c.body)
		}
		req, _ := http.NewRequest(c.method, h.ts.URL+c.path, body)
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := h.client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s %s: %d, want %d: %s", c.method, c.path, resp.StatusCode, c.status, raw)
		}
		resp.Body = io.NopCloser(bytes.NewReader(raw))
		vreq, _ := http.NewRequest(c.method, "http://nanduti.example"+c.path, nil)
		vreq.Header.Set("Content-Type", "application/json")
		if ok, errs := v.ValidateHttpResponse(vreq, resp); !ok {
			for _, e := range errs {
				t.Errorf("%s %s → %d: %s: %s", c.method, c.path, resp.StatusCode, e.Message, e.Reason)
			}
		}
	}
	// The identified answer carries identity and photo; the analyst's carries neither.
	full := h.api("GET", "/api/v1/persons/"+id, tok, "")
	pseudo := h.api("GET", "/api/v1/persons/"+id, atok, "")
	if !strings.Contains(full.body, `"paternal_surname": "Villalba"`) || !strings.Contains(full.body, `"content_type": "image/png"`) ||
		!strings.Contains(full.body, `"view": "identified"`) {
		t.Errorf("identified answer: %s", full.body)
	}
	if strings.Contains(pseudo.body, "Anatolio") || strings.Contains(pseudo.body, "photo") || !strings.Contains(pseudo.body, `"view": "pseudonymous"`) {
		t.Errorf("pseudonymous answer: %s", pseudo.body)
	}
}
