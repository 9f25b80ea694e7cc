package persons_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"nanduti/internal/access"
	"nanduti/internal/accounts"
	"nanduti/internal/audit"
	"nanduti/internal/core"
	"nanduti/internal/persons"
	"nanduti/internal/seal"
	"nanduti/internal/store"
	"nanduti/internal/store/storetest"
)

type fixture struct {
	db      *store.DB
	ring    *seal.Ring
	svc     *persons.Service
	audit   *audit.Service
	clock   *core.FixedClock
	agencyA core.Agency
	agencyB core.Agency
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	clock := core.NewFixedClock(time.Date(2026, 3, 9, 14, 0, 0, 0, time.UTC))
	ring, err := seal.CreateRing(filepath.Join(t.TempDir(), "keys", "kek.json"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, ring: ring, clock: clock, audit: audit.NewService(db.Audit()),
		svc: persons.New(db.Persons(), ring, persons.Config{Clock: clock})}
	acc := accounts.New(db.Accounts(), accounts.Config{Clock: clock})
	tf, err := acc.EnsureTaskForce(ctx, core.SystemActor, "Mesa de prueba", "Alto Paraná")
	if err != nil {
		t.Fatal(err)
	}
	if f.agencyA, err = acc.CreateAgency(ctx, core.SystemActor, accounts.NewAgency{TaskForceID: tf.ID, Code: "MTESS", Name: "Trabajo", Kind: core.AgencyLabour}); err != nil {
		t.Fatal(err)
	}
	if f.agencyB, err = acc.CreateAgency(ctx, core.SystemActor, accounts.NewAgency{TaskForceID: tf.ID, Code: "PN", Name: "Policía", Kind: core.AgencyPolice}); err != nil {
		t.Fatal(err)
	}
	return f
}

var nextUser int64 = 100

// actor is a signed-in user of agency with the roles (users need not exist for the service).
func actor(agency core.Agency, roles ...core.Role) core.Actor {
	nextUser++
	return core.Actor{UserID: nextUser, AgencyID: agency.ID, TaskForceID: agency.TaskForceID, Roles: roles}
}

func age(n int) *int { return &n }

// boy is the synthetic 15-year-old of the brick kiln story; every value is invented.
func boy() persons.Input {
	return persons.Input{
		Kind: persons.KindVictim,
		Profile: persons.Profile{Gender: "Masculine", AgeAtIdentification: age(15), Citizenship: []string{"py"},
			PrimaryLanguage: "grn", Department: "10", District: "01", Vulnerabilities: []string{"Poverty", "Education", "Poverty"}},
		Identity: persons.Identity{
			GivenNames: "Anatolio Ysapy", PaternalSurname: "Giménez", MaternalSurname: "Benítez",
			OtherNames: []string{"Tolito", ""}, BirthDate: "2010-11-02",
			Document:             persons.Document{Type: "ci", Number: "4.812.377", Country: "PY"},
			NationalityDocuments: []persons.Document{{Number: "BR-77120934", Country: "BRA"}},
			Phones:               []string{"0981 457 219"},
			Addresses:            []string{"Barrio San Juan, Minga Guazú"},
		},
	}
}

func (f *fixture) actions(t *testing.T, action string) []audit.Record {
	t.Helper()
	rows, err := f.audit.List(context.Background(), core.SystemActor, audit.Filter{Action: action, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestCreateAndGet(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		inspector := actor(f.agencyA, core.RoleLabourInspector)
		p, err := f.svc.Create(ctx, inspector, boy())
		if err != nil {
			t.Fatal(err)
		}
		if p.Pseudonym != "V-2026-00001" || p.Identity != nil || p.Profile.BirthYear != 2010 {
			t.Errorf("created: %+v", p)
		}
		if got := p.Profile.Citizenship; !slices.Equal(got, []string{"PRY"}) {
			t.Errorf("citizenship stored as %v", got)
		}
		if got := p.Profile.Vulnerabilities; !slices.Equal(got, []string{"Poverty", "Education"}) {
			t.Errorf("vulnerabilities %v", got)
		}
		if len(f.actions(t, persons.ActionIdentityRead)) != 0 {
			t.Error("creating revealed the identity")
		}
		created := f.actions(t, persons.ActionCreate)
		if len(created) != 1 || !slices.Contains(created[0].Fields, "given_names") || !slices.Contains(created[0].Fields, "phones") ||
			created[0].ObjectAgencyID != f.agencyA.ID {
			t.Errorf("create audit: %+v", created)
		}

		got, err := f.svc.Get(ctx, inspector, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := persons.Identity{GivenNames: "Anatolio Ysapy", PaternalSurname: "Giménez", MaternalSurname: "Benítez",
			OtherNames: []string{"Tolito"}, BirthDate: "2010-11-02",
			Document:             persons.Document{Type: "ci", Number: "4.812.377", Country: "PRY"},
			NationalityDocuments: []persons.Document{{Type: "other", Number: "BR-77120934", Country: "BRA"}},
			Phones:               []string{"+595981457219"}, Addresses: []string{"Barrio San Juan, Minga Guazú"}}
		if got.View != access.ViewIdentified || got.Identity == nil || !equalIdentity(*got.Identity, want) {
			t.Errorf("identified view: %+v %+v", got.View, got.Identity)
		}
		reads := f.actions(t, persons.ActionIdentityRead)
		if len(reads) != 1 || reads[0].ActorUserID != inspector.UserID || reads[0].ObjectID != strconv.FormatInt(p.ID, 10) ||
			!slices.Equal(reads[0].Fields, persons.SealedFields) {
			t.Errorf("identity read audit: %+v", reads)
		}

		// Colleagues without an identity role see the pseudonym; other agencies and roles
		// without business with persons see nothing.
		for _, c := range []struct {
			actor core.Actor
			view  access.View
		}{
			{actor(f.agencyA, core.RoleAnalyst), access.ViewPseudonymous},
			{actor(f.agencyA, core.RoleAuditor), access.ViewPseudonymous},
			{actor(f.agencyA, core.RoleAgencyAdmin), access.ViewPseudonymous},
			{actor(f.agencyA, core.RoleTrainer), access.ViewNone},
			{actor(f.agencyA, core.RoleSystemAdmin), access.ViewNone},
			{actor(f.agencyB, core.RoleInvestigator), access.ViewNone},
			{actor(f.agencyB, core.RoleAnalyst), access.ViewNone},
			{core.Actor{}, access.ViewNone},
		} {
			got, err := f.svc.Get(ctx, c.actor, p.ID)
			switch {
			case c.view == access.ViewNone && !core.Is(err, core.NotFound):
				t.Errorf("%v of agency %d: %v, want not found", c.actor.Roles, c.actor.AgencyID, err)
			case c.view != access.ViewNone && (err != nil || got.View != c.view || got.Identity != nil):
				t.Errorf("%v: view %v identity %v err %v", c.actor.Roles, got.View, got.Identity, err)
			}
		}
		if n := len(f.actions(t, persons.ActionIdentityRead)); n != 1 {
			t.Errorf("%d identity reads after pseudonymous views, want 1", n)
		}
		if _, err := f.svc.Get(ctx, inspector, 999999); !core.Is(err, core.NotFound) {
			t.Errorf("missing person: %v", err)
		}
	})
}

// testPNG is a small synthetic image for photo fields.
func testPNG(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 24, 32))
	img.Set(3, 4, color.RGBA{10, 120, 60, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func equalIdentity(a, b persons.Identity) bool {
	return a.GivenNames == b.GivenNames && a.PaternalSurname == b.PaternalSurname && a.MaternalSurname == b.MaternalSurname &&
		slices.Equal(a.OtherNames, b.OtherNames) && a.BirthDate == b.BirthDate && a.Document == b.Document &&
		slices.Equal(a.NationalityDocuments, b.NationalityDocuments) && slices.Equal(a.Phones, b.Phones) &&
		slices.Equal(a.Addresses, b.Addresses)
}

func TestCreateValidatesAndChecksAccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		for _, role := range []core.Role{core.RoleAnalyst, core.RoleTrainer, core.RoleAuditor, core.RoleAgencyAdmin, core.RoleSystemAdmin} {
			if _, err := f.svc.Create(ctx, actor(f.agencyA, role), boy()); !core.Is(err, core.Forbidden) {
				t.Errorf("%s created a person: %v", role, err)
			}
		}
		bad := boy()
		bad.Kind = "spy"
		bad.Profile.Gender = "Male"
		bad.Profile.AgeAtIdentification = age(200)
		bad.Profile.Citizenship = []string{"Paraguay"}
		bad.Profile.PrimaryLanguage = "klingon"
		bad.Profile.Department = "19"
		bad.Profile.District = "01"
		bad.Profile.Vulnerabilities = []string{"Bad luck"}
		bad.Identity.BirthDate = "2010-13-01"
		bad.Identity.Document = persons.Document{Type: "visa", Number: "---"}
		bad.Identity.Phones = []string{"call me"}
		bad.Identity.GivenNames = "Ana\x00"
		bad.Photo = []byte("not an image")
		_, err := f.svc.Create(ctx, actor(f.agencyA, core.RoleInvestigator), bad)
		var ce *core.Error
		if !errors.As(err, &ce) || ce.Code != core.Invalid {
			t.Fatalf("invalid input: %v", err)
		}
		fields := map[string]bool{}
		for _, fe := range ce.Fields {
			fields[fe.Field] = true
		}
		for _, want := range []string{"kind", "gender", "age_at_identification", "citizenship", "primary_language", "department",
			"district", "vulnerabilities", "birth_date", "document_type", "document_number", "phones", "given_names", "photo"} {
			if !fields[want] {
				t.Errorf("no error on %s (got %v)", want, fields)
			}
		}
		// No value typed appears in the error: it is logged and shown.
		if strings.Contains(err.Error(), "Ana") || strings.Contains(err.Error(), "call me") {
			t.Errorf("error carries input: %v", err)
		}
		mismatch := boy()
		mismatch.Profile.BirthYear = 2009
		if _, err := f.svc.Create(ctx, actor(f.agencyA, core.RoleInvestigator), mismatch); !hasField(err, "birth_year") {
			t.Errorf("birth year against birth date: %v", err)
		}
	})
}

func hasField(err error, field string) bool {
	var ce *core.Error
	if !errors.As(err, &ce) {
		return false
	}
	for _, f := range ce.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

func TestPseudonyms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		inv := actor(f.agencyA, core.RoleInvestigator)
		want := []string{"V-2026-00001", "S-2026-00002", "T-2026-00003", "R-2026-00004", "P-2026-00005"}
		for i, k := range persons.Kinds {
			p, err := f.svc.Create(ctx, inv, persons.Input{Kind: k})
			if err != nil {
				t.Fatal(err)
			}
			if p.Pseudonym != want[i] {
				t.Errorf("%s: %s, want %s", k, p.Pseudonym, want[i])
			}
		}
		// Another agency draws from the same deployment-wide sequence.
		p, _ := f.svc.Create(ctx, actor(f.agencyB, core.RoleInvestigator), persons.Input{Kind: persons.KindSuspect})
		if p.Pseudonym != "S-2026-00006" {
			t.Errorf("agency B: %s", p.Pseudonym)
		}
		f.clock.Advance(300 * 24 * time.Hour)
		p, _ = f.svc.Create(ctx, inv, persons.Input{Kind: persons.KindVictim})
		if p.Pseudonym != "V-2027-00001" {
			t.Errorf("new year: %s", p.Pseudonym)
		}
		// Changing the kind keeps the pseudonym: it is how everyone refers to the person.
		p.Kind = persons.KindWitness
		up, err := f.svc.Update(ctx, inv, p.ID, persons.Input{Kind: persons.KindWitness, Version: p.Version})
		if err != nil || up.Pseudonym != "V-2027-00001" || up.Kind != persons.KindWitness {
			t.Errorf("kind change: %+v %v", up, err)
		}
	})
}

