package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scaffold-cli/scaffold/internal/answer"
	"github.com/scaffold-cli/scaffold/internal/config"
	"github.com/scaffold-cli/scaffold/internal/decide"
	"github.com/scaffold-cli/scaffold/internal/names"
	"github.com/scaffold-cli/scaffold/internal/project"
	"github.com/scaffold-cli/scaffold/internal/prompt"
	"github.com/scaffold-cli/scaffold/internal/source"
	"github.com/scaffold-cli/scaffold/internal/template"
	"github.com/scaffold-cli/scaffold/internal/usererr"
)

// request is what a preview or starter asks for, from the query, a
// form or a JSON body.
type request struct {
	Template string         `json:"template"`
	Name     string         `json:"name"`
	Goals    []string       `json:"goal"`
	Team     string         `json:"team"`
	Kind     string         `json:"kind"`
	Git      bool           `json:"git"`
	Answers  map[string]any `json:"answers"`

	// repeated counts the answers given more than once; inURL notes
	// those the URL carried.
	repeated map[string]int
	inURL    map[string]bool
}

// reserved are the parameters that are not answers.
var reserved = []string{"template", "name", "goal", "team", "kind", "git"}

// parseRequest reads the parameters: the query's, and a POST's body (a
// form or JSON), which wins. inURL notes the answers the URL carried.
func (s *Server) parseRequest(r *http.Request) (*request, *problem) {
	query, p := parseQuery(r.URL.RawQuery, "query string")
	if p != nil {
		return nil, p
	}
	if r.Method != http.MethodPost {
		return parseValues(query, true)
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		req, p := parseJSON(r.Body)
		if p == nil && len(query) > 0 {
			p = badRequest("", "a JSON body comes alone: move the query's parameters into it")
		}
		return req, p
	case "application/x-www-form-urlencoded", "":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, bodyProblem(err)
		}
		form, p := parseQuery(string(body), "form")
		if p != nil {
			return nil, p
		}
		req, p := parseValues(form, false)
		if p != nil {
			return nil, p
		}
		fromURL, p := parseValues(query, true)
		if p != nil {
			return nil, p
		}
		req.merge(fromURL)
		return req, nil
	default:
		return nil, &problem{Status: http.StatusUnsupportedMediaType, Parameter: "body",
			Detail: fmt.Sprintf("a body of type %s cannot be read: send application/json or application/x-www-form-urlencoded", ct)}
	}
}

// parseQuery reads a query string or form as url.ParseQuery does, but
// refuses what it would drop in silence, naming the parameter.
func parseQuery(raw, what string) (url.Values, *problem) {
	out := url.Values{}
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, badRequest("", fmt.Sprintf("a parameter's name in the %s cannot be read (%v): escape it as %%XX", what, err))
		}
		if strings.Contains(pair, ";") {
			return nil, badRequest(key, fmt.Sprintf("the %s holds a ';', which separates nothing here: separate parameters with & and escape a ';' in a value as %%3B", what))
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			return nil, badRequest(key, fmt.Sprintf("the value of %s in the %s cannot be read (%v): escape it as %%XX", key, what, err))
		}
		out.Add(key, val)
	}
	return out, nil
}

func bodyProblem(err error) *problem {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &problem{Status: http.StatusRequestEntityTooLarge, Parameter: "body",
			Detail: fmt.Sprintf("the request body is larger than the %d KiB this server reads", tooBig.Limit>>10)}
	}
	return badRequest("body", "the request body cannot be read: "+err.Error())
}

func parseJSON(body io.Reader) (*request, *problem) {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	req := &request{}
	if err := dec.Decode(req); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, bodyProblem(err)
		}
		return nil, badRequest("body", "the JSON body is not valid: "+err.Error()+
			`; send {"template":"go/chi","name":"orders","answers":{"module":"example.com/orders"}}`)
	}
	if dec.More() {
		return nil, badRequest("body", "the JSON body holds more than one value: send one object")
	}
	if req.Answers == nil {
		req.Answers = map[string]any{}
	}
	return req, nil
}

