package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/scaffold-cli/scaffold/internal/config"
	"github.com/scaffold-cli/scaffold/internal/display"
	"github.com/scaffold-cli/scaffold/internal/project"
	"github.com/scaffold-cli/scaffold/internal/prompt"
	"github.com/scaffold-cli/scaffold/internal/source"
	"github.com/scaffold-cli/scaffold/internal/stack"
	"github.com/scaffold-cli/scaffold/internal/template"
)

// installPlan is whether scaffold new installs the project's
// dependencies before the first commit, and why not when it does not.
type installPlan struct {
	// Command is what runs; shown is it as printed, with what it
	// derives from a secret answer masked.
	Command []string
	shown   []string
	// env is added to the user's environment for it.
	env []string
	// Lock is the file the install writes and the first commit holds.
	Lock string
	// Run says it is to run; Skipped says why not.
	Run     bool
	Skipped string
	// asked says the user answered the question, so the repeatable
	// command line spells the answer; trusting says the template is not
	// trusted and the answer was yes, which it spells --trust.
	asked, trusting bool
	// Installed and Took are what happened; committed says the first
	// commit holds Lock, noLock that the install wrote none.
	Installed         bool
	Took              time.Duration
	committed, noLock bool
	// git says there is to be a commit at all.
	git bool
}

// The reasons an install does not run.
const (
	skipFlag       = "--no-install"
	skipNoTerminal = "there is no terminal to ask: pass --install to install them"
	skipDeclined   = "declined at the prompt"
)

// command is the command as printed, quoted as a shell takes it, and
// never with a secret answer in it.
func (p *installPlan) command() string {
	q := make([]string, len(p.shown))
	for i, a := range p.shown {
		q[i] = shellQuote(a)
	}
	return strings.Join(q, " ")
}

func (p *installPlan) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Command   string `json:"command"`
		Lock      string `json:"lock,omitempty"`
		Run       bool   `json:"run"`
		Skipped   string `json:"skipped,omitempty"`
		Installed bool   `json:"installed"`
		TookMS    int64  `json:"took_ms,omitempty"`
		// LockCommitted says the first commit holds Lock: not without
		// git, when the install wrote none, or .gitignore ignores it.
		LockCommitted bool `json:"lock_committed"`
	}{p.command(), p.Lock, p.Run, p.Skipped, p.Installed, p.Took.Milliseconds(), p.committed})
}

// install decides whether the project's dependencies are installed at
// creation, as create-* tools do: in a terminal new asks (yes by
// default), --install and --no-install decide without asking, --yes
// takes the default, and with no terminal nothing is installed unless
// --install says so, as a script installs in a step of its own.
//
// Installing runs the package manager on the template's files, and npm
// runs the install scripts of every dependency they name, so it is
// gated as hooks are: a template that is not trusted installs only
// with --trust or when the user says yes to a question that says so.
func (opts *newOptions) install(ctx context.Context, opened *source.Opened, cfg *config.Config, answers map[string]any, rendered []template.File, ask prompt.Prompter) (*installPlan, error) {
	tmpl := opened.Template
	has := func(p string) bool {
		return slices.ContainsFunc(rendered, func(f template.File) bool { return f.Path == p })
	}
	step, shown, err := stack.InstallStep(ctx, tmpl, answers, has)
	if err != nil {
		return nil, err
	}
	if step == nil {
		if opts.Install {
			fmt.Fprintf(opts.IO.ErrOut, "note: --install: the template %s has no install step (a verify step named install), so there is nothing to install\n", display.Untrusted(opened.Ref))
		}
		return nil, nil
	}
	p := &installPlan{Command: step.Args, shown: shown, Lock: stack.LockOf(tmpl.Manifest.Language), git: !opts.NoGit && !opts.inRepo,
		env: stack.InstallEnvOf(tmpl.Manifest.Language)}
	if has(p.Lock) {
		p.Lock = "" // the template's own, committed as rendered
	}
	trusted, why := opts.Trust || opened.Kind == source.Builtin, ""
	if !trusted {
		trusted, why = cfg.Trusted(opened.Ref, opened.Digest)
	}
	// why is set when a trust entry names the template but no longer
	// holds (its digest changed): "not trusted" alone would puzzle.
	notTrusted := "is not trusted"
	if why != "" {
		notTrusted = "is not trusted (" + why + ")"
	}
	_, noTerminal := opts.Prompter.(prompt.NoTerminal)
	switch {
	case opts.NoInstall:
		p.Skipped = skipFlag
		return p, nil
	case !opts.Install && noTerminal:
		p.Skipped = skipNoTerminal
		return p, nil
	case trusted && (opts.Install || opts.Yes):
		p.Run = true
		return p, nil
	case !trusted && opts.DryRun:
		// A dry run runs nothing, so it neither asks nor refuses, as for
		// hooks: it says what a real run needs.
		p.Skipped = "the template " + notTrusted + ": pass --install --trust, or add a trust entry with digest " + opened.Digest
		return p, nil
	case !trusted && (opts.Yes || noTerminal):
		if opts.Install {
			return nil, inputErr(fmt.Errorf("template %s %s, and installing its dependencies runs %s on its files, with the install scripts of every package they name; nothing was written: pass --trust as well to install them, or leave out --install", opened.Ref, notTrusted, p.shown[0]))
		}
		p.Skipped = "the template " + notTrusted + ": pass --install --trust to install them"
		return p, nil
	}
	// A terminal, and a question to ask.
	what := "writes " + p.Lock + " and puts it in the first commit"
	switch {
	case !p.git && p.Lock != "":
		what = "which writes " + p.Lock
	case !p.git:
		what = "once the files are written"
	case p.Lock == "":
		what = "before the first commit"
	}
	help := fmt.Sprintf("runs %s in the new project, %s", p.command(), what)
	if !trusted {
		fmt.Fprintf(opts.IO.ErrOut, "The template %s %s: installing its dependencies runs %s on its files, with the install scripts of every package they name.\n", display.Untrusted(opened.Ref), display.Untrusted(notTrusted), display.Untrusted(p.shown[0]))
	}
	ok, err := ask.Ask(prompt.Question{
		Name: "install", Message: fmt.Sprintf("Install dependencies now (%s)?", p.command()), Help: help,
		Kind: prompt.Confirm, Default: trusted, Flag: "--install or --no-install",
	})
	if err != nil {
		return nil, err
	}
	p.asked = true
	if p.Run = ok.(bool); !p.Run {
		p.Skipped = skipDeclined
	}
	p.trusting = p.Run && !trusted
	return p, nil
}

