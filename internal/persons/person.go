// Package persons is the people a task force deals with (victims and presumed victims,
// suspects, witnesses, reporters) with their identities sealed: names, birth date, documents,
// phones, addresses and photo are encrypted with a data key of the person's own (package
// seal); what statistics need (sex/gender, age, citizenship, language, place of residence,
// vulnerabilities) stays open. Each person has a pseudonym such as V-2026-00042 that is shown
// wherever the identity may not be. Search works on blind indexes of names, phonetic codes,
// documents and phones. Every response that shows a sealed field is audited in the same
// transaction as the read.
package persons

import (
	"encoding/json"
	"slices"
	"time"

	"nanduti/internal/access"
)

// Document is an identity document: its type (one of DocumentTypes), number and issuing
// country (ISO 3166 alpha-3, optional).
type Document struct {
	Type    string `json:"type"`
	Number  string `json:"number"`
	Country string `json:"country,omitempty"`
}

// Identity is the sealed part of a person.
type Identity struct {
	GivenNames      string
	PaternalSurname string
	MaternalSurname string
	// OtherNames are aliases, nicknames, earlier or religious names.
	OtherNames []string
	// BirthDate is YYYY-MM-DD, or empty.
	BirthDate string
	// Document is the main identity document (for a Paraguayan, the cédula).
	Document Document
	// NationalityDocuments are further documents: foreign passports and identity cards.
	NationalityDocuments []Document
	// Phones are in E.164 form.
	Phones    []string
	Addresses []string
}

// Profile is the open part of a person: what statistics count. Nothing here names anyone.
type Profile struct {
	Gender string // one of Genders
	// AgeAtIdentification is the age in years when the person was identified, nil if unknown.
	AgeAtIdentification *int
	BirthYear           int      // 0 if unknown
	Citizenship         []string // ISO 3166 alpha-3
	PrimaryLanguage     string   // ISO 639
	Department          string   // INE code
	District            string   // INE code within the department
	Vulnerabilities     []string // HTCDS values
}

// Person is a person as one actor may see them.
type Person struct {
	ID        int64
	AgencyID  int64
	Pseudonym string
	Kind      Kind
	Profile   Profile
	// View is how much the actor sees; Identity is set only for ViewIdentified, and only by
	// the calls that reveal it (and audit that they did).
	View     access.View
	Identity *Identity
	// HasPhoto is known only with the identity.
	HasPhoto  bool
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Input is what creating or changing a person takes.
type Input struct {
	// AgencyID is the owning agency when the system actor creates a person (the demo); staff
	// always create persons in their own agency and leave it 0.
	AgencyID int64
	Kind     Kind
	Profile  Profile
	Identity Identity
	// Photo, when not nil, is a new JPEG or PNG photo; RemovePhoto deletes the current one.
	// With neither, an update keeps the photo as it is.
	Photo       []byte
	RemovePhoto bool
	// Version is the version an edit started from; a person changed meanwhile is a conflict.
	// 0 skips the check.
	Version int
}

// The sealed columns of a person, in storage order. Names are what audit rows list.
const (
	FieldGivenNames           = "given_names"
	FieldPaternalSurname      = "paternal_surname"
	FieldMaternalSurname      = "maternal_surname"
	FieldOtherNames           = "other_names"
	FieldBirthDate            = "birth_date"
	FieldDocument             = "document"
	FieldNationalityDocuments = "nationality_documents"
	FieldPhones               = "phones"
	FieldAddresses            = "addresses"
	// FieldPhoto is sealed in a table of its own, person_photos.
	FieldPhoto = "photo"
)

// SealedFields lists the sealed columns of the persons table, in storage order.
var SealedFields = []string{FieldGivenNames, FieldPaternalSurname, FieldMaternalSurname, FieldOtherNames,
	FieldBirthDate, FieldDocument, FieldNationalityDocuments, FieldPhones, FieldAddresses}

// NameFields are the sealed fields search results show.
var NameFields = []string{FieldGivenNames, FieldPaternalSurname, FieldMaternalSurname}

// Sealed holds the ciphertexts of a person's sealed columns, in SealedFields order.
type Sealed [9][]byte

// Table and column names bound into the associated data of every ciphertext.
const (
	Table      = "persons"
	PhotoTable = "person_photos"
)

// Record is a person as stored: open fields in clear, the identity sealed.
type Record struct {
	ID        int64
	AgencyID  int64
	Pseudonym string
	Kind      Kind
	Profile   Profile
	KEKID     string
	DataKey   []byte // wrapped
	Sealed    Sealed
	Version   int
	CreatedBy int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// plainFields returns each sealed column's plaintext, in SealedFields order.
func (id Identity) plainFields() [9][]byte {
	js := func(v any) []byte {
		b, _ := json.Marshal(v)
		return b
	}
	list := func(l []string) []byte {
		if l == nil {
			l = []string{}
		}
		return js(l)
	}
	docs := id.NationalityDocuments
	if docs == nil {
		docs = []Document{}
	}
	return [9][]byte{
		[]byte(id.GivenNames), []byte(id.PaternalSurname), []byte(id.MaternalSurname), list(id.OtherNames),
		[]byte(id.BirthDate), js(id.Document), js(docs), list(id.Phones), list(id.Addresses),
	}
}

// setField fills the field at index i of SealedFields from its plaintext.
func (id *Identity) setField(i int, p []byte) error {
	switch SealedFields[i] {
	case FieldGivenNames:
		id.GivenNames = string(p)
	case FieldPaternalSurname:
		id.PaternalSurname = string(p)
	case FieldMaternalSurname:
		id.MaternalSurname = string(p)
	case FieldOtherNames:
		return json.Unmarshal(p, &id.OtherNames)
	case FieldBirthDate:
		id.BirthDate = string(p)
	case FieldDocument:
		return json.Unmarshal(p, &id.Document)
	case FieldNationalityDocuments:
		return json.Unmarshal(p, &id.NationalityDocuments)
	case FieldPhones:
		return json.Unmarshal(p, &id.Phones)
	case FieldAddresses:
		return json.Unmarshal(p, &id.Addresses)
	}
	return nil
}

// changedFields names the sealed fields whose values differ between a and b.
func changedFields(a, b Identity) []string {
	pa, pb := a.plainFields(), b.plainFields()
	var out []string
	for i := range pa {
		if string(pa[i]) != string(pb[i]) {
			out = append(out, SealedFields[i])
		}
	}
	return out
}

// changedProfile names the open fields whose values differ.
func changedProfile(a, b Profile) []string {
	var out []string
	add := func(diff bool, name string) {
		if diff {
			out = append(out, name)
		}
	}
	age := func(p *int) int {
		if p == nil {
			return -1
		}
		return *p
	}
	add(a.Gender != b.Gender, "gender")
	add(age(a.AgeAtIdentification) != age(b.AgeAtIdentification), "age_at_identification")
	add(a.BirthYear != b.BirthYear, "birth_year")
	add(!slices.Equal(a.Citizenship, b.Citizenship), "citizenship")
	add(a.PrimaryLanguage != b.PrimaryLanguage, "primary_language")
	add(a.Department != b.Department, "department")
	add(a.District != b.District, "district")
	add(!slices.Equal(a.Vulnerabilities, b.Vulnerabilities), "vulnerabilities")
	return out
}
