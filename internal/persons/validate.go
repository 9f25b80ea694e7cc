package persons

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"nanduti/internal/core"
)

// Limits on what a person record holds. They keep records and forms reasonable; none is
// meant to be reached by a real person's data.
const (
	maxName        = 100
	maxOtherNames  = 10
	maxAddress     = 300
	maxAddresses   = 5
	maxPhones      = 5
	maxDocuments   = 5
	maxCitizenship = 5
	maxDocNumber   = 40
	maxAge         = 120
)

// cleanText trims a single-line value; it reports false for control characters, which no
// name or address contains and which would corrupt what is shown.
func cleanText(s string) (string, bool) {
	s = strings.TrimSpace(s)
	for _, r := range s {
		if unicode.IsControl(r) {
			return s, false
		}
	}
	return s, utf8.ValidString(s)
}

func checkLine(v *core.Validation, field string, s *string, max int) {
	t, ok := cleanText(*s)
	*s = t
	switch {
	case !ok:
		v.Add(field, "person.bad_characters")
	case utf8.RuneCountInString(t) > max:
		v.Add(field, "error.too_long", max)
	}
}

// checkLines cleans a list, dropping empty entries.
func checkLines(v *core.Validation, field string, list []string, maxItems, maxLen int) []string {
	var out []string
	for _, s := range list {
		t, ok := cleanText(s)
		if t == "" {
			continue
		}
		if !ok {
			v.Add(field, "person.bad_characters")
			return out
		}
		if utf8.RuneCountInString(t) > maxLen {
			v.Add(field, "error.too_long", maxLen)
			return out
		}
		out = append(out, t)
	}
	if len(out) > maxItems {
		v.Add(field, "person.too_many", maxItems)
	}
	return out
}

// checkDocument checks a document; problems with its number, type and country are reported on
// the fields named by field+"_number", "_type" and "_country", or all on field when whole is
// set (a list of documents edited as one field).
func checkDocument(v *core.Validation, field string, whole bool, d *Document, typeRequired bool) {
	name := func(part string) string {
		if whole {
			return field
		}
		return field + part
	}
	d.Number, _ = cleanText(d.Number)
	d.Type = strings.TrimSpace(d.Type)
	if d.Number == "" {
		*d = Document{}
		return
	}
	if utf8.RuneCountInString(d.Number) > maxDocNumber {
		v.Add(name("_number"), "error.too_long", maxDocNumber)
	} else if n := NormalizeDocument(d.Number); n == "" || len(n) > MaxDocumentLength {
		v.Add(name("_number"), "person.document_number_invalid")
	}
	if d.Type == "" && !typeRequired {
		d.Type = "other"
	}
	if !validIn(DocumentTypes, d.Type) {
		v.Add(name("_type"), "person.document_type_invalid")
	}
	if d.Country != "" {
		c, ok := NormalizeCountry(d.Country)
		if !ok {
			v.Add(name("_country"), "person.country_invalid")
		}
		d.Country = c
	}
}

