package main

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"

	"nanduti/internal/cases"
)

// The HTCDS export writes case data under the field names of the Human Trafficking Case Data
// Standard 2.0 (../shared/reference/htcds-fields.tsv), so that partners using HTCDS tools can
// read it without a mapping of their own. Persons appear by pseudonym only: HTCDS has no
// field for a pseudonym, so it goes in the project's own field nanduti_Pseudonym, and identities
// stay in the audited json and csv exports. Fields HTCDS does not define (case number, title,
// INE codes, the sensitivity flag) keep a nanduti_ prefix so that nothing looks standard that
// is not.

// htcdsIndustry maps ISIC section letters to HTCDS vic_ForcedLabourIndustry values.
var htcdsIndustry = map[string]string{
	"A": "A_AgricultureForestryAndFishing", "B": "B_MiningAndQuarrying", "C": "C_Manufacturing",
	"D": "D_ElectricityGasSteamAndAirConditioningSupply", "E": "E_WaterSupplySewerageWasteManagement",
	"F": "F_Construction", "G": "G_WholesaleAndRetailTradeRepairOfMotorVehicles", "H": "H_TransportationAndStorage",
	"I": "I_AccommodationAndFoodServiceActivities", "J": "J_InformationAndCommunication",
	"K": "K_FinancialAndInsuranceActivities", "L": "L_RealEstateActivities",
	"M": "M_ProfessionalScientificAndTechnicalActivities", "N": "N_AdministrativeAndSupportServiceActivities",
	"O": "O_PublicAdministrationAndDefence", "P": "P_Education", "Q": "Q_HumanHealthAndSocialWorkActivities",
	"R": "R_ArtsEntertainmentAndRecreation", "S": "S_OtherServiceActivities",
	"T": "T_ActivitiesOfHouseholdsAsEmployers", "U": "U_ActivitiesOfExtraterritorialOrganizations",
}

// htcdsVictimStatus maps the case module's short statuses to vic_TraffickingStatus.
var htcdsVictimStatus = map[string]string{
	"possible":     "PossibleVictimOfTrafficking",
	"actual":       "ActualVictimOfTrafficking",
	"not_a_victim": "NotAVictimOfTrafficking",
}

// htcdsExploitation maps a form of exploitation to vic_TypeOfExploitation. Criadazgo, the
// Paraguayan form of child domestic servitude, is Servitude in HTCDS; the original value is kept
// in nanduti_TypeOfExploitation.
func htcdsExploitation(forms []string) []string {
	out := []string{}
	for _, f := range forms {
		if f == "Criadazgo" {
			f = "Servitude"
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

type htcdsPerson struct {
	Pseudonym          string   `json:"nanduti_Pseudonym"`
	Role               string   `json:"nanduti_RoleInCase"`
	TraffickingStatus  string   `json:"vic_TraffickingStatus,omitempty"`
	StatusDecisionOrg  string   `json:"vic_TraffickingStatusDecisionMakingOrg,omitempty"`
	TypeOfExploitation []string `json:"vic_TypeOfExploitation,omitempty"`
	Industry           string   `json:"vic_ForcedLabourIndustry,omitempty"`
	RoleInProcess      []string `json:"per_RoleInProcess,omitempty"`
}

type htcdsCase struct {
	Number       string        `json:"nanduti_CaseNumber"`
	Title        string        `json:"nanduti_Title"`
	Status       string        `json:"cas_Status"`
	Stage        string        `json:"nanduti_Stage"`
	Exploitation []string      `json:"nanduti_TypeOfExploitation"`
	Department   string        `json:"nanduti_DepartmentINE"`
	District     string        `json:"nanduti_DistrictINE,omitempty"`
	ReportedOn   string        `json:"nanduti_ReportedOn"`
	OpenedOn     string        `json:"nanduti_OpenedOn,omitempty"`
	ClosedOn     string        `json:"nanduti_ClosedOn,omitempty"`
	Sensitive    bool          `json:"nanduti_Sensitive"`
	Persons      []htcdsPerson `json:"persons"`
}

// toHTCDS turns one exported case into its HTCDS form. Victims carry the case's forms of
// exploitation and industry, as HTCDS records them on the victim.
func toHTCDS(c cases.ExportedCase) htcdsCase {
	status := "Active"
	if c.Status == cases.StatusClosed {
		status = "Closed"
	}
	h := htcdsCase{Number: c.Number, Title: c.Title, Status: status, Stage: string(c.Status),
		Exploitation: append([]string{}, c.Exploitation...), Department: c.Department, District: c.District,
		ReportedOn: c.ReportedOn, OpenedOn: c.OpenedOn, ClosedOn: c.ClosedOn, Sensitive: c.Sensitive, Persons: []htcdsPerson{}}
	for _, p := range c.Persons {
		hp := htcdsPerson{Pseudonym: p.Pseudonym, Role: p.Role, RoleInProcess: p.PerpetratorRoles}
		if p.Role == "victim" || p.Role == "presumed_victim" {
			hp.TraffickingStatus = htcdsVictimStatus[p.VictimStatus]
			hp.StatusDecisionOrg = p.StatusDecidedBy
			hp.TypeOfExploitation = htcdsExploitation(c.Exploitation)
			hp.Industry = htcdsIndustry[strings.ToUpper(c.Sector)]
		}
		h.Persons = append(h.Persons, hp)
	}
	return h
}

// writeCasesHTCDS writes the export as a JSON document of HTCDS-named cases.
func writeCasesHTCDS(buf *bytes.Buffer, list []cases.ExportedCase) error {
	out := struct {
		Standard string      `json:"standard"`
		Cases    []htcdsCase `json:"cases"`
	}{Standard: "HTCDS 2.0", Cases: []htcdsCase{}}
	for _, c := range list {
		out.Cases = append(out.Cases, toHTCDS(c))
	}
	enc := json.NewEncoder(buf)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
