package stack

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scaffold-cli/scaffold/internal/template"
	"github.com/scaffold-cli/scaffold/internal/tree"
	"github.com/scaffold-cli/scaffold/internal/tree/treetest"
)

func TestLookup(t *testing.T) {
	for in, want := range map[string]string{"node": "node", "TypeScript": "node", " golang ": "go", "rs": "rust", "Rust": "rust"} {
		if l, ok := Lookup(in); !ok || l.Name != want {
			t.Errorf("Lookup(%q) = %v, %v; want %s", in, l, ok, want)
		}
	}
	if _, err := Parse("cobol"); err == nil || err.Error() != `unknown language "cobol": use node, go or rust` {
		t.Errorf("Parse(cobol) = %v", err)
	}
	if got := TitleOf("zig"); got != "zig" {
		t.Errorf("a language scaffold lacks is titled %q", got)
	}
}

// Every entry is complete, and no name or alias names two languages.
func TestEveryLanguageIsComplete(t *testing.T) {
	seen := map[string]bool{}
	for _, l := range Languages {
		if l.Name == "" || l.Title == "" || l.Help == "" || l.Marker == "" || l.Lock == "" || l.Format == "" || len(l.Tools) == 0 || len(l.Next) == 0 || l.Checks == "" || l.plan == nil {
			t.Errorf("%+v is missing a fact", l)
		}
		for _, n := range append([]string{l.Name}, l.Aliases...) {
			if seen[n] {
				t.Errorf("%q names two languages", n)
			}
			seen[n] = true
		}
	}
}

func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDefaultPlanFollowsTheKind(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{"go.mod": "module x\n", "cmd/app/main.go": "package main\n"})
	l, err := Detect(dir)
	if err != nil || l.Name != "go" {
		t.Fatalf("Detect = %v, %v", l, err)
	}
	svc, err := l.Plan(dir, "/out", nil, template.Service)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(svc.Serve, []string{"/out/app"}) || svc.Steps[len(svc.Steps)-1].Name != "build" {
		t.Errorf("service plan %+v", svc)
	}
	cli, err := l.Plan(dir, "/out", nil, template.CLI)
	if err != nil || len(cli.Serve) != 0 || len(cli.Steps) != len(svc.Steps) {
		t.Errorf("cli plan %+v, %v: want the same steps and no serve", cli, err)
	}
	if _, err := Detect(t.TempDir()); err == nil || !strings.Contains(err.Error(), "has no package.json, go.mod or Cargo.toml") {
		t.Errorf("Detect on an empty folder: %v", err)
	}
}

func TestRustPlanUsesTheTargetFolder(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{"Cargo.toml": "[package]\nname = \"edge\"\n"})
	p, err := rust.Plan(dir, "", []string{"CARGO_TARGET_DIR=/a", "CARGO_TARGET_DIR=/t"}, template.Service)
	if err != nil || !slices.Equal(p.Serve, []string{"/t/debug/edge"}) {
		t.Errorf("plan %+v, %v", p, err)
	}
}

func TestManifestPlanIsRendered(t *testing.T) {
	files, err := tree.New([]tree.Entry{{Path: template.ManifestFile, Data: []byte(`name: t
kind: cli
language: go
verify:
  - name: test
    run: [go, test, '{{ .pkg }}']
  - name: build
    run: [go, build, -o, '{{ .Verify.Out }}/{{ .Project.Name }}']
  - name: try
    run: ['{{ .Verify.Out }}/{{ .Project.Name }}', --quiet]
try:
  commands: [count]
  samples:
    - args: [count]
      stdin: "a b"
      stdout: "1 2"
`)}})
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := template.Load(files, "t")
	if err != nil {
		t.Fatal(err)
	}
	data := map[string]any{"pkg": "./...", "Project": map[string]any{"Name": "tool"}}
	p, err := PlanFor(context.Background(), tmpl, data, t.TempDir(), "/out", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Steps) != 2 || !slices.Equal(p.Steps[0].Args, []string{"go", "test", "./..."}) || !slices.Equal(p.Steps[1].Args, []string{"go", "build", "-o", "/out/tool"}) || len(p.Serve) != 0 {
		t.Errorf("plan %+v", p)
	}
	if p.Try == nil || !slices.Equal(p.Try.Args, []string{"/out/tool", "--quiet"}) || !slices.Equal(p.Try.Commands, []string{"count"}) || len(p.Try.Samples) != 1 || *p.Try.Samples[0].Stdout != "1 2" {
		t.Errorf("try %+v", p.Try)
	}
	if _, ok := data["Verify"]; ok {
		t.Error("PlanFor changed the caller's data")
	}
}

