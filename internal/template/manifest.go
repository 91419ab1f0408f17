// Package template loads scaffold templates and renders them into files.
//
// A template is a tree of files (see package tree, which reads it once,
// through an os.Root) with a manifest, scaffold.yaml, at its root. Files ending in .tmpl are rendered with text/template and the
// suffix is dropped; other files are copied byte for byte. Path segments
// may hold template actions. Only sprig's hermetic functions are
// available, and a missing key is an error, so the same answers always
// give the same bytes.
package template

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/scaffold-cli/scaffold/internal/names"
	"github.com/scaffold-cli/scaffold/internal/tree"
	"github.com/scaffold-cli/scaffold/internal/yamlfile"
)

// ManifestFile is the name of the manifest at a template's root.
const ManifestFile = "scaffold.yaml"

// Kind is the type of a question's answer.
type Kind string

// The question types a manifest may use.
const (
	String      Kind = "string"
	Bool        Kind = "bool"
	Int         Kind = "int"
	Select      Kind = "select"
	MultiSelect Kind = "multiselect"
)

// Format names a validator scaffold knows for an ecosystem's names.
type Format string

// The name formats a string question may declare.
const (
	GoModule   Format = "go-module"
	NpmPackage Format = "npm-package"
	CargoCrate Format = "cargo-crate"
)

// Manifest is the parsed scaffold.yaml.
type Manifest struct {
	Name        string     `yaml:"name"`
	Description string     `yaml:"description"`
	Language    string     `yaml:"language"`
	Framework   string     `yaml:"framework"`
	Version     string     `yaml:"version"`
	Questions   []Question `yaml:"questions"`
	Files       []FileRule `yaml:"files"`
	Hooks       []string   `yaml:"hooks"`

	// Kind is what the project is; ParseManifest sets Service when the
	// manifest names none.
	Kind ProjectKind `yaml:"kind"`
	// Title is how people say the template: "Node.js with Fastify".
	Title string `yaml:"title"`
	// Include lists shared layers: folders, relative to the template's
	// own, whose files are added beneath the template's.
	Include []string `yaml:"include"`
	// Next are the commands printed after scaffold new.
	Next []NextStep `yaml:"next"`
	// Verify is what scaffold verify runs; empty means the language's
	// default plan for the kind.
	Verify []VerifyStep `yaml:"verify"`
	// Proof adds to the answer sets the end-to-end proof computes.
	Proof Proof `yaml:"proof"`
	// Try is what scaffold verify asks of a built command-line tool
	// (kind cli) besides its help, version and usage errors.
	Try Try `yaml:"try"`
	// WebSocket is the endpoint scaffold verify talks to on the running
	// server (kind service), when the project has one.
	WebSocket WebSocket `yaml:"websocket"`
	// OpenAPI is the path of the OpenAPI document the running server
	// (kind service) serves, which scaffold verify fetches and checks;
	// empty when it serves none.
	OpenAPI string `yaml:"openapi"`
	// Database is the database the project uses, when it uses one.
	Database Database `yaml:"database"`
}

// Database says how scaffold verify checks a service's database. With
// DATABASE_URL in its environment, verify runs the server's migrate
// command (the serve command with the argument migrate), then creates,
// reads and lists an item at Items on the running server; without it,
// it serves with a DATABASE_URL no server answers at and expects
// /readyz to answer 503 while /healthz answers 200.
type Database struct {
	// Items is the path of the sample resource: POST creates an item
	// from {"name": ...} and answers 201 with its Location, GET
	// Items/{id} reads it, and GET Items?limit=N lists them.
	Items string `yaml:"items"`
	// When is template text over the template's data; the project has
	// the database only when it renders to true. Empty means always.
	When string `yaml:"when"`
}

// WebSocket names a service's WebSocket endpoint. scaffold verify
// connects two clients to it on the running server, expects a message
// sent by one to reach both, and expects a close frame (1001, going away)
// on each when the server is told to stop.
type WebSocket struct {
	// Path is the endpoint's path on the server: /v1/ws.
	Path string `yaml:"path"`
	// When is template text over the template's data; the project has
	// the endpoint only when it renders to true. Empty means always.
	When string `yaml:"when"`
}

