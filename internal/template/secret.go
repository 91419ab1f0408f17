package template

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Secrets says which parts of a render derive from secret answers.
type Secrets struct {
	// Paths are the secret-derived files, sorted.
	Paths []string
	// Shown maps a path or link target that is rendered from a secret
	// (a folder or file name, encoded or not) to how it may be shown:
	// with every path element that changes with the secret as ***.
	Shown map[string]string
	// Answers are the questions that are not secret but whose answer
	// is their default rendered from a secret answer (default:
	// '{{ .api_token | b64enc }}'): recording one would record the
	// secret, so it is no more recorded than a secret is.
	Answers []string
}

// RenderWithSecrets renders t with data, as Render does, and also tells
// which of its files are secret-derived: those whose bytes, mode, link
// target or very presence depend on the answer to a secret question,
// directly or through an answer derived from one. Such a file belongs
// on the user's disk only: never in a git object (a pushed or bundled
// repository would publish it) and never rewritten by an update, which
// does not know the secret.
//
// It does not look for the secret's text, which a template may encode
// (b64enc, sha256sum, a path element). It renders the template a second
// time with every secret answer replaced by a stand-in of a different
// value (and every answer derived from one by its default rendered from
// the stand-ins), and compares: a file that differs, or that only one of
// the two renders has, depends on a secret. A secret answered empty gets a
// non-empty stand-in too, so that a project updated without knowing its
// secrets (update renders them empty) finds the same files secret-derived
// as the run that knew them. The paths a stand-in alone renders are
// included: the real answer renders no file there, but a later render
// with a different answer might (and a project made with that answer has
// one), and that file would be secret-derived; callers act only on the
// paths they have on disk or in a render.
//
// The stand-in changes every letter and digit of the secret, so that a
// file holding only part of it (trunc 4) still differs. A template that
// checks the secret itself (a prefix, a length) may fail on that; it is
// rendered once more with a stand-in that differs from the secret in its
// last letter or digit only (neither render is ever stored or shown).
// One that fails with both gets an error: which of its files hold the
// secret cannot be told, and writing them into git is not a risk worth
// taking.
func (t *Template) RenderWithSecrets(ctx context.Context, data map[string]any) ([]File, Secrets, error) {
	files, err := t.Render(ctx, data)
	if err != nil {
		return nil, Secrets{}, t.RedactRun(ctx, err, data, func(d map[string]any) error {
			_, err := t.Render(ctx, d)
			return err
		})
	}
	probe, derived, secrets := t.secretProbe(ctx, data, standIn)
	if secrets == 0 {
		return files, Secrets{}, nil
	}
	other, err := t.Render(ctx, probe)
	if err != nil {
		probe, derived, _ = t.secretProbe(ctx, data, nudge)
		other, err = t.Render(ctx, probe)
	}
	if err != nil {
		// The error may quote the stand-in, which is shaped like the
		// secret: it is not shown.
		return nil, Secrets{}, errors.New(t.Name + ": the template does not render when its secret answers change, so scaffold cannot tell which files hold them and will not risk committing a secret; render the secret into its files without checking it in the template")
	}
	byPath := make(map[string]File, len(other))
	byFrom := make(map[string]File, len(other))
	for _, f := range other {
		byPath[f.Path] = f
		if _, ok := byFrom[f.From]; !ok {
			byFrom[f.From] = f
		}
	}
	shown := map[string]string{}
	mask := func(real, other string, ok bool) string {
		return maskElements(t.RedactText(real, data), t.RedactText(other, probe), ok)
	}
	for _, f := range files {
		g, ok := byFrom[f.From]
		if _, same := byPath[f.Path]; !same {
			shown[f.Path] = mask(f.Path, g.Path, ok)
		}
		if ok && f.Link != g.Link {
			shown[f.Link] = mask(f.Link, g.Link, true)
		}
	}
	var paths []string
	for _, f := range files {
		g, ok := byPath[f.Path]
		if !ok || g.Mode != f.Mode || g.Link != f.Link || !bytes.Equal(g.Data, f.Data) {
			paths = append(paths, f.Path)
		}
		delete(byPath, f.Path)
	}
	for p := range byPath {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	return files, Secrets{Paths: paths, Answers: derived, Shown: shown}, nil
}

// maskElements returns p, with each secret answer already cut out as
// Redact does, compared with other (the same file rendered with
// stand-ins, cut out the same way): an element that still differs keeps
// only what it shares with other's at its start and end (see
// maskDifference). With no other to compare with, or elements in a
// different number, all that differs is ***.
func maskElements(p, other string, ok bool) string {
	if !ok {
		return "***"
	}
	if p == other {
		return p
	}
	a, b := strings.Split(p, "/"), strings.Split(other, "/")
	if len(a) != len(b) {
		return maskDifference(p, other)
	}
	for i := range a {
		a[i] = maskDifference(a[i], b[i])
	}
	return strings.Join(a, "/")
}

// secretProbe returns data with every secret answer replaced by its
// stand-in, and every answer derived from one replaced by its default
// rendered over the stand-ins; the names of the derived answers; and
// how many secret answers there are. An answer counts as derived when it
// is what its default (template text) renders to and that rendering
// changes with the stand-ins, or fails with them.
func (t *Template) secretProbe(ctx context.Context, data map[string]any, standIn func(any) any) (map[string]any, []string, int) {
	probe := maps.Clone(data)
	var derived []string
	secrets := 0
	for i := range t.Manifest.Questions {
		q := &t.Manifest.Questions[i]
		v, ok := data[q.Name]
		if !ok {
			continue
		}
		if q.Secret {
			probe[q.Name] = standIn(v)
			secrets++
			continue
		}
		text, isText := q.Default.(string)
		if secrets == 0 || !isText || !strings.Contains(text, "{{") {
			continue
		}
		what := "question " + q.Name + " default"
		real, err := t.eval(ctx, what, text, data)
		if err != nil {
			continue
		}
		if def, err := q.Coerce(real); err != nil || !reflect.DeepEqual(def, v) {
			continue // answered otherwise: not derived
		}
		other, err := t.eval(ctx, what, text, probe)
		if err == nil && other == real {
			continue
		}
		derived = append(derived, q.Name)
		pv, err := q.Coerce(other)
		if err != nil || reflect.DeepEqual(pv, v) {
			pv = standIn(v)
		}
		probe[q.Name] = pv
	}
	return probe, derived, secrets
}

// standIn returns a value of v's type that differs from v. A string keeps
// its length and the class of each character (a letter stays a letter of
// the same case, a digit a digit), so an encoded or parsed secret (b64dec,
// a format check in the template) still renders; its characters do not
// follow the secret's, so nothing rendered from it reveals the secret.
func standIn(v any) any {
	switch x := v.(type) {
	case string:
		out := []byte(x)
		changed := false
		for i, c := range out {
			if d, ok := swap(c); ok {
				out[i], changed = d, true
			}
		}
		if !changed {
			out = append(out, "scaffoldsecretprobe"...)
		}
		return string(out)
	case int:
		if x == math.MaxInt {
			return x - 1
		}
		return x + 1
	case bool:
		return !x
	case []string:
		if len(x) > 0 {
			return []string{}
		}
		return []string{"scaffoldsecretprobe"}
	}
	return struct{ scaffoldSecretProbe bool }{true}
}

// nudge is standIn for a template that checks its secrets: a string
// differs from v in its last letter or digit only.
func nudge(v any) any {
	s, ok := v.(string)
	if !ok {
		return standIn(v)
	}
	out := []byte(s)
	for i := len(out) - 1; i >= 0; i-- {
		if d, ok := swap(out[i]); ok {
			out[i] = d
			return string(out)
		}
	}
	return standIn(v)
}

// swap gives another letter or digit of the same kind for c, and false
// for anything else, which stand-ins keep as it is.
func swap(c byte) (byte, bool) {
	switch {
	case c >= 'a' && c <= 'z':
		return pick(c, 'q', 'x'), true
	case c >= 'A' && c <= 'Z':
		return pick(c, 'Q', 'X'), true
	case c >= '0' && c <= '9':
		return pick(c, '7', '3'), true
	}
	return c, false
}

func pick(c, a, b byte) byte {
	if c == a {
		return b
	}
	return a
}

// Redact returns err with the value of every secret answer in data cut
// out of its message (see RedactText). A template's own errors may quote
// what it rendered (a path, a when that is not true or false), and what
// it rendered may be a secret. err is returned as it is when it holds
// none.
func (t *Template) Redact(err error, data map[string]any) error {
	if err == nil {
		return nil
	}
	msg := t.RedactText(err.Error(), data)
	if msg == err.Error() {
		return err
	}
	return errors.New(msg)
}

// RedactRun returns err, what rerun gave for data, with every part of
// its message that depends on a secret answer cut out: not only the
// secret as written (see Redact) but anything rendered from it, which a
// template may encode (b64enc, upper, a path element, fail). It runs
// rerun again with the secret answers replaced by stand-ins, as
// RenderWithSecrets does, and keeps of the message only what the two
// runs have in common at its start and its end. When the stand-ins make
// the error go away, the failure itself depends on the secret, and the
// message is not shown at all.
func (t *Template) RedactRun(ctx context.Context, err error, data map[string]any, rerun func(map[string]any) error) error {
	if err == nil {
		return nil
	}
	if _, _, secrets := t.secretProbe(ctx, data, standIn); secrets == 0 {
		return t.Redact(err, data)
	}
	msg := t.RedactText(err.Error(), data)
	for _, in := range []func(any) any{standIn, nudge} {
		probe, _, _ := t.secretProbe(ctx, data, in)
		other := rerun(probe)
		if other == nil {
			continue
		}
		masked := maskDifference(msg, t.RedactText(other.Error(), probe))
		if masked == err.Error() {
			return err
		}
		return errors.New(masked)
	}
	return errors.New(t.Name + ": the template fails to render with the secret answer given and renders with others; its message is not shown, since it may quote what it rendered from the secret")
}

// maskDifference returns a with what lies between the longest start and
// end it shares with b replaced by ***.
func maskDifference(a, b string) string {
	if a == b {
		return a
	}
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	for p > 0 && p < len(a) && !utf8.RuneStart(a[p]) {
		p--
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	for s > 0 && !utf8.RuneStart(a[len(a)-s]) {
		s--
	}
	return a[:p] + "***" + a[len(a)-s:]
}

// RedactText returns s with the value of every secret answer in data,
// as written and as %q would quote it, replaced by ***: for a path
// rendered from a secret, shown in a message.
func (t *Template) RedactText(s string, data map[string]any) string {
	for _, q := range t.Manifest.Questions {
		v, ok := data[q.Name].(string)
		if !q.Secret || !ok || v == "" {
			continue
		}
		quoted := strconv.Quote(v)
		s = strings.ReplaceAll(s, quoted[1:len(quoted)-1], "***")
		s = strings.ReplaceAll(s, v, "***")
	}
	return s
}

// EvalShown is EvalCommands for commands scaffold prints, such as the
// next steps after new. What it shows is a function of two fixed
// stand-ins for the secret answers, never of the secrets themselves: the
// commands are rendered with each, and every part of an argument where
// the two differ is *** (a secret written out, encoded, measured or
// tested with an if). Had the stand-ins been made from the secret, or
// the real render been compared, a length or an if on the secret would
// show through. The real data is rendered too, so that a step that does
// not render is an error, cut down as RedactRun cuts it. When the
// commands do not render with a stand-in, every argument is ***.
func (t *Template) EvalShown(ctx context.Context, cmds []Command, data map[string]any) ([][]string, error) {
	_, shown, err := t.EvalRunShown(ctx, cmds, data)
	return shown, err
}

// EvalRunShown is EvalShown that also gives the commands as they run,
// for a command scaffold both runs and prints (the install at new).
func (t *Template) EvalRunShown(ctx context.Context, cmds []Command, data map[string]any) (run, shown [][]string, err error) {
	real, err := t.EvalCommands(ctx, cmds, data)
	if err != nil && ctx.Err() != nil {
		return nil, nil, err // interrupted: the error is the signal's, and says so
	}
	if err != nil {
		return nil, nil, t.RedactRun(ctx, err, data, func(d map[string]any) error {
			_, err := t.EvalCommands(ctx, cmds, d)
			return err
		})
	}
	probeA, _, secrets := t.secretProbe(ctx, data, fixedStandIn("scaffold-stand-in"))
	if secrets == 0 {
		return real, real, nil
	}
	probeB, _, _ := t.secretProbe(ctx, data, fixedStandIn("ghp_Other-Stand-In-2"))
	a, errA := t.EvalCommands(ctx, cmds, probeA)
	b, errB := t.EvalCommands(ctx, cmds, probeB)
	if ctx.Err() != nil {
		return nil, nil, context.Cause(ctx)
	}
	shown = make([][]string, len(real))
	for i, args := range real {
		shown[i] = make([]string, len(args))
		for j := range args {
			if errA != nil || errB != nil {
				shown[i][j] = "***"
				continue
			}
			shown[i][j] = maskDifference(a[i][j], b[i][j])
		}
	}
	return real, shown, nil
}

// fixedStandIn replaces a secret string by s, whatever it held, and any
// other secret as standIn does.
func fixedStandIn(s string) func(any) any {
	return func(v any) any {
		if _, ok := v.(string); ok {
			return s
		}
		return standIn(v)
	}
}