func parseValues(v url.Values, inURL bool) (*request, *problem) {
	req := &request{Template: v.Get("template"), Name: v.Get("name"), Goals: v["goal"], Team: v.Get("team"),
		Kind: v.Get("kind"), Answers: map[string]any{}, repeated: map[string]int{}}
	for _, k := range reserved {
		if k != "goal" && len(v[k]) > 1 {
			return nil, badRequest(k, fmt.Sprintf("%s is given %d times: give it once", k, len(v[k])))
		}
	}
	if g := v.Get("git"); g != "" {
		b, err := parseBool(g)
		if err != nil {
			return nil, badRequest("git", fmt.Sprintf("git=%q is not true or false", g))
		}
		req.Git = b
	}
	if inURL {
		req.inURL = map[string]bool{}
	}
	for k, vals := range v {
		if slices.Contains(reserved, k) {
			continue
		}
		if strings.TrimSpace(k) == "" {
			return nil, badRequest("", "a parameter has no name: give NAME=VALUE")
		}
		// A multiselect's choices, repeated or comma-separated; only a
		// multiselect may be repeated (see make).
		req.Answers[k] = strings.Join(vals, ",")
		if len(vals) > 1 {
			req.repeated[k] = len(vals)
		}
		if inURL {
			req.inURL[k] = true
		}
	}
	return req, nil
}

// merge adds the parameters of the URL that the body does not give.
func (req *request) merge(url *request) {
	for _, f := range []struct{ to, from *string }{{&req.Template, &url.Template}, {&req.Name, &url.Name}, {&req.Team, &url.Team}, {&req.Kind, &url.Kind}} {
		if *f.to == "" {
			*f.to = *f.from
		}
	}
	if len(req.Goals) == 0 {
		req.Goals = url.Goals
	}
	req.Git = req.Git || url.Git
	for k, v := range url.Answers {
		if _, ok := req.Answers[k]; !ok {
			req.Answers[k] = v
			if req.inURL == nil {
				req.inURL = map[string]bool{}
			}
			req.inURL[k] = true
			if n, ok := url.repeated[k]; ok {
				req.repeated[k] = n
			}
		}
	}
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "on", "yes":
		return true, nil
	case "off", "no":
		return false, nil
	}
	return strconv.ParseBool(s)
}

// made is a project generated in memory for a request.
type made struct {
	name        string // the catalog's
	opened      *source.Opened
	gen         *project.Generated
	proj        names.Project
	recommended bool
	git         bool // the archive holds .git with the first commit
}

// make answers and renders what the request asks for, as scaffold new
// --yes --no-hooks --no-install would with the same answers.
func (s *Server) make(ctx context.Context, req *request) (*made, *problem) {
	in, p := decideInput(req.Goals, req.Team, req.Kind)
	if p != nil {
		return nil, p
	}
	m := &made{git: req.Git}
	name := req.Template
	if name == "" {
		if len(in.Goals) == 0 && in.Team == "" && in.Kind == "" {
			return nil, badRequest("template", "give template= (one of "+strings.Join(s.cat.Names(), ", ")+"), or goal= for the recommendation to pick one")
		}
		rec := decide.Recommend(in, s.cat.Engine())
		if rec.Template == "" || in.Kind != "" && rec.Kind != in.Kind {
			kind := rec.Kind
			if in.Kind != "" {
				kind = in.Kind
			}
			return nil, badRequest("goal", fmt.Sprintf("the catalog has no %s template for these goals: give template=", kind))
		}
		name, m.recommended = rec.Template, true
	}
	if _, ok := s.cat.Get(name); !ok {
		return nil, badRequest("template", fmt.Sprintf("no template %q here; known: %s", name, strings.Join(s.cat.Names(), ", ")))
	}
	m.name = name
	if req.Name == "" {
		return nil, badRequest("name", "name= is required: the project's name, as in scaffold new NAME")
	}
	var err error
	if m.proj, err = names.Derive(req.Name, s.cfg.NameOptions()); err != nil {
		return nil, badRequest("name", err.Error())
	}
	if m.opened, err = s.template(ctx, name); err != nil {
		if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
			return nil, timeoutProblem(s)
		}
		s.log.Warn("open template", "template", name, "error", err)
		return nil, &problem{Status: http.StatusBadGateway, Parameter: "template",
			Detail: fmt.Sprintf("template %s cannot be opened: %v", name, err)}
	}
	man := m.opened.Template.Manifest
	if man.Kind == template.Workspace {
		return nil, badRequest("template", fmt.Sprintf("%s is a workspace template, whose parts are templates of their own: make it with scaffold new --template %s; this server makes one project", name, name))
	}
	for _, q := range man.Questions {
		if n := req.repeated[q.Name]; n > 1 && q.Type != template.MultiSelect {
			return nil, badRequest(q.Name, fmt.Sprintf("%s is given %d times: give it once (only a multiselect question takes several)", q.Name, n))
		}
		if q.Secret && req.inURL[q.Name] {
			return nil, badRequest(q.Name, fmt.Sprintf("%s is a secret answer and came in the URL, which logs, proxies and browser histories keep: send it in a POST body (a form or JSON)", q.Name))
		}
	}
	m.gen, err = project.Generate(ctx, project.GenerateInput{
		Opened: m.opened, Project: m.proj, Author: s.cfg.String(config.Author), Now: s.now(), Version: s.version,
		Goals: in.Goals, Team: string(in.Team),
		Answers: answer.Options{Given: req.Answers, Defaults: s.cfg.Defaults, Prompter: prompt.NoTerminal{}, Yes: true},
	})
	if err != nil {
		return nil, s.renderProblem(ctx, name, err)
	}
	return m, nil
}