// Try is what scaffold verify runs a built command-line tool with.
type Try struct {
	// Commands are the subcommands its --help must name.
	Commands []string `yaml:"commands"`
	// Samples are runs with a known input and the output they give.
	Samples []Sample `yaml:"samples"`
}

// Sample is one run of a built command-line tool.
type Sample struct {
	Args  []string `yaml:"args"`
	Stdin string   `yaml:"stdin"`
	// Stdout, when set, is the whole standard output expected.
	Stdout *string `yaml:"stdout"`
	// Stderr, when set, must be found in the standard error.
	Stderr string `yaml:"stderr"`
	// Exit is the exit code expected (0 unless set).
	Exit int `yaml:"exit"`
}

// ProjectKind is what a template makes.
type ProjectKind string

// The kinds of project a manifest may declare.
const (
	Service   ProjectKind = "service"   // an HTTP service
	CLI       ProjectKind = "cli"       // a command-line tool
	Wasm      ProjectKind = "wasm"      // a WebAssembly package for JavaScript
	Library   ProjectKind = "library"   // a package others import
	Workspace ProjectKind = "workspace" // a repository of several projects
)

// ProjectKinds lists the kinds in the order help shows them.
var ProjectKinds = []ProjectKind{Service, CLI, Wasm, Library, Workspace}

// Describe says what a project of the kind is: "an HTTP service".
func (k ProjectKind) Describe() string {
	switch k {
	case Service:
		return "an HTTP service"
	case CLI:
		return "a command-line tool"
	case Wasm:
		return "a WebAssembly package"
	case Library:
		return "a library"
	case Workspace:
		return "a workspace of several projects"
	}
	return string(k)
}

