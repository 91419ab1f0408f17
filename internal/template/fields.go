package template

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/scaffold-cli/scaffold/internal/names"
	"github.com/scaffold-cli/scaffold/internal/yamlfile"
)

// Bounds of the fields that say what a template is. They are far above
// what a real template needs and keep what help, the proof and verify
// iterate over small.
const (
	MaxTitle       = 80
	MaxIncludes    = 16
	MaxNextSteps   = 20
	MaxVerifySteps = 30
	MaxProofSets   = 64
	MaxTryCommands = 32
	MaxTrySamples  = 32
	// MaxSampleBytes bounds a sample's input and expected output, each.
	MaxSampleBytes = 64 << 10
)

// ServeStep names the verify step that starts the server and checks it.
const ServeStep = "serve"

// TryStep names the verify step that runs a built command-line tool.
const TryStep = "try"

var stepName = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

// checkFields checks kind, title, include, next, verify and proof; the
// questions are already checked, so proof answers can be coerced.
func (m *Manifest) checkFields(root *yaml.Node, fail func(int, string, ...any) error) error {
	if !contains(kindNames(), string(m.Kind)) {
		return fail(line(root, "kind"), "unknown kind %q: use %s", m.Kind, strings.Join(kindNames(), ", "))
	}
	if err := checkTitle(m.Title); err != nil {
		return fail(line(root, "title"), "title: %v", err)
	}

	includes := items(root, "include")
	if len(m.Include) > MaxIncludes {
		return fail(includes.at(MaxIncludes), "%d include entries, more than the %d a template may have", len(m.Include), MaxIncludes)
	}
	for i, inc := range m.Include {
		if err := CheckInclude(inc); err != nil {
			return fail(includes.at(i), "include %q: %v", inc, err)
		}
		if contains(m.Include[:i], inc) {
			return fail(includes.at(i), "include %q is listed twice", inc)
		}
	}

	next := items(root, "next")
	if len(m.Next) > MaxNextSteps {
		return fail(next.at(MaxNextSteps), "%d next steps, more than the %d a template may have", len(m.Next), MaxNextSteps)
	}
	for i, s := range m.Next {
		if strings.TrimSpace(s.Run) == "" {
			return fail(next.at(i), "next step %d has no run: give the command to type", i+1)
		}
	}

	if err := m.checkVerify(items(root, "verify"), fail); err != nil {
		return err
	}
	if err := m.checkTry(root, fail); err != nil {
		return err
	}
	if err := m.checkWebSocket(root, fail); err != nil {
		return err
	}
	if err := m.checkServed(root, fail); err != nil {
		return err
	}
	return m.checkProof(root, fail)
}

// lastStep is the step a plan of the kind must end with, if any.
func lastStep(k ProjectKind) string {
	switch {
	case k.HasServer():
		return ServeStep
	case k == CLI:
		return TryStep
	}
	return ""
}

func (m *Manifest) checkTry(root *yaml.Node, fail func(int, string, ...any) error) error {
	try := yamlfile.Section(root, "try")
	at := line(root, "try")
	if m.Kind != CLI && (len(m.Try.Commands) > 0 || len(m.Try.Samples) > 0) {
		return fail(at, "try is for a command-line tool, and this template's kind is %s: remove it, or set kind: cli", m.Kind)
	}
	commands := lines{child(try, "commands")}
	if len(m.Try.Commands) > MaxTryCommands {
		return fail(commands.at(MaxTryCommands), "try: %d commands, more than the %d a template may have", len(m.Try.Commands), MaxTryCommands)
	}
	for i, c := range m.Try.Commands {
		if strings.TrimSpace(c) == "" || strings.ContainsFunc(c, unicode.IsControl) {
			return fail(commands.at(i), "try: command %d must be a subcommand's name", i+1)
		}
	}
	samples := lines{child(try, "samples")}
	if len(m.Try.Samples) > MaxTrySamples {
		return fail(samples.at(MaxTrySamples), "try: %d samples, more than the %d a template may have", len(m.Try.Samples), MaxTrySamples)
	}
	for i, s := range m.Try.Samples {
		switch {
		case len(s.Stdin) > MaxSampleBytes || s.Stdout != nil && len(*s.Stdout) > MaxSampleBytes || len(s.Stderr) > MaxSampleBytes:
			return fail(samples.at(i), "try: sample %d: an input or output over %d bytes", i+1, MaxSampleBytes)
		case s.Exit < 0 || s.Exit > 125:
			return fail(samples.at(i), "try: sample %d: exit %d is not an exit code a program gives (0-125)", i+1, s.Exit)
		case len(s.Args) > MaxVerifySteps:
			return fail(samples.at(i), "try: sample %d: %d arguments, more than %d", i+1, len(s.Args), MaxVerifySteps)
		}
	}
	return nil
}

