package analysis_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"nanduti/internal/audit"
	"nanduti/internal/core"
	"nanduti/internal/stats"
	"nanduti/internal/stats/analysis"
	"nanduti/internal/store"
	"nanduti/internal/store/storetest"
)

var v2024Header = "yearOfRegistration,gender,ageBroad,citizenship,CountryOfExploitation,traffickMonths," +
	"meansDebtBondageEarnings,meansThreats,meansAbusePsyPhySex,meansFalsePromises,meansDrugsAlcohol,meansDenyBasicNeeds," +
	"meansExcessiveWorkHours,meansWithholdDocs,isForcedLabour,isSexualExploit,isOtherExploit,typeOfLabourAgriculture," +
	"typeOfLabourConstruction,typeOfLabourDomesticWork,typeOfLabourHospitality,typeOfSexProstitution,typeOfSexPornography," +
	"recruiterRelationIntimatePartner,recruiterRelationFriend,recruiterRelationFamily,recruiterRelationOther\n"

// syntheticCTDC writes n synthetic v2024 rows: years 2019-2021 in turn, every third a man,
// forced labour on even rows and sexual exploitation on odd ones, citizenship PRY or BRA.
func syntheticCTDC(n int) string {
	var b strings.Builder
	b.WriteString(v2024Header)
	for i := range n {
		gender := "Woman"
		if i%3 == 0 {
			gender = "Man"
		}
		fl, se := "1", ""
		if i%2 == 1 {
			fl, se = "", "1"
		}
		cit := "PRY"
		if i%5 == 0 {
			cit = "BRA"
		}
		fmt.Fprintf(&b, "%d,%s,18--20,%s,PRY,,,,,,,,,,%s,%s,,,,,,,,,,,\n", 2019+i%3, gender, cit, fl, se)
	}
	return b.String()
}

type env struct {
	svc     *analysis.Service
	db      *store.DB
	analyst core.Actor
	other   core.Actor
	admin   core.Actor
}

func newEnv(t *testing.T, db *store.DB, batch int) env {
	t.Helper()
	clock := core.NewFixedClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	return env{
		svc: analysis.New(db.Analysis(), analysis.Config{Clock: clock, BatchSize: batch}),
		db:  db,
		// The actors' users need not exist for the dataset tables: the audit chain records ids.
		analyst: core.Actor{UserID: 1, AgencyID: 1, Roles: []core.Role{core.RoleAnalyst}},
		other:   core.Actor{UserID: 2, AgencyID: 2, Roles: []core.Role{core.RoleAnalyst}},
		admin:   core.Actor{UserID: 3, AgencyID: 2, Roles: []core.Role{core.RoleSystemAdmin}},
	}
}

func request(t *testing.T, q string) analysis.Request {
	t.Helper()
	v, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	r, err := analysis.ParseRequest(v)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return r
}

func cell(t *testing.T, d *stats.Document, codes ...string) string {
	t.Helper()
	tb := d.Table.Table
	for i := range tb.Len() {
		if strings.Join(tb.CellCodes(i), "/") == strings.Join(codes, "/") {
			return d.Table.Text(i)
		}
	}
	t.Fatalf("no cell %v", codes)
	return ""
}

