package catalog

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/scaffold-cli/scaffold/internal/decide"
	"github.com/scaffold-cli/scaffold/internal/template"
)

func manifest(body string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(body)} }

func TestBuiltinsReadEveryManifest(t *testing.T) {
	c, err := Builtins(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Names(), []string{"go/chi", "go/cobra", "node/express", "node/fastify", "rust/axum", "rust/clap", "rust/wasm", "workspace/polyglot"}; !slices.Equal(got, want) {
		t.Errorf("built-ins %q, want %q", got, want)
	}
	for _, e := range c.Entries() {
		want := template.Service
		switch e.Name {
		case "go/cobra", "rust/clap":
			want = template.CLI
		case "rust/wasm":
			want = template.Wasm
		case "workspace/polyglot":
			want = template.Workspace
		}
		if e.Kind != want || e.Title == "" || e.Source != Builtin || e.Version == "" {
			t.Errorf("%s: %+v", e.Name, e)
		}
	}
	if got := c.Frameworks(); !slices.Equal(got, []string{"express", "fastify", "chi", "cobra", "axum", "clap", "wasm-bindgen"}) {
		t.Errorf("frameworks %q: want them in the registry's language order", got)
	}
}

func TestFindAndLayers(t *testing.T) {
	fsys := fstest.MapFS{
		"go/chi/scaffold.yaml":     manifest("name: go/chi\nlanguage: go\nframework: chi\n"),
		"go/std/scaffold.yaml":     manifest("name: go/std\nlanguage: go\nframework: std\ntitle: Go, plain\n"),
		"go/cobra/scaffold.yaml":   manifest("name: go/cobra\nkind: cli\nlanguage: go\nframework: cobra\n"),
		"go/_shared/scaffold.yaml": manifest("name: shared\nlanguage: go\n"),
		"_shared/x/scaffold.yaml":  manifest("name: x\nlanguage: go\n"),
	}
	c, err := Builtins(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Names(); !slices.Equal(got, []string{"go/chi", "go/cobra", "go/std"}) {
		t.Errorf("names %q: shared layers are no templates", got)
	}
	for _, tt := range []struct {
		kind         template.ProjectKind
		lang, prefer string
		want         string
		ok           bool
	}{
		{template.Service, "go", "", "go/chi", true},
		{template.Service, "go", "std", "go/std", true},
		{template.Service, "go", "cobra", "go/chi", true},
		{template.CLI, "go", "", "go/cobra", true},
		{template.CLI, "rust", "", "", false},
	} {
		got, ok := c.Find(tt.kind, tt.lang, tt.prefer)
		if got.Name != tt.want || ok != tt.ok {
			t.Errorf("Find(%s, %s, %q) = %q, %v; want %q, %v", tt.kind, tt.lang, tt.prefer, got.Name, ok, tt.want, tt.ok)
		}
	}
	if e, _ := c.Get("go/chi"); e.Title != "Go with chi" {
		t.Errorf("a manifest without a title is called %q", e.Title)
	}
	if e, _ := c.Get("go/std"); e.Title != "Go, plain" {
		t.Errorf("the manifest's title is lost: %q", e.Title)
	}
}

func TestAliases(t *testing.T) {
	c, err := Builtins(nil)
	if err != nil {
		t.Fatal(err)
	}
	with := c.WithAliases([]Alias{{Name: "go/chi", Source: "./chi", From: "team.yaml"}, {Name: "svc", Source: "./svc", From: "team.yaml"}})
	chi, _ := with.Get("go/chi")
	if chi.Source != "./chi" || chi.Kind != template.Service || chi.Language != "go" || !strings.Contains(chi.Description, "replaces the built-in") {
		t.Errorf("an alias replacing a built-in: %+v", chi)
	}
	if got, ok := with.Find(template.Service, "go", ""); !ok || got.Source != "./chi" {
		t.Errorf("the engine is not offered the team's go/chi: %+v", got)
	}
	svc, _ := with.Get("svc")
	if svc.Kind != "" || svc.Language != "" {
		t.Errorf("an alias to an unopened template claims to know what it is: %+v", svc)
	}
	if orig, _ := c.Get("go/chi"); orig.Source != Builtin {
		t.Error("WithAliases changed the catalog it was called on")
	}
}

func TestBrokenBuiltinIsNamed(t *testing.T) {
	_, err := Builtins(fstest.MapFS{"go/bad/scaffold.yaml": manifest("language: go\n")})
	if err == nil || !strings.Contains(err.Error(), "built-in template go/bad") {
		t.Errorf("err = %v", err)
	}
}

func TestFeaturesAreWhatTheGoalsTurnOn(t *testing.T) {
	c, err := Builtins(fstest.MapFS{"go/svc/scaffold.yaml": manifest(`name: go/svc
language: go
questions:
  - name: realtime
    prompt: Include a WebSocket endpoint?
    type: bool
    default: '{{ has "realtime" .Goals }}'
  - name: fast
    type: bool
    default: '{{ and (has "performance" .Goals) (has "concurrency" .Goals) }}'
  - name: always
    type: bool
    default: '{{ not (has "nothing" .Goals) }}'
  - name: project
    type: bool
    default: '{{ eq .Project.Name "x" }}'
  - name: docker
    type: bool
    default: true
`)})
	if err != nil {
		t.Fatal(err)
	}
	got := c.Features("go/svc", []string{"startup", "realtime", "performance", "concurrency"})
	want := []decide.Feature{
		{Question: "realtime", Prompt: "Include a WebSocket endpoint?", Goals: []string{"realtime"}},
		{Question: "fast", Prompt: "fast", Goals: []string{"startup", "realtime", "performance", "concurrency"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("features = %+v\nwant %+v", got, want)
	}
	if got := c.Features("go/svc", []string{"startup"}); len(got) != 0 {
		t.Errorf("startup turned on %+v", got)
	}
	if got := c.WithAliases([]Alias{{Name: "go/svc", Source: "/x", From: "team.yaml"}}).Features("go/svc", []string{"realtime"}); len(got) != 0 {
		t.Errorf("an alias, not yet opened, turned on %+v", got)
	}
}
