package persons

import (
	"slices"
	"strings"

	"golang.org/x/text/language"
)

// Kind is what a person is to the task force, as far as their pseudonym says. Roles in a case
// (victim, presumed victim, suspect, witness, reporter) belong to the case; the kind only
// chooses the pseudonym's letter and which list a person appears in.
type Kind string

// The kinds and the letters of their pseudonyms.
const (
	KindVictim   Kind = "victim"   // V-: victim or presumed victim
	KindSuspect  Kind = "suspect"  // S-
	KindWitness  Kind = "witness"  // T- (testigo)
	KindReporter Kind = "reporter" // R-
	KindOther    Kind = "other"    // P- (persona)
)

// Kinds lists the kinds in the order forms show them.
var Kinds = []Kind{KindVictim, KindSuspect, KindWitness, KindReporter, KindOther}

// Prefix is the letter of the kind's pseudonyms.
func (k Kind) Prefix() string {
	switch k {
	case KindVictim:
		return "V"
	case KindSuspect:
		return "S"
	case KindWitness:
		return "T"
	case KindReporter:
		return "R"
	default:
		return "P"
	}
}

// Genders are the HTCDS prs_Gender values.
var Genders = []string{"Feminine", "Masculine", "TransgenderFeminine", "TransgenderMasculine", "NonConforming", "NonSpecifiedUnknown"}

// Vulnerabilities are the HTCDS vic_Vulnerabilities values.
var Vulnerabilities = []string{"Addiction", "SocialGroup", "Discrimination", "Poverty", "DisabilityAndPhysicalHealth",
	"MentalHealth", "Migration", "Homelessness", "AbuseSocialMedia", "AbusePhysical", "Education", "WorkEnvironment"}

// DocumentTypes are the kinds of identity document a person may hold.
var DocumentTypes = []string{"ci", "passport", "foreign_id", "birth_certificate", "other"}

// Languages are the languages forms offer first (ISO 639): Spanish, Guaraní, Portuguese,
// English, German, Plautdietsch (Mennonite communities of the Chaco), Chinese, Korean, Arabic.
// The API accepts any ISO 639 code.
var Languages = []string{"es", "gn", "pt", "en", "de", "pdt", "zh", "ko", "ar"}

// NormalizeLanguage returns the canonical ISO 639 code (two letters when the language has
// them, else three) and whether code names a language.
func NormalizeLanguage(code string) (string, bool) {
	code = strings.ToLower(strings.TrimSpace(code))
	if len(code) < 2 || len(code) > 3 {
		return "", false
	}
	b, err := language.ParseBase(code)
	if err != nil || b.String() == "und" {
		return "", false
	}
	return b.String(), true
}

// NormalizeCountry returns the ISO 3166-1 alpha-3 code of a country given by its alpha-2 or
// alpha-3 code, and whether it is one. Kosovo's user-assigned XK/XKX, in wide use, is
// accepted; regions, groups and other private-use codes are not.
func NormalizeCountry(code string) (string, bool) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if code == "XK" || code == "XKX" {
		return "XKX", true
	}
	if len(code) < 2 || len(code) > 3 || code == "UN" || code == "UNO" {
		return "", false
	}
	for _, c := range code {
		if c < 'A' || c > 'Z' {
			return "", false
		}
	}
	r, err := language.ParseRegion(code)
	if err != nil || !r.IsCountry() || r.IsPrivateUse() {
		return "", false
	}
	return r.ISO3(), true
}

func validIn(list []string, v string) bool { return slices.Contains(list, v) }
