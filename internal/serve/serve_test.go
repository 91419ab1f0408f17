package serve

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/scaffold-cli/scaffold/internal/config"
	"github.com/scaffold-cli/scaffold/internal/source"
)

// testTemplates are built-ins made for these tests: one whose questions
// exercise every rule, one with hooks, and a workspace.
func testTemplates() fstest.MapFS {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s), Mode: 0o644} }
	return fstest.MapFS{
		"go/basic/scaffold.yaml": file(`name: go/basic
title: Basic
description: a test template
kind: service
language: go
framework: basic
version: 1.0.0
questions:
  - name: owner
    prompt: Who owns it?
  - name: slug
    prompt: Slug
    help: lower-case letters only
    validate: '^[a-z]+$'
    default: abc
  - name: port
    prompt: Port
    type: int
    default: 8080
  - name: flavour
    prompt: Flavour
    type: select
    choices: [plain, fancy]
    default: plain
  - name: extras
    prompt: Extras
    type: multiselect
    choices: [x, y, z]
    default: []
  - name: fancy_note
    prompt: Fancy note
    default: shiny
    when: '{{ eq .flavour "fancy" }}'
  - name: token
    prompt: Token
    secret: true
    validate: '^[a-z0-9]*$'
    default: ""
`),
		"go/basic/README.md.tmpl":  file("{{ .Project.Name }} by {{ .owner }} on {{ .port }} {{ .flavour }} {{ .extras }}\n"),
		"go/basic/token.txt.tmpl":  file("{{ .token }}\n"),
		"go/basic/bin/run.sh":      &fstest.MapFile{Data: []byte("#!/bin/sh\necho hi\n"), Mode: 0o755},
		"go/hooked/scaffold.yaml":  file("name: go/hooked\nkind: cli\nlanguage: go\nversion: 1.0.0\nhooks:\n  - touch hooked\n"),
		"go/hooked/x.txt":          file("x\n"),
		"ws/poly/scaffold.yaml":    file("name: ws/poly\nkind: workspace\nversion: 1.0.0\n"),
		"ws/poly/README.md":        file("ws\n"),
		"rust/other/scaffold.yaml": file("name: rust/other\nkind: service\nlanguage: rust\nframework: axum\nversion: 1.0.0\n"),
		"rust/other/a.txt":         file("a\n"),
	}
}

func newTestServer(t *testing.T, opts Options) *httptest.Server {
	t.Helper()
	if opts.Builtins == nil && opts.Catalog == nil {
		opts.Builtins = testTemplates()
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC) }
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}

func get(t *testing.T, u string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

func TestMetadata(t *testing.T) {
	cfg := &config.Config{Defaults: map[string]any{"owner": "platform-team", "token": "s3cret", "unrelated": 1}}
	ts := newTestServer(t, Options{Config: cfg, Version: "1.2.3"})
	for _, accept := range []string{MediaType, "application/json", "text/html;q=0.9, application/json"} {
		res, body := get(t, ts.URL+"/", "Accept", accept)
		if res.StatusCode != 200 {
			t.Fatalf("Accept %s: %s", accept, res.Status)
		}
		want := "application/json"
		if accept == MediaType {
			want = MediaType
		}
		if ct := res.Header.Get("Content-Type"); ct != want {
			t.Errorf("Accept %s: Content-Type %q, want %q", accept, ct, want)
		}
		if !strings.Contains(res.Header.Get("Vary"), "Accept") || res.Header.Get("ETag") == "" || res.Header.Get("Cache-Control") != "public, max-age=60" {
			t.Errorf("Accept %s: headers %v", accept, res.Header)
		}
		var m metadata
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatal(err)
		}
		if m.Scaffold != "1.2.3" || !strings.Contains(m.Hooks, "never runs a template's hooks") || len(m.Goals) == 0 || len(m.Teams) != 4 {
			t.Errorf("metadata header fields: %+v", m)
		}
		var names []string
		for _, tm := range m.Templates {
			names = append(names, tm.Name)
		}
		if got := strings.Join(names, " "); got != "go/basic go/hooked rust/other ws/poly" {
			t.Errorf("templates %s", got)
		}
		basic := m.Templates[0]
		if basic.Kind != "service" || basic.Language != "go" || basic.Framework != "basic" || basic.Title != "Basic" || basic.Version != "1.0.0" || !basic.Renders {
			t.Errorf("go/basic: %+v", basic)
		}
		if len(basic.Questions) != 7 {
			t.Fatalf("go/basic questions: %+v", basic.Questions)
		}
		slug := basic.Questions[1]
		if slug.Name != "slug" || slug.Type != "string" || slug.Validate != "^[a-z]+$" || slug.Help != "lower-case letters only" || slug.Default != "abc" {
			t.Errorf("slug: %+v", slug)
		}
		if f := basic.Questions[3]; f.Type != "select" || strings.Join(f.Choices, ",") != "plain,fancy" {
			t.Errorf("flavour: %+v", f)
		}
		if n := basic.Questions[5]; n.When == "" {
			t.Errorf("fancy_note lost its when: %+v", n)
		}
		if !basic.Questions[6].Secret {
			t.Errorf("token is not secret: %+v", basic.Questions[6])
		}
		if m.Templates[3].Renders {
			t.Errorf("a workspace is said to render: %+v", m.Templates[3])
		}
		if len(m.Defaults) != 1 || m.Defaults["owner"] != "platform-team" {
			t.Errorf("defaults %v: want the owner's alone (never a secret's, nor one no question asks)", m.Defaults)
		}
	}
}

