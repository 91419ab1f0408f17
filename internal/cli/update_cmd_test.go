package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/scaffold-cli/scaffold/internal/project"
)

// writeTemplate writes a folder template from a map of file names to
// contents.
func writeTemplate(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// A project made without git has no stored base: update renders the
// recorded version again, as the scaffold named in the record did, so a
// file that shows .Scaffold.Version is no conflict after an upgrade.
func TestUpdateWithoutGitRendersTheBaseAsTheRecordedScaffold(t *testing.T) {
	tpl := writeTemplate(t, map[string]string{
		"scaffold.yaml":    "name: versioned\nversion: 1.0.0\n",
		"VERSION.txt.tmpl": "made by scaffold {{ .Scaffold.Version }}\n",
		"goals.txt.tmpl":   "realtime: {{ has \"realtime\" .Goals }}\n",
	})
	env := map[string]string{"HOME": t.TempDir()}
	dir := filepath.Join(t.TempDir(), "app")
	ctx := context.Background()

	f, out := testFactory(env)
	f.Version = "v1.0.0"
	if code := Run(ctx, f, []string{"new", dir, "--template", tpl, "--goal", "realtime", "--yes", "--no-git"}); code != 0 {
		t.Fatalf("new exited %d:\n%s", code, out)
	}
	f, out = testFactory(env)
	f.Version = "v2.0.0"
	if code := Run(ctx, f, []string{"update", dir}); code != 0 {
		t.Fatalf("update by a newer scaffold exited %d:\n%s", code, out)
	}
	if strings.Contains(out.String(), "conflict") {
		t.Errorf("update reports a conflict:\n%s", out)
	}
	for name, want := range map[string]string{"VERSION.txt": "made by scaffold v2.0.0\n", "goals.txt": "realtime: true\n"} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", name, got, err, want)
		}
	}
}

func TestNewCmdUpdate(t *testing.T) {
	tests := []struct {
		name    string
		cli     string
		want    updateOptions
		wantErr string
	}{
		{name: "here", cli: "", want: updateOptions{Dir: "."}},
		{name: "a folder", cli: "services/api --to v3", want: updateOptions{Dir: "services/api", To: "v3"}},
		{
			name: "answers",
			cli:  "--set port=1 --set tags=a,b --answers a.yaml -y",
			want: updateOptions{Dir: ".", Sets: []string{"port=1", "tags=a,b"}, AnswersFile: "a.yaml", Yes: true},
		},
		{
			name: "switches",
			cli:  "app --allow-dirty --dry-run --diff --json",
			want: updateOptions{Dir: "app", AllowDirty: true, DryRun: true, Diff: true, JSON: true},
		},
		{name: "two folders", cli: "a b", wantErr: "update takes at most one folder (got 2 arguments)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := parseCmd(t, NewCmdUpdate, tt.cli)
			if tt.wantErr != "" {
				var fe *FlagError
				if !errors.As(err, &fe) || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want the flag error %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got.IO, got.Config, got.Prompter, got.Now, got.Getenv, got.Version = nil, nil, nil, nil, nil, ""
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("options\n%+v\nwant\n%+v", *got, tt.want)
			}
		})
	}
}

func TestUpdateRun(t *testing.T) {
	v1 := map[string]string{
		"scaffold.yaml":  "name: svc\nversion: 1.0.0\nquestions:\n  - name: greeting\n    default: hi\n",
		"hello.txt.tmpl": "{{ .greeting }}\n",
	}
	v2 := map[string]string{
		"scaffold.yaml":  "name: svc\nversion: 2.0.0\nquestions:\n  - name: greeting\n    default: hi\n  - name: port\n    type: int\n    default: 8080\n",
		"hello.txt.tmpl": "{{ .greeting }}\n",
		"PORT.tmpl":      "{{ .port }}\n",
	}
	tests := []struct {
		name     string
		opts     updateOptions
		terminal bool
		prompt   map[string]any
		port     string // PORT's content; "" when it must be absent
		stdout   []string
		errText  string
		exit     int
	}{
		{
			name:   "a new question takes its default without a terminal",
			port:   "8080\n",
			stdout: []string{"from template 1.0.0 to 2.0.0:", "added     PORT", "Review the change with git diff"},
		},
		{
			name:     "a new question is asked in a terminal, and only it",
			terminal: true,
			prompt:   map[string]any{"port": 9090},
			port:     "9090\n",
		},
		{
			name:     "--set answers a new question ahead of the prompt",
			opts:     updateOptions{Sets: []string{"port=7070"}},
			terminal: true,
			prompt:   map[string]any{},
			port:     "7070\n",
		},
		{
			name:   "a dry run writes nothing",
			opts:   updateOptions{DryRun: true},
			stdout: []string{"Would update", "added     PORT", "Nothing was written (--dry-run)."},
		},
		{
			name:    "an answer to no question",
			opts:    updateOptions{Sets: []string{"nope=1"}},
			errText: `--set nope: template svc has no question "nope"; known: greeting, port`,
			exit:    ExitUsage,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"HOME": t.TempDir(), "GIT_CONFIG_NOSYSTEM": "1"}
			tpl := writeTemplate(t, v1)
			dir := filepath.Join(t.TempDir(), "app")
			f, out := testFactory(env)
			if code := Run(context.Background(), f, []string{"new", dir, "--template", tpl, "--yes"}); code != 0 {
				t.Fatalf("new exited %d:\n%s", code, out)
			}
			for name, data := range v2 {
				if err := os.WriteFile(filepath.Join(tpl, name), []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}

			opts := tt.opts
			streams, stdout, stderr := testIO()
			opts.IO = streams
			if tt.terminal {
				opts.IO.term = &terminal{} // CanPrompt; the prompter is the fake below
			}
			opts.Config, opts.Now, opts.Getenv, opts.Version = f.Config, f.Now, f.Getenv, f.Version
			var ask *scripted
			opts.Prompter, ask = scriptedPrompter(t, tt.prompt)
			opts.Dir = dir

			err := updateRun(context.Background(), &opts)
			if tt.errText != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errText) || exitCode(err) != tt.exit {
					t.Fatalf("error %v (exit %d), want exit %d saying %q", err, exitCode(err), tt.exit, tt.errText)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v\nstderr:\n%s", err, stderr)
			}
			if ask != nil && len(ask.asked) != len(tt.prompt) {
				t.Errorf("asked %q, want %v", ask.asked, tt.prompt)
			}
			got, err := os.ReadFile(filepath.Join(dir, "PORT"))
			if tt.port == "" && err == nil || tt.port != "" && string(got) != tt.port {
				t.Errorf("PORT = %q, %v; want %q", got, err, tt.port)
			}
			for _, want := range tt.stdout {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout)
				}
			}
			rec, err := project.ReadProjectRecord(dir)
			if err != nil {
				t.Fatal(err)
			}
			wantVersion := "2.0.0"
			if opts.DryRun {
				wantVersion = "1.0.0"
			}
			if rec.Template.Version != wantVersion || opts.DryRun == (rec.Answers["port"] != nil) {
				t.Errorf("record after the update: %+v", rec)
			}
		})
	}
}
