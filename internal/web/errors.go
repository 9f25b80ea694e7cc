package web

import (
	"encoding/json"
	"net/http"
	"strings"

	"nanduti/internal/core"
	"nanduti/internal/i18n"
)

// statusOf is the one table from error codes to HTTP statuses.
var statusOf = map[core.Code]int{
	core.Invalid:         http.StatusBadRequest,
	core.NotFound:        http.StatusNotFound,
	core.Conflict:        http.StatusConflict,
	core.Unauthenticated: http.StatusUnauthorized,
	core.Forbidden:       http.StatusForbidden,
	core.TooManyRequests: http.StatusTooManyRequests,
	core.Internal:        http.StatusInternalServerError,
}

var errCrossOrigin = core.Errorf(core.Forbidden, "error.cross_origin")

// apiError is the JSON body of every API error.
type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code    core.Code       `json:"code"`
	Message string          `json:"message"`
	Fields  []apiFieldError `json:"fields,omitempty"`
}

type apiFieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// fail answers a request with an error: JSON under /api/, an error page elsewhere. Internal
// errors are logged with the request id and shown as a generic message; their cause never
// reaches the client.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := core.ErrorCode(err)
	status := statusOf[code]
	if status == 0 {
		status = http.StatusInternalServerError
	}
	st := state(r.Context())
	key := "error.internal"
	var ce *core.Error
	if e, ok := err.(*core.Error); ok {
		ce = e
	}
	if status >= 500 {
		s.log.Error("request failed", "request_id", st.id, "route", r.Pattern, "actor_id", st.actor.UserID,
			"agency_id", st.actor.AgencyID, "err", err)
		ce = nil
	} else if ce != nil {
		key = ce.Key
	}
	var args []any
	if ce != nil {
		args = ce.Args
	}
	msg := i18n.T(st.lang, key, args...)
	if strings.HasPrefix(r.URL.Path, "/api/") {
		body := apiError{Error: apiErrorBody{Code: code, Message: msg}}
		if ce != nil {
			for _, f := range ce.Fields {
				body.Error.Fields = append(body.Error.Fields, apiFieldError{Field: f.Field, Message: i18n.T(st.lang, f.Key, f.Args...)})
			}
		}
		writeJSON(w, status, body)
		return
	}
	s.render(w, r, status, "error", map[string]any{"Status": status, "Message": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