func TestMetadataETagRoundTrip(t *testing.T) {
	ts := newTestServer(t, Options{})
	res, body := get(t, ts.URL+"/", "Accept", "application/json")
	etag := res.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	res, again := get(t, ts.URL+"/", "Accept", "application/json", "If-None-Match", etag)
	if res.StatusCode != http.StatusNotModified || len(again) != 0 {
		t.Errorf("If-None-Match with the ETag: %s, %d bytes", res.Status, len(again))
	}
	res, again = get(t, ts.URL+"/", "Accept", "application/json", "If-None-Match", `"other"`)
	if res.StatusCode != 200 || !bytes.Equal(again, body) || res.Header.Get("ETag") != etag {
		t.Errorf("another ETag: %s, same body %v", res.Status, bytes.Equal(again, body))
	}
}

func TestRootNegotiates(t *testing.T) {
	ts := newTestServer(t, Options{})
	res, body := get(t, ts.URL+"/", "User-Agent", "curl/8.5.0", "Accept", "*/*")
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") || !strings.Contains(string(body), "/starter.tgz?template=go/chi&name=orders' | tar xz") {
		t.Errorf("curl: %s\n%s", ct, body)
	}
	if !strings.Contains(string(body), "go/basic") || !strings.Contains(string(body), "never runs a template's hooks") {
		t.Errorf("curl's help lacks the templates or the hooks note:\n%s", body)
	}
	res, _ = get(t, ts.URL+"/", "Accept", "text/plain")
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Accept text/plain: %s", ct)
	}
	res, body = get(t, ts.URL+"/", "User-Agent", "Mozilla/5.0", "Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || !bytes.Contains(body, []byte("<")) {
		t.Errorf("a browser: %s", ct)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("the page's CSP: %q", csp)
	}
	res, body = get(t, ts.URL+"/nothing-here")
	if res.StatusCode != 404 || res.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(string(body), "no such endpoint") {
		t.Errorf("unknown route: %s %s", res.Status, body)
	}
	for _, m := range []string{http.MethodPut, http.MethodDelete, http.MethodOptions} {
		req, _ := http.NewRequest(m, ts.URL+"/starter.zip", nil)
		res, body := do(t, req)
		checkProblem(t, m+" /starter.zip", res, body, 405, "", "/starter.zip takes GET, HEAD, POST")
		if res.Header.Get("Allow") != "GET, HEAD, POST" {
			t.Errorf("%s /starter.zip: Allow %q", m, res.Header.Get("Allow"))
		}
	}
	res, _ = get(t, ts.URL+"/assets/..%2fserve.go")
	if res.StatusCode != 404 {
		t.Errorf("an asset outside web/: %s", res.Status)
	}
	for _, p := range []string{"/healthz", "/readyz"} {
		if res, body := get(t, ts.URL+p); res.StatusCode != 200 || !strings.Contains(string(body), `"ok"`) {
			t.Errorf("%s: %s %s", p, res.Status, body)
		}
	}
}