func TestImportTablesAndReplace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, 7) // small batches: the import spans many transactions
		var progress []int64
		d, err := e.svc.ImportCTDC(ctx, e.analyst, " Global v2024 ", "/tmp/x/global.csv", strings.NewReader(syntheticCTDC(60)),
			func(n int64) { progress = append(progress, n) })
		if err != nil {
			t.Fatal(err)
		}
		if d.Name != "Global v2024" || d.FileName != "global.csv" || d.Rows != 60 || d.Layout == "" || d.AgencyID != 1 {
			t.Errorf("dataset: %+v", d)
		}
		if len(progress) < 8 || progress[len(progress)-1] != 60 {
			t.Errorf("progress: %v", progress)
		}
		src := analysis.DatasetSource(d.ID)
		docs, err := e.svc.Tables(ctx, e.analyst, request(t, "source="+src), analysis.StandardSpecs)
		if err != nil {
			t.Fatal(err)
		}
		if got := cell(t, docs[0], "2019"); got != "20" {
			t.Errorf("2019: %s", got)
		}
		if got := cell(t, docs[1], stats.ExploitLabour); got != "30" {
			t.Errorf("forced labour: %s", got)
		}
		if got := cell(t, docs[2], stats.SexMale, stats.TotalCode); got != "20" {
			t.Errorf("men: %s", got)
		}
		// Filters and a composed table.
		docs, err = e.svc.Tables(ctx, e.analyst, request(t, "source="+src+"&year_from=2020&citizenship=BR&by=year,sex"),
			[]analysis.Spec{{ID: "c", By: []string{"year", "sex"}}})
		if err != nil {
			t.Fatal(err)
		}
		if docs[0].Counted != 8 || docs[0].Read != 60 {
			t.Errorf("counted %d read %d", docs[0].Counted, docs[0].Read)
		}

		// Another agency's analyst does not see the dataset; a system administrator does.
		if _, err := e.svc.Tables(ctx, e.other, request(t, "source="+src), analysis.StandardSpecs); !core.Is(err, core.NotFound) {
			t.Errorf("other agency: %v", err)
		}
		if list, _ := e.svc.Datasets(ctx, e.other); len(list) != 0 {
			t.Errorf("other agency lists %v", list)
		}
		if _, err := e.svc.Tables(ctx, e.admin, request(t, "source="+src), analysis.StandardSpecs); err != nil {
			t.Errorf("system admin: %v", err)
		}

		// A broken file leaves the dataset as it was.
		broken := syntheticCTDC(30) + "2020,Woman,18--20,PRY,PRY,,,,,,,,,,1,,,,,,,,,,,\n"
		_, err = e.svc.ImportCTDC(ctx, e.analyst, "Global v2024", "g.csv", strings.NewReader(broken), nil)
		if !core.Is(err, core.Invalid) {
			t.Fatalf("broken file: %v", err)
		}
		list, err := e.svc.Datasets(ctx, e.analyst)
		if err != nil || len(list) != 1 || list[0].ID != d.ID || list[0].Rows != 60 {
			t.Fatalf("after a failed import: %+v %v", list, err)
		}
		// A second import of the name replaces it.
		d2, err := e.svc.ImportCTDC(ctx, e.analyst, "Global v2024", "g.csv", strings.NewReader(syntheticCTDC(9)), nil)
		if err != nil {
			t.Fatal(err)
		}
		list, _ = e.svc.Datasets(ctx, e.analyst)
		if len(list) != 1 || list[0].ID != d2.ID || list[0].Rows != 9 {
			t.Fatalf("after replacing: %+v", list)
		}
		if _, err := e.svc.Tables(ctx, e.analyst, request(t, "source="+src), analysis.StandardSpecs); !core.Is(err, core.NotFound) {
			t.Errorf("the replaced dataset still answers: %v", err)
		}
		// Replacing removed the old rows too: only the new dataset's rows remain.
		docs, err = e.svc.Tables(ctx, e.admin, request(t, "source="+analysis.DatasetSource(d2.ID)), analysis.StandardSpecs[:1])
		if err != nil || docs[0].Read != 9 {
			t.Errorf("new dataset read %v: %v", docs, err)
		}

		// The same name by a system administrator is another, shared, dataset.
		shared, err := e.svc.ImportCTDC(ctx, e.admin, "Global v2024", "g.csv", strings.NewReader(syntheticCTDC(12)), nil)
		if err != nil || shared.AgencyID != 0 {
			t.Fatalf("shared: %+v %v", shared, err)
		}
		if list, _ := e.svc.Datasets(ctx, e.other); len(list) != 1 || list[0].ID != shared.ID {
			t.Errorf("other agency sees %+v, want the shared dataset only", list)
		}
		if got, _ := e.svc.DatasetByName(ctx, e.analyst, "Global v2024"); got.ID != d2.ID {
			t.Errorf("by name prefers the agency's own: %+v", got)
		}

		// Exports are audited with parameter names only.
		var buf bytes.Buffer
		req := request(t, "source="+analysis.DatasetSource(d2.ID)+"&by=year&citizenship=PRY&threshold=3")
		if err := e.svc.Export(ctx, e.analyst, req, "csv", &buf); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(buf.String(), "year,value,suppression,threshold\n") {
			t.Errorf("csv: %s", buf.String())
		}
		var last audit.Record
		if err := db.ReadTx(ctx, func(tx *store.Tx) error {
			recs, err := tx.ListAudit(ctx, audit.Filter{Limit: 1})
			if len(recs) > 0 {
				last = recs[0]
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if last.Action != "stats.export" || strings.Join(last.Fields, ",") != "by,citizenship,format,source,threshold" {
			t.Errorf("audit: %+v", last)
		}
		// CTDC export of a dataset's records; refused for unknown formats and GLOTIP-less shapes.
		buf.Reset()
		if err := e.svc.Export(ctx, e.analyst, req, "ctdc", &buf); err != nil {
			t.Fatal(err)
		}
		if r, _ := csv.NewReader(&buf).ReadAll(); len(r) != 1+7 || len(r[0]) != 27 {
			t.Errorf("ctdc export: %d rows", len(r))
		}
		if err := e.svc.Export(ctx, e.analyst, request(t, "source="+analysis.DatasetSource(d2.ID)+"&by=exploitation_country"), "glotip", io.Discard); !core.Is(err, core.Invalid) {
			t.Errorf("glotip without year: %v", err)
		}
		if err := e.svc.Export(ctx, e.analyst, req, "odt", io.Discard); !core.Is(err, core.Invalid) {
			t.Errorf("odt: %v", err)
		}
	})
}