// normalise checks in and puts it in stored form (phones in E.164, countries in alpha-3,
// text trimmed); the returned error lists every problem by field.
func normalise(in *Input, now time.Time) error {
	var v core.Validation
	if !slices.Contains(Kinds, in.Kind) {
		v.Add("kind", "person.kind_invalid")
	}
	p := &in.Profile
	if p.Gender == "" {
		p.Gender = "NonSpecifiedUnknown"
	}
	if !validIn(Genders, p.Gender) {
		v.Add("gender", "person.gender_invalid")
	}
	if p.AgeAtIdentification != nil && (*p.AgeAtIdentification < 0 || *p.AgeAtIdentification > maxAge) {
		v.Add("age_at_identification", "person.age_invalid", maxAge)
	}
	if p.BirthYear != 0 && (p.BirthYear < 1900 || p.BirthYear > now.Year()) {
		v.Add("birth_year", "person.birth_year_invalid", now.Year())
	}
	var cits []string
	for _, c := range p.Citizenship {
		if strings.TrimSpace(c) == "" {
			continue
		}
		a3, ok := NormalizeCountry(c)
		if !ok {
			v.Add("citizenship", "person.country_invalid")
			break
		}
		if !slices.Contains(cits, a3) {
			cits = append(cits, a3)
		}
	}
	if len(cits) > maxCitizenship {
		v.Add("citizenship", "person.too_many", maxCitizenship)
	}
	p.Citizenship = cits
	if p.PrimaryLanguage != "" {
		l, ok := NormalizeLanguage(p.PrimaryLanguage)
		if !ok {
			v.Add("primary_language", "person.language_invalid")
		}
		p.PrimaryLanguage = l
	}
	if p.Department != "" {
		if _, ok := DepartmentByCode(p.Department); !ok {
			v.Add("department", "person.department_invalid")
		}
	}
	if p.District != "" {
		switch {
		case p.Department == "":
			v.Add("district", "person.district_needs_department")
		case !ValidDistrict(p.Department, p.District):
			v.Add("district", "person.district_invalid")
		}
	}
	var vulns []string
	for _, x := range p.Vulnerabilities {
		if !validIn(Vulnerabilities, x) {
			v.Add("vulnerabilities", "person.vulnerability_invalid")
			break
		}
		if !slices.Contains(vulns, x) {
			vulns = append(vulns, x)
		}
	}
	// Stored in the order of the HTCDS list, so that equal sets compare equal.
	slices.SortFunc(vulns, func(a, b string) int {
		return slices.Index(Vulnerabilities, a) - slices.Index(Vulnerabilities, b)
	})
	p.Vulnerabilities = vulns

	id := &in.Identity
	checkLine(&v, "given_names", &id.GivenNames, maxName)
	checkLine(&v, "paternal_surname", &id.PaternalSurname, maxName)
	checkLine(&v, "maternal_surname", &id.MaternalSurname, maxName)
	id.OtherNames = checkLines(&v, "other_names", id.OtherNames, maxOtherNames, maxName)
	id.BirthDate = strings.TrimSpace(id.BirthDate)
	if id.BirthDate != "" {
		d, err := time.Parse("2006-01-02", id.BirthDate)
		switch {
		case err != nil:
			v.Add("birth_date", "person.birth_date_invalid")
		case d.Year() < 1900 || d.After(now):
			v.Add("birth_date", "person.birth_date_range")
		case p.BirthYear == 0:
			p.BirthYear = d.Year()
		case p.BirthYear != d.Year():
			v.Add("birth_year", "person.birth_year_mismatch")
		}
	}
	checkDocument(&v, "document", false, &id.Document, true)
	var docs []Document
	for _, d := range id.NationalityDocuments {
		checkDocument(&v, "nationality_documents", true, &d, false)
		if d.Number != "" {
			docs = append(docs, d)
		}
	}
	if len(docs) > maxDocuments {
		v.Add("nationality_documents", "person.too_many", maxDocuments)
	}
	id.NationalityDocuments = docs
	var phones []string
	for _, ph := range id.Phones {
		if strings.TrimSpace(ph) == "" {
			continue
		}
		e164, err := NormalizePhone(ph)
		if err != nil {
			v.Add("phones", "person.phone_invalid")
			break
		}
		if !slices.Contains(phones, e164) {
			phones = append(phones, e164)
		}
	}
	if len(phones) > maxPhones {
		v.Add("phones", "person.too_many", maxPhones)
	}
	id.Phones = phones
	id.Addresses = checkLines(&v, "addresses", id.Addresses, maxAddresses, maxAddress)
	if in.Photo != nil {
		switch _, err := CheckPhoto(in.Photo); err {
		case nil:
		case errPhotoTooLarge:
			v.Add("photo", err.Error(), MaxPhotoBytes>>20)
		default:
			v.Add("photo", err.Error())
		}
	}
	return v.Err()
}