// A verify step may list any number of arguments, each of which could
// render 16 MiB (a file's limit): a manifest of a few KiB held GiBs of
// plan. A step's arguments together are bounded as one command line.
func TestManifestPlanIsBounded(t *testing.T) {
	big := `'{{ range until 1000 }}` + strings.Repeat("x", 100) + `{{ end }}'` // 100 KB
	for _, tc := range []struct {
		name, run string
		ok        bool
	}{
		{"one argument under the bound", "[echo, " + big + "]", true},
		{"two arguments over it together", "[echo, " + big + ", " + big + "]", false},
		{"many arguments", "[echo" + strings.Repeat(", "+big, 40) + "]", false},
		{"one argument over it", `[echo, '{{ repeat 200000 "x" }}']`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files, err := tree.New([]tree.Entry{{Path: template.ManifestFile, Data: []byte("name: t\nkind: library\nlanguage: go\nverify:\n  - name: big\n    run: " + tc.run + "\n")}})
			if err != nil {
				t.Fatal(err)
			}
			tmpl, err := template.Load(files, "t")
			if err != nil {
				t.Fatal(err)
			}
			p, err := PlanFor(context.Background(), tmpl, map[string]any{}, t.TempDir(), "/out", nil)
			switch {
			case tc.ok && err != nil:
				t.Fatal(err)
			case !tc.ok && err == nil:
				n := 0
				for _, a := range p.Steps[0].Args {
					n += len(a)
				}
				t.Fatalf("a step of %d bytes was planned", n)
			case !tc.ok && !strings.Contains(err.Error(), "more than 128 KiB"):
				t.Errorf("error %q does not name the bound", err)
			}
		})
	}
}

// The default plan reads package.json, Cargo.toml and the folder cmd of
// a project that may be anyone's: a FIFO there is refused without
// blocking (a signal could not end the wait), a link to /dev/zero or
// out of the project is not followed, and a huge file is not read.
func TestDefaultPlanReadsTheProjectSafely(t *testing.T) {
	for _, tt := range []struct {
		lang, marker, path string
		make               func(p string) error
		want               string
	}{
		{"node", "package.json", "package.json", func(p string) error { return treetest.Mkfifo(p) }, "is a FIFO"},
		{"rust", "Cargo.toml", "Cargo.toml", func(p string) error { return treetest.Mkfifo(p) }, "is a FIFO"},
		{"go", "go.mod", "cmd", func(p string) error { return treetest.Mkfifo(p) }, "cmd is not a folder"},
		{"rust", "Cargo.toml", "Cargo.toml", func(p string) error { return os.Symlink("/dev/zero", p) }, "escapes"},
		{"node", "package.json", "package.json", func(p string) error { return os.Symlink("../outside.json", p) }, "escapes"},
		{"go", "go.mod", "cmd", func(p string) error { return os.Symlink("..", p) }, "escapes"},
		{"node", "package.json", "package.json", func(p string) error { return os.Truncate(p, 2<<30) }, "larger than 1 MiB"},
	} {
		t.Run(tt.lang+"/"+tt.path, func(t *testing.T) {
			top := t.TempDir()
			dir := filepath.Join(top, "p")
			write(t, top, map[string]string{"outside.json": `{"main": "x.js"}`, "p/" + tt.marker: "module x\n"})
			p := filepath.Join(dir, tt.path)
			if tt.path != tt.marker {
				write(t, dir, map[string]string{"README": ""})
			} else if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			if tt.want == "larger than 1 MiB" {
				write(t, dir, map[string]string{tt.path: ""})
			}
			if err := tt.make(p); err != nil {
				t.Skipf("cannot make %s: %v", tt.path, err)
			}
			l, _ := Lookup(tt.lang)
			treetest.Quickly(t, "planning the check of a project whose "+tt.path+" is hostile", func() {
				_, err := l.Plan(dir, t.TempDir(), nil, template.Service)
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("err = %v, want %q", err, tt.want)
				}
			})
		})
	}
}

// The WebSocket endpoint is in the plan only when the answers give the
// project one.
func TestPlanForWebSocketFollowsTheAnswers(t *testing.T) {
	files, err := tree.New([]tree.Entry{{Path: template.ManifestFile, Data: []byte(`name: t
language: go
questions:
  - name: realtime
    type: bool
    default: false
verify:
  - name: build
    run: [go, build, -o, '{{ .Verify.Out }}/svc']
  - name: serve
    run: ['{{ .Verify.Out }}/svc']
websocket:
  path: /v1/ws
  when: '{{ .realtime }}'
`)}})
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := template.Load(files, "t")
	if err != nil {
		t.Fatal(err)
	}
	for _, on := range []bool{true, false} {
		p, err := PlanFor(context.Background(), tmpl, map[string]any{"realtime": on}, t.TempDir(), "/out", nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]string{true: "/v1/ws"}[on]; p.WebSocket != want {
			t.Errorf("realtime=%v: WebSocket = %q, want %q", on, p.WebSocket, want)
		}
	}
}

// The database's checks are in the plan only when the answers give the
// project one; the OpenAPI document's whenever the template serves one.
func TestPlanForDatabaseFollowsTheAnswers(t *testing.T) {
	files, err := tree.New([]tree.Entry{{Path: template.ManifestFile, Data: []byte(`name: t
language: go
questions:
  - name: database
    type: select
    choices: [none, postgres]
    default: none
verify:
  - name: build
    run: [go, build, -o, '{{ .Verify.Out }}/svc']
  - name: serve
    run: ['{{ .Verify.Out }}/svc']
openapi: /openapi.json
database:
  items: /v1/items
  when: '{{ eq .database "postgres" }}'
`)}})
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := template.Load(files, "t")
	if err != nil {
		t.Fatal(err)
	}
	for db, want := range map[string]string{"postgres": "/v1/items", "none": ""} {
		p, err := PlanFor(context.Background(), tmpl, map[string]any{"database": db}, t.TempDir(), "/out", nil)
		if err != nil {
			t.Fatal(err)
		}
		if p.Items != want || p.OpenAPI != "/openapi.json" {
			t.Errorf("database=%s: Items = %q, OpenAPI = %q; want %q and /openapi.json", db, p.Items, p.OpenAPI, want)
		}
	}
}