func search(t *testing.T, f *fixture, a core.Actor, by, text string) []persons.Result {
	t.Helper()
	res, err := f.svc.Search(context.Background(), a, persons.Query{By: by, Text: text})
	if err != nil {
		t.Fatalf("search %s %q: %v", by, text, err)
	}
	return res
}

func pseudonymsOf(rs []persons.Result) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Pseudonym)
	}
	return out
}

func TestSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		inv := actor(f.agencyA, core.RoleLabourInspector)
		kid, err := f.svc.Create(ctx, inv, boy())
		if err != nil {
			t.Fatal(err)
		}
		other := boy()
		other.Identity = persons.Identity{GivenNames: "Rosalía", PaternalSurname: "Jiménez", MaternalSurname: "Ñamandú",
			Document: persons.Document{Type: "passport", Number: "FZ-118833"}, Phones: []string{"+595 21 660 114"}}
		rosalia, err := f.svc.Create(ctx, inv, other)
		if err != nil {
			t.Fatal(err)
		}
		// The same surname in agency B: never found from agency A.
		if _, err := f.svc.Create(ctx, actor(f.agencyB, core.RoleInvestigator), boy()); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			by, text string
			want     []string
		}{
			{"name", "ysapy", []string{kid.Pseudonym}},
			{"name", "GIMÉNEZ", []string{kid.Pseudonym, rosalia.Pseudonym}}, // exact first, then by sound
			{"name", "Jiménez", []string{rosalia.Pseudonym, kid.Pseudonym}}, // and the other way round
			{"name", "Venítez", []string{kid.Pseudonym}},                    // misspelt, same sound
			{"name", "anatolio de los gimenes", []string{kid.Pseudonym}},    // every word must match
			{"name", "Tolito", []string{kid.Pseudonym}},                     // an alias
			{"name", "Namandu", []string{rosalia.Pseudonym}},                // without the ñ
			{"name", "Anatolio Jiménez Ñamandú", nil},                       // words of two persons
			{"document", "4812377", []string{kid.Pseudonym}},                // formatted otherwise
			{"document", "br 77120934", []string{kid.Pseudonym}},            // a nationality document
			{"document", "fz118833", []string{rosalia.Pseudonym}},           // letters in any case
			{"phone", "+595981457219", []string{kid.Pseudonym}},             // E.164
			{"phone", "(021) 660-114", []string{rosalia.Pseudonym}},         // national format
			{"phone", "0981 000 000", nil},
		}
		for _, c := range cases {
			if got := pseudonymsOf(search(t, f, inv, c.by, c.text)); !slices.Equal(got, c.want) {
				t.Errorf("search %s %q: %v, want %v", c.by, c.text, got, c.want)
			}
		}
		res := search(t, f, inv, "name", "gimenez")
		if !res[0].Exact || res[1].Exact || res[0].Identity == nil || res[0].Identity.PaternalSurname != "Giménez" ||
			res[0].Identity.Phones != nil {
			t.Errorf("results: %+v / %+v", res[0], res[1])
		}
		// Colleagues who may not see identities get pseudonyms; other agencies nothing.
		analyst := actor(f.agencyA, core.RoleAnalyst)
		for _, r := range search(t, f, analyst, "name", "gimenez") {
			if r.Identity != nil {
				t.Errorf("analyst sees %+v", r.Identity)
			}
		}
		if got := search(t, f, actor(f.agencyB, core.RoleInvestigator), "name", "Anatolio"); len(got) != 1 || got[0].AgencyID != f.agencyB.ID {
			t.Errorf("agency B finds %+v", got)
		}
		if got := search(t, f, actor(f.agencyB, core.RoleInvestigator), "phone", "(021) 660-114"); len(got) != 0 {
			t.Errorf("agency B finds agency A's person by phone: %v", pseudonymsOf(got))
		}
		if _, err := f.svc.Search(ctx, actor(f.agencyA, core.RoleTrainer), persons.Query{By: "name", Text: "gimenez"}); !core.Is(err, core.Forbidden) {
			t.Errorf("trainer searched: %v", err)
		}
		for _, bad := range []persons.Query{{By: "name", Text: " "}, {By: "name", Text: "de la y"}, {By: "email", Text: "x"},
			{By: "phone", Text: "abc"}, {By: "name", Text: "ana bea cira dora eva fina gala"}} {
			if _, err := f.svc.Search(ctx, inv, bad); !core.Is(err, core.Invalid) {
				t.Errorf("search %+v: %v", bad, err)
			}
		}
		// Each search is recorded by what it searched by, never the words.
		for _, r := range f.actions(t, persons.ActionSearch) {
			if len(r.Fields) != 1 || !slices.Contains(persons.SearchKinds, r.Fields[0]) {
				t.Errorf("search audit %+v", r)
			}
		}
	})
}

