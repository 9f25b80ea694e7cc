package demo

import (
	"context"

	"nanduti/internal/accounts"
	"nanduti/internal/core"
	"nanduti/internal/screening"
	"nanduti/internal/screenings"
)

// ScreeningOfficer is the demo account that made the demo screenings: the labour inspector of
// the story, at the brick kiln near Ciudad del Este.
const ScreeningOfficer = "inspectora@nanduti.example"

// brickKilnScreenings are what the inspector observed of two adolescents at the kiln. As every
// screening, they carry no names: age, sex, indicators and work facts only.
var brickKilnScreenings = []screening.Input{
	// The 15-year-old of the story: recruited in his village with a promise of work in a shop
	// and of school, brought to the kiln, sleeping there, firing bricks at night, not paid.
	{
		Subject:      screening.Subject{Age: new(15), Sex: "male"},
		Exploitation: "labour",
		Act:          []string{"recruitment", "transport", "harbouring"},
		Indicators: []string{"dr_nature_job", "dr_education", "ex_excessive_hours", "ex_hazardous", "ex_no_education",
			"ex_bad_living", "cd_withhold_wages"},
		Work: screening.Work{EconomicHoursPerWeek: 54, HouseholdChoresHoursPerWeek: 4, NightWork: true,
			Activities: []string{"brick_kiln"}, Hazards: []string{"heavy_loads", "extreme_temperatures_noise_vibration"},
			WorstForms: []string{}, LivesInEmployerHousehold: true},
	},
	// An older boy from a nearby neighbourhood, carrying bricks for little pay and going home
	// at night: hazardous child labour, no sign of trafficking.
	{
		Subject:      screening.Subject{Age: new(17), Sex: "male"},
		Exploitation: "labour",
		Act:          []string{},
		Indicators:   []string{"ex_hazardous", "ex_low_no_salary"},
		Work: screening.Work{EconomicHoursPerWeek: 48, Activities: []string{"brick_kiln"},
			Hazards: []string{"heavy_loads", "extreme_temperatures_noise_vibration"}, WorstForms: []string{}},
	},
}

// seedScreenings records the inspector's two screenings, once: a run that finds screenings of
// hers already leaves them.
func seedScreenings(ctx context.Context, svc *accounts.Service, scr *screenings.Service) error {
	u, err := svc.UserByEmail(ctx, core.SystemActor, ScreeningOfficer)
	if err != nil {
		return err
	}
	officer := core.Actor{UserID: u.ID, AgencyID: u.AgencyID, Roles: u.Roles}
	existing, err := scr.List(ctx, officer, screenings.Page{Limit: screenings.MaxPageSize})
	if err != nil {
		return err
	}
	for _, s := range existing.Screenings {
		if s.OfficerID == u.ID {
			return nil
		}
	}
	for _, in := range brickKilnScreenings {
		if _, err := scr.Create(ctx, officer, in, screening.Spanish); err != nil {
			return err
		}
	}
	return nil
}
