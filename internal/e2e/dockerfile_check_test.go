package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// dockerfileFixtures are the folders under testdata/dockerfile, each a
// build context with a Dockerfile, and the problems checkDockerfile must
// find in it, as rule:line; the clean-* ones must give none.
var dockerfileFixtures = map[string][]string{
	// BuildKit's rules, as `docker build --check` reports them.
	"from-as-casing":    {"FromAsCasing:1"},
	"stage-name-casing": {"StageNameCasing:1"},
	"shell-form-cmd":    {"JSONArgsRecommended:4"},
	"secret-env":        {"SecretsUsedInArgOrEnv:2", "SecretsUsedInArgOrEnv:3"},
	// A typo in an ARG's name: the linter says so, and the build fails
	// on the empty image name.
	"undefined-arg-in-from": {"BuildError:2", "InvalidDefaultArgInFrom:2", "UndefinedArgInFrom:2"},
	"platform-arg-typo":     {"BuildError:1", "UndefinedArgInFrom:1"},
	// An image name is lowercase: the build cannot even parse it.
	"base-name-casing": {"BuildError:1", "InvalidDefaultArgInFrom:1"},
	"platform-const":   {"FromPlatformFlagConstDisallowed:1", "RedundantTargetPlatform:5"},
	// $CARGO_HOME is set by the rust image, not by debian's.
	"undefined-var": {"UndefinedVar:2", "UndefinedVar:3", "WorkdirRelativePath:3"},

	// The build context.
	"copy-missing":         {"CopySourceMissing:3"},
	"copy-ignored":         {"CopyIgnoredFile:3"},
	"copy-ignored-glob":    {"CopyIgnoredFile:4", "CopyIgnoredFile:5"},
	"glob-matches-nothing": {"CopyGlobMatchesNothing:3", "CopyGlobMatchesNothing:5"},
	"bind-mount-context":   {"BindSourceMissing:3", "BindIgnoredFile:8"},

	// Build arguments that a RUN sees empty.
	"run-args-undeclared": {"UndeclaredArgInRun:5", "UndeclaredArgInRun:5", "UndeclaredArgInRun:5"},

	// Multi-stage, --platform=$BUILDPLATFORM with TARGETOS/TARGETARCH,
	// cache and bind mounts, heredocs, COPY --from, ARG VERSION in a
	// label, globs, and a .dockerignore with exceptions.
	"clean-go-cross":        nil,
	"clean-node-cache":      nil,
	"clean-rust-exceptions": nil,
}

func TestDockerfileCheckFixtures(t *testing.T) {
	root := filepath.Join("testdata", "dockerfile")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, ok := dockerfileFixtures[e.Name()]; !ok {
			t.Errorf("testdata/dockerfile/%s has no expectation in dockerfileFixtures", e.Name())
		}
	}
	for name, want := range dockerfileFixtures {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(root, name)
			var got []string
			for _, p := range dockerfileProblems(dir) {
				got = append(got, fmt.Sprintf("%s:%d", p.rule, p.line))
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(want))
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v; the report:\n%s", got, want, strings.Join(checkDockerfile(dir), "\n"))
			}
		})
	}
}

// TestDockerfileCheckMessages: every message names the file, the line,
// the rule and what to change.
func TestDockerfileCheckMessages(t *testing.T) {
	cases := []struct {
		fixture string
		want    []string
	}{
		{"copy-ignored", []string{"Dockerfile:3: CopyIgnoredFile:", `"config/settings.env"`, `.dockerignore (pattern "config")`, "`!config/settings.env`"}},
		{"copy-ignored-glob", []string{"Dockerfile:4: CopyIgnoredFile:", "src/debug.log", `pattern "src/*.log"`}},
		{"copy-missing", []string{"Dockerfile:3: CopySourceMissing:", `"go.sum"`, "it is a lock file: create it with `go mod tidy` and commit it"}},
		{"copy-ignored-glob", []string{"Dockerfile:5: CopyIgnoredFile:", `"README.md"`, `pattern "*"`, "`!README.md`"}},
		{"bind-mount-context", []string{"Dockerfile:3: BindSourceMissing:", `RUN --mount=type=bind source "Cargo.lock"`, "Dockerfile:8: BindIgnoredFile:", `pattern "src/generated"`}},
		{"glob-matches-nothing", []string{"Dockerfile:3: CopyGlobMatchesNothing:", `"package-lock*.json"`}},
		{"shell-form-cmd", []string{"Dockerfile:4: JSONArgsRecommended:", "exec form", "https://docs.docker.com/go/dockerfile/rule/json-args-recommended/"}},
		{"base-name-casing", []string{"Dockerfile:1: BuildError:", "must be lowercase"}},
		{"undefined-arg-in-from", []string{"UndefinedArgInFrom:", "NODE_VERSON", "did you mean NODE_VERSION?"}},
		{"run-args-undeclared", []string{"Dockerfile:5: UndeclaredArgInRun:", "$VERSION", "add `ARG VERSION`", "add `ARG TARGETARCH`"}},
	}
	for _, c := range cases {
		report := strings.Join(checkDockerfile(filepath.Join("testdata", "dockerfile", c.fixture)), "\n")
		for _, w := range c.want {
			if !strings.Contains(report, w) {
				t.Errorf("%s: the report does not say %q:\n%s", c.fixture, w, report)
			}
		}
	}
}

func TestDockerfileCheckMissingFile(t *testing.T) {
	got := checkDockerfile(t.TempDir())
	if len(got) != 1 || !strings.HasPrefix(got[0], "Dockerfile: Read: ") {
		t.Errorf("a folder without a Dockerfile: got %q, want one Read problem", got)
	}
}

// TestDockerfileCheckLintDirective: `# check=skip=...` silences a rule
// as it does for docker build --check.
func TestDockerfileCheckLintDirective(t *testing.T) {
	dir := t.TempDir()
	df := "# check=skip=JSONArgsRecommended\nFROM alpine:3.22\nCMD echo hi\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := checkDockerfile(dir); len(got) != 0 {
		t.Errorf("with the rule skipped, got %q", got)
	}
}
