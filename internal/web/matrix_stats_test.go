package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"nanduti/internal/core"
	"nanduti/internal/stats/analysis"
	"nanduti/internal/store"
	"nanduti/internal/store/storetest"
)

func init() { matrixCaseSets = append(matrixCaseSets, statsMatrixCases) }

// statsRoles may see statistics: analysts, agency administrators and system administrators.
var statsRoles = roleIs(core.RoleAnalyst, core.RoleAgencyAdmin, core.RoleSystemAdmin)

// seesDataset: a dataset of the caller's agency is seen by its statistics users; another
// agency's only by system administrators (for everyone else it does not exist).
func seesDataset(r core.Role, rel relation) bool {
	return r == core.RoleSystemAdmin || (rel == sameAgency && statsRoles(r, rel))
}

// statsStatus: 200 for those who see the dataset, 404 for statistics users who do not,
// 403 for roles without statistics.
func statsStatus(ui bool) func(core.Role, relation) int {
	return func(r core.Role, rel relation) int {
		switch {
		case r == anon && ui:
			return http.StatusSeeOther
		case r == anon:
			return http.StatusUnauthorized
		case seesDataset(r, rel):
			return http.StatusOK
		case statsRoles(r, rel):
			return http.StatusNotFound
		default:
			return http.StatusForbidden
		}
	}
}

// syntheticCTDC is a small CTDC v2024 file of n synthetic records over 2019-2021.
func syntheticCTDC(n int) string {
	var b strings.Builder
	b.WriteString("yearOfRegistration,gender,ageBroad,citizenship,CountryOfExploitation,traffickMonths," +
		"meansDebtBondageEarnings,meansThreats,meansAbusePsyPhySex,meansFalsePromises,meansDrugsAlcohol,meansDenyBasicNeeds," +
		"meansExcessiveWorkHours,meansWithholdDocs,isForcedLabour,isSexualExploit,isOtherExploit,typeOfLabourAgriculture," +
		"typeOfLabourConstruction,typeOfLabourDomesticWork,typeOfLabourHospitality,typeOfSexProstitution,typeOfSexPornography," +
		"recruiterRelationIntimatePartner,recruiterRelationFriend,recruiterRelationFamily,recruiterRelationOther\n")
	for i := range n {
		gender, age := "Woman", "18--20"
		if i%3 == 0 {
			gender = "Man"
		}
		if i%4 == 0 {
			age = "9--17"
		}
		fl, se := "1", ""
		if i%2 == 1 {
			fl, se = "", "1"
		}
		fmt.Fprintf(&b, "%d,%s,%s,PRY,PRY,,,,,,,,,,%s,%s,,,,,,,,,,,\n", 2019+i%3, gender, age, fl, se)
	}
	return b.String()
}

// importDataset imports a synthetic dataset owned by agencyID, as one of its analysts would.
func (h *harness) importDataset(agencyID int64, name string, n int) analysis.Dataset {
	h.t.Helper()
	analyst := core.Actor{UserID: 1, AgencyID: agencyID, Roles: []core.Role{core.RoleAnalyst}}
	d, err := h.stats.ImportCTDC(context.Background(), analyst, name, "synthetic.csv", strings.NewReader(syntheticCTDC(n)), nil)
	if err != nil {
		h.t.Fatal(err)
	}
	return d
}

func datasetPath(format string) func(*matrix, core.User) (string, url.Values, string) {
	return func(m *matrix, target core.User) (string, url.Values, string) {
		d := m.h.importDataset(target.AgencyID, fmt.Sprintf("Matriz %d", m.unique()), 120)
		return fmt.Sprintf(format, d.ID), nil, ""
	}
}

func statsMatrixCases() map[string]matrixCase {
	return map[string]matrixCase{
		"GET /stats":          {one, fixed("/stats"), ui("GET", 200, 403, statsRoles), false},
		"GET /stats/datasets": {one, fixed("/stats/datasets"), ui("GET", 200, 403, statsRoles), false},
		// The matrix posts URL-encoded forms: importers get past the access check and are told
		// the form is not an upload; everyone else is refused first.
		"POST /stats/datasets": {one, fixedForm("/stats/datasets", url.Values{"name": {"Matriz"}}),
			ui("POST", http.StatusBadRequest, 403, roleIs(core.RoleAnalyst, core.RoleSystemAdmin)), false},
		"GET /stats/download": {both, datasetPath("/stats/download?source=dataset:%d&by=year,sex&format=csv"), statsStatus(true), false},
		"GET /stats/report":   {both, datasetPath("/stats/report?source=dataset:%d&year=2020"), statsStatus(true), false},
		"GET /api/v1/stats/datasets": {one, fixed("/api/v1/stats/datasets"),
			api(200, 403, statsRoles), false},
		"GET /api/v1/stats/tables": {both, datasetPath("/api/v1/stats/tables?source=dataset:%d&by=year"), statsStatus(false), false},
	}
}

// Another agency's dataset never appears to an agency's statistics users: not in the lists,
// not in the dashboard's choice of sources, not by asking for it.
func TestStatsOtherAgencyDatasetNeverAppears(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db, harnessOptions{waiveSecondFactor: true})
		mine := h.importDataset(h.agencyA.ID, "Conjunto propio A", 60)
		theirs := h.importDataset(h.agencyB.ID, "Conjunto privado B", 60)
		for _, role := range []core.Role{core.RoleAnalyst, core.RoleAgencyAdmin} {
			u := h.user(h.agencyA, role)
			c := h.login(u, "/")
			tok := h.token(u)
			for _, r := range []response{h.get(c, "/stats"), h.get(c, "/stats/datasets"), h.api("GET", "/api/v1/stats/datasets", tok, ""),
				h.get(c, fmt.Sprintf("/stats?source=dataset:%d", mine.ID))} {
				if r.status != 200 || strings.Contains(r.body, theirs.Name) || !strings.Contains(r.body, mine.Name) {
					t.Errorf("%s: status %d, shows B's dataset %v, shows A's %v", role, r.status,
						strings.Contains(r.body, theirs.Name), strings.Contains(r.body, mine.Name))
				}
			}
			r := h.get(c, fmt.Sprintf("/stats?source=dataset:%d", theirs.ID))
			if r.status != http.StatusNotFound || strings.Contains(r.body, theirs.Name) {
				t.Errorf("%s asks for B's dataset: %d", role, r.status)
			}
		}
		admin := h.login(h.user(h.agencyA, core.RoleSystemAdmin), "/")
		if r := h.get(admin, "/stats/datasets"); !strings.Contains(r.body, theirs.Name) {
			t.Errorf("a system administrator does not see B's dataset")
		}
	})
}