// createInstall is the install project.Create runs, if any.
func (opts *newOptions) createInstall(p *installPlan) *project.Install {
	if p == nil || !p.Run {
		return nil
	}
	return &project.Install{Args: p.Command, Shown: p.command(), Env: append(project.InstallEnv(opts.Environ()), p.env...), Lock: p.Lock, Output: opts.IO.ErrOut}
}

// flag is the flag the repeatable command line needs for the answer.
func (p *installPlan) flag() string {
	switch {
	case p == nil || !p.asked:
		return ""
	case p.Run:
		return "--install"
	}
	return "--no-install"
}

// trusted says the user trusted the template at the install question.
func (p *installPlan) trusted() bool { return p != nil && p.trusting }

// print says what the install did or would do.
func (p *installPlan) print(opts *newOptions, dryRun bool) {
	if p == nil {
		return
	}
	w := opts.IO.Out
	commit := ""
	if p.Lock != "" && p.git {
		commit = " and commit " + p.Lock
	}
	switch {
	case dryRun && p.Run:
		fmt.Fprintf(w, "Would install dependencies (%s)%s\n", display.Untrusted(p.command()), commit)
	case dryRun:
		// A reason may quote the template's reference (see why).
		fmt.Fprintf(w, "Would not install dependencies: %s\n", display.Untrusted(p.Skipped))
	case p.Installed:
		fmt.Fprintf(w, "Installed dependencies in %s (%s)", p.Took.Round(100*time.Millisecond), display.Untrusted(p.command()))
		switch {
		case p.noLock && p.git:
			fmt.Fprintf(w, "; it wrote no %s, so there is none to commit", p.Lock)
		case p.noLock:
			fmt.Fprintf(w, "; it wrote no %s", p.Lock)
		case p.committed:
			fmt.Fprintf(w, "; %s is in the first commit", p.Lock)
		case p.Lock != "" && p.git:
			fmt.Fprintf(w, "; %s is not in the first commit: the template's .gitignore ignores it", p.Lock)
		}
		fmt.Fprintln(w)
	case p.Skipped != "" && p.Skipped != skipFlag && p.Skipped != skipDeclined && p.Skipped != skipNoTerminal:
		fmt.Fprintf(opts.IO.ErrOut, "note: dependencies were not installed: %s\n", display.Untrusted(p.Skipped))
	}
}

// withoutInstall leaves out the next step that installs the
// dependencies (its note is "install") once they are installed.
func withoutInstall(steps []template.NextStep, p *installPlan) []template.NextStep {
	if p == nil || !p.Installed {
		return steps
	}
	return slices.DeleteFunc(slices.Clone(steps), func(s template.NextStep) bool { return s.Note == "install" })
}
