package web

import (
	"bytes"
	"net/http"
	"strconv"
	"time"
)

type apiDataset struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	Shared     bool      `json:"shared"`
	AgencyID   int64     `json:"agency_id,omitempty"`
	FileName   string    `json:"file_name"`
	Layout     string    `json:"layout"`
	Records    int64     `json:"records"`
	ImportedAt time.Time `json:"imported_at"`
	Source     string    `json:"source"`
}

func (s *Server) apiStatsDatasets(w http.ResponseWriter, r *http.Request) {
	list, err := s.cfg.Stats.Datasets(r.Context(), actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]apiDataset, 0, len(list))
	for _, d := range list {
		out = append(out, apiDataset{ID: d.ID, Name: d.Name, Shared: d.AgencyID == 0, AgencyID: d.AgencyID, FileName: d.FileName,
			Layout: d.Layout, Records: d.Rows, ImportedAt: d.ImportedAt, Source: "dataset:" + strconv.FormatInt(d.ID, 10)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"datasets": out})
}

// apiStatsTable answers one disclosure-controlled table as the JSON document of the exports
// (stats.WriteJSON); it is an export and audited as one.
func (s *Server) apiStatsTable(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	q.Set("format", "json")
	req, err := statsQuery(q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := s.cfg.Stats.Export(r.Context(), actorOf(r), req, "json", &buf); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}
