package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scaffold-cli/scaffold/internal/prompt"
)

// defaulting answers every question with its default and keeps the
// install question it was asked.
type defaulting struct{ install *prompt.Question }

func (d *defaulting) Ask(q prompt.Question) (any, error) {
	if q.Name == "install" {
		d.install = &q
	}
	return q.Default, nil
}

// In a terminal the install is asked: yes by default for a trusted
// template, no for one that is not, which is said before the question.
func TestInstallQuestion(t *testing.T) {
	tpl := writeTemplate(t, map[string]string{
		"scaffold.yaml": "name: installs\nlanguage: node\nkind: library\nverify:\n  - name: install\n    run: [sh, -c, 'echo {} > package-lock.json']\n",
		"package.json":  "{}\n",
	})
	for _, trust := range []bool{false, true} {
		f, _ := testFactory(map[string]string{"HOME": t.TempDir()})
		streams, _, stderr := testIO()
		ask := &defaulting{}
		target := filepath.Join(t.TempDir(), "app")
		opts := newOptions{Template: tpl, NoGit: true, Trust: trust, Target: target, Prompter: ask,
			IO: streams, Config: f.Config, Now: f.Now, Getenv: f.Getenv, Environ: os.Environ, Version: f.Version}
		if err := newRun(context.Background(), &opts); err != nil {
			t.Fatalf("trust %v: %v\n%s", trust, err, stderr)
		}
		if ask.install == nil {
			t.Fatalf("trust %v: the install was not asked", trust)
		}
		if ask.install.Default != trust {
			t.Errorf("trust %v: the question defaults to %v", trust, ask.install.Default)
		}
		warned := strings.Contains(stderr.String(), "is not trusted: installing its dependencies runs sh on its files")
		if warned == trust {
			t.Errorf("trust %v: warned %v:\n%s", trust, warned, stderr)
		}
		_, err := os.Stat(filepath.Join(target, "package-lock.json"))
		if installed := err == nil; installed != trust {
			t.Errorf("trust %v: installed %v", trust, installed)
		}
	}
}

// yesToInstall says yes to the install question and takes every other
// default.
type yesToInstall struct{}

func (yesToInstall) Ask(q prompt.Question) (any, error) {
	if q.Name == "install" {
		return true, nil
	}
	return q.Default, nil
}

// A yes to installing an untrusted template's dependencies is spelled
// --install --trust in the repeatable command line: --install alone is
// refused without a terminal.
func TestInstallRepeatCommandTrusts(t *testing.T) {
	tpl := writeTemplate(t, map[string]string{
		"scaffold.yaml": "name: installs\nlanguage: node\nkind: library\nverify:\n  - name: install\n    run: [sh, -c, 'echo {} > package-lock.json']\n",
		"package.json":  "{}\n",
	})
	f, _ := testFactory(map[string]string{"HOME": t.TempDir()})
	streams, _, stderr := testIO()
	target := filepath.Join(t.TempDir(), "app")
	opts := newOptions{Template: tpl, NoGit: true, Target: target, Prompter: yesToInstall{},
		IO: streams, Config: f.Config, Now: f.Now, Getenv: f.Getenv, Environ: os.Environ, Version: f.Version}
	if err := newRun(context.Background(), &opts); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if !strings.Contains(stderr.String(), " --install --trust --yes") {
		t.Errorf("the repeatable command does not trust the template:\n%s", stderr)
	}
}

// A dry run asks nothing about installing an untrusted template's
// dependencies: it installs nothing, and hooks are not asked about there
// either.
func TestInstallDryRunAsksNothingUntrusted(t *testing.T) {
	tpl := writeTemplate(t, map[string]string{
		"scaffold.yaml": "name: installs\nlanguage: node\nkind: library\nverify:\n  - name: install\n    run: [sh, -c, 'echo {} > package-lock.json']\n",
		"package.json":  "{}\n",
	})
	f, _ := testFactory(map[string]string{"HOME": t.TempDir()})
	streams, stdout, stderr := testIO()
	ask := &defaulting{}
	opts := newOptions{Template: tpl, NoGit: true, DryRun: true, Target: filepath.Join(t.TempDir(), "app"), Prompter: ask,
		IO: streams, Config: f.Config, Now: f.Now, Getenv: f.Getenv, Environ: os.Environ, Version: f.Version}
	if err := newRun(context.Background(), &opts); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if ask.install != nil {
		t.Errorf("the dry run asked %q", ask.install.Message)
	}
	if !strings.Contains(stdout.String(), "Would not install dependencies: the template is not trusted") {
		t.Errorf("stdout:\n%s", stdout)
	}
}
