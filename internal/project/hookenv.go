package project

import (
	"regexp"
	"strings"
)

// hookEnvNames is every variable a hook may inherit, when it is set:
// what a shell and the usual tools need, and where the toolchains keep
// their caches, so go mod tidy, npm install or cargo fetch in a hook
// use the user's. docs/templates.md lists them; keep the two alike.
var hookEnvNames = []string{
	"PATH", "HOME", "USER", "LOGNAME", "SHELL", "TMPDIR", "TZ", "TERM", "NO_COLOR",
	"LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_COLLATE", "LC_MESSAGES", "LC_MONETARY",
	"LC_NUMERIC", "LC_TIME", "LC_ADDRESS", "LC_IDENTIFICATION", "LC_MEASUREMENT",
	"LC_NAME", "LC_PAPER", "LC_TELEPHONE",
	"XDG_CACHE_HOME",
	"GOPATH", "GOCACHE", "GOMODCACHE", "GOPROXY", "GOPRIVATE", "GONOSUMDB", "GONOPROXY",
	"GOFLAGS", "GOTOOLCHAIN",
	"CARGO_HOME", "RUSTUP_HOME",
	"npm_config_cache", "NPM_CONFIG_CACHE",
}

// secretName matches names that are never passed on, whatever the
// allow-list says: credentials, agent sockets and cloud or CI accounts.
var secretName = regexp.MustCompile(`(?i)TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL|AUTH|^SSH_|^AWS_|^GOOGLE_|^GCLOUD_|^AZURE_|^GITHUB_|^GITLAB_|^CI_|^BUILDKITE_|^CIRCLE_|^TRAVIS_|^DOCKER_`)

// urlCredentials matches a URL with a user (and password) in it:
// https://user:pass@proxy.example.com.
var urlCredentials = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^/?#\s]*@`)

// HookEnv is the whole environment of a template's hooks: the variables
// of hookEnvNames that getenv has, except any whose value carries
// credentials in a URL, then extra ("NAME=value", scaffold's own). Hooks
// come from templates scaffold does not trust by default, and what they
// see can end up committed (env > env.txt), so nothing else is passed:
// not SCAFFOLD_GIT_TOKEN, not an SSH agent, no cloud or CI variable.
func HookEnv(getenv func(string) string, extra ...string) []string {
	env := make([]string, 0, len(hookEnvNames)+len(extra))
	for _, name := range hookEnvNames {
		v := getenv(name)
		if v == "" || secretName.MatchString(name) || urlCredentials.MatchString(v) {
			continue
		}
		env = append(env, name+"="+v)
	}
	for _, kv := range extra {
		if name, _, _ := strings.Cut(kv, "="); !secretName.MatchString(name) {
			env = append(env, kv)
		}
	}
	return env
}
