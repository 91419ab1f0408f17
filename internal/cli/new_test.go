package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/scaffold-cli/scaffold/internal/project"
	"github.com/scaffold-cli/scaffold/internal/prompt"
	"github.com/spf13/cobra"
)

func TestNewCmdNew(t *testing.T) {
	tests := []struct {
		name    string
		cli     string
		want    newOptions
		wantErr string
	}{
		{
			name: "name only",
			cli:  "myapp",
			want: newOptions{Target: "myapp"},
		},
		{
			name: "a path",
			cli:  "services/api --template go/chi",
			want: newOptions{Target: "services/api", Template: "go/chi"},
		},
		{
			name: "goals repeated and comma-separated",
			cli:  "app -g startup,realtime --goal hiring --team node",
			want: newOptions{Target: "app", Goals: []string{"startup", "realtime", "hiring"}, Team: "node"},
		},
		{
			name: "sets keep commas and order",
			cli:  "app --stack node --framework fastify --set license=none --set tags=a,b --answers a.yaml",
			want: newOptions{Target: "app", Stack: "node", Framework: "fastify", Sets: []string{"license=none", "tags=a,b"}, AnswersFile: "a.yaml"},
		},
		{
			name: "switches",
			cli:  "app -y --refresh --trust --no-git --dry-run --json",
			want: newOptions{Target: "app", Yes: true, Refresh: true, Trust: true, NoGit: true, DryRun: true, JSON: true},
		},
		{
			name: "no-hooks",
			cli:  "app --no-hooks",
			want: newOptions{Target: "app", NoHooks: true},
		},
		{
			name:    "no name",
			cli:     "",
			wantErr: "new takes one argument, the project name or path (got 0 arguments)",
		},
		{
			name:    "two names",
			cli:     "a b",
			wantErr: "new takes one argument, the project name or path (got 2 arguments)",
		},
		{
			name:    "unknown flag",
			cli:     "app --nope",
			wantErr: "unknown flag: --nope",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, f, err := parseCmd(t, NewCmdNew, tt.cli)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.IO != f.IO || got.Version != f.Version || got.Prompter != f.Prompter || got.Config == nil || got.Now == nil || got.Getenv == nil || got.Environ == nil {
				t.Error("the options do not carry the factory's world")
			}
			got.IO, got.Config, got.Prompter, got.Now, got.Getenv, got.Environ, got.Version = nil, nil, nil, nil, nil, nil, ""
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("options\n%+v\nwant\n%+v", *got, tt.want)
			}
		})
	}
}

// parseCmd runs the command that build makes on the words of cli, and
// returns the options its run function was given and the factory.
func parseCmd[T any](t *testing.T, build func(*Factory, func(context.Context, *T) error) *cobra.Command, cli string) (*T, *Factory, error) {
	t.Helper()
	f, _ := testFactory(nil)
	var got *T
	cmd := build(f, func(_ context.Context, opts *T) error {
		got = opts
		return nil
	})
	cmd.SetArgs(strings.Fields(cli))
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	_, err := cmd.ExecuteC()
	return got, f, err
}

// testIO is streams of buffers, with no terminal.
func testIO() (*IOStreams, *bytes.Buffer, *bytes.Buffer) {
	var stdout, stderr bytes.Buffer
	return &IOStreams{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr}, &stdout, &stderr
}

// scriptedPrompter answers by name from answers; nil answers means no
// terminal.
func scriptedPrompter(t *testing.T, answers map[string]any) (prompt.Prompter, *scripted) {
	if answers == nil {
		return prompt.NoTerminal{}, nil
	}
	s := &scripted{t: t, answers: answers}
	return s, s
}

// scripted answers questions by name; a question it has no answer for
// fails the test.
type scripted struct {
	t       *testing.T
	answers map[string]any
	asked   []string
}

func (s *scripted) Ask(q prompt.Question) (any, error) {
	s.asked = append(s.asked, q.Name)
	v, ok := s.answers[q.Name]
	if !ok {
		s.t.Errorf("unexpected question %q (%s)", q.Name, q.Message)
		return nil, prompt.ErrInterrupted
	}
	return v, nil
}