func TestRecommend(t *testing.T) {
	ts := newTestServer(t, Options{})
	res, body := get(t, ts.URL+"/recommend?goal=performance&goal=concurrency")
	if res.StatusCode != 200 {
		t.Fatalf("%s %s", res.Status, body)
	}
	var rec struct {
		Language string   `json:"language"`
		Template string   `json:"template"`
		Reasons  []string `json:"reasons"`
	}
	json.Unmarshal(body, &rec)
	if rec.Language != "go" || rec.Template != "go/basic" || len(rec.Reasons) == 0 {
		t.Errorf("performance+concurrency: %s", body)
	}
	_, body = get(t, ts.URL+"/recommend?goal=systems,infrastructure")
	json.Unmarshal(body, &rec)
	if rec.Language != "rust" || rec.Template != "rust/other" {
		t.Errorf("systems,infrastructure: %s", body)
	}
	for q, param := range map[string]string{"goal=speedy": "goal", "team=cobol": "team", "kind=desktop": "kind"} {
		res, body := get(t, ts.URL+"/recommend?"+q)
		checkProblem(t, q, res, body, 400, param, "")
	}
}

func checkProblem(t *testing.T, what string, res *http.Response, body []byte, status int, param, detail string) {
	t.Helper()
	var p problem
	if err := json.Unmarshal(body, &p); err != nil {
		t.Errorf("%s: not a problem: %s %s", what, res.Status, body)
		return
	}
	if res.StatusCode != status || p.Status != status || p.Parameter != param || !strings.Contains(p.Detail, detail) || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("%s: %s %s; want %d for parameter %q saying %q", what, res.Status, body, status, param, detail)
	}
}

// Every way a request can be wrong is a 400 naming the parameter and
// saying what to do, in the words of the command line's checks.
func TestStarterErrors(t *testing.T) {
	ts := newTestServer(t, Options{})
	cases := []struct {
		query, param, detail string
	}{
		{"name=x", "template", "give template= (one of go/basic, go/hooked, rust/other, ws/poly), or goal="},
		{"template=go/nope&name=x", "template", `no template "go/nope" here; known: go/basic`},
		{"template=/etc&name=x", "template", `no template "/etc" here`},
		{"template=./templates/go/chi&name=x", "template", "no template"},
		{"template=https://example.com/t.git&name=x", "template", "no template"},
		{"template=ws/poly&name=x&owner=me", "template", "ws/poly is a workspace template"},
		{"template=go/basic&owner=me", "name", "name= is required"},
		{"template=go/basic&name=../evil&owner=me", "name", `project name "../evil" is not allowed`},
		{"template=go/basic&name=My%20App&owner=me", "name", "is not allowed"},
		{"template=go/basic&name=x", "owner", `"Who owns it" needs an answer: give owner=VALUE`},
		{"template=go/basic&name=x&owner=me&slug=ABC", "slug", `answer to "Slug" (slug=...): "ABC" does not match ^[a-z]+$: lower-case letters only`},
		{"template=go/basic&name=x&owner=me&port=eighty", "port", `"eighty" is not a whole number`},
		{"template=go/basic&name=x&owner=me&flavour=spicy", "flavour", `"spicy" is not one of plain, fancy`},
		{"template=go/basic&name=x&owner=me&extras=x,w", "extras", `"w" is not one of x, y, z`},
		{"template=go/basic&name=x&owner=me&colour=red", "colour", `template go/basic has no question "colour"; known: owner, slug, port`},
		{"template=go/basic&name=x&owner=me&token=" + strings.Repeat("A", 100), "token", "token is a secret answer and came in the URL"},
		{"template=go/basic&name=x&owner=me&slug=a&slug=b", "slug", "slug is given 2 times: give it once (only a multiselect question takes several)"},
		{"template=go/basic&name=x&owner=%zz", "owner", `the value of owner in the query string cannot be read (invalid URL escape "%zz")`},
		{"template=go/basic&name=x;owner=me", "name", "holds a ';'"},
		{"template=go/basic&name=x&git=tr%zzue", "git", "cannot be read"},
		{"template=go/basic&name=x&name=y&owner=me", "name", "name is given 2 times"},
		{"template=go/basic&name=x&owner=me&git=maybe", "git", `git="maybe" is not true or false`},
		{"goal=speedy&name=x", "goal", "speedy"},
		{"goal=cli&kind=wasm&name=x", "goal", "the catalog has no wasm template"},
	}
	for _, c := range cases {
		for _, p := range []string{"/starter.tgz", "/starter.zip", "/preview"} {
			res, body := get(t, ts.URL+p+"?"+c.query)
			checkProblem(t, p+"?"+c.query, res, body, 400, c.param, c.detail)
			if strings.Contains(string(body), strings.Repeat("A", 100)) {
				t.Errorf("%s: the error quotes the secret answer", c.query)
			}
			if res.Header.Get("Content-Disposition") != "" {
				t.Errorf("%s: an error is sent as an attachment", c.query)
			}
		}
	}
}