func TestUpdate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		inv := actor(f.agencyA, core.RoleInvestigator)
		in := boy()
		in.Photo = testPNG(t)
		p, err := f.svc.Create(ctx, inv, in)
		if err != nil {
			t.Fatal(err)
		}
		in = boy()
		in.Identity.PaternalSurname = "Villalba"
		in.Identity.Phones = nil
		in.Profile.District = "02"
		in.Version = p.Version
		up, err := f.svc.Update(ctx, inv, p.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if up.Version != p.Version+1 || up.Identity != nil {
			t.Errorf("update returns %+v", up)
		}
		rows := f.actions(t, persons.ActionUpdate)
		if len(rows) != 1 || !slices.Equal(rows[0].Fields, []string{"paternal_surname", "phones", "district"}) {
			t.Errorf("update audit: %+v", rows)
		}
		if got := search(t, f, inv, "name", "Giménez"); len(got) != 0 {
			t.Errorf("the old surname still finds the person")
		}
		if got := search(t, f, inv, "name", "Villalba"); len(got) != 1 {
			t.Errorf("the new surname does not find the person")
		}
		if got := search(t, f, inv, "phone", "0981 457 219"); len(got) != 0 {
			t.Errorf("a removed phone still finds the person")
		}
		// The photo stayed; a stale edit is refused; only the owning agency's identity roles
		// may edit.
		if b, ct, err := f.svc.Photo(ctx, inv, p.ID); err != nil || ct != "image/png" || len(b) == 0 {
			t.Errorf("photo after update: %q %v", ct, err)
		}
		if _, err := f.svc.Update(ctx, inv, p.ID, in); !core.Is(err, core.Conflict) {
			t.Errorf("stale version: %v", err)
		}
		in.Version = 0
		if _, err := f.svc.Update(ctx, actor(f.agencyA, core.RoleAnalyst), p.ID, in); !core.Is(err, core.Forbidden) {
			t.Errorf("analyst edit: %v", err)
		}
		if _, err := f.svc.Update(ctx, actor(f.agencyB, core.RoleInvestigator), p.ID, in); !core.Is(err, core.NotFound) {
			t.Errorf("other agency edit: %v", err)
		}
		in.RemovePhoto = true
		if _, err := f.svc.Update(ctx, inv, p.ID, in); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.Photo(ctx, inv, p.ID); !core.Is(err, core.NotFound) {
			t.Errorf("removed photo: %v", err)
		}
	})
}

func TestPhotoAccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		inv := actor(f.agencyA, core.RoleInvestigator)
		in := boy()
		in.Photo = testPNG(t)
		p, err := f.svc.Create(ctx, inv, in)
		if err != nil {
			t.Fatal(err)
		}
		b, ct, err := f.svc.Photo(ctx, inv, p.ID)
		if err != nil || ct != "image/png" || string(b) != string(in.Photo) {
			t.Fatalf("photo: %q %v", ct, err)
		}
		reads := f.actions(t, persons.ActionIdentityRead)
		if len(reads) != 1 || !slices.Equal(reads[0].Fields, []string{"photo"}) {
			t.Errorf("photo audit: %+v", reads)
		}
		got, _ := f.svc.Get(ctx, inv, p.ID)
		if !got.HasPhoto {
			t.Error("HasPhoto is false")
		}
		for _, a := range []core.Actor{actor(f.agencyA, core.RoleAnalyst), actor(f.agencyB, core.RoleInvestigator)} {
			if _, _, err := f.svc.Photo(ctx, a, p.ID); !core.Is(err, core.NotFound) {
				t.Errorf("%v sees the photo: %v", a.Roles, err)
			}
		}
	})
}

// A sealed value copied from one person's row into another's, by hand in the database, fails
// to open with a clear error instead of showing the wrong person; so does a whole identity
// (data key and every sealed column) moved between rows.
func TestSwappedCiphertextsDoNotOpen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		inv := actor(f.agencyA, core.RoleInvestigator)
		a, _ := f.svc.Create(ctx, inv, boy())
		other := boy()
		other.Identity.GivenNames = "Rosalía"
		b, _ := f.svc.Create(ctx, inv, other)
		c, _ := f.svc.Create(ctx, inv, other)
		copyCols := func(cols string, from, to int64) {
			t.Helper()
			var sets []string
			for _, col := range strings.Split(cols, ",") {
				sets = append(sets, col+" = (SELECT "+col+" FROM persons WHERE id = "+strconv.FormatInt(from, 10)+")")
			}
			if err := db.ExecForTest(ctx, "UPDATE persons SET "+strings.Join(sets, ", ")+" WHERE id = "+strconv.FormatInt(to, 10)); err != nil {
				t.Fatal(err)
			}
		}
		copyCols("given_names", a.ID, b.ID)
		_, err := f.svc.Get(ctx, inv, b.ID)
		var ce *core.Error
		if !errors.As(err, &ce) || ce.Key != persons.ErrTamperedKey || !errors.Is(err, seal.ErrWrongDataKey) {
			t.Errorf("swapped given_names: %v", err)
		}
		if strings.Contains(err.Error(), "Anatolio") || strings.Contains(err.Error(), "Rosalía") {
			t.Errorf("the error names someone: %v", err)
		}
		copyCols("kek_id,data_key,"+strings.Join(persons.SealedFields, ","), a.ID, c.ID)
		if _, err := f.svc.Get(ctx, inv, c.ID); !errors.Is(err, seal.ErrTampered) {
			t.Errorf("moved identity: %v", err)
		}
		// Search results carrying a tampered row fail the same way rather than show it.
		if _, err := f.svc.Search(ctx, inv, persons.Query{By: "name", Text: "Rosalía"}); !errors.Is(err, seal.ErrTampered) {
			t.Errorf("search over a tampered row: %v", err)
		}
		// Nothing of the failed reads reached the audit chain as a reveal.
		if n := len(f.actions(t, persons.ActionIdentityRead)); n != 0 {
			t.Errorf("%d reveals recorded for reads that failed", n)
		}
		if _, err := f.svc.Get(ctx, inv, a.ID); err != nil {
			t.Errorf("the source row still opens: %v", err)
		}
	})
}