func TestNewRun(t *testing.T) {
	hooked := writeTemplate(t, map[string]string{
		"scaffold.yaml":  "name: hooked\nhooks:\n  - touch hooked.txt\nquestions:\n  - name: greeting\n    default: hi\n",
		"hello.txt.tmpl": "{{ .greeting }} {{ .Project.Name }}\n",
	})
	tests := []struct {
		name    string
		opts    newOptions
		prompt  map[string]any // nil: no terminal
		files   map[string]string
		absent  []string
		stdout  []string
		stderr  []string
		errText string
		exit    int
	}{
		{
			name:   "built-in with every default",
			opts:   newOptions{Template: "go/chi", Yes: true, NoGit: true},
			files:  map[string]string{"go.mod": "module example.com/app\n", project.AnswersFile: "license: MIT\n"},
			stdout: []string{"from go/chi (", "Next steps:", "go run ./cmd/app"},
		},
		{
			name: "built-in answered at the prompt",
			opts: newOptions{Template: "go/chi", NoGit: true},
			prompt: map[string]any{
				"module": "example.com/acme/app", "docker": false, "ci": true, "realtime": false, "database": "none", "workspace": false, "license": "none", "install": false,
			},
			files:  map[string]string{"go.mod": "module example.com/acme/app\n"},
			absent: []string{"Dockerfile", "LICENSE"},
			stderr: []string{"To do the same without prompts:", "--set docker=false", "--set license=none", "--no-git --no-install --yes"},
		},
		{
			name:   "flags answer ahead of the prompt",
			opts:   newOptions{Template: "go/chi", NoGit: true, Sets: []string{"module=example.com/x", "docker=false"}},
			prompt: map[string]any{"ci": false, "realtime": false, "database": "none", "workspace": false, "license": "MIT", "install": false},
			files:  map[string]string{"go.mod": "module example.com/x\n", "LICENSE": "MIT License"},
			absent: []string{"Dockerfile", ".github"},
			stderr: []string{"--set database=none --set docker=false --set downstream= --set downstream_url=http://localhost:8081 --set license=MIT --set module=example.com/x --set realtime=false --set workspace=false --no-git --no-install --yes"},
		},
		{
			name:    "no terminal and no --yes",
			opts:    newOptions{Template: "go/chi", NoGit: true},
			errText: `"Go module path" needs an answer and there is no terminal to ask it: pass --set module=VALUE, or --yes to take the defaults`,
			exit:    ExitUsage,
		},
		{
			name:    "an answer to no question",
			opts:    newOptions{Template: "go/chi", NoGit: true, Yes: true, Sets: []string{"colour=red"}},
			errText: `--set colour: template go/chi has no question "colour"; known: module, docker, ci, realtime, database, workspace, downstream, downstream_url, license`,
			exit:    ExitUsage,
		},
		{
			name:    "a --set without key",
			opts:    newOptions{Template: "go/chi", NoGit: true, Yes: true, Sets: []string{"=red"}},
			errText: "--set takes key=value, and one --set has no key= (it is not shown, as it may be a secret)",
			exit:    ExitUsage,
		},
		{
			name:   "untrusted hooks declined at the prompt",
			opts:   newOptions{Template: hooked, NoGit: true, Yes: false},
			prompt: map[string]any{"trust": false, "greeting": "hello"},
			files:  map[string]string{"hello.txt": "hello app\n"},
			absent: []string{"hooked.txt"},
			stderr: []string{"wants to run these commands", "note: the template's hooks did not run (declined at the prompt)", "--no-hooks --yes"},
		},
		{
			name:   "untrusted hooks run with --trust",
			opts:   newOptions{Template: hooked, NoGit: true, Yes: true, Trust: true},
			files:  map[string]string{"hello.txt": "hi app\n", "hooked.txt": ""},
			stderr: []string{"running hook 1/1: touch hooked.txt"},
		},
		{
			name:    "untrusted hooks and no terminal",
			opts:    newOptions{Template: hooked, NoGit: true, Yes: true},
			errText: "has hooks and is not trusted",
			exit:    ExitUsage,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := testFactory(map[string]string{"HOME": t.TempDir()})
			opts := tt.opts
			streams, stdout, stderr := testIO()
			opts.IO, opts.Config, opts.Now, opts.Getenv, opts.Version = streams, f.Config, f.Now, f.Getenv, f.Version
			var ask *scripted
			opts.Prompter, ask = scriptedPrompter(t, tt.prompt)
			target := filepath.Join(t.TempDir(), "app")
			opts.Target = target

			err := newRun(context.Background(), &opts)
			if tt.errText != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errText) {
					t.Fatalf("error %v, want one saying %q", err, tt.errText)
				}
				if got := exitCode(err); got != tt.exit {
					t.Errorf("exit %d, want %d", got, tt.exit)
				}
				if _, err := os.Lstat(target); err == nil {
					t.Error("the target was written")
				}
				return
			}
			if err != nil {
				t.Fatalf("%v\nstderr:\n%s", err, stderr)
			}
			if ask != nil && len(ask.asked) != len(tt.prompt) {
				t.Errorf("asked %q, want every one of %v", ask.asked, tt.prompt)
			}
			for name, want := range tt.files {
				got, err := os.ReadFile(filepath.Join(target, name))
				if err != nil || !strings.Contains(string(got), want) {
					t.Errorf("%s: %v, holds %q; want it to hold %q", name, err, got, want)
				}
			}
			for _, name := range tt.absent {
				if _, err := os.Lstat(filepath.Join(target, name)); err == nil {
					t.Errorf("%s was written", name)
				}
			}
			if _, err := os.Stat(filepath.Join(target, ".git")); err == nil {
				t.Error("--no-git made a repository")
			}
			if !strings.HasPrefix(stdout.String(), "Created "+target+" from ") {
				t.Errorf("stdout:\n%s", stdout)
			}
			for _, want := range tt.stdout {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout)
				}
			}
			for _, want := range tt.stderr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			if len(tt.stderr) == 0 && stderr.Len() > 0 {
				t.Errorf("stderr:\n%s", stderr)
			}
		})
	}
}

