package serve

import (
	"encoding/json"
	"net/http"
)

// problem is an error response in the shape of RFC 9457 (problem
// details), with the parameter to blame when there is one.
type problem struct {
	Status int    `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
	// Parameter names the request parameter that was wrong: name,
	// template, goal, team, kind, git, body, or a question's name.
	Parameter string `json:"parameter,omitempty"`
}

func (p *problem) Error() string { return p.Detail }

func badRequest(param, detail string) *problem {
	return &problem{Status: http.StatusBadRequest, Parameter: param, Detail: detail}
}

func (s *Server) problem(w http.ResponseWriter, r *http.Request, p *problem) {
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	h := w.Header()
	h.Del("Content-Disposition")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "application/problem+json")
	data, _ := json.MarshalIndent(p, "", "  ")
	w.WriteHeader(p.Status)
	w.Write(append(data, '\n'))
}

// writeJSON writes v as indented JSON with the status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	w.Write(append(data, '\n'))
}