// renderProblem says what was wrong, in the request's terms: NAME=VALUE
// where the command line says --set. An answer's fault is a 400 naming
// it; what the template cannot render with the answers names the
// template.
func (s *Server) renderProblem(ctx context.Context, name string, err error) *problem {
	var qe *answer.QuestionError
	var missing *prompt.MissingError
	switch {
	case ctx.Err() != nil:
		return timeoutProblem(s)
	case errors.As(err, &qe) && qe.Refused == nil:
		return badRequest(qe.Name, fmt.Sprintf("template %s has no question %q; known: %s", qe.Template, qe.Name, strings.Join(qe.Known, ", ")))
	case errors.As(err, &qe):
		return badRequest(qe.Name, fmt.Sprintf("answer to %q (%s=...): %v", qe.Prompt, qe.Name, qe.Refused))
	case errors.As(err, &missing):
		return badRequest(missing.Question.Name, fmt.Sprintf("%q needs an answer: give %s=VALUE", strings.TrimSuffix(missing.Question.Message, "?"), missing.Question.Name))
	case errors.Is(err, errTooLarge):
		return &problem{Status: http.StatusInternalServerError, Parameter: "template",
			Detail: fmt.Sprintf("the project's archive would be larger than the %d MiB this server sends", s.limits.MaxArchive>>20)}
	case usererr.Is(err):
		return badRequest("template", fmt.Sprintf("template %s cannot be made with these answers: %v", name, err))
	}
	s.log.Error("render", "template", name, "error", err)
	return &problem{Status: http.StatusInternalServerError, Detail: "the project could not be rendered; the server's log says why"}
}

func timeoutProblem(s *Server) *problem {
	return &problem{Status: http.StatusServiceUnavailable, Detail: fmt.Sprintf("the project took longer than the %s this server gives one", s.limits.RenderTimeout)}
}

type previewFile struct {
	Path string `json:"path"`
	Size int    `json:"size"`
	Mode string `json:"mode"`
	Link string `json:"link,omitempty"`
}

type previewQuestion struct {
	Name    string `json:"name"`
	Applies bool   `json:"applies"`
	Value   any    `json:"value,omitempty"`
}

type nextStep struct {
	Run  string `json:"run"`
	Note string `json:"note,omitempty"`
}

type previewResult struct {
	Name        string            `json:"name"`
	Template    string            `json:"template"`
	Recommended bool              `json:"recommended"`
	Questions   []previewQuestion `json:"questions"`
	Files       []previewFile     `json:"files"`
	Next        []nextStep        `json:"next"`
	Hooks       string            `json:"hooks,omitempty"`
}

// response is what a render sends, made before it is sent.
type response struct {
	contentType string
	filename    string // an attachment's, when it is one
	body        []byte
}