// --dry-run --json prints one JSON document, the hooks' verdict in it,
// and writes nothing.
func TestNewRunDryRunJSON(t *testing.T) {
	tpl := writeTemplate(t, map[string]string{
		"scaffold.yaml": "name: hooked\nhooks:\n  - touch hooked.txt\n",
		"a.txt":         "a\n",
	})
	f, _ := testFactory(map[string]string{"HOME": t.TempDir()})
	target := filepath.Join(t.TempDir(), "app")
	streams, stdout, _ := testIO()
	opts := &newOptions{
		IO: streams, Config: f.Config, Prompter: prompt.NoTerminal{}, Now: f.Now, Getenv: f.Getenv, Version: f.Version,
		Target: target, Template: tpl, DryRun: true, JSON: true,
	}
	if err := newRun(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	var got struct {
		DryRun bool `json:"dry_run"`
		Hooks  struct {
			Commands []string `json:"commands"`
			Trusted  *string  `json:"trusted"`
			Skipped  string   `json:"skipped"`
		} `json:"hooks"`
		Git   struct{ Branch string } `json:"git"`
		Files []struct{ Path string } `json:"files"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("%v:\n%s", err, stdout)
	}
	if !got.DryRun || got.Hooks.Skipped != "not trusted" || got.Hooks.Trusted != nil || !slices.Equal(got.Hooks.Commands, []string{"touch hooked.txt"}) {
		t.Errorf("JSON: %+v", got)
	}
	if len(got.Files) != 2 || got.Git.Branch == "" {
		t.Errorf("JSON: %+v", got)
	}
	if _, err := os.Lstat(target); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a dry run wrote %s: %v", target, err)
	}
}

// A template named by an answers file is opened as one a project file
// names: anyone may have written the file, so credentials written in its
// URL are not used. One named by --template is the user's own.
func TestAnswersFileTemplateIsAProjectRef(t *testing.T) {
	const ref = "https://alice:s3cret@git.example.com/t.git"
	file := filepath.Join(t.TempDir(), "answers.yaml")
	if err := os.WriteFile(file, []byte("template:\n  source: "+ref+"\nanswers: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		flag string
		want bool
	}{{"", true}, {ref, false}, {"go/chi", false}} {
		opts := &newOptions{AnswersFile: file, Template: tt.flag}
		g, err := opts.gather()
		if err != nil {
			t.Fatal(err)
		}
		if got := g.fromFile(g.template); got != tt.want {
			t.Errorf("--template %q: the template %s is from the answers file: %v, want %v", tt.flag, g.template, got, tt.want)
		}
	}
}
