package serve

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/scaffold-cli/scaffold/internal/catalog"
	"github.com/scaffold-cli/scaffold/internal/decide"
	"github.com/scaffold-cli/scaffold/internal/display"
	"github.com/scaffold-cli/scaffold/internal/stack"
	"github.com/scaffold-cli/scaffold/internal/template"
)

// MediaType is the metadata's versioned media type; application/json
// gives the same document.
const MediaType = "application/vnd.scaffold.v1+json"

// HooksNote says what the server never does, in the metadata and on the
// page.
const HooksNote = "scaffold serve never runs a template's hooks and installs no dependencies: " +
	"run the project's install (npm install, go mod download, cargo fetch) after unpacking it, " +
	"and any hooks by hand once you have read them."

//go:embed web
var web embed.FS

type metadata struct {
	Scaffold  string            `json:"scaffold"`
	Hooks     string            `json:"hooks"`
	Goals     []goalMeta        `json:"goals"`
	Teams     []teamMeta        `json:"teams"`
	Kinds     []string          `json:"kinds"`
	Templates []templateMeta    `json:"templates"`
	Defaults  map[string]any    `json:"defaults"`
	Builtins  bool              `json:"builtins"`
	Links     map[string]string `json:"links"`
}

type goalMeta struct {
	Name string `json:"name"`
	Help string `json:"help"`
}

type teamMeta struct {
	Name  string `json:"name"`
	Title string `json:"title"`
	Help  string `json:"help"`
}

type templateMeta struct {
	Name        string         `json:"name"`
	Kind        string         `json:"kind"`
	Language    string         `json:"language"`
	Framework   string         `json:"framework"`
	Title       string         `json:"title"`
	Version     string         `json:"version"`
	Description string         `json:"description"`
	Source      string         `json:"source"`
	Questions   []questionMeta `json:"questions"`
	// Renders is false for what the server cannot make (a workspace,
	// whose parts are templates of their own: scaffold new makes it).
	Renders bool   `json:"renders"`
	Error   string `json:"error,omitempty"`
}

type questionMeta struct {
	Name     string   `json:"name"`
	Prompt   string   `json:"prompt"`
	Help     string   `json:"help,omitempty"`
	Type     string   `json:"type"`
	Default  any      `json:"default,omitempty"`
	Choices  []string `json:"choices,omitempty"`
	Validate string   `json:"validate,omitempty"`
	Format   string   `json:"format,omitempty"`
	When     string   `json:"when,omitempty"`
	Secret   bool     `json:"secret"`
}

// metadata describes everything a client needs to build a request: the
// goals, the templates and their questions, the team's defaults.
func (s *Server) metadata(ctx context.Context) *metadata {
	m := &metadata{Scaffold: s.version, Hooks: HooksNote, Builtins: s.builtin, Defaults: map[string]any{},
		Links: map[string]string{
			"recommend":   "/recommend{?goal*,team,kind}",
			"preview":     "/preview{?template,goal*,team,kind,name,answers*}",
			"starter.zip": "/starter.zip{?template,goal*,team,kind,name,git,answers*}",
			"starter.tgz": "/starter.tgz{?template,goal*,team,kind,name,git,answers*}",
		}}
	for _, g := range decide.Goals {
		m.Goals = append(m.Goals, goalMeta{g.Name, g.Help})
	}
	m.Teams = append(m.Teams, teamMeta{"none", "No preference", "no strong preference, or a mix"})
	for _, l := range stack.Languages {
		m.Teams = append(m.Teams, teamMeta{l.Name, l.Title, l.Help})
	}
	for _, k := range template.ProjectKinds {
		m.Kinds = append(m.Kinds, string(k))
	}
	secret := map[string]bool{}
	asked := map[string]bool{}
	entries := s.cat.Entries()
	opened := s.openAll(ctx, entries)
	for i, e := range entries {
		tm := templateMeta{Name: e.Name, Kind: string(e.Kind), Language: e.Language, Framework: e.Framework,
			Title: e.Title, Version: e.Version, Description: e.Description, Source: e.Source, Questions: []questionMeta{}}
		o, err := opened[i].o, opened[i].err
		if err != nil {
			tm.Error = fmt.Sprintf("the template cannot be opened: %v", err)
			m.Templates = append(m.Templates, tm)
			continue
		}
		man := o.Template.Manifest
		tm.Kind, tm.Language, tm.Framework, tm.Version = string(man.Kind), man.Language, man.Framework, man.Version
		tm.Title = catalog.TitleOf(man)
		if tm.Description == "" || e.Source == catalog.Builtin {
			tm.Description = man.Description
		}
		tm.Renders = man.Kind != template.Workspace
		for _, q := range man.Questions {
			tm.Questions = append(tm.Questions, questionMeta{Name: q.Name, Prompt: q.Prompt, Help: q.Help, Type: string(q.Type),
				Default: q.Default, Choices: q.Choices, Validate: q.Validate, Format: string(q.Format), When: q.When, Secret: q.Secret})
			asked[q.Name] = true
			secret[q.Name] = secret[q.Name] || q.Secret
		}
		m.Templates = append(m.Templates, tm)
	}
	// The team's defaults that pre-fill a question: never one of a secret
	// question, which would hand everyone the team's secret.
	for k, v := range s.cfg.Defaults {
		if asked[k] && !secret[k] {
			m.Defaults[k] = v
		}
	}
	return m
}

