package web

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"nanduti/internal/access"
	"nanduti/internal/core"
	"nanduti/internal/persons"
)

// apiPersonDocument is an identity document in the API.
type apiPersonDocument struct {
	Type    string `json:"type"`
	Number  string `json:"number"`
	Country string `json:"country,omitempty"`
}

// apiPersonIdentity is the sealed part of a person in the API: present only in responses to users
// who may see it, each such response audited.
type apiPersonIdentity struct {
	GivenNames           string              `json:"given_names"`
	PaternalSurname      string              `json:"paternal_surname"`
	MaternalSurname      string              `json:"maternal_surname"`
	OtherNames           []string            `json:"other_names"`
	BirthDate            string              `json:"birth_date"`
	Document             *apiPersonDocument  `json:"document"`
	NationalityDocuments []apiPersonDocument `json:"nationality_documents"`
	Phones               []string            `json:"phones"`
	Addresses            []string            `json:"addresses"`
}

// apiPersonNames is what search results reveal: the names.
type apiPersonNames struct {
	GivenNames      string `json:"given_names"`
	PaternalSurname string `json:"paternal_surname"`
	MaternalSurname string `json:"maternal_surname"`
}

type apiPersonPhoto struct {
	ContentType string `json:"content_type"`
	Data        string `json:"data"` // base64
}

type apiPerson struct {
	ID                  int64           `json:"id"`
	AgencyID            int64           `json:"agency_id"`
	Pseudonym           string          `json:"pseudonym"`
	Kind                string          `json:"kind"`
	Gender              string          `json:"gender"`
	AgeAtIdentification *int            `json:"age_at_identification"`
	BirthYear           *int            `json:"birth_year"`
	Citizenship         []string        `json:"citizenship"`
	PrimaryLanguage     string          `json:"primary_language"`
	Department          string          `json:"department"`
	District            string          `json:"district"`
	Vulnerabilities     []string        `json:"vulnerabilities"`
	View                string          `json:"view"`
	Version             int             `json:"version"`
	CreatedAt           time.Time       `json:"created_at"`
	UpdatedAt           time.Time       `json:"updated_at"`
	Identity            any             `json:"identity,omitempty"`
	HasPhoto            *bool           `json:"has_photo,omitempty"`
	Photo               *apiPersonPhoto `json:"photo,omitempty"`
}