func TestList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		inv := actor(f.agencyA, core.RoleInvestigator)
		for range 5 {
			if _, err := f.svc.Create(ctx, inv, boy()); err != nil {
				t.Fatal(err)
			}
		}
		f.svc.Create(ctx, actor(f.agencyB, core.RoleInvestigator), boy())
		page, err := f.svc.List(ctx, inv, 0, 3)
		if err != nil || len(page) != 3 || page[0].Pseudonym != "V-2026-00005" {
			t.Fatalf("first page: %v %v", pseudonymsOfPersons(page), err)
		}
		rest, _ := f.svc.List(ctx, inv, page[2].ID, 3)
		if len(rest) != 2 || rest[1].Pseudonym != "V-2026-00001" {
			t.Errorf("second page: %v", pseudonymsOfPersons(rest))
		}
		for _, p := range append(page, rest...) {
			if p.Identity != nil || p.AgencyID != f.agencyA.ID {
				t.Errorf("list shows %+v", p)
			}
		}
		if _, err := f.svc.List(ctx, actor(f.agencyA, core.RoleTrainer), 0, 10); !core.Is(err, core.Forbidden) {
			t.Errorf("trainer list: %v", err)
		}
	})
}

func pseudonymsOfPersons(ps []persons.Person) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Pseudonym)
	}
	return out
}

