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
}

// reserved are the parameters that are not answers.
var reserved = []string{"template", "name", "goal", "team", "kind", "git"}

func (s *Server) parseRequest(r *http.Request) (*request, *problem) {
	if r.Method == http.MethodPost {
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		switch ct {
		case "application/json":
			return parseJSON(r.Body)
		case "application/x-www-form-urlencoded", "":
			if err := r.ParseForm(); err != nil {
				return nil, bodyProblem(err)
			}
			return parseValues(r.Form)
		default:
			return nil, &problem{Status: http.StatusUnsupportedMediaType, Parameter: "body",
				Detail: fmt.Sprintf("a body of type %s cannot be read: send application/json or application/x-www-form-urlencoded", ct)}
		}
	}
	return parseValues(r.URL.Query())
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

func parseValues(v url.Values) (*request, *problem) {
	req := &request{Template: v.Get("template"), Name: v.Get("name"), Goals: v["goal"], Team: v.Get("team"),
		Kind: v.Get("kind"), Answers: map[string]any{}}
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
	for k, vals := range v {
		if slices.Contains(reserved, k) {
			continue
		}
		if strings.TrimSpace(k) == "" {
			return nil, badRequest("", "a parameter has no name: give NAME=VALUE")
		}
		// A multiselect's choices, repeated or comma-separated.
		req.Answers[k] = strings.Join(vals, ",")
	}
	return req, nil
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
	m := &made{}
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
	} else if _, ok := s.cat.Get(name); !ok {
		return nil, badRequest("template", fmt.Sprintf("no template %q here; known: %s", name, strings.Join(s.cat.Names(), ", ")))
	}
	if req.Name == "" {
		return nil, badRequest("name", "name= is required: the project's name, as in scaffold new NAME")
	}
	var err error
	if m.proj, err = names.Derive(req.Name, s.cfg.NameOptions()); err != nil {
		return nil, badRequest("name", err.Error())
	}
	if m.opened, err = s.template(ctx, name); err != nil {
		if ctx.Err() != nil {
			return nil, timeoutProblem(s)
		}
		s.log.Warn("open template", "template", name, "error", err)
		return nil, &problem{Status: http.StatusBadGateway, Parameter: "template",
			Detail: fmt.Sprintf("template %s cannot be opened: %v", name, err)}
	}
	if m.opened.Template.Manifest.Kind == template.Workspace {
		return nil, badRequest("template", fmt.Sprintf("%s is a workspace template, whose parts are templates of their own: make it with scaffold new --template %s; this server makes one project", name, name))
	}
	m.gen, err = project.Generate(ctx, project.GenerateInput{
		Opened: m.opened, Project: m.proj, Author: s.cfg.String(config.Author), Now: s.now(), Version: s.version,
		Goals: in.Goals, Team: string(in.Team),
		Answers: answer.Options{Given: req.Answers, Defaults: s.cfg.Defaults, Prompter: prompt.NoTerminal{}, Yes: true},
	})
	if err != nil {
		return nil, s.answerProblem(ctx, err)
	}
	return m, nil
}

// answerProblem says what was wrong with the answers, in the request's
// terms: NAME=VALUE where the command line says --set.
func (s *Server) answerProblem(ctx context.Context, err error) *problem {
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
	case usererr.Is(err):
		return badRequest("", err.Error())
	}
	s.log.Error("render", "error", err)
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

// preview is the dry run: the answers that would be used and the files
// that would be written, with none of their content.
func (s *Server) preview(w http.ResponseWriter, r *http.Request) {
	m, ok := s.serveMake(w, r)
	if !ok {
		return
	}
	t := m.opened.Template
	data := m.gen.Answered.Data
	res := &previewResult{Name: m.proj.Name, Template: m.opened.Ref, Recommended: m.recommended, Files: []previewFile{}}
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
	next, err := project.NextSteps(r.Context(), t, data)
	if err != nil {
		s.release()
		s.problem(w, r, s.answerProblem(r.Context(), err))
		return
	}
	s.release() // what is left is to send it, at the client's pace
	res.Next = []nextStep{}
	for _, n := range next {
		res.Next = append(res.Next, nextStep{Run: n.Run, Note: n.Note})
	}
	if len(t.Manifest.Hooks) > 0 {
		res.Hooks = "the template has hooks, which this server does not run: " + strings.Join(t.Manifest.Hooks, "; ")
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, res)
}

// serveMake parses the request, takes a render slot and makes the
// project; on false the response is written. On true the caller must
// release the slot.
func (s *Server) serveMake(w http.ResponseWriter, r *http.Request) (*made, bool) {
	req, p := s.parseRequest(r)
	if p != nil {
		s.problem(w, r, p)
		return nil, false
	}
	if !s.acquire(w, r) {
		return nil, false
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.limits.RenderTimeout)
	defer cancel()
	m, p := s.make(ctx, req)
	if p != nil {
		s.release()
		s.problem(w, r, p)
		return nil, false
	}
	m.git = req.Git
	return m, true
}

// starter serves the project as an archive of the format.
func (s *Server) starter(f format) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		m, ok := s.serveMake(w, r)
		if !ok {
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), s.limits.RenderTimeout)
		defer cancel()
		entries, cleanup, err := s.entries(ctx, m)
		defer cleanup()
		buf := &capped{max: s.limits.MaxArchive}
		if err == nil {
			err = f.write(buf, m.proj.Name, entries, s.now().Truncate(time.Second))
		}
		// The slot is free once the archive is made: a slow client keeps
		// its connection, not a render slot.
		s.release()
		switch {
		case errors.Is(err, errTooLarge):
			s.problem(w, r, &problem{Status: http.StatusInternalServerError,
				Detail: fmt.Sprintf("the project's archive would be larger than the %d MiB this server sends", s.limits.MaxArchive>>20)})
			return
		case err != nil:
			s.problem(w, r, s.answerProblem(ctx, err))
			return
		}
		h := w.Header()
		h.Set("Content-Type", f.contentType)
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": m.proj.Name + f.ext}))
		h.Set("Content-Length", strconv.Itoa(buf.Len()))
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		w.Write(buf.Bytes())
	}
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