// metadataWait bounds how long the metadata waits for a template that
// is slow to open (a git remote that does not answer): it is listed with
// the error, and the next request finds it opened.
const metadataWait = 10 * time.Second

// openAll opens the templates at once, each for at most metadataWait.
func (s *Server) openAll(ctx context.Context, entries []catalog.Entry) []openedEntry {
	ctx, cancel := context.WithTimeout(ctx, metadataWait)
	defer cancel()
	out := make([]openedEntry, len(entries))
	var wg sync.WaitGroup
	for i, e := range entries {
		wg.Go(func() {
			o, err := s.template(ctx, e.Name)
			if err != nil && ctx.Err() != nil {
				err = fmt.Errorf("it did not open within %s; it goes on opening, try again in a moment", metadataWait)
			}
			out[i] = openedEntry{o: o, err: err}
		})
	}
	wg.Wait()
	return out
}

// root negotiates: the metadata for a client that asks for JSON, a
// text help for curl, HTTPie and wget, and the page for a browser.
func (s *Server) root(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Vary", "Accept, User-Agent")
	accept := r.Header.Get("Accept")
	switch {
	case accepts(accept, MediaType), accepts(accept, "application/json"):
		ct := "application/json"
		if accepts(accept, MediaType) {
			ct = MediaType
		}
		data, err := json.MarshalIndent(s.metadata(r.Context()), "", "  ")
		if err != nil {
			s.problem(w, r, &problem{Status: http.StatusInternalServerError, Detail: err.Error()})
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=60")
		s.serveBytes(w, r, ct, append(data, '\n'))
	case accepts(accept, "text/plain") || isCommandLine(r.UserAgent()) && !accepts(accept, "text/html"):
		w.Header().Set("Cache-Control", "public, max-age=60")
		s.serveBytes(w, r, "text/plain; charset=utf-8", s.help(r))
	default:
		page, err := fs.ReadFile(web, "web/index.html")
		if err != nil {
			s.problem(w, r, &problem{Status: http.StatusInternalServerError, Detail: err.Error()})
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		s.serveBytes(w, r, "text/html; charset=utf-8", page)
	}
}

// accepts reports whether the Accept header names the media type
// itself (not through a wildcard) with a quality above zero.
func accepts(header, mediaType string) bool {
	for _, part := range strings.Split(header, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || !strings.EqualFold(mt, mediaType) {
			continue
		}
		if q := params["q"]; q == "0" || q == "0.0" || q == "0.00" || q == "0.000" {
			continue
		}
		return true
	}
	return false
}

func isCommandLine(ua string) bool {
	for _, p := range []string{"curl/", "HTTPie/", "Wget/", "xh/"} {
		if strings.HasPrefix(ua, p) {
			return true
		}
	}
	return false
}

// serveBytes writes data with a strong ETag, answering 304 to a client
// that holds it already.
func (s *Server) serveBytes(w http.ResponseWriter, r *http.Request, contentType string, data []byte) {
	sum := sha256.Sum256(data)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	w.Header().Set("ETag", etag)
	if matchETag(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", fmt.Sprint(len(data)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(data)
	}
}

func matchETag(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

func (s *Server) asset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	data, err := fs.ReadFile(web, "web/"+name)
	if err != nil || name == "index.html" || strings.HasPrefix(name, ".") {
		s.problem(w, r, &problem{Status: http.StatusNotFound, Detail: "no such asset: " + name})
		return
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Cache-Control", "no-cache")
	s.serveBytes(w, r, ct, data)
}

// help is GET / for a command line: what to type.
func (s *Server) help(r *http.Request) []byte {
	base := "http://" + r.Host
	if r.TLS != nil {
		base = "https://" + r.Host
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "scaffold %s: start a backend project that builds, tests and serves on the first try.\n\n", s.version)
	fmt.Fprintln(&b, "Templates (template=NAME):")
	tw := tabwriter.NewWriter(&b, 2, 4, 2, ' ', 0)
	for _, tm := range s.metadata(r.Context()).Templates {
		what := display.Untrusted(tm.Title)
		if tm.Error != "" {
			what = "cannot be opened now: " + display.Untrusted(tm.Error)
		} else if !tm.Renders {
			what += " (made with scaffold new)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", display.Untrusted(tm.Name), display.Untrusted(tm.Kind), what)
	}
	tw.Flush()
	fmt.Fprintf(&b, "\nGoals (goal=NAME, repeatable; the recommendation picks the template):\n")
	tw = tabwriter.NewWriter(&b, 2, 4, 2, ' ', 0)
	for _, g := range decide.Goals {
		fmt.Fprintf(tw, "  %s\t%s\n", g.Name, g.Help)
	}
	tw.Flush()
	fmt.Fprintf(&b, `
Examples:
  curl -fsS '%[1]s/starter.tgz?template=go/chi&name=orders' | tar xz
  curl -fsS -o orders.zip '%[1]s/starter.zip?goal=performance&goal=concurrency&name=orders'
  curl -fsS '%[1]s/starter.tgz?template=node/fastify&name=chat&websocket=true&git=true' | tar xz
  curl -fsS '%[1]s/recommend?goal=startup&goal=realtime'
  curl -fsS '%[1]s/preview?template=rust/axum&name=edge'
  curl -fsS -H 'Accept: application/json' %[1]s/    # every template's questions

Parameters: name= (required), template= or goal=/team=/kind=, git=true for the
first commit, and NAME=VALUE answers a template question (see the metadata).
Errors are application/problem+json naming the bad parameter. Answer secret
questions with POST (a form or JSON body), never in a URL.

%[2]s
`, base, HooksNote)
	return b.Bytes()
}

// recommend is the recommendation of scaffold recommend --json.
func (s *Server) recommend(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	in, p := decideInput(q["goal"], q.Get("team"), q.Get("kind"))
	if p != nil {
		s.problem(w, r, p)
		return
	}
	rec := decide.Recommend(in, s.cat.Engine())
	if in.Kind != "" && rec.Kind != in.Kind && len(rec.Parts) == 0 {
		s.problem(w, r, badRequest("kind", fmt.Sprintf("the catalog has no %s template in any language; GET / lists the templates", in.Kind)))
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=60")
	writeJSON(w, http.StatusOK, rec)
}

// decideInput parses the goals (repeated or comma-separated), the team
// and the kind.
func decideInput(goals []string, team, kind string) (decide.Input, *problem) {
	var list []string
	for _, g := range goals {
		for _, one := range strings.Split(g, ",") {
			if one = strings.TrimSpace(one); one != "" {
				list = append(list, one)
			}
		}
	}
	gs, err := decide.ParseGoals(list)
	if err != nil {
		return decide.Input{}, badRequest("goal", err.Error())
	}
	in := decide.Input{Goals: gs}
	if team != "" && team != "none" {
		if in.Team, err = decide.ParseLanguage(team); err != nil {
			return decide.Input{}, badRequest("team", err.Error()+"; or none")
		}
	}
	if kind != "" {
		if in.Kind, err = template.ParseKind(kind); err != nil {
			return decide.Input{}, badRequest("kind", err.Error())
		}
	}
	return in, nil
}