// One-word searches take a shorter path in the store; its results and order must be those of
// the general query: exact matches newest first, then matches by sound, up to the limit.
func TestSearchLimitAndOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		svc := persons.New(db.Persons(), f.ring, persons.Config{Clock: f.clock, SearchLimit: 3})
		inv := actor(f.agencyA, core.RoleInvestigator)
		var made []string
		for _, surname := range []string{"Giménez", "Jiménez", "Giménez", "Jiménez", "Gimenes", "Jiménez"} {
			p, err := svc.Create(ctx, inv, persons.Input{Kind: persons.KindVictim, Identity: persons.Identity{PaternalSurname: surname, GivenNames: "Ana"}})
			if err != nil {
				t.Fatal(err)
			}
			made = append(made, p.Pseudonym)
		}
		cases := []struct {
			text string
			want []string
		}{
			{"Jiménez", []string{made[5], made[3], made[1]}},     // three exact, newest first
			{"Giménez", []string{made[2], made[0], made[5]}},     // two exact, then the newest by sound
			{"Ana Giménez", []string{made[2], made[0], made[5]}}, // the general query agrees
			{"Gimenes", []string{made[4], made[5], made[3]}},
		}
		for _, c := range cases {
			res, err := svc.Search(ctx, inv, persons.Query{By: "name", Text: c.text})
			if err != nil {
				t.Fatal(err)
			}
			if got := pseudonymsOf(res); !slices.Equal(got, c.want) {
				t.Errorf("%q: %v, want %v", c.text, got, c.want)
			}
		}
	})
}