func TestImportRefusals(t *testing.T) {
	db := storetest.OpenSQLite(t)
	e := newEnv(t, db, 0)
	ctx := context.Background()
	investigator := core.Actor{UserID: 9, AgencyID: 1, Roles: []core.Role{core.RoleInvestigator}}
	agencyAdmin := core.Actor{UserID: 9, AgencyID: 1, Roles: []core.Role{core.RoleAgencyAdmin}}
	for _, a := range []core.Actor{investigator, agencyAdmin} {
		if _, err := e.svc.ImportCTDC(ctx, a, "x", "x.csv", strings.NewReader(syntheticCTDC(3)), nil); !core.Is(err, core.Forbidden) {
			t.Errorf("%v imports: %v", a.Roles, err)
		}
	}
	if _, err := e.svc.Datasets(ctx, investigator); !core.Is(err, core.Forbidden) {
		t.Errorf("investigator lists datasets: %v", err)
	}
	if _, err := e.svc.Datasets(ctx, agencyAdmin); err != nil {
		t.Errorf("agency admin lists datasets: %v", err)
	}
	for _, name := range []string{"", "   ", strings.Repeat("n", 81), "a\x00b"} {
		_, err := e.svc.ImportCTDC(ctx, e.analyst, name, "x.csv", strings.NewReader(syntheticCTDC(3)), nil)
		var ce *core.Error
		if !errors.As(err, &ce) || len(ce.Fields) != 1 || ce.Fields[0].Field != "name" {
			t.Errorf("name %q: %v", name, err)
		}
	}
	_, err := e.svc.ImportCTDC(ctx, e.analyst, "x", "x.csv", strings.NewReader("a,b\n1,2\n"), nil)
	var ce *core.Error
	if !errors.As(err, &ce) || len(ce.Fields) != 1 || ce.Fields[0].Field != "file" || !strings.Contains(fmt.Sprint(ce.Fields[0].Args...), "x.csv") {
		t.Errorf("not a CTDC file: %v", err)
	}
	// The case database is refused with an explanation until the case module provides it.
	if _, err := e.svc.Tables(ctx, e.analyst, request(t, "source=db"), analysis.StandardSpecs); !core.Is(err, core.Invalid) {
		t.Errorf("db source: %v", err)
	}
}

func TestParseRequest(t *testing.T) {
	for _, tc := range []struct {
		query  string
		fields string
	}{
		{"source=dataset:3&by=year,gender&year_from=2015&year_to=2018&sex=Female&citizenship=PY&threshold=10", ""},
		{"source=nowhere", "source"},
		{"source=dataset:x", "source"},
		{"by=colour", "by"},
		{"by=year,sex,age_group,citizenship", "by"},
		{"year_from=20x", "year_from"},
		{"year_from=2020&year_to=2010", "year_to"},
		{"sex=robot", "sex"},
		{"citizenship=ZZZ", "citizenship"},
		{"citizenship=PRY,sex=Male", "citizenship"},
		{"threshold=2", "threshold"},
		{"threshold=101", "threshold"},
		{"agency=-1", "agency"},
	} {
		v, _ := url.ParseQuery(tc.query)
		_, err := analysis.ParseRequest(v)
		var fields []string
		var ce *core.Error
		if errors.As(err, &ce) {
			for _, f := range ce.Fields {
				fields = append(fields, f.Field)
			}
		}
		if strings.Join(fields, ",") != tc.fields {
			t.Errorf("%s: fields %v (%v), want %q", tc.query, fields, err, tc.fields)
		}
	}
	r := request(t, "source=dataset:3&by=gender,yearOfRegistration&threshold=7&sex=Male&sex=Female")
	if strings.Join(r.By, ",") != "sex,year" || r.Threshold != 7 || len(r.Filters) != 1 || r.Filters[0].String() != "sex=Female|Male" {
		t.Errorf("parsed: %+v", r)
	}
}