// ParseKind accepts a kind's name as a flag value.
func ParseKind(s string) (ProjectKind, error) {
	for _, k := range ProjectKinds {
		if string(k) == strings.ToLower(strings.TrimSpace(s)) {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown kind %q: use %s", s, strings.Join(kindNames(), ", "))
}

// HasServer reports whether a project of the kind serves HTTP, so that
// scaffold verify starts it.
func (k ProjectKind) HasServer() bool { return k == Service }

// NextStep is one line of the next steps printed after scaffold new.
type NextStep struct {
	// Run is template text over the template's data (.Project and the
	// answers): the command the user types.
	Run string `yaml:"run"`
	// Note says what it does: "run", "test".
	Note string `yaml:"note"`
}

// VerifyStep is one step of scaffold verify.
type VerifyStep struct {
	// Name names the step: install, lint, format, test, build, or serve,
	// which starts the server (kind service only) and checks /healthz,
	// or try, which runs the built tool (kind cli only; see Try).
	Name string `yaml:"name"`
	// Run is the command and its arguments, each template text over the
	// template's data and .Verify.Out, a folder for built binaries.
	Run []string `yaml:"run"`
	// Empty makes the step fail when it prints anything (gofmt -l).
	Empty bool `yaml:"empty"`
}

// Proof is what a template adds to the proof computed from its
// questions (see package proof).
type Proof struct {
	// Sets are answer sets to prove besides the computed ones.
	Sets []ProofSet `yaml:"sets"`
	// Fixed names questions the computed sets leave at their default.
	Fixed []string `yaml:"fixed"`
}

// ProofSet is one project the proof generates and verifies.
type ProofSet struct {
	// Name is the project's name; empty picks one.
	Name    string         `yaml:"name"`
	Answers map[string]any `yaml:"answers"`
}

// Question is one thing the template asks.
type Question struct {
	Name   string `yaml:"name"`
	Prompt string `yaml:"prompt"`
	Help   string `yaml:"help"`
	Type   Kind   `yaml:"type"`
	// Default is a literal of the question's type, or template text over
	// .Project and earlier answers.
	Default  any      `yaml:"default"`
	Choices  []string `yaml:"choices"`
	Validate string   `yaml:"validate"`
	// Format checks a string with an ecosystem's own rules.
	Format Format `yaml:"format"`
	// When is template text; the question is asked only when it renders
	// to true, and otherwise its default applies.
	When   string `yaml:"when"`
	Secret bool   `yaml:"secret"`

	validate *regexp.Regexp
	line     int
}

// FileRule makes template paths conditional or verbatim.
type FileRule struct {
	Path     string `yaml:"path"`
	When     string `yaml:"when"`
	Verbatim bool   `yaml:"verbatim"`
	// Each, in a workspace template, renders the files the rule names
	// once for every part of the workspace, with .Part set to it; the
	// only value is "parts". Their paths must differ by part (name a
	// folder or file after {{ .Part.Name }}).
	Each string `yaml:"each"`
}

// EachPart is the value of FileRule.Each that renders a file per part.
const EachPart = "parts"

// ManifestError locates a problem in a manifest.
type ManifestError struct {
	File string
	Line int
	Err  error
}

func (e *ManifestError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *ManifestError) Unwrap() error { return e.Err }

var questionName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// reservedNames are data keys scaffold fills itself.
var reservedNames = []string{"Project", "Scaffold", "Goals", "Verify"}

// MaxManifestBytes bounds a manifest. A template's files may be 16 MiB,
// but YAML takes about 200 bytes of memory for every 2 bytes of a flow
// list ("0,0,0,..."): a 16 MiB manifest cost 3.5 GB and 40 s to parse.
// A real manifest is a few KiB; the team config and an answers file have
// the same 1 MiB bound.
const MaxManifestBytes = 1 << 20

// ParseManifest decodes and checks a manifest; file names it in errors.
func ParseManifest(file string, data []byte) (*Manifest, error) {
	fail := func(line int, format string, args ...any) error {
		return &ManifestError{File: file, Line: line, Err: fmt.Errorf(format, args...)}
	}
	if len(data) > MaxManifestBytes {
		return nil, fail(0, "the manifest is %d bytes, more than the %d MiB a manifest may hold", len(data), MaxManifestBytes>>20)
	}
	var m Manifest
	root, err := yamlfile.Decode(file, data, &m)
	if err != nil {
		var ye *yamlfile.Error
		errors.As(err, &ye)
		return nil, &ManifestError{File: file, Line: ye.Line, Err: errors.New(ye.Msg)}
	}
	if len(root.Content) == 0 {
		return nil, fail(0, "empty manifest: it needs at least name and language")
	}
	lines := questionLines(root)
	// A string answer's default is the text as written: YAML would read
	// 1.10 as the number 1.1 and 0x1F as 31.
	if n := yamlfile.Section(root, "questions"); n != nil && n.Kind == yaml.SequenceNode {
		for i, qn := range n.Content {
			if i >= len(m.Questions) || qn.Kind != yaml.MappingNode {
				continue
			}
			q := &m.Questions[i]
			if q.Type != "" && q.Type != String && q.Type != Select {
				continue
			}
			for j := 0; j+1 < len(qn.Content); j += 2 {
				if v := qn.Content[j+1]; qn.Content[j].Value == "default" && v.Kind == yaml.ScalarNode && v.Tag != "!!null" {
					q.Default = v.Value
				}
			}
		}
	}

	if m.Name == "" {
		return nil, fail(0, "missing name")
	}
	if m.Kind == "" {
		m.Kind = Service
	}
	seen := map[string]bool{}
	for i := range m.Questions {
		q := &m.Questions[i]
		if i < len(lines) {
			q.line = lines[i]
		}
		if !questionName.MatchString(q.Name) {
			return nil, fail(q.line, "question name %q must be lower snake case (a-z, 0-9, _), starting with a letter", q.Name)
		}
		if seen[q.Name] {
			return nil, fail(q.line, "duplicate question name %q", q.Name)
		}
		seen[q.Name] = true
		if q.Prompt == "" {
			q.Prompt = q.Name
		}
		if q.Type == "" {
			q.Type = String
		}
		if err := q.check(); err != nil {
			return nil, fail(q.line, "question %q: %v", q.Name, err)
		}
	}
	for _, r := range m.Files {
		if r.Path == "" {
			return nil, fail(0, "a files rule has no path")
		}
		if _, err := matchRule(r.Path, "x"); err != nil {
			return nil, fail(0, "files rule %q: %v", r.Path, err)
		}
		switch {
		case r.Each == "":
		case r.Each != EachPart:
			return nil, fail(0, "files rule %q: each %q: the only value is %q", r.Path, r.Each, EachPart)
		case m.Kind != Workspace:
			return nil, fail(0, "files rule %q: each is for a workspace template, and this template's kind is %s: remove it, or set kind: workspace", r.Path, m.Kind)
		}
	}
	if err := m.checkFields(root, fail); err != nil {
		return nil, err
	}
	return &m, nil
}

func (q *Question) check() error {
	switch q.Type {
	case String, Bool, Int:
		if len(q.Choices) > 0 {
			return fmt.Errorf("choices are only for select and multiselect")
		}
	case Select, MultiSelect:
		if len(q.Choices) == 0 {
			return fmt.Errorf("type %s needs choices", q.Type)
		}
	default:
		return fmt.Errorf("unknown type %q: use string, bool, int, select or multiselect", q.Type)
	}
	switch q.Format {
	case "", GoModule, NpmPackage, CargoCrate:
	default:
		return fmt.Errorf("unknown format %q: use %s, %s or %s", q.Format, GoModule, NpmPackage, CargoCrate)
	}
	if q.Validate != "" {
		re, err := regexp.Compile(q.Validate)
		if err != nil {
			return fmt.Errorf("validate is not a valid regular expression: %v", err)
		}
		q.validate = re
	}
	// A literal default must already be a valid answer; template text is
	// checked once it is rendered.
	if s, ok := q.Default.(string); ok && strings.Contains(s, "{{") {
		return nil
	}
	if q.Default != nil {
		if _, err := q.Coerce(q.Default); err != nil {
			return fmt.Errorf("default: %v", err)
		}
	}
	return nil
}

// MaxAnswerBytes bounds one answer: a string, or a multiselect's items
// together. Every answer passes through Coerce, whether it comes from
// --set, an answers file, the team config, the prompt or a rendered
// default, so a template cannot make its answers (and the record that
// keeps them) grow past it. MaxAnswersBytes bounds all the answers of
// a project together (see AnswerSize).
const (
	MaxAnswerBytes  = 64 << 10
	MaxAnswersBytes = 256 << 10
)

// AnswerSize is how many bytes an answer Coerce returned holds.
func AnswerSize(v any) int {
	switch x := v.(type) {
	case string:
		return len(x)
	case []string:
		n := 0
		for _, s := range x {
			n += len(s)
		}
		return n
	}
	return 8
}

func tooLong(n int) error {
	// The length is no secret: a secret's error may say it too.
	msg := fmt.Sprintf("is %d bytes long, more than the %d KiB an answer may hold", n, MaxAnswerBytes>>10)
	return &answerError{msg: "it " + msg, rule: msg}
}

// Coerce converts v (a YAML/JSON value or a string from the command line)
// to the question's type and checks it against choices and validate. An
// answer longer than MaxAnswerBytes is refused before anything else. The
// error for a secret question names the rule and never the answer.
func (q *Question) Coerce(v any) (any, error) {
	out, err := q.coerce(v)
	if err != nil && q.Secret {
		return nil, redact(err)
	}
	return out, err
}

// answerError is an answer that breaks a rule of its question. Error
// quotes the answer, as users want to see what they typed; Rule does not,
// and is all a secret's error may say.
type answerError struct {
	msg  string // the answer and the rule
	rule string // the rule alone: "does not match ^x$", "is not a bool: ..."
}

func (e *answerError) Error() string { return e.msg }

// badAnswer builds the error of an answer, shown as shown (%q or %v), that
// breaks rule.
func badAnswer(shown, rule string) error {
	return &answerError{msg: shown + " " + rule, rule: rule}
}

// redact is the one place a secret answer's error is made: it names the
// rule the answer broke and never the answer, whatever the rule (validate,
// format, type or choices). Every caller (--set, --answers, the team
// config's defaults, the prompt's retype) gets its error from Coerce, so
// none can quote a secret.
func redact(err error) error {
	var ae *answerError
	if errors.As(err, &ae) {
		return errors.New("the secret answer " + ae.rule + " (its value is not shown)")
	}
	return errors.New("the secret answer is not valid (its value is not shown)")
}

func (q *Question) coerce(v any) (any, error) {
	switch x := v.(type) {
	case string:
		if len(x) > MaxAnswerBytes {
			return nil, tooLong(len(x))
		}
	case []any:
		n := 0
		for _, e := range x {
			if s, ok := e.(string); ok {
				n += len(s)
			}
		}
		if n > MaxAnswerBytes {
			return nil, tooLong(n)
		}
	case []string:
		if n := AnswerSize(x); n > MaxAnswerBytes {
			return nil, tooLong(n)
		}
	}
	switch q.Type {
	case Bool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			b, err := strconv.ParseBool(strings.TrimSpace(x))
			if err != nil {
				return nil, badAnswer(fmt.Sprintf("%q", x), "is not a bool: use true or false")
			}
			return b, nil
		}
		return nil, badAnswer(fmt.Sprint(v), "is not a bool: use true or false")
	case Int:
		switch x := v.(type) {
		case int:
			return x, nil
		case int64:
			if x >= math.MinInt && x <= math.MaxInt {
				return int(x), nil
			}
		case uint64:
			if x <= math.MaxInt {
				return int(x), nil
			}
		case float64:
			if x >= math.MinInt && x < math.MaxInt && x == float64(int(x)) {
				return int(x), nil
			}
		case string:
			n, err := strconv.Atoi(strings.TrimSpace(x))
			if err == nil {
				return n, nil
			}
		}
		if str, ok := v.(string); ok {
			return nil, badAnswer(fmt.Sprintf("%q", str), "is not a whole number")
		}
		return nil, badAnswer(fmt.Sprint(v), "is not a whole number")
	case MultiSelect:
		var items []string
		switch x := v.(type) {
		case []string:
			items = x
		case []any:
			for _, e := range x {
				s, ok := e.(string)
				if !ok {
					return nil, badAnswer(fmt.Sprint(v), "is not a list of strings")
				}
				items = append(items, s)
			}
		case string:
			for _, s := range strings.Split(x, ",") {
				if s = strings.TrimSpace(s); s != "" {
					items = append(items, s)
				}
			}
		default:
			return nil, badAnswer(fmt.Sprint(v), "is not a list: use a,b,c")
		}
		out := []string{}
		for _, s := range items {
			if !contains(q.Choices, s) {
				return nil, badAnswer(fmt.Sprintf("%q", s), "is not one of "+strings.Join(q.Choices, ", "))
			}
			out = append(out, s)
		}
		return out, nil
	}
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case int, int64, uint64, float64, bool:
		s = fmt.Sprint(x)
	default:
		return nil, badAnswer(fmt.Sprint(v), "is not a string")
	}
	if q.Type == Select && !contains(q.Choices, s) {
		return nil, badAnswer(fmt.Sprintf("%q", s), "is not one of "+strings.Join(q.Choices, ", "))
	}
	if q.validate != nil && !q.validate.MatchString(s) {
		rule := "does not match " + q.Validate
		if q.Help != "" {
			rule += ": " + q.Help
		}
		return nil, badAnswer(fmt.Sprintf("%q", s), rule)
	}
	if q.Format != "" {
		if err := CheckFormat(q.Format, s); err != nil {
			// The ecosystem's message quotes the name it checked.
			return nil, &answerError{msg: err.Error(), rule: "is not a valid " + string(q.Format) + " name"}
		}
	}
	return s, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// questionLines finds the line of each entry under "questions".
func questionLines(root *yaml.Node) []int {
	var lines []int
	if n := yamlfile.Section(root, "questions"); n != nil && n.Kind == yaml.SequenceNode {
		for _, q := range n.Content {
			lines = append(lines, q.Line)
		}
	}
	return lines
}

// LoadManifest reads scaffold.yaml from the root of files.
func LoadManifest(files *tree.Tree, name string) (*Manifest, error) {
	data, err := files.ReadFile(ManifestFile)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s has no %s at its root; a template needs one", name, ManifestFile)
		}
		return nil, fmt.Errorf("reading %s: %w", ManifestFile, err)
	}
	return ParseManifest(name+"/"+ManifestFile, data)
}

// CheckFormat checks s against the ecosystem rules that format names.
func CheckFormat(format Format, s string) error {
	switch format {
	case GoModule:
		return names.CheckGoModule(s)
	case NpmPackage:
		return names.CheckNpmPackage(s)
	case CargoCrate:
		return names.CheckCargoCrate(s)
	}
	return nil
}
