package decide

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/scaffold-cli/scaffold/internal/template"
)

func TestRecommendHeadlineRules(t *testing.T) {
	tests := []struct {
		name      string
		goals     []string
		team      Language
		language  Language
		framework string
		warning   string // a substring one warning must hold, if set
	}{
		{name: "no goals: the article's default", language: Node, framework: "express"},
		{name: "ship fast", goals: []string{"startup"}, language: Node, framework: "express"},
		{name: "prototype", goals: []string{"prototype"}, language: Node, framework: "express"},
		{name: "raw performance and concurrency", goals: []string{"performance", "concurrency"}, language: Go, framework: "chi"},
		{name: "systems-level", goals: []string{"systems"}, language: Rust, framework: "axum"},
		{name: "infrastructure", goals: []string{"infrastructure"}, language: Rust, framework: "axum"},
		{name: "webassembly", goals: []string{"wasm"}, language: Rust, framework: "axum"},
		{name: "microservices", goals: []string{"microservices"}, language: Go, framework: "chi"},
		{name: "devops tools", goals: []string{"devops"}, language: Go, framework: "chi"},
		{name: "real-time", goals: []string{"realtime"}, language: Node, framework: "fastify"},
		{name: "full-stack JS team", goals: []string{"full-stack-team"}, language: Node, framework: "express"},
		{name: "startup and realtime", goals: []string{"startup", "realtime"}, language: Node, framework: "fastify"},
		{name: "cli is never node first", goals: []string{"cli"}, language: Rust, framework: "axum"},
		{name: "cli beats a startup's node lead", goals: []string{"cli", "startup"}, language: Rust},
		{name: "cli with a node team", goals: []string{"cli"}, team: Node, language: Rust},
		{name: "cpu-heavy counts against node", goals: []string{"startup", "cpu-heavy"}, language: Go},
		{name: "team new to rust that must ship fast is warned", goals: []string{"startup", "systems", "wasm"}, language: Rust,
			warning: "team new to Rust"},
		{name: "hiring", goals: []string{"hiring"}, language: Node},
		{name: "team strength decides a tie", goals: []string{"performance"}, team: Rust, language: Rust},
		{name: "team alone", team: Go, language: Go, framework: "chi"},
		{name: "io-heavy api", goals: []string{"io-heavy"}, language: Node, framework: "fastify"},
		{name: "ecosystem wants express", goals: []string{"ecosystem"}, language: Node, framework: "express"},
		{name: "throughput beats familiarity in node", goals: []string{"startup", "performance"}, language: Node, framework: "fastify",
			warning: "one thread"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := Recommend(Input{Goals: tt.goals, Team: tt.team}, builtins)
			if rec.Language != tt.language {
				t.Fatalf("language = %s, want %s (scores %v, reasons %q)", rec.Language, tt.language, rec.Scores, rec.Reasons)
			}
			if tt.framework != "" && rec.Framework != tt.framework {
				t.Errorf("framework = %s, want %s", rec.Framework, tt.framework)
			}
			if rec.Template != string(rec.Language)+"/"+rec.Framework {
				t.Errorf("template = %s, want language/framework", rec.Template)
			}
			if len(rec.Reasons) == 0 {
				t.Error("no reasons given")
			}
			if tt.warning != "" && !slices.ContainsFunc(rec.Warnings, func(w string) bool { return strings.Contains(w, tt.warning) }) {
				t.Errorf("warnings %q lack %q", rec.Warnings, tt.warning)
			}
		})
	}
}