// preview is the dry run: the answers that would be used and the files
// that would be written, with none of their content.
func (s *Server) preview(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, func(ctx context.Context, m *made) (*response, error) {
		t := m.opened.Template
		data := m.gen.Answered.Data
		res := &previewResult{Name: m.proj.Name, Template: m.name, Recommended: m.recommended, Files: []previewFile{}, Next: []nextStep{}}
		for _, q := range t.Manifest.Questions {
			pq := previewQuestion{Name: q.Name, Applies: m.gen.Answered.Applies[q.Name]}
			if v, ok := m.gen.Answered.Recorded[q.Name]; ok {
				pq.Value = v
			}
			res.Questions = append(res.Questions, pq)
		}
		shown := func(p string) string {
			if v, ok := m.gen.Secrets.Shown[p]; ok {
				return v
			}
			return t.RedactText(p, data)
		}
		for _, f := range m.gen.Files {
			pf := previewFile{Path: path.Join(m.proj.Name, shown(f.Path)), Size: len(f.Data), Mode: fmt.Sprintf("%04o", f.Mode.Perm())}
			if f.Link != "" {
				pf.Link = shown(f.Link)
			}
			res.Files = append(res.Files, pf)
		}
		next, err := project.NextSteps(ctx, t, data)
		if err != nil {
			return nil, err
		}
		for _, n := range next {
			res.Next = append(res.Next, nextStep{Run: n.Run, Note: n.Note})
		}
		if len(t.Manifest.Hooks) > 0 {
			res.Hooks = "the template has hooks, which this server does not run: " + strings.Join(t.Manifest.Hooks, "; ")
		}
		body, err := json.MarshalIndent(res, "", "  ")
		return &response{contentType: "application/json", body: append(body, '\n')}, err
	})
}

// starter serves the project as an archive of the format.
func (s *Server) starter(f format) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, func(ctx context.Context, m *made) (*response, error) {
			entries, cleanup, err := s.entries(ctx, m)
			defer cleanup()
			if err != nil {
				return nil, err
			}
			buf := &capped{max: s.limits.MaxArchive}
			if err := f.write(buf, m.proj.Name, entries, s.now().Truncate(time.Second)); err != nil {
				return nil, err
			}
			return &response{contentType: f.contentType, filename: m.proj.Name + f.ext, body: buf.Bytes()}, nil
		})
	}
}

// render parses the request and, in a render slot and under one
// deadline, makes the project and has produce make the response from
// it. The slot is free before the response is sent: a slow client holds
// its connection and its share of the buffer budget, never a slot.
func (s *Server) render(w http.ResponseWriter, r *http.Request, produce func(context.Context, *made) (*response, error)) {
	req, p := s.parseRequest(r)
	if p != nil {
		s.problem(w, r, p)
		return
	}
	if !s.acquire(w, r) {
		return
	}
	res, p := func() (*response, *problem) {
		defer s.release()
		ctx, cancel := context.WithTimeout(r.Context(), s.limits.RenderTimeout)
		defer cancel()
		m, p := s.make(ctx, req)
		if p != nil {
			return nil, p
		}
		res, err := produce(ctx, m)
		if err != nil {
			return nil, s.renderProblem(ctx, m.name, err)
		}
		return res, nil
	}()
	if p != nil {
		s.problem(w, r, p)
		return
	}
	n := int64(len(res.body))
	if s.buffered.Add(n) > s.limits.MaxBuffered {
		s.buffered.Add(-n)
		w.Header().Set("Retry-After", "5")
		s.problem(w, r, &problem{Status: http.StatusServiceUnavailable,
			Detail: "the server is sending as much as it holds at once; try again in a moment"})
		return
	}
	defer s.buffered.Add(-n)
	h := w.Header()
	h.Set("Content-Type", res.contentType)
	if res.filename != "" {
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": res.filename}))
	}
	h.Set("Content-Length", strconv.Itoa(len(res.body)))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(res.body)
}

// entries are the archive's: the files in memory, or with git=true the
// project as scaffold new writes it, .git and its first commit too.
func (s *Server) entries(ctx context.Context, m *made) ([]entry, func(), error) {
	if !m.git {
		return fileEntries(m.gen.Files), func() {}, nil
	}
	dir, err := os.MkdirTemp("", "scaffold-serve-")
	if err != nil {
		return nil, func() {}, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	target := dir + string(os.PathSeparator) + m.proj.Name
	settings := project.GitSettings{Identity: project.DefaultIdentity, Default: true, Branch: "main"}
	created, err := project.Create(ctx, target, project.CreateOptions{
		Files: m.gen.Files, Base: m.gen.Rendered, Private: m.gen.Private, Source: m.opened.Ref, Now: s.now,
		Name: m.proj.Name, Getenv: func(string) string { return "" }, HookOutput: io.Discard, Git: &settings,
	})
	if err == nil && (created == nil || created.Commit == "") {
		err = errors.New("the first commit was not made")
	}
	if err != nil {
		return nil, cleanup, err
	}
	list, err := dirEntries(target, s.limits.MaxArchive)
	return list, cleanup, err
}
