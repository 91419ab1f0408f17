// Package decide turns what a project is for into a recommended stack.
//
// The rules come from a comparison of Node.js, Go and Rust for backends
// (see DESIGN.md, "The decision rules"). They live in one table, Rules:
// each row names the rule it encodes, the goals that make it fire and how
// it moves each language's score. Recommend adds up the rows that fire,
// applies the vetoes, picks the highest score and explains every step.
// Ties are broken in the order of Languages (Node.js, Go, Rust), the
// article's own order of preference for a team with no other constraint.
// The template comes from the catalog: the engine asks it for a kind of
// project in a language, never builds a template's name.
package decide

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/scaffold-cli/scaffold/internal/stack"
	"github.com/scaffold-cli/scaffold/internal/template"
)

// Language is one of the stacks scaffold can recommend.
type Language string

// The languages scaffold knows, in tie-break order.
const (
	Node Language = "node"
	Go   Language = "go"
	Rust Language = "rust"
)

// Languages lists the languages in tie-break order, the registry's
// (package stack): when two score the same, the one earlier here wins.
var Languages = func() []Language {
	var out []Language
	for _, n := range stack.Names() {
		out = append(out, Language(n))
	}
	return out
}()

// Title is the language's name as people write it.
func (l Language) Title() string { return stack.TitleOf(string(l)) }

// ParseLanguage accepts a language name or alias as a flag value.
func ParseLanguage(s string) (Language, error) {
	l, err := stack.Parse(s)
	if err != nil {
		return "", err
	}
	return Language(l.Name), nil
}

// Goal is one word of the decision vocabulary.
type Goal struct {
	Name string
	Help string
}

// Goals is the vocabulary, in the order prompts show it.
var Goals = []Goal{
	{"startup", "ship a product fast with a small team"},
	{"prototype", "try an idea quickly; speed of change beats speed of code"},
	{"realtime", "websockets, chat, live updates, many open connections"},
	{"io-heavy", "mostly waiting on databases and other services (typical APIs)"},
	{"performance", "raw speed and low latency matter"},
	{"concurrency", "many things at once: workers, fan-out, heavy parallel load"},
	{"microservices", "one of many small services talking over the network"},
	{"cli", "a command-line tool, not only a server"},
	{"devops", "tooling for deployment, operations or platforms"},
	{"systems", "systems-level software close to the machine"},
	{"infrastructure", "proxies, storage, runtimes: software others build on"},
	{"wasm", "code that must also run as WebAssembly"},
	{"cpu-heavy", "heavy computation: parsing, encoding, number crunching"},
	{"full-stack-team", "the team writes JavaScript/TypeScript front ends too"},
	{"hiring", "easy to hire for and to stay employable with"},
	{"ecosystem", "the widest choice of packages and middleware"},
}

// GoalNames returns the vocabulary's words in prompt order.
func GoalNames() []string {
	names := make([]string, len(Goals))
	for i, g := range Goals {
		names[i] = g.Name
	}
	return names
}

// UnknownGoalError reports a word outside the vocabulary.
type UnknownGoalError struct{ Goal string }

func (e *UnknownGoalError) Error() string {
	return fmt.Sprintf("unknown goal %q; known goals: %s", e.Goal, strings.Join(GoalNames(), ", "))
}

// ParseGoals checks every word against the vocabulary and returns them
// lower-cased, without duplicates, in the order given.
func ParseGoals(words []string) ([]string, error) {
	known := GoalNames()
	var goals []string
	for _, w := range words {
		for _, part := range strings.Split(w, ",") {
			g := strings.ToLower(strings.TrimSpace(part))
			if g == "" {
				continue
			}
			if !slices.Contains(known, g) {
				return nil, &UnknownGoalError{Goal: part}
			}
			if !slices.Contains(goals, g) {
				goals = append(goals, g)
			}
		}
	}
	return goals, nil
}

// Input is what the recommendation is made from.
type Input struct {
	Goals []string
	// Team is the team's strongest language; empty when unknown.
	Team Language
	// Kind is the kind of project asked for (--kind); empty to take it
	// from the goals (see Kinds).
	Kind template.ProjectKind
}

func (in Input) has(goal string) bool { return slices.Contains(in.Goals, goal) }