// Every goal word must move some score and explain itself in words that
// name the goal.
func TestEveryGoalFiresARule(t *testing.T) {
	base := Recommend(Input{}, builtins)
	for _, g := range Goals {
		t.Run(g.Name, func(t *testing.T) {
			if g.Help == "" {
				t.Error("goal has no help line")
			}
			rec := Recommend(Input{Goals: []string{g.Name}}, builtins)
			moved := false
			for _, l := range Languages {
				if rec.Scores[l] != base.Scores[l] {
					moved = true
				}
			}
			if !moved {
				t.Errorf("goal %s moves no score", g.Name)
			}
			if !slices.ContainsFunc(rec.Reasons, func(r string) bool { return strings.HasPrefix(r, g.Name+":") }) {
				t.Errorf("reasons %q do not explain goal %s", rec.Reasons, g.Name)
			}
		})
	}
}

func TestRulesTableIsWellFormed(t *testing.T) {
	known := GoalNames()
	for i, r := range Rules {
		if r.Rule == "" || r.Reason == "" {
			t.Errorf("row %d: needs the rule it encodes and a reason", i)
		}
		if len(r.All) == 0 && r.Team == "" {
			t.Errorf("row %d (%s): fires on nothing", i, r.Reason)
		}
		for _, g := range r.All {
			if !slices.Contains(known, g) {
				t.Errorf("row %d: goal %q is not in the vocabulary", i, g)
			}
		}
	}
	for i, w := range Warnings {
		for _, g := range w.Any {
			if !slices.Contains(known, g) {
				t.Errorf("warning %d: goal %q is not in the vocabulary", i, g)
			}
		}
	}
}

func TestNoGoalsSaysItIsTheDefault(t *testing.T) {
	rec := Recommend(Input{}, builtins)
	if !slices.ContainsFunc(rec.Reasons, func(r string) bool { return strings.Contains(r, "no goals given") }) {
		t.Errorf("reasons %q do not say the default applied", rec.Reasons)
	}
}

func TestTieBrokenInDocumentedOrder(t *testing.T) {
	// performance alone scores Go and Rust alike; Go comes first.
	rec := Recommend(Input{Goals: []string{"performance"}}, builtins)
	if rec.Scores[Go] != rec.Scores[Rust] {
		t.Fatalf("expected a tie, got %v", rec.Scores)
	}
	if rec.Language != Go {
		t.Errorf("tie went to %s, want go", rec.Language)
	}
	if !slices.ContainsFunc(rec.Reasons, func(r string) bool { return strings.HasPrefix(r, "tie between") }) {
		t.Errorf("reasons %q do not explain the tie", rec.Reasons)
	}
}

func TestDeterministic(t *testing.T) {
	in := Input{Goals: []string{"cli", "startup", "wasm", "hiring", "realtime"}, Team: Go}
	first := Recommend(in, builtins)
	for i := 0; i < 50; i++ {
		rec := Recommend(in, builtins)
		if rec.Template != first.Template || !slices.Equal(rec.Reasons, first.Reasons) || !slices.Equal(rec.Warnings, first.Warnings) {
			t.Fatalf("run %d gave %+v, first gave %+v", i, rec, first)
		}
	}
	// Order of goals does not matter either.
	rev := slices.Clone(in.Goals)
	slices.Reverse(rev)
	if got := Recommend(Input{Goals: rev, Team: Go}, builtins); got.Template != first.Template {
		t.Errorf("reversed goals gave %s, want %s", got.Template, first.Template)
	}
}

func TestParseGoals(t *testing.T) {
	got, err := ParseGoals([]string{"Startup", "realtime,io-heavy", "startup", " "})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"startup", "realtime", "io-heavy"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	_, err = ParseGoals([]string{"speed"})
	var unknown *UnknownGoalError
	if !errors.As(err, &unknown) {
		t.Fatalf("err = %v, want UnknownGoalError", err)
	}
	for _, g := range []string{"speed", "startup", "wasm", "full-stack-team"} {
		if !strings.Contains(err.Error(), g) {
			t.Errorf("error %q does not list %q", err, g)
		}
	}
}

