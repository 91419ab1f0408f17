package stack

import (
	"context"
	"fmt"
	"slices"

	"github.com/scaffold-cli/scaffold/internal/template"
	"github.com/scaffold-cli/scaffold/internal/verify"
)

// PlanFor is the check scaffold verify runs on the project in dir, made
// from the template t with the data it was rendered with: the steps its
// manifest lists, rendered over data and .Verify.Out (out, the folder for
// built binaries), else its language's default plan for its kind. With no
// template (nil), the project's files say the language, and it is taken
// for a service.
func PlanFor(ctx context.Context, t *template.Template, data map[string]any, dir, out string, env []string) (*verify.Plan, error) {
	if t == nil {
		l, err := Detect(dir)
		if err != nil {
			return nil, err
		}
		return l.Plan(dir, out, env, template.Service)
	}
	p, err := planOf(ctx, t, data, dir, out, env)
	if err != nil {
		return nil, err
	}
	if p.Try != nil {
		p.Try.Commands, p.Try.Samples = t.Manifest.Try.Commands, t.Manifest.Try.Samples
	}
	if len(p.Serve) == 0 {
		return p, nil
	}
	p.OpenAPI = t.Manifest.OpenAPI
	// What the server serves for these answers: each "when" decides.
	served := []struct {
		what, path, when string
		into             *string
	}{
		{"websocket when", t.Manifest.WebSocket.Path, t.Manifest.WebSocket.When, &p.WebSocket},
		{"database when", t.Manifest.Database.Items, t.Manifest.Database.When, &p.Items},
	}
	for _, s := range served {
		if s.path == "" {
			continue
		}
		on := true
		if s.when != "" {
			if on, err = t.EvalBoolContext(ctx, s.what, s.when, data); err != nil {
				return nil, t.Redact(err, data)
			}
		}
		if on {
			*s.into = s.path
		}
	}
	return p, nil
}

func planOf(ctx context.Context, t *template.Template, data map[string]any, dir, out string, env []string) (*verify.Plan, error) {
	m := t.Manifest
	if len(m.Verify) == 0 {
		l, ok := Lookup(m.Language)
		if !ok {
			if l, err := Detect(dir); err == nil {
				return l.Plan(dir, out, env, m.Kind)
			}
			return nil, fmt.Errorf("template %s is in %q, which scaffold has no default checks for, and its manifest lists no verify steps: add them (see docs/templates.md)", m.Name, m.Language)
		}
		return l.Plan(dir, out, env, m.Kind)
	}
	d := make(map[string]any, len(data)+1)
	for k, v := range data {
		d[k] = v
	}
	d["Verify"] = map[string]any{"Out": out}
	cmds := make([]template.Command, len(m.Verify))
	for i, s := range m.Verify {
		cmds[i] = template.Command{What: "verify step " + s.Name, Args: s.Run}
	}
	rendered, err := t.EvalCommands(ctx, cmds, d)
	if err != nil {
		return nil, t.Redact(err, d)
	}
	p := &verify.Plan{Language: m.Language}
	for i, s := range m.Verify {
		switch s.Name {
		case template.ServeStep:
			p.Serve = rendered[i]
			continue
		case template.TryStep:
			p.Try = &verify.Try{Args: rendered[i]}
			continue
		}
		p.Steps = append(p.Steps, verify.Step{Name: s.Name, Args: rendered[i], Empty: s.Empty})
	}
	return p, nil
}

// InstallStep is the step that installs the dependencies of a project
// made from t with data, whose files has says it has: the manifest's
// install step, or its language's when it lists no steps; nil when there
// is none. It reads no file, so it names the step before the project is
// written; a lock file the template ships makes the language's step its
// clean install (npm ci). shown is the command as scaffold prints it:
// what it derives from a secret answer (a registry token) is ***.
//
// Only the install step is rendered: a step that renders only where
// verify runs it (over .Verify.Out) is no reason for new to fail.
func InstallStep(ctx context.Context, t *template.Template, data map[string]any, has func(path string) bool) (step *verify.Step, shown []string, err error) {
	m := t.Manifest
	if len(m.Verify) == 0 {
		l, ok := Lookup(m.Language)
		if !ok || len(l.Install) == 0 {
			return nil, nil, nil
		}
		s := l.installStep(has)
		return &s, s.Args, nil
	}
	i := slices.IndexFunc(m.Verify, func(s template.VerifyStep) bool { return s.Name == "install" })
	if i < 0 {
		return nil, nil, nil
	}
	d := make(map[string]any, len(data)+1)
	for k, v := range data {
		d[k] = v
	}
	d["Verify"] = map[string]any{"Out": ""}
	cmds := []template.Command{{What: "verify step install", Args: m.Verify[i].Run}}
	args, masked, err := t.EvalRunShown(ctx, cmds, d)
	if err != nil {
		return nil, nil, err
	}
	return &verify.Step{Name: "install", Args: args[0], Empty: m.Verify[i].Empty}, masked[0], nil
}

// InstallEnvOf is what the language adds to the environment of the
// install at creation (see Language.InstallEnv).
func InstallEnvOf(language string) []string {
	if l, ok := Lookup(language); ok {
		return l.InstallEnv
	}
	return nil
}

// LockOf is the lock file of the language, "" when scaffold does not
// know it.
func LockOf(language string) string {
	if l, ok := Lookup(language); ok {
		return l.Lock
	}
	return ""
}