// Rule is one row of the decision table.
type Rule struct {
	// Rule is the statement from the source comparison this row encodes.
	Rule string
	// All lists goals that must all be present for the row to fire.
	All []string
	// Team, when set, makes the row fire only for that team language.
	Team Language
	// Score moves each language's score when the row fires.
	Score map[Language]int
	// Never vetoes languages from first place while the row fires.
	Never []Language
	// Reason explains the row to a user.
	Reason string
}

// Rules is the decision table. Each goal word fires at least one row.
var Rules = []Rule{
	{Rule: "Building a startup fast? Node.js.", All: []string{"startup"},
		Score: map[Language]int{Node: 4}, Reason: "startup: Node.js ships fastest, with the largest package ecosystem"},
	{Rule: "Node.js is best for rapid prototyping.", All: []string{"prototype"},
		Score: map[Language]int{Node: 4}, Reason: "prototype: Node.js is best for rapid prototyping"},
	{Rule: "Node.js is best for real-time applications.", All: []string{"realtime"},
		Score: map[Language]int{Node: 3, Go: 1}, Reason: "realtime: Node.js's event loop excels at many open connections"},
	{Rule: "Node.js is excellent for I/O-heavy work (APIs, real-time).", All: []string{"io-heavy"},
		Score: map[Language]int{Node: 2, Go: 1}, Reason: "io-heavy: Node.js is excellent for I/O-bound APIs"},
	{Rule: "Need raw performance and concurrency? Go.", All: []string{"performance"},
		Score: map[Language]int{Go: 2, Rust: 2}, Reason: "performance: Go and Rust are compiled and very fast"},
	{Rule: "Need raw performance and concurrency? Go.", All: []string{"concurrency"},
		Score: map[Language]int{Go: 3, Rust: 1}, Reason: "concurrency: Go has concurrency built in (goroutines)"},
	{Rule: "Need raw performance and concurrency? Go.", All: []string{"performance", "concurrency"},
		Score: map[Language]int{Go: 2}, Reason: "performance with concurrency: the headline case for Go"},
	{Rule: "Go is best for microservices.", All: []string{"microservices"},
		Score: map[Language]int{Go: 3, Node: 1}, Reason: "microservices: Go's small static binaries and fast start suit them"},
	{Rule: "Go is best for DevOps tools.", All: []string{"devops"},
		Score: map[Language]int{Go: 3, Rust: 1}, Reason: "devops: Go is the language of most DevOps tooling"},
	{Rule: "Rust is best for CLI tools; CLI tools are Go or Rust, never Node.js first.", All: []string{"cli"},
		Score: map[Language]int{Rust: 3, Go: 2}, Never: []Language{Node},
		Reason: "cli: Rust and Go build fast single-binary CLI tools; Node.js is not a first choice for them"},
	{Rule: "Building systems-level software? Rust.", All: []string{"systems"},
		Score: map[Language]int{Rust: 4, Go: 1}, Reason: "systems: Rust gives C/C++-class performance with memory safety"},
	{Rule: "The trend is polyglot: Rust for infrastructure.", All: []string{"infrastructure"},
		Score: map[Language]int{Rust: 3, Go: 2}, Reason: "infrastructure: Rust is best for infrastructure software"},
	{Rule: "Rust has best-in-class WebAssembly.", All: []string{"wasm"},
		Score: map[Language]int{Rust: 5}, Reason: "wasm: Rust has best-in-class WebAssembly support"},
	{Rule: "Node.js is weak at CPU-intensive work (single-threaded by default).", All: []string{"cpu-heavy"},
		Score: map[Language]int{Node: -3, Go: 2, Rust: 2}, Reason: "cpu-heavy: counts against Node.js, which is single-threaded by default"},
	{Rule: "Node.js: one language front end and back end; best for full-stack teams.", All: []string{"full-stack-team"},
		Score: map[Language]int{Node: 4}, Reason: "full-stack-team: one language (TypeScript) across front end and back end"},
	{Rule: "Hiring / staying employable: Node.js is the safe default; Go or Rust second.", All: []string{"hiring"},
		Score: map[Language]int{Node: 2, Go: 1}, Reason: "hiring: Node.js has the largest talent pool, Go comes next"},
	{Rule: "Node.js has a huge package ecosystem; Go's web ecosystem is smaller.", All: []string{"ecosystem"},
		Score: map[Language]int{Node: 3}, Reason: "ecosystem: Node.js has the largest package and middleware ecosystem"},
	{Rule: "A team ships fastest in the language it knows.", Team: Node,
		Score: map[Language]int{Node: 2}, Reason: "team: your team is strongest in Node.js"},
	{Rule: "A team ships fastest in the language it knows.", Team: Go,
		Score: map[Language]int{Go: 2}, Reason: "team: your team is strongest in Go"},
	{Rule: "A team ships fastest in the language it knows.", Team: Rust,
		Score: map[Language]int{Rust: 2}, Reason: "team: your team is strongest in Rust"},
}