func post(t *testing.T, u, contentType, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	return do(t, req)
}

func tgzFiles(t *testing.T, data []byte) map[string]string {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	out := map[string]string{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		out[h.Name] = string(b)
	}
}

// A JSON body and a form are the query's equals; a secret answer given
// in one reaches the file it renders and never the record.
func TestStarterBodies(t *testing.T) {
	ts := newTestServer(t, Options{})
	want := "demo by ops on 9090 fancy [x z]\n"
	res, body := post(t, ts.URL+"/starter.tgz", "application/json",
		`{"template":"go/basic","name":"demo","answers":{"owner":"ops","port":9090,"flavour":"fancy","extras":["x","z"],"token":"hunter2"}}`)
	if res.StatusCode != 200 {
		t.Fatalf("JSON body: %s %s", res.Status, body)
	}
	files := tgzFiles(t, body)
	if files["demo/README.md"] != want || files["demo/token.txt"] != "hunter2\n" {
		t.Errorf("JSON body rendered %q and %q", files["demo/README.md"], files["demo/token.txt"])
	}
	rec := files["demo/.scaffold-answers.yaml"]
	if strings.Contains(rec, "hunter2") || !strings.Contains(rec, "owner: ops") || !strings.Contains(rec, "fancy_note: shiny") {
		t.Errorf("the record:\n%s", rec)
	}
	res, body = post(t, ts.URL+"/starter.tgz", "application/x-www-form-urlencoded",
		url.Values{"template": {"go/basic"}, "name": {"demo"}, "owner": {"ops"}, "port": {"9090"}, "flavour": {"fancy"}, "extras": {"x", "z"}}.Encode())
	if res.StatusCode != 200 || tgzFiles(t, body)["demo/README.md"] != want {
		t.Errorf("form body: %s %s", res.Status, tgzFiles(t, body)["demo/README.md"])
	}
	res, body = post(t, ts.URL+"/starter.tgz", "application/x-www-form-urlencoded", "template=go/basic&name=demo&owner=me&token="+strings.Repeat("A", 100))
	checkProblem(t, "a bad secret in a form", res, body, 400, "token", "the secret answer does not match ^[a-z0-9]*$ (its value is not shown)")
	if strings.Contains(string(body), "AAAA") {
		t.Errorf("the error quotes the secret: %s", body)
	}
	res, body = post(t, ts.URL+"/starter.tgz?owner=me", "application/json", `{"template":"go/basic","name":"demo"}`)
	checkProblem(t, "a JSON body with a query", res, body, 400, "", "a JSON body comes alone")
	res, body = post(t, ts.URL+"/starter.tgz", "application/json", `{"template":"go/basic","name":"demo","colour":"red"}`)
	checkProblem(t, "unknown JSON field", res, body, 400, "body", `unknown field "colour"`)
	res, body = post(t, ts.URL+"/starter.tgz", "application/json", `{"template":`)
	checkProblem(t, "broken JSON", res, body, 400, "body", "the JSON body is not valid")
	res, body = post(t, ts.URL+"/starter.tgz", "text/yaml", "template: go/basic\n")
	checkProblem(t, "YAML body", res, body, 415, "body", "send application/json")
}

