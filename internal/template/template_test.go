package template

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/scaffold-cli/scaffold/internal/tree"
)

const manifest = `name: demo
language: go
framework: chi
version: 1.2.3
questions:
  - name: service
    prompt: Service name
    default: '{{ .Project.Name }}-svc'
    validate: '^[a-z][a-z0-9-]*$'
    help: lower case letters, digits and dashes
  - name: docker
    type: bool
    default: true
  - name: db
    type: select
    choices: [none, postgres]
    default: none
  - name: pool
    type: int
    default: 10
    when: '{{ eq .db "postgres" }}'
files:
  - path: Dockerfile
    when: '{{ .docker }}'
  - path: raw
    verbatim: true
`

func demo() fstest.MapFS {
	return fstest.MapFS{
		"scaffold.yaml":                   {Data: []byte(manifest)},
		"README.md.tmpl":                  {Data: []byte("# {{ .service }}\n{{ upper .db }}\n")},
		"Dockerfile":                      {Data: []byte("FROM scratch\n")},
		"cmd/{{ .service }}/main.go.tmpl": {Data: []byte("package main // {{ .Project.Name }}\n")},
		"raw/keep.tmpl":                   {Data: []byte("{{ not rendered }}")},
		"bin/run.sh":                      {Data: []byte("#!/bin/sh\n"), Mode: 0o755},
		"assets/logo.bin":                 {Data: []byte{0, 1, 2, 0xff, '{', '{'}},
	}
}

func data(extra map[string]any) map[string]any {
	d := map[string]any{"Project": map[string]any{"Name": "shop"}, "service": "shop-svc", "docker": true, "db": "none", "pool": 10}
	for k, v := range extra {
		d[k] = v
	}
	return d
}

func TestRender(t *testing.T) {
	tmpl, err := loadFS(demo(), "demo")
	if err != nil {
		t.Fatal(err)
	}
	files, err := tmpl.Render(ctx, data(nil))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]File{}
	for _, f := range files {
		got[f.Path] = f
	}
	want := map[string]string{
		"README.md":            "# shop-svc\nNONE\n",
		"Dockerfile":           "FROM scratch\n",
		"cmd/shop-svc/main.go": "package main // shop\n",
		"raw/keep.tmpl":        "{{ not rendered }}",
		"bin/run.sh":           "#!/bin/sh\n",
		"assets/logo.bin":      "\x00\x01\x02\xff{{",
	}
	if len(got) != len(want) {
		t.Errorf("rendered %d files, want %d: %v", len(got), len(want), files)
	}
	for p, body := range want {
		f, ok := got[p]
		if !ok {
			t.Errorf("missing %s", p)
			continue
		}
		if string(f.Data) != body {
			t.Errorf("%s = %q, want %q", p, f.Data, body)
		}
	}
	if got["bin/run.sh"].Mode != 0o755 || got["README.md"].Mode != 0o644 {
		t.Errorf("modes: run.sh %v, README %v", got["bin/run.sh"].Mode, got["README.md"].Mode)
	}

	files, err = tmpl.Render(ctx, data(map[string]any{"docker": false}))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.Path == "Dockerfile" {
			t.Error("Dockerfile rendered although docker is false")
		}
	}
}