// Warning is a known weakness that applies to a language for these goals.
type Warning struct {
	Language Language
	// Any lists goals of which at least one must be present.
	Any []string
	// UnlessTeam silences the warning for a team strong in that language.
	UnlessTeam Language
	Text       string
}

// Warnings is the table of weaknesses from the source comparison.
var Warnings = []Warning{
	{Language: Rust, Any: []string{"startup", "prototype"}, UnlessTeam: Rust,
		Text: "Rust: steep learning curve and slower development, and a team new to Rust that must ship fast will feel both"},
	{Language: Rust, Any: []string{"hiring"}, UnlessTeam: Rust,
		Text: "Rust: smaller talent pool, so hiring takes longer"},
	{Language: Node, Any: []string{"cpu-heavy"},
		Text: "Node.js: single-threaded by default; move CPU-heavy work to worker threads or a separate service"},
	{Language: Node, Any: []string{"performance", "concurrency"},
		Text: "Node.js: one thread runs your code; scale out with more processes for heavy concurrency"},
	{Language: Go, Any: []string{"full-stack-team", "ecosystem"},
		Text: "Go: smaller web ecosystem than Node.js, and a second language for a JavaScript team"},
	{Language: Go, Any: []string{"startup", "prototype"},
		Text: "Go: verbose error handling; expect more code per feature than in Node.js"},
}

// FrameworkRule picks a Node.js framework.
type FrameworkRule struct {
	Framework string
	Any       []string
	Reason    string
}

// NodeFrameworks decides between Fastify and Express, first match wins:
// throughput beats familiarity, and with neither Express is the default.
var NodeFrameworks = []FrameworkRule{
	{Framework: "fastify", Any: []string{"performance", "concurrency", "io-heavy", "realtime", "microservices", "cpu-heavy"},
		Reason: "Fastify: throughput matters (%s), and Fastify is the fastest mainstream Node.js framework"},
	{Framework: "express", Any: []string{"ecosystem", "full-stack-team", "hiring", "prototype", "startup"},
		Reason: "Express: familiarity and the widest middleware ecosystem matter (%s)"},
	{Framework: "express", Reason: "Express: no throughput goal given, so the most familiar framework with the widest middleware ecosystem"},
}

// KindRule says which kind of project the goals ask for.
type KindRule struct {
	Kind template.ProjectKind
	// Any lists goals of which one makes the row fire; none, always.
	Any    []string
	Reason string
}

// Kinds decides the kind of project, first match wins: a goal that
// names what the project is (a command-line tool) beats the default, a
// service.
var Kinds = []KindRule{
	{Kind: template.CLI, Any: []string{"cli"}, Reason: "kind: a command-line tool, not a server, since you said cli"},
	{Kind: template.Wasm, Any: []string{"wasm"}, Reason: "kind: a WebAssembly package for JavaScript to call, since you said wasm"},
	{Kind: template.Service},
}

// KindFor is the kind of project for in, with the reason when a goal
// or the user chose it rather than the default. Goals that span more
// than one layer of a system (see Layers) ask for a workspace, unless a
// goal names another kind first (a command-line tool).
func KindFor(in Input) (template.ProjectKind, string) {
	if in.Kind != "" {
		return in.Kind, fmt.Sprintf("kind: %s, as you asked", in.Kind.Describe())
	}
	for _, k := range Kinds {
		if len(k.Any) > 0 && slices.ContainsFunc(k.Any, in.has) {
			return k.Kind, k.Reason
		}
	}
	if hit := layersOf(in); len(hit) > 1 {
		var spans []string
		for _, h := range hit {
			spans = append(spans, fmt.Sprintf("%s (%s)", h.layer.Title, strings.Join(h.goals, ", ")))
		}
		return template.Workspace, fmt.Sprintf("kind: a workspace, since your goals span %s; %s", and(spans), polyglot)
	}
	return template.Service, ""
}

// polyglot is the comparison's conclusion, which Layers encodes.
const polyglot = `"the future is polyglot: Node.js for the API layer, Go for performance-critical services, Rust for infrastructure"`

