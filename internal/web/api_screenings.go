package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"nanduti/internal/core"
	"nanduti/internal/screening"
	"nanduti/internal/screenings"
)

// apiScreeningSummary is a screening in a list: owner, time, rulebook and verdicts.
type apiScreeningSummary struct {
	ID        int64               `json:"id"`
	AgencyID  int64               `json:"agency_id"`
	OfficerID int64               `json:"officer_id"`
	CreatedAt time.Time           `json:"created_at"`
	Rulebook  screening.Ref       `json:"rulebook"`
	Outcomes  screenings.Outcomes `json:"outcomes"`
	PersonID  *int64              `json:"person_id"`
}

// apiScreening is a stored screening: the summary with the language, the normalised input and
// the result exactly as stored.
type apiScreening struct {
	apiScreeningSummary
	Lang   string          `json:"lang"`
	Input  json.RawMessage `json:"input"`
	Result json.RawMessage `json:"result"`
}

func toAPIScreeningSummary(s screenings.Summary) apiScreeningSummary {
	out := apiScreeningSummary{ID: s.ID, AgencyID: s.AgencyID, OfficerID: s.OfficerID, CreatedAt: s.CreatedAt,
		Rulebook: screening.Ref{ID: s.RulebookID, Version: s.RulebookVersion}, Outcomes: s.Outcomes}
	if s.PersonID != 0 {
		p := s.PersonID
		out.PersonID = &p
	}
	return out
}

func toAPIScreening(s screenings.Screening) apiScreening {
	return apiScreening{apiScreeningSummary: toAPIScreeningSummary(s.Summary), Lang: string(s.Lang),
		Input: s.InputJSON, Result: s.ResultJSON}
}

// apiCreateScreening takes the reference's input document, with an optional "lang" beside
// its fields, judges it, stores it and returns it with its id.
func (s *Server) apiCreateScreening(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, screening.MaxInputSize))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.fail(w, r, core.Errorf(core.Invalid, "screening.error.too_large", screening.MaxInputSize))
			return
		}
		s.fail(w, r, core.Wrap(core.Invalid, "api.bad_json", err))
		return
	}
	// lang is not part of the input document, whose parser refuses unknown fields: take it
	// out before handing the document over.
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil || doc == nil {
		s.fail(w, r, core.Wrap(core.Invalid, "api.bad_json", err))
		return
	}
	lang := screeningLang(r)
	if raw, ok := doc["lang"]; ok {
		var l string
		parsed, perr := screening.Lang(""), json.Unmarshal(raw, &l)
		if perr == nil {
			parsed, perr = screening.ParseLang(l)
		}
		if perr != nil || l == "" {
			s.fail(w, r, &core.Error{Code: core.Invalid, Key: "error.invalid_form",
				Fields: []core.FieldError{{Field: "lang", Key: "screening.error.lang"}}})
			return
		}
		lang = parsed
		delete(doc, "lang")
	}
	input, err := json.Marshal(doc)
	if err != nil {
		s.fail(w, r, core.Wrap(core.Internal, "error.internal", err))
		return
	}
	sc, err := s.cfg.Screenings.CreateDocument(r.Context(), actorOf(r), input, lang)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/screenings/"+strconv.FormatInt(sc.ID, 10))
	writeJSON(w, http.StatusCreated, toAPIScreening(sc))
}

func (s *Server) apiScreening(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sc, err := s.cfg.Screenings.Get(r.Context(), actorOf(r), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toAPIScreening(sc))
}

// apiLinkScreeningPerson links a screening to a person ({"person_id": N}) or unlinks it
// ({"person_id": null}), and answers the screening as it now stands.
func (s *Server) apiLinkScreeningPerson(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// person_id is required, so that an empty or misspelt body never unlinks by accident;
	// null is the explicit way to unlink.
	var body struct {
		PersonID json.RawMessage `json:"person_id"`
	}
	if err := decodeJSON(w, r, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	var personID int64
	if string(body.PersonID) != "null" {
		if len(body.PersonID) == 0 || json.Unmarshal(body.PersonID, &personID) != nil || personID <= 0 {
			s.fail(w, r, &core.Error{Code: core.Invalid, Key: "error.invalid_form",
				Fields: []core.FieldError{{Field: "person_id", Key: "screening.error.person_number"}}})
			return
		}
	}
	actor := actorOf(r)
	if err := s.cfg.Screenings.LinkPerson(r.Context(), actor, id, personID); err != nil {
		s.fail(w, r, err)
		return
	}
	sc, err := s.cfg.Screenings.Get(r.Context(), actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toAPIScreening(sc))
}

// apiScreenings lists the agency's screenings, newest first, with the agency's counts; for
// analysts, the counts alone.
func (s *Server) apiScreenings(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var p screenings.Page
	var v core.Validation
	if raw := q.Get("before"); raw != "" {
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n <= 0 {
			v.Add("before", "api.not_a_number")
		}
		p.Before = n
	}
	if raw := q.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > screenings.MaxPageSize {
			v.Add("limit", "screening.error.limit", screenings.MaxPageSize)
		}
		p.Limit = n
	}
	if err := v.Err(); err != nil {
		s.fail(w, r, err)
		return
	}
	l, err := s.cfg.Screenings.List(r.Context(), actorOf(r), p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := map[string]any{"counts": l.Counts}
	if !l.CountsOnly {
		list := make([]apiScreeningSummary, 0, len(l.Screenings))
		for _, sc := range l.Screenings {
			list = append(list, toAPIScreeningSummary(sc))
		}
		out["screenings"] = list
		var next *int64
		if l.Next != 0 {
			next = &l.Next
		}
		out["next_before"] = next
	}
	writeJSON(w, http.StatusOK, out)
}