// MaxWebSocketPath bounds the websocket path.
const MaxWebSocketPath = 256

func (m *Manifest) checkWebSocket(root *yaml.Node, fail func(int, string, ...any) error) error {
	ws := m.WebSocket
	at := line(root, "websocket")
	switch {
	case ws.Path == "" && ws.When == "":
		return nil
	case !m.Kind.HasServer():
		return fail(at, "websocket is for a service, and this template's kind is %s: remove it, or set kind: service", m.Kind)
	case ws.Path == "":
		return fail(at, "websocket has no path: give the endpoint's path, e.g. path: /v1/ws")
	}
	if err := CheckEndpoint(ws.Path); err != nil {
		return fail(at, "websocket path %q: %v", clipPath(ws.Path), err)
	}
	return nil
}

// checkServed checks the openapi and database keys, which name what a
// running server answers at.
func (m *Manifest) checkServed(root *yaml.Node, fail func(int, string, ...any) error) error {
	if m.OpenAPI != "" {
		at := line(root, "openapi")
		if !m.Kind.HasServer() {
			return fail(at, "openapi is for a service, and this template's kind is %s: remove it, or set kind: service", m.Kind)
		}
		if err := CheckEndpoint(m.OpenAPI); err != nil {
			return fail(at, "openapi path %q: %v", clipPath(m.OpenAPI), err)
		}
	}
	db := m.Database
	at := line(root, "database")
	switch {
	case db.Items == "" && db.When == "":
		return nil
	case !m.Kind.HasServer():
		return fail(at, "database is for a service, and this template's kind is %s: remove it, or set kind: service", m.Kind)
	case db.Items == "":
		return fail(at, "database has no items: give the path of the sample resource, e.g. items: /v1/items")
	}
	if err := CheckEndpoint(db.Items); err != nil {
		return fail(at, "database items path %q: %v", clipPath(db.Items), err)
	}
	return nil
}

// clipPath shortens a refused path for its error message: a manifest
// may hold a path of any length, and the error need not repeat it all.
func clipPath(p string) string {
	if len(p) > MaxWebSocketPath {
		return p[:64] + "..."
	}
	return p
}

// CheckEndpoint accepts the path of an endpoint on the server: absolute,
// clean, printable, without a query or fragment.
func CheckEndpoint(p string) error {
	u, err := url.Parse(p)
	switch {
	case len(p) > MaxWebSocketPath:
		return fmt.Errorf("longer than %d bytes", MaxWebSocketPath)
	case !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//"):
		return errors.New("must start with a single /, e.g. /v1/ws")
	case strings.ContainsFunc(p, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '\\' || r >= utf8.RuneSelf }):
		return errors.New("must be printable ASCII without spaces or backslashes")
	case err != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" || u.Host != "" || strings.ContainsAny(p, "?#"):
		return errors.New("must be a path alone, without a query or fragment")
	case path.Clean(p) != p:
		return fmt.Errorf("is not clean: use %s", path.Clean(p))
	}
	return nil
}

func (m *Manifest) checkVerify(steps lines, fail func(int, string, ...any) error) error {
	if len(m.Verify) > MaxVerifySteps {
		return fail(steps.at(MaxVerifySteps), "%d verify steps, more than the %d a template may have", len(m.Verify), MaxVerifySteps)
	}
	seen := map[string]bool{}
	for i, s := range m.Verify {
		switch {
		case !stepName.MatchString(s.Name):
			return fail(steps.at(i), "verify step name %q must be lower case (a-z, 0-9, -), starting with a letter", s.Name)
		case seen[s.Name]:
			return fail(steps.at(i), "duplicate verify step %q", s.Name)
		case len(s.Run) == 0 || strings.TrimSpace(s.Run[0]) == "":
			return fail(steps.at(i), "verify step %q has no run: give the command and its arguments as a list", s.Name)
		case s.Name == ServeStep && !m.Kind.HasServer():
			return fail(steps.at(i), "kind %s has no server: remove the serve step", m.Kind)
		case s.Name == TryStep && m.Kind != CLI:
			return fail(steps.at(i), "kind %s is not a command-line tool: remove the try step", m.Kind)
		}
		seen[s.Name] = true
	}
	n := len(m.Verify)
	switch last := lastStep(m.Kind); {
	case n == 0 || last == "" || m.Verify[n-1].Name == last:
	case last == ServeStep:
		return fail(steps.at(n-1), "the verify plan of a %s must end with a %s step, which starts it and checks /healthz", m.Kind, ServeStep)
	default:
		return fail(steps.at(n-1), "the verify plan of a %s must end with a %s step, which runs the built tool", m.Kind, TryStep)
	}
	return nil
}

