//go:build unix

package project

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestHookEnvAllowsOnlyTheList(t *testing.T) {
	env := map[string]string{
		"PATH":                  "/usr/bin:/bin",
		"HOME":                  "/home/u",
		"LC_TIME":               "en_GB.UTF-8",
		"GOMODCACHE":            "/home/u/go/pkg/mod",
		"GOPROXY":               "https://proxy.golang.org,direct",
		"npm_config_cache":      "/home/u/.npm",
		"SCAFFOLD_GIT_TOKEN":    "ghp_secret",
		"AWS_SECRET_ACCESS_KEY": "aws-secret",
		"GITHUB_TOKEN":          "gh-secret",
		"SSH_AUTH_SOCK":         "/tmp/agent.sock",
		"EDITOR":                "vi",
	}
	got := HookEnv(func(k string) string { return env[k] }, "SCAFFOLD_PROJECT_DIR=/work/api", "SCAFFOLD_PROJECT_NAME=api", "MY_TOKEN=x")
	want := []string{
		"PATH=/usr/bin:/bin", "HOME=/home/u", "LC_TIME=en_GB.UTF-8",
		"GOMODCACHE=/home/u/go/pkg/mod", "GOPROXY=https://proxy.golang.org,direct",
		"npm_config_cache=/home/u/.npm",
		"SCAFFOLD_PROJECT_DIR=/work/api", "SCAFFOLD_PROJECT_NAME=api",
	}
	if !slices.Equal(got, want) {
		t.Errorf("HookEnv =\n%q\nwant\n%q", got, want)
	}
}

func TestHookEnvDropsCredentialsInURLs(t *testing.T) {
	for _, v := range []string{
		"https://user:pass@goproxy.example.com",
		"https://proxy.golang.org,https://tok@goproxy.example.com|direct",
		"http://user@host/path",
	} {
		got := HookEnv(func(k string) string {
			if k == "GOPROXY" {
				return v
			}
			return ""
		})
		if len(got) != 0 {
			t.Errorf("GOPROXY=%s: HookEnv = %q", v, got)
		}
	}
	// An @ that is no URL's user is fine.
	got := HookEnv(func(k string) string {
		if k == "GOPRIVATE" {
			return "example.com/@team/*"
		}
		return ""
	})
	if len(got) != 1 {
		t.Errorf("GOPRIVATE: HookEnv = %q", got)
	}
}

// A hook that prints its environment sees none of the user's secrets.
func TestHookSeesNoSecrets(t *testing.T) {
	t.Setenv("SCAFFOLD_GIT_TOKEN", "tok-hook-env-test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "aws-hook-env-test")
	t.Setenv("GOPROXY", "https://user:pw-hook-env-test@goproxy.example.com")
	dir := t.TempDir()
	var out bytes.Buffer
	if err := RunHooks(context.Background(), dir, []string{"env"}, HookEnv(os.Getenv, "SCAFFOLD_PROJECT_DIR="+dir), &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	if strings.Contains(out.String(), "hook-env-test") {
		t.Errorf("a secret reached the hook:\n%s", out.String())
	}
	for _, want := range []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "SCAFFOLD_PROJECT_DIR=" + dir} {
		if !strings.HasSuffix(want, "=") && !slices.Contains(lines, want) {
			t.Errorf("the hook did not see %s:\n%s", want, out.String())
		}
	}
}