func TestPreview(t *testing.T) {
	ts := newTestServer(t, Options{Config: &config.Config{Defaults: map[string]any{"port": 7000}}})
	res, body := post(t, ts.URL+"/preview?template=go/basic", "application/x-www-form-urlencoded", "name=demo&owner=ops&flavour=fancy&token=hunter2")
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("%s %v %s", res.Status, res.Header, body)
	}
	if bytes.Contains(body, []byte("hunter2")) {
		t.Errorf("the preview shows the secret:\n%s", body)
	}
	var p previewResult
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	values := map[string]any{}
	applies := map[string]bool{}
	for _, q := range p.Questions {
		values[q.Name], applies[q.Name] = q.Value, q.Applies
	}
	if values["port"] != float64(7000) || values["slug"] != "abc" || values["fancy_note"] != "shiny" || !applies["fancy_note"] || values["token"] != nil {
		t.Errorf("questions: %+v", p.Questions)
	}
	var paths []string
	for _, f := range p.Files {
		paths = append(paths, f.Path+" "+f.Mode)
	}
	if got := strings.Join(paths, ", "); got != "demo/README.md 0644, demo/bin/run.sh 0755, demo/token.txt 0644, demo/.scaffold-answers.yaml 0644" {
		t.Errorf("files: %s", got)
	}
	_, body = get(t, ts.URL+"/preview?template=go/basic&name=demo&owner=ops")
	json.Unmarshal(body, &p)
	for _, q := range p.Questions {
		if q.Name == "fancy_note" && q.Applies {
			t.Errorf("fancy_note applies with flavour plain")
		}
	}
	_, body = get(t, ts.URL+"/preview?template=go/hooked&name=demo")
	json.Unmarshal(body, &p)
	if !strings.Contains(p.Hooks, "does not run: touch hooked") {
		t.Errorf("hooks: %q", p.Hooks)
	}
	_, body = get(t, ts.URL+"/preview?goal=systems&name=demo")
	json.Unmarshal(body, &p)
	if p.Template != "rust/other" || !p.Recommended {
		t.Errorf("from goals: %s", body)
	}
}

// The starter never runs a template's hooks.
func TestStarterRunsNoHooks(t *testing.T) {
	ts := newTestServer(t, Options{})
	res, body := get(t, ts.URL+"/starter.tgz?template=go/hooked&name=demo&git=true")
	if res.StatusCode != 200 {
		t.Fatalf("%s %s", res.Status, body)
	}
	files := tgzFiles(t, body)
	if _, ok := files["demo/hooked"]; ok {
		t.Error("the hook ran")
	}
	if _, ok := files["demo/.git/HEAD"]; !ok {
		t.Error("git=true gave no .git")
	}
}