func personStrings(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

func personViewName(v access.View) string {
	if v == access.ViewIdentified {
		return "identified"
	}
	return "pseudonymous"
}

// toAPIPerson renders a person; the identity appears only when the service revealed it.
func toAPIPerson(p persons.Person) apiPerson {
	out := apiPerson{ID: p.ID, AgencyID: p.AgencyID, Pseudonym: p.Pseudonym, Kind: string(p.Kind), Gender: p.Profile.Gender,
		AgeAtIdentification: p.Profile.AgeAtIdentification, Citizenship: personStrings(p.Profile.Citizenship),
		PrimaryLanguage: p.Profile.PrimaryLanguage, Department: p.Profile.Department, District: p.Profile.District,
		Vulnerabilities: personStrings(p.Profile.Vulnerabilities), View: personViewName(p.View), Version: p.Version,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	if p.Profile.BirthYear != 0 {
		y := p.Profile.BirthYear
		out.BirthYear = &y
	}
	return out
}

func toAPIPersonIdentity(id persons.Identity) apiPersonIdentity {
	out := apiPersonIdentity{GivenNames: id.GivenNames, PaternalSurname: id.PaternalSurname, MaternalSurname: id.MaternalSurname,
		OtherNames: personStrings(id.OtherNames), BirthDate: id.BirthDate, Phones: personStrings(id.Phones),
		Addresses: personStrings(id.Addresses), NationalityDocuments: []apiPersonDocument{}}
	if id.Document.Number != "" {
		out.Document = &apiPersonDocument{Type: id.Document.Type, Number: id.Document.Number, Country: id.Document.Country}
	}
	for _, d := range id.NationalityDocuments {
		out.NationalityDocuments = append(out.NationalityDocuments, apiPersonDocument{Type: d.Type, Number: d.Number, Country: d.Country})
	}
	return out
}

// apiPersonInput is the body of POST and PUT. Photo is a json.RawMessage so that an absent
// photo (keep it) and null (remove it) can be told apart.
type apiPersonInput struct {
	Kind                string   `json:"kind"`
	Gender              string   `json:"gender"`
	AgeAtIdentification *int     `json:"age_at_identification"`
	BirthYear           *int     `json:"birth_year"`
	Citizenship         []string `json:"citizenship"`
	PrimaryLanguage     string   `json:"primary_language"`
	Department          string   `json:"department"`
	District            string   `json:"district"`
	Vulnerabilities     []string `json:"vulnerabilities"`
	Identity            *struct {
		GivenNames           string              `json:"given_names"`
		PaternalSurname      string              `json:"paternal_surname"`
		MaternalSurname      string              `json:"maternal_surname"`
		OtherNames           []string            `json:"other_names"`
		BirthDate            string              `json:"birth_date"`
		Document             *apiPersonDocument  `json:"document"`
		NationalityDocuments []apiPersonDocument `json:"nationality_documents"`
		Phones               []string            `json:"phones"`
		Addresses            []string            `json:"addresses"`
	} `json:"identity"`
	Photo   json.RawMessage `json:"photo"`
	Version int             `json:"version"`
}

func (a apiPersonInput) input() (persons.Input, error) {
	in := persons.Input{Kind: persons.Kind(a.Kind), Version: a.Version, Profile: persons.Profile{Gender: a.Gender,
		AgeAtIdentification: a.AgeAtIdentification, Citizenship: a.Citizenship, PrimaryLanguage: a.PrimaryLanguage,
		Department: a.Department, District: a.District, Vulnerabilities: a.Vulnerabilities}}
	if a.BirthYear != nil {
		in.Profile.BirthYear = *a.BirthYear
	}
	if id := a.Identity; id != nil {
		in.Identity = persons.Identity{GivenNames: id.GivenNames, PaternalSurname: id.PaternalSurname,
			MaternalSurname: id.MaternalSurname, OtherNames: id.OtherNames, BirthDate: id.BirthDate,
			Phones: id.Phones, Addresses: id.Addresses}
		if id.Document != nil {
			in.Identity.Document = persons.Document{Type: id.Document.Type, Number: id.Document.Number, Country: id.Document.Country}
		}
		for _, d := range id.NationalityDocuments {
			in.Identity.NationalityDocuments = append(in.Identity.NationalityDocuments, persons.Document{Type: d.Type, Number: d.Number, Country: d.Country})
		}
	}
	switch string(a.Photo) {
	case "":
	case "null":
		in.RemovePhoto = true
	default:
		var ph apiPersonPhoto
		if err := json.Unmarshal(a.Photo, &ph); err != nil {
			return in, personFieldError("photo", "api.field_type")
		}
		b, err := base64.StdEncoding.DecodeString(ph.Data)
		if err != nil || len(b) == 0 {
			return in, personFieldError("photo", "person.photo_type")
		}
		in.Photo = b
	}
	return in, nil
}

func personFieldError(field, key string) error {
	return &core.Error{Code: core.Invalid, Key: "error.invalid_form", Fields: []core.FieldError{{Field: field, Key: key}}}
}

func (s *Server) apiPersons(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var v core.Validation
	var before int64
	limit := 50
	if raw := q.Get("before"); raw != "" {
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n < 0 {
			v.Add("before", "api.not_a_number")
		}
		before = n
	}
	if raw := q.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > 200 {
			v.Add("limit", "person.limit_range")
		}
		limit = n
	}
	if err := v.Err(); err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.cfg.Persons.List(r.Context(), actorOf(r), before, limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]apiPerson, 0, len(list))
	for _, p := range list {
		out = append(out, toAPIPerson(p))
	}
	writeJSON(w, http.StatusOK, map[string]any{"persons": out})
}