func TestRenderSkipsTheTemplatesOwnGit(t *testing.T) {
	fsys := demo()
	fsys[".git/config"] = &fstest.MapFile{Data: []byte("[core]")}
	fsys["sub/.git/HEAD"] = &fstest.MapFile{Data: []byte("ref")}
	tmpl, _ := loadFS(fsys, "demo")
	files, err := tmpl.Render(ctx, data(nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.Contains(f.Path, ".git/") {
			t.Errorf("rendered %s", f.Path)
		}
	}
}

func TestRenderIsRepeatable(t *testing.T) {
	tmpl, _ := loadFS(demo(), "demo")
	a, _ := tmpl.Render(ctx, data(nil))
	b, _ := tmpl.Render(ctx, data(nil))
	for i := range a {
		if a[i].Path != b[i].Path || string(a[i].Data) != string(b[i].Data) {
			t.Fatalf("render %d differs: %s vs %s", i, a[i].Path, b[i].Path)
		}
	}
}

func TestRenderErrors(t *testing.T) {
	tests := []struct {
		name  string
		files fstest.MapFS
		data  map[string]any
		want  string
	}{
		{"missing key", fstest.MapFS{"a.tmpl": {Data: []byte("{{ .nope }}")}}, nil, `map has no entry for key "nope"`},
		{"parse error names the file", fstest.MapFS{"dir/a.tmpl": {Data: []byte("{{ if }}")}}, nil, "dir/a.tmpl"},
		{"path renders to parent", fstest.MapFS{"{{ .service }}/x": {Data: nil}}, map[string]any{"service": ".."}, "unsafe path"},
		{"path renders absolute", fstest.MapFS{"{{ .service }}x": {Data: nil}}, map[string]any{"service": "/etc/"}, "is absolute"},
		{"path injects traversal", fstest.MapFS{"{{ .service }}": {Data: nil}}, map[string]any{"service": "../../etc/passwd"}, `".." segment`},
		{"case collision", fstest.MapFS{"README.md": {}, "readme.md": {}}, nil, "differ only in case"},
		{"into .git", fstest.MapFS{"{{ .service }}/config": {}}, map[string]any{"service": ".git"}, "inside a .git folder"},
		{"env is not available", fstest.MapFS{"a.tmpl": {Data: []byte(`{{ env "HOME" }}`)}}, nil, `function "env" not defined`},
		{"output limit", fstest.MapFS{"a.tmpl": {Data: []byte(`{{ range until 100000 }}{{ repeat 1000 "x" }}{{ end }}`)}}, nil, "renders to more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := tt.files
			fsys["scaffold.yaml"] = &fstest.MapFile{Data: []byte("name: t\n")}
			tmpl, err := loadFS(fsys, "t")
			if err != nil {
				t.Fatal(err)
			}
			_, err = tmpl.Render(ctx, data(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// A file of an each: parts rule is rendered once for every part, with
// .Part set; two parts that give it one path are refused.
func TestRenderEachPart(t *testing.T) {
	fsys := fstest.MapFS{
		"scaffold.yaml":                {Data: []byte("name: w\nlanguage: polyglot\nkind: workspace\nfiles:\n  - path: ci\n    each: parts\n")},
		"Makefile.tmpl":                {Data: []byte("{{ range .Parts }}{{ .Name }} {{ end }}\n")},
		"ci/{{ .Part.Name }}.yml.tmpl": {Data: []byte("{{ .Part.Path }} of {{ len .Parts }}\n")},
	}
	tmpl, err := loadFS(fsys, "w")
	if err != nil {
		t.Fatal(err)
	}
	parts := []map[string]any{{"Name": "api", "Path": "apps/api"}, {"Name": "core", "Path": "services/core"}}
	files, err := tmpl.Render(ctx, data(map[string]any{"Parts": parts}))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range files {
		got[f.Path] = string(f.Data)
	}
	want := map[string]string{"Makefile": "api core \n", "ci/api.yml": "apps/api of 2\n", "ci/core.yml": "services/core of 2\n"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("rendered %v, want %v", got, want)
	}
	parts[1]["Name"] = "API"
	if _, err := tmpl.Render(ctx, data(map[string]any{"Parts": parts})); err == nil || !strings.Contains(err.Error(), "differ only in case") {
		t.Fatalf("two parts rendering one path: err = %v", err)
	}
}

func TestCheckPath(t *testing.T) {
	good := []string{"a", "a/b.txt", ".github/workflows/ci.yml", "x..y", ".gitignore", "console.go", "connect/aux-tools.md", "café.txt", "日本/語.md", "a b/c d.txt", "git~2"}
	bad := []string{"", "/etc/passwd", "../x", `\\server\share\x`, "//server/share", "C:\\x", "D:", "..", ".", "a/../../x", "a/./b", "a//b", "a\\b", "C:/x", "c:x", "a\x00b", ".git/hooks/x", ".GIT/config", "a/b:c",
		"sub/.git/hooks/post-checkout", "a\nb", "a\x7fb", "a\xffb", "con", "docs/NUL.txt", "lpt1.log",
		".git./config", ".git /config", "GIT~1/config", "a/x.", ".g\u200cit/config", "\u202egpj.exe", "a\u0085b", "x\ufeff"}
	for _, p := range good {
		if err := CheckPath(p); err != nil {
			t.Errorf("CheckPath(%q) = %v, want nil", p, err)
		}
	}
	for _, p := range bad {
		if err := CheckPath(p); err == nil {
			t.Errorf("CheckPath(%q) = nil, want an error", p)
		}
	}
}

func TestMatchRule(t *testing.T) {
	tests := []struct {
		rule, path string
		want       bool
	}{
		{"Dockerfile", "Dockerfile", true},
		{".github", ".github/workflows/ci.yml", true},
		{".github/", ".github/workflows/ci.yml", true},
		{"./docs", "docs/a.md", true},
		{"static/**", "static/a/b/c.png", true},
		{"**/*.png", "a/b/c.png", true},
		{"**/*.png", "c.png", true},
		{"*.md", "README.md", true},
		{"*.md", "docs/a.md", false},
		{"Dockerfile", "Dockerfile.dev", false},
		{"doc", "docs/a.md", false},
	}
	for _, tt := range tests {
		got, err := matchRule(tt.rule, tt.path)
		if err != nil || got != tt.want {
			t.Errorf("matchRule(%q, %q) = %v, %v; want %v", tt.rule, tt.path, got, err, tt.want)
		}
	}
}

func TestManifestErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"not yaml", "name: [x\n", "t/scaffold.yaml:"},
		{"unknown key", "name: x\nlanguge: go\n", "field languge not found"},
		{"wrong type", "name: x\nquestions: yes\n", "cannot unmarshal"},
		{"missing name", "language: go\n", "missing name"},
		{"empty", "", "empty manifest"},
		{"duplicate question", "name: x\nquestions:\n  - name: a\n  - name: a\n", `:4: duplicate question name "a"`},
		{"bad question name", "name: x\nquestions:\n  - name: Bad-Name\n", "lower snake case"},
		{"bad regexp", "name: x\nquestions:\n  - name: a\n    validate: '['\n", "not a valid regular expression"},
		{"unknown type", "name: x\nquestions:\n  - name: a\n    type: float\n", `unknown type "float"`},
		{"select without choices", "name: x\nquestions:\n  - name: a\n    type: select\n", "needs choices"},
		{"bad default", "name: x\nquestions:\n  - name: a\n    type: int\n    default: ten\n", "not a whole number"},
		{"default not a choice", "name: x\nquestions:\n  - name: a\n    type: select\n    choices: [x]\n    default: y\n", `"y" is not one of x`},
		{"unknown format", "name: x\nquestions:\n  - name: a\n    format: java\n", "unknown format"},
		{"each outside a workspace", "name: x\nfiles:\n  - path: a\n    each: parts\n", "each is for a workspace template"},
		{"each of something else", "name: x\nkind: workspace\nfiles:\n  - path: a\n    each: files\n", `the only value is "parts"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseManifest("t/scaffold.yaml", []byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			var me *ManifestError
			if !errors.As(err, &me) || !strings.HasPrefix(err.Error(), "t/scaffold.yaml") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestCoerce(t *testing.T) {
	extra := "  - name: tags\n    type: multiselect\n    choices: [a, b]\n  - name: mod\n    format: go-module\nfiles:"
	m, err := ParseManifest("m", []byte(strings.Replace(manifest, "files:", extra, 1)))
	if err != nil {
		t.Fatal(err)
	}
	q := map[string]*Question{}
	for i := range m.Questions {
		q[m.Questions[i].Name] = &m.Questions[i]
	}
	ok := []struct {
		q    string
		in   any
		want string
	}{
		{"docker", "false", "false"}, {"docker", true, "true"}, {"pool", "12", "12"}, {"pool", 3, "3"},
		{"db", "postgres", "postgres"}, {"service", "api", "api"}, {"tags", "a,b", "[a b]"}, {"tags", []any{"b"}, "[b]"},
		{"mod", "example.com/x", "example.com/x"},
	}
	for _, c := range ok {
		got, err := q[c.q].Coerce(c.in)
		if err != nil || fmt.Sprint(got) != c.want {
			t.Errorf("%s.Coerce(%v) = %v, %v; want %s", c.q, c.in, got, err, c.want)
		}
	}
	bad := []struct {
		q    string
		in   any
		want string
	}{
		{"docker", "maybe", "not a bool"}, {"pool", "x", "whole number"}, {"db", "mysql", "not one of"},
		{"service", "Bad Name", "lower case letters"}, {"tags", "c", "not one of"}, {"mod", "x", "not a valid Go module path"},
	}
	for _, c := range bad {
		if _, err := q[c.q].Coerce(c.in); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s.Coerce(%v) err = %v, want %q", c.q, c.in, err, c.want)
		}
	}
}

func TestSymlinks(t *testing.T) {
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "scaffold.yaml"), []byte("name: l\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "real.txt"), []byte("x"), 0o644))
	must(os.Symlink("real.txt", filepath.Join(dir, "inside")))
	tmpl, err := loadFS(os.DirFS(dir), dir)
	must(err)
	files, err := tmpl.Render(ctx, data(nil))
	must(err)
	if len(files) != 2 || files[0].Path != "inside" || files[0].Link != "real.txt" {
		t.Fatalf("files = %+v, want the link kept", files)
	}

	// Links are checked when the template is read: see package tree for
	// every variant. A link that stays inside the template can still
	// leave the project once its folder renders to another place.
	must(os.Mkdir(filepath.Join(dir, "{{ .Project.Name }}"), 0o755))
	must(os.Symlink("../real.txt", filepath.Join(dir, "{{ .Project.Name }}", "up")))
	if tmpl, err = loadFS(os.DirFS(dir), dir); err != nil {
		t.Fatal(err)
	}
	if _, err := tmpl.Render(ctx, data(nil)); err != nil {
		t.Errorf("link one folder down: %v", err)
	}
	must(os.Symlink("..", filepath.Join(dir, "parent")))
	if _, err := loadFS(os.DirFS(dir), dir); err == nil || !strings.Contains(err.Error(), "leads out") {
		t.Errorf("link to the parent: err = %v", err)
	}
}

func TestRenderedLinksStayInside(t *testing.T) {
	// Each template is fine as a tree; its render is not.
	cases := []struct {
		name  string
		files fstest.MapFS
		want  string
	}{
		{"a link beneath a rendered link", fstest.MapFS{
			"scaffold.yaml":  {Data: []byte("name: l\n")},
			"d":              {Data: []byte("sub"), Mode: fs.ModeSymlink},
			"sub/keep":       {Data: []byte("x")},
			"{{ \"d\" }}x/f": {Data: []byte("x")},
		}, ""},
		{"a folder rendered onto a link", fstest.MapFS{
			"scaffold.yaml":     {Data: []byte("name: l\n")},
			"d":                 {Data: []byte("."), Mode: fs.ModeSymlink},
			"{{ \"d\" }}/f.txt": {Data: []byte("x")},
		}, "beneath d, which is a link"},
	}
	for _, c := range cases {
		tmpl, err := loadFS(c.files, "t")
		if err != nil {
			t.Fatalf("%s: load: %v", c.name, err)
		}
		_, err = tmpl.Render(ctx, data(nil))
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
}

// ctx is the context of every render in these tests.
var ctx = context.Background()

// loadFS loads a template from any fs.FS, read into a tree first.
func loadFS(fsys fs.FS, name string) (*Template, error) {
	files, err := tree.ReadFS(fsys, tree.DefaultLimits)
	if err != nil {
		return nil, err
	}
	return Load(files, name)
}

// A secret answer that breaks a rule gets an error naming the rule, never
// the answer, whichever rule it breaks.
func TestCoerceNeverQuotesASecret(t *testing.T) {
	const secretManifest = `name: s
questions:
  - name: token
    secret: true
    validate: '^tok_[a-z]+$'
    help: a token from the console, tok_ and letters
  - name: module
    secret: true
    format: go-module
  - name: pick
    secret: true
    type: select
    choices: [a, b]
  - name: many
    secret: true
    type: multiselect
    choices: [a, b]
  - name: pin
    secret: true
    type: int
  - name: flag
    secret: true
    type: bool
`
	m, err := ParseManifest("m", []byte(secretManifest))
	if err != nil {
		t.Fatal(err)
	}
	const value = "Hunter2-Sup3rS3cret"
	cases := map[string]struct {
		in   any
		rule string
	}{
		"token":  {value, "does not match ^tok_[a-z]+$: a token from the console"},
		"module": {value, "is not a valid go-module name"},
		"pick":   {value, "is not one of a, b"},
		"many":   {"a," + value, "is not one of a, b"},
		"pin":    {value, "is not a whole number"},
		"flag":   {value, "is not a bool"},
	}
	for i := range m.Questions {
		q := &m.Questions[i]
		c := cases[q.Name]
		_, err := q.Coerce(c.in)
		if err == nil {
			t.Fatalf("%s.Coerce(%q) succeeded", q.Name, c.in)
		}
		if strings.Contains(err.Error(), value) || strings.Contains(err.Error(), "Sup3r") {
			t.Errorf("%s: the error quotes the secret: %v", q.Name, err)
		}
		if !strings.Contains(err.Error(), c.rule) || !strings.Contains(err.Error(), "not shown") {
			t.Errorf("%s: error %q does not name the rule %q", q.Name, err, c.rule)
		}
		// The same question, not secret, still shows what was typed.
		open := *q
		open.Secret = false
		if _, err := open.Coerce(c.in); err == nil || !strings.Contains(err.Error(), value) {
			t.Errorf("%s, not secret: error %v does not quote the answer", q.Name, err)
		}
	}
	// A secret's literal default that breaks its own rule is a manifest
	// error that does not quote it either.
	_, err = ParseManifest("m", []byte("name: s\nquestions:\n  - name: token\n    secret: true\n    validate: '^tok_'\n    default: "+value+"\n"))
	if err == nil || strings.Contains(err.Error(), value) || !strings.Contains(err.Error(), "does not match ^tok_") {
		t.Errorf("manifest with a bad secret default: %v", err)
	}
}
