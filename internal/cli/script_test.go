package cli_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/scaffold-cli/scaffold/internal/cli"
)

func TestMain(m *testing.M) {
	// The pseudo-terminal test runs this binary as scaffold itself.
	if os.Getenv("SCAFFOLD_TEST_AS_MAIN") == "1" {
		os.Exit(cli.Main())
	}
	testscript.Main(m, map[string]func(){
		"scaffold": func() { os.Exit(cli.Main()) },
	})
}

// TestScript runs the real binary through the scripts in
// testdata/script. UPDATE_SCRIPTS=1 rewrites their expected output.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       os.Getenv("UPDATE_SCRIPTS") != "",
		Setup: func(env *testscript.Env) error {
			// No git configuration at all: scaffold must commit anyway.
			env.Setenv("GIT_CONFIG_NOSYSTEM", "1")
			env.Setenv("NO_COLOR", "1")
			// HOME is a fake, so the go tool (scaffold verify) needs its
			// build cache named; sharing the real one keeps it fast.
			env.Setenv("GOCACHE", goEnv("GOCACHE"))
			env.Setenv("GOMODCACHE", goEnv("GOMODCACHE"))
			// The documented example template, rendered by docs_example.
			example, err := filepath.Abs("../../docs/example")
			if err != nil {
				return err
			}
			env.Setenv("EXAMPLE", example)
			// The module's root, for scripts that build scaffold itself
			// (version_ldflags).
			module, err := filepath.Abs("../..")
			if err != nil {
				return err
			}
			env.Setenv("MODULE", module)
			// $WORK as a file:// URL, whatever the platform's paths.
			env.Setenv("WORKURL", fileURL(env.WorkDir))
			return nil
		},
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"exits":     cmdExits,
			"gitcommit": cmdGitCommit,
			"tree":      cmdTree,
		},
	})
}

// exits N command [args...] runs a command and expects exit code N; its
// output is kept for stdout and stderr checks like exec's.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits N command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: %v", err)
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		got = exitErr.ExitCode()
	case err != nil:
		ts.Fatalf("exits: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// tree DIR prints every file and link below DIR, one per line, sorted,
// skipping .git, so a script can cmp a generated project's file list.
func cmdTree(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: tree DIR")
	}
	root := ts.MkAbs(args[0])
	var lines []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		line := filepath.ToSlash(rel)
		if info.Mode()&0o111 != 0 {
			line += " (executable)"
		}
		lines = append(lines, line)
		return nil
	})
	ts.Check(err)
	sort.Strings(lines)
	fmt.Fprintln(ts.Stdout(), strings.Join(lines, "\n"))
}

func goEnv(key string) string {
	out, err := exec.Command("go", "env", key).Output()
	if err != nil {
		return filepath.Join(os.TempDir(), "scaffold-test-"+strings.ToLower(key))
	}
	return strings.TrimSpace(string(out))
}