func (m *Manifest) checkProof(root *yaml.Node, fail func(int, string, ...any) error) error {
	proof := yamlfile.Section(root, "proof")
	sets := lines{child(proof, "sets")}
	if len(m.Proof.Sets) > MaxProofSets {
		return fail(sets.at(MaxProofSets), "%d proof sets, more than the %d a template may have", len(m.Proof.Sets), MaxProofSets)
	}
	questions := map[string]*Question{}
	for i := range m.Questions {
		questions[m.Questions[i].Name] = &m.Questions[i]
	}
	named := map[string]bool{}
	for i := range m.Proof.Sets {
		set := &m.Proof.Sets[i]
		at := sets.at(i)
		if set.Name != "" {
			if err := names.CheckProject(set.Name); err != nil {
				return fail(at, "proof set %d: %v", i+1, err)
			}
			if named[set.Name] {
				return fail(at, "proof set %d: the name %q is taken by an earlier set", i+1, set.Name)
			}
			named[set.Name] = true
		}
		answers := child(sets.item(i), "answers")
		for _, name := range slices.Sorted(maps.Keys(set.Answers)) {
			v := set.Answers[name]
			q, ok := questions[name]
			if !ok {
				return fail(keyLine(answers, name, at), "proof set %d: no question is named %q", i+1, name)
			}
			c, err := q.Coerce(v)
			if err != nil {
				return fail(keyLine(answers, name, at), "proof set %d: answer to %q: %v", i+1, name, err)
			}
			// The proof gets answers of the question's type (a
			// multiselect's []string, not YAML's []any).
			set.Answers[name] = c
		}
	}
	fixed := lines{child(proof, "fixed")}
	for i, name := range m.Proof.Fixed {
		if questions[name] == nil {
			return fail(fixed.at(i), "proof fixed: no question is named %q", name)
		}
		if contains(m.Proof.Fixed[:i], name) {
			return fail(fixed.at(i), "proof fixed: %q is listed twice", name)
		}
	}
	return nil
}

func kindNames() []string {
	out := make([]string, len(ProjectKinds))
	for i, k := range ProjectKinds {
		out[i] = string(k)
	}
	return out
}

// checkTitle keeps a title to one short line that shows as written.
func checkTitle(s string) error {
	if n := utf8.RuneCountInString(s); n > MaxTitle {
		return fmt.Errorf("%d characters, more than %d: a title is a short name such as \"Go with chi\"", n, MaxTitle)
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return fmt.Errorf("%q has the control or invisible character %U: a title is one line of plain text", s, r)
		}
	}
	return nil
}

// CheckInclude checks an include entry: a relative slash path to a
// folder, which may climb out of the template's folder with leading ".."
// segments and otherwise follows the rules of CheckPath. Whether it stays
// inside the source's root is for Compose to say.
func CheckInclude(p string) error {
	rest := p
	for {
		r, ok := strings.CutPrefix(rest, "../")
		if !ok {
			break
		}
		rest = r
	}
	if rest == "" || rest == ".." {
		return fmt.Errorf("%q names no folder below the one it climbs to: name the folder, as in ../_shared", p)
	}
	if err := CheckPath(rest); err != nil {
		return fmt.Errorf("%w (an include is a relative slash path, such as ../_shared/license)", err)
	}
	return nil
}

// lines finds the lines of a sequence's items, for errors.
type lines struct{ seq *yaml.Node }

func items(root *yaml.Node, key string) lines { return lines{yamlfile.Section(root, key)} }

// item is the node of the i-th item, or nil.
func (l lines) item(i int) *yaml.Node {
	if l.seq == nil || l.seq.Kind != yaml.SequenceNode || i >= len(l.seq.Content) {
		return nil
	}
	return l.seq.Content[i]
}

// at is the line of the i-th item, else of the sequence, else 0.
func (l lines) at(i int) int {
	if n := l.item(i); n != nil {
		return n.Line
	}
	if l.seq != nil {
		return l.seq.Line
	}
	return 0
}

// child is the value of key in the mapping n, or nil.
func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// keyLine is the line of key in the mapping n, or def.
func keyLine(n *yaml.Node, key string, def int) int {
	if n != nil && n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i].Line
			}
		}
	}
	return def
}

// line is the line of a top-level key's value, or 0.
func line(root *yaml.Node, key string) int {
	if n := yamlfile.Section(root, key); n != nil {
		return n.Line
	}
	return 0
}