func TestLimits(t *testing.T) {
	t.Run("body", func(t *testing.T) {
		ts := newTestServer(t, Options{Limits: Limits{MaxBody: 1 << 10}})
		big := `{"template":"go/basic","name":"demo","answers":{"owner":"` + strings.Repeat("o", 2<<10) + `"}}`
		res, body := post(t, ts.URL+"/starter.tgz", "application/json", big)
		checkProblem(t, "a JSON body over the limit", res, body, 413, "body", "larger than the 1 KiB")
		res, body = post(t, ts.URL+"/preview", "application/x-www-form-urlencoded", "template=go/basic&name=demo&owner="+strings.Repeat("o", 2<<10))
		checkProblem(t, "a form over the limit", res, body, 413, "body", "larger than the 1 KiB")
	})
	t.Run("archive", func(t *testing.T) {
		ts := newTestServer(t, Options{Limits: Limits{MaxArchive: 100}})
		res, body := get(t, ts.URL+"/starter.zip?template=go/basic&name=demo&owner=ops")
		checkProblem(t, "an archive over the limit", res, body, 500, "template", "larger than the 0 MiB")
	})
	t.Run("concurrent renders", func(t *testing.T) {
		entered := make(chan struct{})
		release := make(chan struct{})
		var once sync.Once
		builtins := testTemplates()
		open := func(ctx context.Context, name string) (*source.Opened, error) {
			if name == "rust/other" {
				once.Do(func() { close(entered) })
				<-release
			}
			return source.OpenWith(ctx, name, source.Options{Builtins: builtins})
		}
		ts := newTestServer(t, Options{Open: open, Builtins: builtins, Limits: Limits{MaxRenders: 1, QueueWait: -1}})
		done := make(chan int)
		go func() {
			res, err := http.Get(ts.URL + "/starter.tgz?template=rust/other&name=slow")
			if err != nil {
				done <- 0
				return
			}
			res.Body.Close()
			done <- res.StatusCode
		}()
		<-entered
		res, body := get(t, ts.URL+"/starter.tgz?template=go/basic&name=demo&owner=ops")
		checkProblem(t, "a render while the one slot is taken", res, body, 503, "", "making 1 projects already")
		if res.Header.Get("Retry-After") == "" {
			t.Error("503 without Retry-After")
		}
		// Metadata needs no slot.
		if res, _ := get(t, ts.URL+"/healthz"); res.StatusCode != 200 {
			t.Errorf("healthz while busy: %s", res.Status)
		}
		close(release)
		if code := <-done; code != 200 {
			t.Errorf("the slow render: %d", code)
		}
		if res, body := get(t, ts.URL+"/starter.tgz?template=go/basic&name=demo&owner=ops"); res.StatusCode != 200 {
			t.Errorf("a render once the slot is free: %s %s", res.Status, body)
		}
	})
	t.Run("time", func(t *testing.T) {
		open := func(ctx context.Context, name string) (*source.Opened, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}
		ts := newTestServer(t, Options{Open: open, Limits: Limits{RenderTimeout: 50 * time.Millisecond}})
		res, body := get(t, ts.URL+"/starter.tgz?template=go/basic&name=demo&owner=ops")
		checkProblem(t, "a render past its time", res, body, 503, "", "took longer than the 50ms")
	})
}

// A team template that cannot be fetched is the server's trouble, said
// as such, and its URL's credentials are never shown.
func TestTeamTemplates(t *testing.T) {
	cfg := &config.Config{Templates: map[string]string{"acme/api": "https://user:tok3n@git.invalid/acme/api.git"}}
	open := func(ctx context.Context, name string) (*source.Opened, error) {
		return nil, errors.New("git.invalid: no such host")
	}
	ts := newTestServer(t, Options{Config: cfg, NoBuiltins: true, Open: open})
	_, body := get(t, ts.URL+"/", "Accept", "application/json")
	var m metadata
	json.Unmarshal(body, &m)
	if len(m.Templates) != 1 || m.Templates[0].Name != "acme/api" || !strings.Contains(m.Templates[0].Error, "no such host") || m.Builtins {
		t.Errorf("metadata: %s", body)
	}
	if strings.Contains(string(body), "tok3n") {
		t.Errorf("the metadata shows the token:\n%s", body)
	}
	res, body := get(t, ts.URL+"/starter.tgz?template=acme/api&name=x")
	checkProblem(t, "an unreachable team template", res, body, 502, "template", "template acme/api cannot be opened")
	res, body = get(t, ts.URL+"/starter.tgz?template=go/basic&name=x&owner=me")
	checkProblem(t, "a built-in with --no-builtins", res, body, 400, "template", "known: acme/api")
}

