package stats

import "strconv"

// Unknown is the category code of a value that was not recorded, in every dimension.
const Unknown = "Unknown"

// Sex categories. CTDC v2024 writes Woman/Man/Trans/Transgender/NonConforming, older CTDC
// files and UNODC write Female/Male; Ñandutí stores the UNODC words.
const (
	SexFemale                   = "Female"
	SexMale                     = "Male"
	SexTransgenderNonConforming = "TransgenderNonConforming"
)

// Age groups: the 0-17 / 18+ split UNODC publishes.
const (
	AgeMinor = "0-17"
	AgeAdult = "18+"
)

// AgeBands are the CTDC ageBroad bands in ascending order; the codes are CTDC's own.
var AgeBands = []string{"0--8", "9--17", "18--20", "21--23", "24--26", "27--29", "30--38", "39--47", "48+"}

// AgeGroupOfBand maps a CTDC age band to the 0-17 / 18+ group, or Unknown.
func AgeGroupOfBand(band string) string {
	switch band {
	case "0--8", "9--17":
		return AgeMinor
	case Unknown, "":
		return Unknown
	}
	return AgeAdult
}

// AgeBandOfAge maps an age in whole years to its CTDC band, so that case data with ages can
// be tabulated by the same bands as CTDC files.
func AgeBandOfAge(age int) string {
	switch {
	case age < 0:
		return Unknown
	case age <= 8:
		return "0--8"
	case age <= 17:
		return "9--17"
	case age <= 20:
		return "18--20"
	case age <= 23:
		return "21--23"
	case age <= 26:
		return "24--26"
	case age <= 29:
		return "27--29"
	case age <= 38:
		return "30--38"
	case age <= 47:
		return "39--47"
	}
	return "48+"
}

// TraffickMonthsBands are CTDC's traffickMonths categories (length of exploitation).
var TraffickMonthsBands = []string{"0--12 (0-1 yr)", "13--24 (1-2 yrs)", "25+ (2+ yrs)"}

// Forms of exploitation, one per victim so that a table by form adds up to the number of
// victims: a victim of both sexual exploitation and forced labour has a category of their own
// instead of being counted twice.
const (
	ExploitSexual         = "SexualExploitation"
	ExploitLabour         = "ForcedLabour"
	ExploitSexualAndLabor = "SexualExploitationAndForcedLabour"
	ExploitOther          = "OtherExploitation"
)

// Flag is a yes/no fact that may not have been recorded.
type Flag uint8

// Flag values; the zero value is FlagUnknown so that a reset record knows nothing.
const (
	FlagUnknown Flag = iota
	FlagNo
	FlagYes
)

// Or combines two flags as "either is true": yes if one is yes, no if neither is yes and one
// is no, unknown otherwise. Several detailed source columns fold into one coarse flag this way.
func (f Flag) Or(g Flag) Flag { return max(f, g) }

// Code is the category code of the flag: Yes, No or Unknown.
func (f Flag) Code() string {
	switch f {
	case FlagYes:
		return "Yes"
	case FlagNo:
		return "No"
	}
	return Unknown
}

// FlagID names one of the 21 yes/no columns of the CTDC v2024 layout.
type FlagID int

// The CTDC v2024 flags, in the layout's column order.
const (
	MeansDebtBondageEarnings FlagID = iota
	MeansThreats
	MeansAbusePsyPhySex
	MeansFalsePromises
	MeansDrugsAlcohol
	MeansDenyBasicNeeds
	MeansExcessiveWorkHours
	MeansWithholdDocs
	IsForcedLabour
	IsSexualExploit
	IsOtherExploit
	LabourAgriculture
	LabourConstruction
	LabourDomesticWork
	LabourHospitality
	SexProstitution
	SexPornography
	RecruiterIntimatePartner
	RecruiterFriend
	RecruiterFamily
	RecruiterOther
	NumFlags
)

