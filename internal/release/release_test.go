package release

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/rhysd/actionlint"
)

const root = "../.."

// TestWorkflowsLint lints the repository's own GitHub workflows with
// actionlint, and their scripts with shellcheck where it is installed.
func TestWorkflowsLint(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(root, ".github", "workflows", "*.y*ml"))
	if len(files) == 0 {
		t.Fatal("no workflow in .github/workflows")
	}
	opts := &actionlint.LinterOptions{WorkingDir: root, LogWriter: io.Discard}
	if sc, err := exec.LookPath("shellcheck"); err == nil {
		opts.Shellcheck = sc
	} else {
		t.Log("shellcheck is not installed: the workflows' scripts are not checked")
	}
	for _, wf := range files {
		var out bytes.Buffer
		linter, err := actionlint.NewLinter(&out, opts)
		if err != nil {
			t.Fatal(err)
		}
		errs, err := linter.LintFile(wf, nil)
		if err != nil {
			t.Fatalf("actionlint %s: %v", wf, err)
		}
		if len(errs) > 0 {
			t.Errorf("actionlint: %d problems in %s:\n%s", len(errs), filepath.Base(wf), out.String())
		}
	}
}

// TestReleaseStampsWhatVersionPrints holds .goreleaser.yaml's -ldflags
// against the variables of internal/cli that scaffold version reads, so
// that a renamed variable cannot leave releases unstamped.
func TestReleaseStampsWhatVersionPrints(t *testing.T) {
	cfg := read(t, ".goreleaser.yaml")
	main := read(t, "internal/cli/main.go")
	for _, v := range []string{"version", "commit", "date"} {
		if !regexp.MustCompile(`-X github\.com/scaffold-cli/scaffold/internal/cli\.` + v + `=`).MatchString(cfg) {
			t.Errorf(".goreleaser.yaml does not stamp cli.%s", v)
		}
		if !regexp.MustCompile(`(?m)^\s*(var )?` + v + `\s+= ""`).MatchString(main) {
			t.Errorf("internal/cli/main.go has no string variable %s for -ldflags to set", v)
		}
	}
}

// TestGoReleaserVersionsAgree: the release workflow runs the GoReleaser
// that .ci/run checks the configuration with.
func TestGoReleaserVersionsAgree(t *testing.T) {
	ci := regexp.MustCompile(`(?m)^goreleaser_version=(v\S+)$`).FindStringSubmatch(read(t, ".ci/run"))
	wf := regexp.MustCompile(`(?m)^\s+version: (v\S+)$`).FindStringSubmatch(read(t, ".github/workflows/release.yml"))
	if ci == nil || wf == nil || ci[1] != wf[1] {
		t.Errorf(".ci/run builds goreleaser %v, the release workflow runs %v: want one version", ci, wf)
	}
}

func read(t *testing.T, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