func TestWarningsForAnOverride(t *testing.T) {
	ws := WarningsFor(Rust, Input{Goals: []string{"prototype"}, Team: Node})
	if len(ws) == 0 || !strings.Contains(ws[0], "steep learning curve") {
		t.Errorf("warnings = %q, want the learning-curve warning", ws)
	}
	if ws := WarningsFor(Rust, Input{Goals: []string{"prototype"}, Team: Rust}); len(ws) != 0 {
		t.Errorf("a Rust team got %q", ws)
	}
}

// fakeCatalog is a catalog of templates as kind/language/framework.
type fakeCatalog []string

func (fakeCatalog) Features(string, []string) []Feature { return nil }

// realtimeCatalog is the built-ins' shape: realtime turns on a question
// of every service.
type realtimeCatalog struct{ fakeCatalog }

func (realtimeCatalog) Features(name string, goals []string) []Feature {
	if slices.Contains(goals, "realtime") {
		return []Feature{{Question: "realtime", Prompt: "Include a WebSocket endpoint?", Goals: []string{"realtime"}}}
	}
	return nil
}

// A goal is unserved only when the template chosen has nothing it
// turns on.
func TestUnservedUnlessAFeatureServesIt(t *testing.T) {
	in := Input{Goals: []string{"realtime"}}
	cat := fakeCatalog{"service/node/fastify", "service/node/express"}
	rec := Recommend(in, cat)
	if !slices.ContainsFunc(rec.Warnings, func(w string) bool { return strings.HasPrefix(w, "realtime:") }) || len(rec.Features) != 0 {
		t.Errorf("without the feature: warnings %q, features %+v", rec.Warnings, rec.Features)
	}
	rec = Recommend(in, realtimeCatalog{cat})
	if slices.ContainsFunc(rec.Warnings, func(w string) bool { return strings.HasPrefix(w, "realtime:") }) || len(rec.Features) != 1 || rec.Features[0].Question != "realtime" {
		t.Errorf("with the feature: warnings %q, features %+v", rec.Warnings, rec.Features)
	}
}

func (c fakeCatalog) Find(kind template.ProjectKind, language, prefer string) (Choice, bool) {
	var found []Choice
	for _, e := range c {
		parts := strings.Split(e, "/")
		if template.ProjectKind(parts[0]) == kind && (language == "" || parts[1] == language) {
			found = append(found, Choice{Template: parts[1] + "/" + parts[2], Framework: parts[2], Title: Language(parts[1]).Title() + " with " + parts[2]})
		}
	}
	for _, f := range found {
		if f.Framework == prefer {
			return f, true
		}
	}
	if len(found) == 0 {
		return Choice{}, false
	}
	return found[0], true
}

// builtins is the catalog of the built-in templates.
var builtins = fakeCatalog{"service/go/chi", "service/node/express", "service/node/fastify", "service/rust/axum"}

func TestTheCatalogDecidesTheTemplate(t *testing.T) {
	in := Input{Goals: []string{"performance", "concurrency"}}
	if got := Recommend(in, fakeCatalog{"service/go/stdlib", "service/rust/axum"}); got.Template != "go/stdlib" {
		t.Errorf("with go/stdlib the only Go service, got %s", got.Template)
	}
	// No Go service: the next best language the catalog has.
	got := Recommend(in, fakeCatalog{"service/rust/axum", "cli/go/cobra"})
	if got.Language != Rust || got.Template != "rust/axum" {
		t.Fatalf("without a Go service, got %s %s", got.Language, got.Template)
	}
	if !slices.Contains(got.Reasons, "no service template in Go: Rust is the next best") {
		t.Errorf("the fallback is not explained: %q", got.Reasons)
	}
	// Node.js: the framework rules prefer Fastify, and without it the
	// catalog's other Node.js service is taken, with no Fastify reason.
	got = Recommend(Input{Goals: []string{"realtime"}}, fakeCatalog{"service/node/hono"})
	if got.Template != "node/hono" || slices.ContainsFunc(got.Reasons, func(r string) bool { return strings.HasPrefix(r, "Fastify") }) {
		t.Errorf("got %s, reasons %q", got.Template, got.Reasons)
	}
	if got := Recommend(in, fakeCatalog{}); got.Template != "" || got.Language != Go {
		t.Errorf("an empty catalog: got %q in %s", got.Template, got.Language)
	}
}