var flagNames = [NumFlags]string{
	"meansDebtBondageEarnings", "meansThreats", "meansAbusePsyPhySex", "meansFalsePromises",
	"meansDrugsAlcohol", "meansDenyBasicNeeds", "meansExcessiveWorkHours", "meansWithholdDocs",
	"isForcedLabour", "isSexualExploit", "isOtherExploit",
	"typeOfLabourAgriculture", "typeOfLabourConstruction", "typeOfLabourDomesticWork",
	"typeOfLabourHospitality", "typeOfSexProstitution", "typeOfSexPornography",
	"recruiterRelationIntimatePartner", "recruiterRelationFriend", "recruiterRelationFamily",
	"recruiterRelationOther",
}

// Name is the flag's CTDC v2024 column name (the typeOf* spelling for the six sector flags).
func (id FlagID) Name() string {
	if id < 0 || id >= NumFlags {
		return "flag" + strconv.Itoa(int(id))
	}
	return flagNames[id]
}

// Victim is one identified victim as statistics see them: no name, no date of birth, no
// document, only the categories that are counted. CTDC rows and, later, persons of the case
// database are both turned into this record, so the same tables come out of either.
type Victim struct {
	// Year of registration (identification); 0 when unknown.
	Year int
	// Sex is SexFemale, SexMale, SexTransgenderNonConforming or Unknown.
	Sex string
	// AgeBand is one of AgeBands or Unknown.
	AgeBand string
	// AgeGroup is AgeMinor, AgeAdult or Unknown; sources fill it from AgeBand when they can.
	AgeGroup string
	// Citizenship is an ISO alpha-3 code, a code the source used that is not in ISO 3166,
	// or Unknown.
	Citizenship string
	// ExploitationCountry is coded like Citizenship.
	ExploitationCountry string
	// Department is Paraguay's two-digit INE department code, or Unknown (CTDC has none).
	Department string
	// TraffickMonths is one of TraffickMonthsBands or Unknown.
	TraffickMonths string
	// Flags holds the CTDC v2024 yes/no facts, indexed by FlagID.
	Flags [NumFlags]Flag
}

// Reset makes v a record that knows nothing, ready to be filled again; sources reuse one
// record for every row so that streaming allocates nothing per row.
func (v *Victim) Reset() {
	*v = Victim{Sex: Unknown, AgeBand: Unknown, AgeGroup: Unknown, Citizenship: Unknown,
		ExploitationCountry: Unknown, Department: Unknown, TraffickMonths: Unknown}
}

// ForcedLabour reports forced labour, counting a recorded labour sector as forced labour
// too: detailed data implies the coarse flag even where the coarse column was left empty.
func (v *Victim) ForcedLabour() Flag {
	f := v.Flags[IsForcedLabour]
	for id := LabourAgriculture; id <= LabourHospitality; id++ {
		if v.Flags[id] == FlagYes {
			f = f.Or(FlagYes)
		}
	}
	return f
}

// SexualExploitation reports sexual exploitation, implied by a recorded type of sexual
// exploitation as well.
func (v *Victim) SexualExploitation() Flag {
	f := v.Flags[IsSexualExploit]
	if v.Flags[SexProstitution] == FlagYes || v.Flags[SexPornography] == FlagYes {
		f = f.Or(FlagYes)
	}
	return f
}

// Exploitation is the victim's form of exploitation as one category. A victim known not to
// have been exploited sexually nor in forced labour was exploited otherwise (CTDC files
// without an isOtherExploit column say so only this way).
func (v *Victim) Exploitation() string {
	fl, se := v.ForcedLabour(), v.SexualExploitation()
	switch {
	case fl == FlagYes && se == FlagYes:
		return ExploitSexualAndLabor
	case fl == FlagYes:
		return ExploitLabour
	case se == FlagYes:
		return ExploitSexual
	case v.Flags[IsOtherExploit] == FlagYes, fl == FlagNo && se == FlagNo:
		return ExploitOther
	}
	return Unknown
}