// Layer is one layer of a system, in the language the comparison gives
// it. Goals that span more than one ask for a workspace with a part for
// each.
type Layer struct {
	// Name names the part's role: api, service, infra.
	Name string
	// Title is how the reasons say it: "the API layer".
	Title    string
	Language Language
	// Goals are those that ask for the layer.
	Goals []string
	// Folder is where the part goes in the workspace.
	Folder string
	// Rule is the statement of the comparison that gives the language.
	Rule string
}

// Layers is the polyglot table, in the order a request goes through the
// parts: the API layer calls the services, which may call the
// infrastructure.
var Layers = []Layer{
	{Name: "api", Title: "the API layer", Language: Node, Folder: "apps/api",
		Goals: []string{"startup", "prototype", "realtime", "full-stack-team", "io-heavy"},
		Rule:  "Node.js for the API layer"},
	{Name: "service", Title: "performance-critical services", Language: Go, Folder: "services/core",
		Goals: []string{"performance", "concurrency", "microservices", "cpu-heavy"},
		Rule:  "Go for performance-critical services"},
	{Name: "infra", Title: "infrastructure", Language: Rust, Folder: "infra/engine",
		Goals: []string{"systems", "infrastructure"},
		Rule:  "Rust for infrastructure"},
}

type layerHit struct {
	layer Layer
	goals []string
}

// layersOf lists the layers the goals ask for, with the goals that ask.
func layersOf(in Input) []layerHit {
	var out []layerHit
	for _, l := range Layers {
		var goals []string
		for _, g := range in.Goals {
			if slices.Contains(l.Goals, g) {
				goals = append(goals, g)
			}
		}
		if len(goals) > 0 {
			out = append(out, layerHit{l, goals})
		}
	}
	return out
}

// Part is one project of a recommended workspace.
type Part struct {
	// Layer is the part's role: api, service, infra.
	Layer     string   `json:"layer"`
	Folder    string   `json:"folder"`
	Language  Language `json:"language"`
	Template  string   `json:"template"`
	Framework string   `json:"framework"`
	Title     string   `json:"title"`
	// Goals are the goals that ask for the part; empty when it is there
	// because a workspace was asked for.
	Goals  []string `json:"goals"`
	Reason string   `json:"reason"`
}

// partsOf are the parts of a workspace for in: one for each layer its
// goals ask for; asked for a workspace (--kind workspace) with goals of
// one layer or none, the API layer and the services are added, the
// comparison's two most common parts. Each part is the catalog's
// service in its layer's language; a layer whose language has none is
// left out, with a warning.
func partsOf(in Input, cat Catalog) ([]Part, []string) {
	hit := layersOf(in)
	if len(hit) < 2 {
		var all []layerHit
		for _, l := range Layers {
			i := slices.IndexFunc(hit, func(h layerHit) bool { return h.layer.Name == l.Name })
			switch {
			case i >= 0:
				all = append(all, hit[i])
			case l.Name == "api" || l.Name == "service":
				all = append(all, layerHit{layer: l, goals: []string{}})
			}
		}
		hit = all
	}
	var parts []Part
	var warnings []string
	for _, h := range hit {
		// Each part is chosen for its own goals: the API's framework by
		// the API's goals, not the infrastructure's.
		sub := Input{Goals: h.goals, Team: in.Team}
		c, why, ok := pick(h.layer.Language, template.Service, sub, cat)
		if !ok {
			warnings = append(warnings, fmt.Sprintf("workspace: the catalog has no %s template in %s, so %s is left out", template.Service, h.layer.Language.Title(), h.layer.Title))
			continue
		}
		reason := fmt.Sprintf("%s: %s", h.layer.Title, h.layer.Rule)
		if len(h.goals) > 0 {
			reason = fmt.Sprintf("%s, since you said %s: %s", h.layer.Title, strings.Join(h.goals, " and "), h.layer.Rule)
		}
		if len(why) > 0 {
			reason += "; " + why[0]
		}
		parts = append(parts, Part{
			Layer: h.layer.Name, Folder: h.layer.Folder, Language: h.layer.Language,
			Template: c.Template, Framework: c.Framework, Title: c.Title,
			Goals: h.goals, Reason: reason,
		})
	}
	return parts, warnings
}