// The goals decide the kind as well as the language: cli asks for a
// command-line tool, in the best language that has a CLI template.
func TestTheGoalsDecideTheKind(t *testing.T) {
	withCLIs := append(slices.Clone(builtins), "cli/go/cobra", "cli/rust/clap")
	tests := []struct {
		name     string
		in       Input
		cat      fakeCatalog
		kind     template.ProjectKind
		template string
		reason   string // one reason must hold it
		warning  string // one warning must hold it
	}{
		{name: "cli and systems: a Rust CLI", in: Input{Goals: []string{"cli", "systems"}}, cat: withCLIs,
			kind: template.CLI, template: "rust/clap", reason: "kind: a command-line tool, not a server, since you said cli"},
		{name: "cli and devops: a Go CLI", in: Input{Goals: []string{"cli", "devops"}}, cat: withCLIs,
			kind: template.CLI, template: "go/cobra"},
		{name: "no Rust CLI: the next best language that has one", in: Input{Goals: []string{"cli", "systems"}},
			cat: append(slices.Clone(builtins), "cli/go/cobra"), kind: template.CLI, template: "go/cobra",
			reason: "no cli template in Rust: Go is the next best"},
		{name: "no CLI at all: a service, and said so", in: Input{Goals: []string{"cli", "systems"}}, cat: builtins,
			kind: template.Service, template: "rust/axum",
			warning: "cli: the catalog has no cli template in any language, so the project is a service"},
		{name: "--kind cli without the goal", in: Input{Goals: []string{"startup"}, Kind: template.CLI}, cat: withCLIs,
			kind: template.CLI, template: "go/cobra", reason: "no cli template in Node.js: Go is the next best"},
		{name: "--kind service with the cli goal", in: Input{Goals: []string{"cli", "systems"}, Kind: template.Service}, cat: withCLIs,
			kind: template.Service, template: "rust/axum", reason: "kind: an HTTP service, as you asked"},
		{name: "a service is the default", in: Input{Goals: []string{"performance"}}, cat: withCLIs,
			kind: template.Service, template: "go/chi"},
		{name: "wasm asks for a WebAssembly package", in: Input{Goals: []string{"wasm", "startup"}}, cat: append(slices.Clone(withCLIs), "wasm/rust/wasm"),
			kind: template.Wasm, template: "rust/wasm", reason: "kind: a WebAssembly package for JavaScript to call, since you said wasm"},
		{name: "no wasm template: a service, and said so once", in: Input{Goals: []string{"wasm"}}, cat: withCLIs,
			kind: template.Service, template: "rust/axum", warning: "wasm: the catalog has no wasm template in any language, so the project is a service"},
		{name: "wasm in a CLI is said, not ignored", in: Input{Goals: []string{"wasm", "cli"}}, cat: withCLIs,
			kind: template.CLI, template: "rust/clap", warning: "wasm: a project of this kind gets no WebAssembly build"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := Recommend(tt.in, tt.cat)
			if rec.Kind != tt.kind || rec.Template != tt.template {
				t.Fatalf("got %s %s, want %s %s (reasons %q, warnings %q)", rec.Kind, rec.Template, tt.kind, tt.template, rec.Reasons, rec.Warnings)
			}
			if tt.reason != "" && !slices.Contains(rec.Reasons, tt.reason) {
				t.Errorf("reasons %q lack %q", rec.Reasons, tt.reason)
			}
			if tt.warning != "" && !slices.ContainsFunc(rec.Warnings, func(w string) bool { return strings.HasPrefix(w, tt.warning) }) {
				t.Errorf("warnings %q lack %q", rec.Warnings, tt.warning)
			}
		})
	}
}