// A template opened, or failed to open, a moment ago is not opened
// again for each request; once it fails, the copy opened before serves.
func TestTemplateOpenedOnce(t *testing.T) {
	var mu sync.Mutex
	opens, failing := 0, false
	builtins := testTemplates()
	open := func(ctx context.Context, name string) (*source.Opened, error) {
		mu.Lock()
		opens++
		fail := failing
		mu.Unlock()
		if fail {
			return nil, errors.New("the remote is down")
		}
		o, err := source.OpenWith(ctx, name, source.Options{Builtins: builtins})
		if err == nil {
			o.Kind = source.Git // as a team template is: opened again after a while
		}
		return o, err
	}
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	var clock sync.Mutex
	ts := newTestServer(t, Options{Open: open, Builtins: builtins, Now: func() time.Time { clock.Lock(); defer clock.Unlock(); return now }})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if res, body := get(t, ts.URL+"/preview?template=rust/other&name=demo"); res.StatusCode != 200 {
				t.Errorf("%s %s", res.Status, body)
			}
		})
	}
	wg.Wait()
	mu.Lock()
	if opens != 1 {
		t.Errorf("8 requests opened the template %d times, want once", opens)
	}
	failing = true
	mu.Unlock()
	clock.Lock()
	now = now.Add(time.Minute)
	clock.Unlock()
	if res, body := get(t, ts.URL+"/preview?template=rust/other&name=demo"); res.StatusCode != 200 {
		t.Errorf("with the source down, the copy opened before should serve: %s %s", res.Status, body)
	}
	mu.Lock()
	if opens != 2 {
		t.Errorf("after a minute the template was opened %d times in all, want twice", opens)
	}
	mu.Unlock()
}

// A render with git=true works in a folder of its own, which is gone
// once the answer is made, whatever the outcome.
func TestStarterLeavesNoFolder(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	ts := newTestServer(t, Options{})
	if res, body := get(t, ts.URL+"/starter.zip?template=go/basic&name=demo&owner=me&git=true"); res.StatusCode != 200 {
		t.Fatalf("%s %s", res.Status, body)
	}
	ts2 := newTestServer(t, Options{Limits: Limits{MaxArchive: 100}})
	if res, _ := get(t, ts2.URL+"/starter.tgz?template=go/basic&name=demo&owner=me&git=true"); res.StatusCode != 500 {
		t.Errorf("an archive over the limit: %s", res.Status)
	}
	left, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range left {
		t.Errorf("left behind in TMPDIR: %s", e.Name())
	}
}

// The responses made and not yet sent are bounded all together.
func TestBufferedBudget(t *testing.T) {
	ts := newTestServer(t, Options{Limits: Limits{MaxBuffered: 10}})
	res, body := get(t, ts.URL+"/starter.tgz?template=go/basic&name=demo&owner=me")
	checkProblem(t, "over the budget", res, body, 503, "", "as much as it holds at once")
	if res.Header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
}

// A team alias to a folder is served by its name, with the config's
// defaults: the preview names the alias, not the server's folder (the
// metadata's source says where it lives, as scaffold list does).
func TestTeamFolderTemplate(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(dir+"/scaffold.yaml", []byte("name: acme/svc\ntitle: Acme service\nkind: service\nlanguage: go\nversion: 0.1.0\nquestions:\n  - name: owner\n    prompt: Owning team\n"), 0o644)
	os.WriteFile(dir+"/OWNERS.tmpl", []byte("{{ .owner }}\n"), 0o644)
	cfg := &config.Config{Templates: map[string]string{"acme/svc": dir}, Defaults: map[string]any{"owner": "payments"}}
	ts := newTestServer(t, Options{Config: cfg, Builtins: testTemplates()})
	res, body := get(t, ts.URL+"/preview?template=acme/svc&name=pay")
	if res.StatusCode != 200 || !strings.Contains(string(body), `"template": "acme/svc"`) || !strings.Contains(string(body), `"value": "payments"`) {
		t.Errorf("preview: %s %s", res.Status, body)
	}
	if strings.Contains(string(body), dir) {
		t.Errorf("the preview shows the server's path:\n%s", body)
	}
	_, body = get(t, ts.URL+"/", "User-Agent", "curl/8")
	if !strings.Contains(string(body), "acme/svc") || !strings.Contains(string(body), "Acme service") {
		t.Errorf("the help lacks the team template's title:\n%s", body)
	}
}