// and joins words as a sentence does: "a, b and c".
func and(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// Unserved says what a project gets for a goal that the template chosen
// does not serve beyond the choice of language: one whose questions the
// goal turns none of on (see Feature). It is said, never left unsaid.
var Unserved = map[string]string{
	"wasm":     "wasm: a project of this kind gets no WebAssembly build; --kind wasm makes a WebAssembly package instead",
	"realtime": "realtime: the template chosen has no WebSocket endpoint to turn on, so the project gets none (the built-in service templates have one: --set realtime=true)",
}

// Catalog is what the engine needs of the template catalog.
type Catalog interface {
	// Find gives the template of the kind in the language, the one with
	// the framework prefer when there is one; ok is false when there is
	// no such template.
	Find(kind template.ProjectKind, language, prefer string) (Choice, bool)
	// Features are what the goals turn on in the template: nil when
	// they turn on nothing, or the catalog cannot say before the
	// template is opened.
	Features(template string, goals []string) []Feature
}

// Feature is a yes-or-no question of a template that the goals answer
// yes by default (its default is {{ has "realtime" .Goals }}): what the
// project will have because of what it is for.
type Feature struct {
	// Question is the question's name: --set NAME=false turns it off.
	Question string `json:"question"`
	// Prompt is what the question asks: "Include a WebSocket endpoint?".
	Prompt string `json:"prompt"`
	// Goals are the goals that turn it on.
	Goals []string `json:"goals"`
}

// Choice is a template the catalog offers.
type Choice struct {
	Template  string `json:"template"`
	Framework string `json:"framework"`
	Title     string `json:"title"`
}

// Recommendation is the engine's answer.
type Recommendation struct {
	Kind      template.ProjectKind `json:"kind"`
	Language  Language             `json:"language"`
	Framework string               `json:"framework"`
	Template  string               `json:"template"`
	Title     string               `json:"title"`
	Scores    map[Language]int     `json:"scores"`
	Reasons   []string             `json:"reasons"`
	Warnings  []string             `json:"warnings"`
	// Features are what the goals turn on in the template.
	Features []Feature `json:"features"`
	// Parts are the projects of a workspace, when the goals or the user
	// ask for one (see Layers); empty otherwise.
	Parts []Part `json:"parts"`
}

// Recommend scores the languages for in, asks the catalog for a
// template in the best one that it has, and explains the choice.
func Recommend(in Input, cat Catalog) Recommendation {
	scores := map[Language]int{}
	for _, l := range Languages {
		scores[l] = 0
	}
	var reasons []string
	var vetoed []Language
	for _, r := range Rules {
		if !r.fires(in) {
			continue
		}
		for l, n := range r.Score {
			scores[l] += n
		}
		vetoed = append(vetoed, r.Never...)
		reasons = append(reasons, r.Reason)
	}

	order := slices.Clone(Languages)
	sort.SliceStable(order, func(i, j int) bool { return scores[order[i]] > scores[order[j]] })
	best := order[0]
	for _, l := range order {
		if !slices.Contains(vetoed, l) {
			best = l
			break
		}
	}
	if len(in.Goals) == 0 && in.Team == "" {
		reasons = append(reasons, "no goals given: Node.js is the safe default (largest ecosystem and talent pool)")
	} else if scores[order[0]] == scores[order[1]] && best == order[0] {
		reasons = append(reasons, fmt.Sprintf("tie between %s and %s: broken in the order %s", order[0].Title(), order[1].Title(), titles(Languages)))
	}
	if best != order[0] {
		reasons = append(reasons, fmt.Sprintf("%s scores %d, but a CLI tool is never %s first", order[0].Title(), scores[order[0]], order[0].Title()))
	}

	kind, why := KindFor(in)
	asked := kind
	if why != "" {
		reasons = append(reasons, why)
	}
	// The best language the catalog has a template of the kind for: a
	// catalog of team templates may lack one. With none of the kind in
	// any language, a service is the next best thing, said as a warning.
	rec := Recommendation{Kind: kind, Scores: scores, Parts: []Part{}}
	var unserved []string
	if kind == template.Workspace {
		rec.Parts, unserved = partsOf(in, cat)
	}
	choice, lang, found := Choice{}, best, false
	if kind == template.Workspace && len(rec.Parts) > 1 {
		// The parts have their languages; the root is the catalog's
		// workspace template, whatever language it says it is.
		if choice, found = cat.Find(kind, "", ""); found {
			reasons = append(reasons, fmt.Sprintf("the root files (README, Makefile, compose.yaml, CI for each part) come from %s", choice.Template))
		}
	}
	for !found {
		for _, l := range append([]Language{best}, order...) {
			if l != best && slices.Contains(vetoed, l) {
				continue
			}
			var why []string
			if choice, why, found = pick(l, kind, in, cat); found {
				if l != best {
					reasons = append(reasons, fmt.Sprintf("no %s template in %s: %s is the next best", kind, best.Title(), l.Title()))
				}
				lang = l
				reasons = append(reasons, why...)
				break
			}
		}
		if found || kind == template.Service {
			break
		}
		if kind == template.Workspace {
			unserved = append(unserved, fmt.Sprintf("%s: a workspace needs the catalog's %s template and parts in two layers, so the project is one %s, in the language that fits all the goals together; the parts are what the workspace would hold", kind, kind, template.Service))
		} else {
			unserved = append(unserved, fmt.Sprintf("%s: the catalog has no %s template in any language, so the project is a %s", kind, kind, template.Service))
		}
		kind, rec.Kind = template.Service, template.Service
	}
	rec.Language = lang
	rec.Features = []Feature{}
	if found {
		rec.Features = append(rec.Features, cat.Features(choice.Template, in.Goals)...)
	}
	// What the parts' own goals turn on in them serves those goals too.
	features := slices.Clone(rec.Features)
	if kind == template.Workspace {
		rec.Language = "" // each part has its own
		for _, p := range rec.Parts {
			features = append(features, cat.Features(p.Template, p.Goals)...)
		}
	}
	for _, g := range in.Goals {
		// A goal that asked for the kind is served by it, or its want
		// is already said (no template of the kind).
		served := slices.ContainsFunc(features, func(f Feature) bool { return slices.Contains(f.Goals, g) }) ||
			slices.ContainsFunc(Kinds, func(k KindRule) bool { return k.Kind == asked && slices.Contains(k.Any, g) })
		if text, ok := Unserved[g]; ok && !served {
			unserved = append(unserved, text)
		}
	}
	rec.Reasons, rec.Warnings = reasons, append(WarningsFor(rec.Language, in), unserved...)
	rec.Template, rec.Framework, rec.Title = choice.Template, choice.Framework, choice.Title
	return rec
}

// Pick gives the template the engine would take within lang, for the
// kind KindFor gives, with the reason when the rules chose its
// framework; ok is false when the catalog has no template of the kind
// in lang.
func Pick(lang Language, in Input, cat Catalog) (Choice, string, bool) {
	kind, _ := KindFor(in)
	c, why, ok := pick(lang, kind, in, cat)
	if len(why) == 0 {
		return c, "", ok
	}
	return c, why[0], ok
}

func pick(lang Language, kind template.ProjectKind, in Input, cat Catalog) (Choice, []string, bool) {
	prefer, reason := "", ""
	if lang == Node && kind == template.Service {
		prefer, reason = nodeFramework(in)
	}
	c, ok := cat.Find(kind, string(lang), prefer)
	if !ok {
		return Choice{}, nil, false
	}
	if reason == "" || c.Framework != prefer {
		return c, nil, true
	}
	return c, []string{reason}, true
}

func nodeFramework(in Input) (string, string) {
	for _, fr := range NodeFrameworks {
		var hit []string
		for _, g := range fr.Any {
			if in.has(g) {
				hit = append(hit, g)
			}
		}
		if len(fr.Any) > 0 && len(hit) == 0 {
			continue
		}
		reason := fr.Reason
		if len(hit) > 0 {
			reason = fmt.Sprintf(fr.Reason, strings.Join(hit, ", "))
		}
		return fr.Framework, reason
	}
	panic("unreachable: NodeFrameworks ends with a default row")
}

func titles(langs []Language) string {
	var out []string
	for _, l := range langs {
		out = append(out, l.Title())
	}
	return strings.Join(out, ", ")
}

// WarningsFor lists the weaknesses of lang that matter for in; it is
// used for the recommendation and for a stack the user picks instead.
func WarningsFor(lang Language, in Input) []string {
	warnings := []string{}
	for _, w := range Warnings {
		if w.Language != lang || (w.UnlessTeam != "" && in.Team == w.UnlessTeam) {
			continue
		}
		if slices.ContainsFunc(w.Any, in.has) {
			warnings = append(warnings, w.Text)
		}
	}
	return warnings
}

func (r Rule) fires(in Input) bool {
	if r.Team != "" && r.Team != in.Team {
		return false
	}
	for _, g := range r.All {
		if !in.has(g) {
			return false
		}
	}
	return len(r.All) > 0 || r.Team != ""
}
