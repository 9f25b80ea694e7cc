package web

import (
	"net/http"
	"strconv"

	"nanduti/internal/access"
	"nanduti/internal/core"
	"nanduti/internal/dedupe"
)

// routesDedupe registers the possible-duplicate pages and API when the service is configured.
func (s *Server) routesDedupe() {
	if s.cfg.Dedupe == nil {
		return
	}
	s.handle("GET /dedupe", SignedIn, s.dedupeList)
	s.handle("GET /dedupe/{id}", SignedIn, s.dedupeCandidate)
	s.handle("POST /dedupe/{id}/confirm", SignedIn, s.dedupeConfirm)
	s.handle("POST /dedupe/{id}/reject", SignedIn, s.dedupeReject)
	s.handle("POST /dedupe/{id}/undo", SignedIn, s.dedupeUndo)
	s.handle("POST /dedupe/{id}/request-access", SignedIn, s.dedupeRequestAccess)
	s.handle("GET /api/v1/dedupe/candidates", APIToken, s.apiDedupeList)
	s.handle("GET /api/v1/dedupe/candidates/{id}", APIToken, s.apiDedupeCandidate)
	s.handle("POST /api/v1/dedupe/candidates/{id}/confirm", APIToken, s.apiDedupeConfirm)
	s.handle("POST /api/v1/dedupe/candidates/{id}/reject", APIToken, s.apiDedupeReject)
	s.handle("POST /api/v1/dedupe/candidates/{id}/undo", APIToken, s.apiDedupeUndo)
	s.handle("POST /api/v1/dedupe/candidates/{id}/request-access", APIToken, s.apiDedupeRequestAccess)
}

func init() {
	// seesDedupe decides the navigation entry.
	funcs["seesDedupe"] = func(a core.Actor) bool { return access.CanSeeDedupe(a) }
	// levelKey names an agreement level in the catalogue.
	funcs["levelKey"] = func(field int, level int8) string { return dedupe.LevelName(field, level) }
	funcs["fieldKey"] = func(field int) string { return "dedupe.field." + dedupe.FieldNames[field] }
	funcs["weight"] = func(w float64) string { return strconv.FormatFloat(w, 'f', 1, 64) }
	// slice2 lists the two sides of a candidate for side-by-side columns.
	funcs["slice2"] = func(a, b *dedupe.Side) []*dedupe.Side { return []*dedupe.Side{a, b} }
}

// dedupeRow is one compared field on the candidate page.
type dedupeRow struct {
	Field int
	Level int8
}

func dedupeRows(v dedupe.View) []dedupeRow {
	out := make([]dedupeRow, len(v.Levels))
	for i, l := range v.Levels {
		out[i] = dedupeRow{Field: i, Level: l}
	}
	return out
}

func (s *Server) dedupeList(w http.ResponseWriter, r *http.Request) {
	list, notices, err := s.cfg.Dedupe.List(r.Context(), actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var both, oneSide []dedupe.View
	for _, v := range list {
		if v.Sight == access.SightBoth {
			both = append(both, v)
		} else {
			oneSide = append(oneSide, v)
		}
	}
	s.render(w, r, http.StatusOK, "dedupe_list", map[string]any{"Both": both, "OneSide": oneSide, "Notices": notices})
}

// renderCandidate shows a candidate page; done names the action just taken, for the notice.
func (s *Server) renderCandidate(w http.ResponseWriter, r *http.Request, id int64, status int, formErr error) {
	v, err := s.cfg.Dedupe.Get(r.Context(), actorOf(r), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	viewer, err := s.personViewer(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := map[string]any{"V": v, "Rows": dedupeRows(v), "Viewer": viewer, "Done": r.URL.Query().Get("done"),
		"Identified": v.A != nil && (v.A.Identity != nil || v.B.Identity != nil)}
	if formErr != nil {
		s.formError(w, r, "dedupe_candidate", data, formErr)
		return
	}
	s.render(w, r, status, "dedupe_candidate", data)
}

func (s *Server) dedupeCandidate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderCandidate(w, r, id, http.StatusOK, nil)
}

// dedupeAction runs a decision from a form and goes back to the candidate page.
func (s *Server) dedupeAction(w http.ResponseWriter, r *http.Request, done string,
	act func(actor core.Actor, id int64) error) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, core.Wrap(core.Invalid, "error.bad_form", err))
		return
	}
	if err := act(actorOf(r), id); err != nil {
		if ce, ok := err.(*core.Error); ok && len(ce.Fields) > 0 {
			s.renderCandidate(w, r, id, http.StatusBadRequest, err)
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/dedupe/"+strconv.FormatInt(id, 10)+"?done="+done, http.StatusSeeOther)
}

// canonicalChoice reads the confirm form's choice: a person id of the pair, or the rule.
func canonicalChoice(value string) (int64, error) {
	if value == "" || value == "rule" {
		return dedupe.CanonicalByRule, nil
	}
	n, err := strconv.ParseInt(value, 10, 64)
	if err != nil || n <= 0 {
		return 0, &core.Error{Code: core.Invalid, Key: "error.invalid_form",
			Fields: []core.FieldError{{Field: "canonical", Key: "dedupe.error.canonical"}}}
	}
	return n, nil
}

func (s *Server) dedupeConfirm(w http.ResponseWriter, r *http.Request) {
	s.dedupeAction(w, r, "confirmed", func(actor core.Actor, id int64) error {
		canon, err := canonicalChoice(r.PostForm.Get("canonical"))
		if err != nil {
			return err
		}
		_, err = s.cfg.Dedupe.Confirm(r.Context(), actor, id, canon)
		return err
	})
}

func (s *Server) dedupeReject(w http.ResponseWriter, r *http.Request) {
	s.dedupeAction(w, r, "rejected", func(actor core.Actor, id int64) error {
		_, err := s.cfg.Dedupe.Reject(r.Context(), actor, id)
		return err
	})
}

func (s *Server) dedupeUndo(w http.ResponseWriter, r *http.Request) {
	s.dedupeAction(w, r, "undone", func(actor core.Actor, id int64) error {
		_, err := s.cfg.Dedupe.Undo(r.Context(), actor, id)
		return err
	})
}

func (s *Server) dedupeRequestAccess(w http.ResponseWriter, r *http.Request) {
	s.dedupeAction(w, r, "requested", func(actor core.Actor, id int64) error {
		_, err := s.cfg.Dedupe.RequestAccess(r.Context(), actor, id)
		return err
	})
}

// mergeNotes returns what the person page says of the person's merges, nil without the
// dedupe service.
func (s *Server) mergeNotes(r *http.Request, personID int64) ([]dedupe.MergeNote, error) {
	if s.cfg.Dedupe == nil {
		return nil, nil
	}
	return s.cfg.Dedupe.MergeNotes(r.Context(), actorOf(r), personID)
}