// Goals that span layers ask for a workspace of one part per layer,
// each chosen for its own goals, with the catalog's workspace template
// for the root; without one the project is one service, and a warning
// says so.
func TestWorkspaceForGoalsThatSpanLayers(t *testing.T) {
	cat := fakeCatalog{"service/node/express", "service/node/fastify", "service/go/chi", "service/rust/axum", "cli/go/cobra", "cli/rust/clap", "workspace/workspace/polyglot"}
	for _, tc := range []struct {
		name  string
		in    Input
		parts []string // folder=template
	}{
		{"three layers", Input{Goals: []string{"startup", "performance", "infrastructure"}},
			[]string{"apps/api=node/express", "services/core=go/chi", "infra/engine=rust/axum"}},
		{"each part by its own goals", Input{Goals: []string{"realtime", "concurrency"}},
			[]string{"apps/api=node/fastify", "services/core=go/chi"}},
		{"one layer", Input{Goals: []string{"startup", "realtime"}}, nil},
		{"a CLI is no workspace", Input{Goals: []string{"cli", "systems", "startup"}}, nil},
		{"asked for, with one layer", Input{Goals: []string{"systems"}, Kind: template.Workspace},
			[]string{"apps/api=node/express", "services/core=go/chi", "infra/engine=rust/axum"}},
		{"asked for, with none", Input{Kind: template.Workspace},
			[]string{"apps/api=node/express", "services/core=go/chi"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := Recommend(tc.in, cat)
			var got []string
			for _, p := range rec.Parts {
				got = append(got, p.Folder+"="+p.Template)
				if p.Reason == "" || !strings.Contains(p.Reason, "for ") {
					t.Errorf("part %s has no reason citing the rule: %q", p.Folder, p.Reason)
				}
			}
			if !slices.Equal(got, tc.parts) {
				t.Errorf("parts = %q, want %q", got, tc.parts)
			}
			if len(tc.parts) > 0 && (rec.Kind != template.Workspace || rec.Template != "workspace/polyglot" || rec.Language != "") {
				t.Errorf("kind %s, template %s, language %q", rec.Kind, rec.Template, rec.Language)
			}
			if slices.ContainsFunc(rec.Warnings, func(w string) bool { return strings.HasPrefix(w, "workspace:") }) {
				t.Errorf("warnings %q", rec.Warnings)
			}
			// Without a workspace template, one service, and said so.
			rec = Recommend(tc.in, cat[:len(cat)-1])
			warned := slices.ContainsFunc(rec.Warnings, func(w string) bool {
				return strings.HasPrefix(w, "workspace: a workspace needs the catalog's workspace template")
			})
			if warned != (len(tc.parts) > 0) || rec.Kind == template.Workspace {
				t.Errorf("without a workspace template: kind %s, warnings %q", rec.Kind, rec.Warnings)
			}
		})
	}
	rec := Recommend(Input{Goals: []string{"startup", "performance", "infrastructure"}}, cat)
	if !slices.ContainsFunc(rec.Reasons, func(r string) bool {
		return strings.Contains(r, "span the API layer (startup), performance-critical services (performance) and infrastructure (infrastructure)") && strings.Contains(r, "the future is polyglot")
	}) {
		t.Errorf("reasons %q do not cite the polyglot rule", rec.Reasons)
	}
	// A layer whose language has no service is left out, and said.
	rec = Recommend(Input{Goals: []string{"startup", "systems"}}, fakeCatalog{"service/node/express", "service/go/chi"})
	if len(rec.Parts) != 1 || !slices.ContainsFunc(rec.Warnings, func(w string) bool {
		return strings.Contains(w, "no service template in Rust, so infrastructure is left out")
	}) {
		t.Errorf("parts %+v, warnings %q", rec.Parts, rec.Warnings)
	}
}