func (s *Server) apiCreatePerson(w http.ResponseWriter, r *http.Request) {
	var body apiPersonInput
	if err := s.decodePersonJSON(w, r, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	in, err := body.input()
	if err == nil {
		var p persons.Person
		if p, err = s.cfg.Persons.Create(r.Context(), actorOf(r), in); err == nil {
			w.Header().Set("Location", "/api/v1/persons/"+strconv.FormatInt(p.ID, 10))
			writeJSON(w, http.StatusCreated, toAPIPerson(p))
			return
		}
	}
	s.fail(w, r, err)
}

// decodePersonJSON reads a person body like decodeJSON, with room for a photo in base64.
func (s *Server) decodePersonJSON(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 2*maxPersonFormBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typ *json.UnmarshalTypeError
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			return &core.Error{Code: core.Invalid, Key: "error.invalid_form", Err: err,
				Fields: []core.FieldError{{Field: "photo", Key: "person.photo_too_large", Args: []any{persons.MaxPhotoBytes >> 20}}}}
		case errors.As(err, &typ):
			return &core.Error{Code: core.Invalid, Key: "error.invalid_form",
				Fields: []core.FieldError{{Field: typ.Field, Key: "api.field_type"}}, Err: err}
		default:
			return core.Wrap(core.Invalid, "api.bad_json_detail", err)
		}
	}
	if dec.More() {
		return core.Errorf(core.Invalid, "api.bad_json")
	}
	return nil
}

func (s *Server) apiPerson(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	actor := actorOf(r)
	p, err := s.cfg.Persons.Get(r.Context(), actor, id)
	if err != nil {
		s.personFail(w, r, err)
		return
	}
	out := toAPIPerson(p)
	if p.Identity != nil {
		out.Identity = toAPIPersonIdentity(*p.Identity)
		has := p.HasPhoto
		out.HasPhoto = &has
		if p.HasPhoto {
			b, ct, err := s.cfg.Persons.Photo(r.Context(), actor, id)
			if err != nil {
				s.personFail(w, r, err)
				return
			}
			out.Photo = &apiPersonPhoto{ContentType: ct, Data: base64.StdEncoding.EncodeToString(b)}
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiUpdatePerson(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var body apiPersonInput
	if err := s.decodePersonJSON(w, r, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	in, err := body.input()
	if err == nil {
		var p persons.Person
		if p, err = s.cfg.Persons.Update(r.Context(), actorOf(r), id, in); err == nil {
			writeJSON(w, http.StatusOK, toAPIPerson(p))
			return
		}
	}
	s.personFail(w, r, err)
}

type apiPersonResult struct {
	apiPerson
	Score int  `json:"score"`
	Exact bool `json:"exact"`
}

func (s *Server) apiSearchPersons(w http.ResponseWriter, r *http.Request) {
	var body struct {
		By string `json:"by"`
		Q  string `json:"q"`
	}
	if err := decodeJSON(w, r, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	results, err := s.cfg.Persons.Search(r.Context(), actorOf(r), persons.Query{By: body.By, Text: body.Q})
	if err != nil {
		s.personFail(w, r, err)
		return
	}
	out := make([]apiPersonResult, 0, len(results))
	for _, res := range results {
		ap := toAPIPerson(res.Person)
		if res.Identity != nil {
			ap.Identity = apiPersonNames{GivenNames: res.Identity.GivenNames, PaternalSurname: res.Identity.PaternalSurname,
				MaternalSurname: res.Identity.MaternalSurname}
		}
		out = append(out, apiPersonResult{apiPerson: ap, Score: res.Score, Exact: res.Exact})
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": out})
}
