package config

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/scaffold-cli/scaffold/internal/names"
)

const sample = `templates:
  svc: git@host:platform/templates.git//go-service@v3
  go/chi: https://host/platform/chi-template.git@v2
defaults:
  author: Platform Team
  go_module_prefix: example.com/platform
  license: Apache-2.0
  docker: false
trust:
  - source: git@host:platform/templates.git
    digest: sha256:` + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" + `
  - source: /srv/templates/svc
  - source: /srv/team
  - source: /srv/pinned//svc
git:
  token_hosts: [git.example.com, "git.example.com:8443", 10.0.0.1, "[::1]:3000"]
`

func TestParse(t *testing.T) {
	c, err := Parse("c.yaml", []byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	if ref, ok := c.Resolve("go/chi"); !ok || ref != "https://host/platform/chi-template.git@v2" {
		t.Errorf("Resolve(go/chi) = %q, %v", ref, ok)
	}
	if ref, ok := c.Resolve("node/express"); ok || ref != "node/express" {
		t.Errorf("Resolve(node/express) = %q, %v", ref, ok)
	}
	if got := strings.Join(c.Aliases(), ","); got != "go/chi,svc" {
		t.Errorf("Aliases = %s", got)
	}
	if c.String(Author) != "Platform Team" || c.String(GoModulePrefix) != "example.com/platform" || c.String(NpmScope) != "" {
		t.Errorf("defaults: %v", c.Defaults)
	}
	if got := strings.Join(c.Git.TokenHosts, ","); got != "git.example.com,git.example.com:8443,10.0.0.1,[::1]:3000" {
		t.Errorf("token hosts = %s", got)
	}
	if c.Defaults["docker"] != false {
		t.Errorf("docker default = %v", c.Defaults["docker"])
	}
}

func TestParseErrorsNameFileAndLine(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"not yaml", "templates: [\n", "config c.yaml:"},
		{"unknown key", "templates: {}\ndefault:\n  a: b\n", "config c.yaml:2: field default not found"},
		{"wrong type", "trust: yes\n", "config c.yaml:1: cannot unmarshal"},
		{"empty alias", "templates:\n  svc: ''\n", `config c.yaml:2: template "svc" has no source`},
		{"trust without source", "trust:\n  - digest: sha256:00\n", "config c.yaml:2: a trust entry needs a source"},
		{"bad digest", "trust:\n  - source: x\n    digest: md5:1\n", `config c.yaml:2: digest "md5:1" is not sha256`},
		{"token host with a scheme", "git:\n  token_hosts:\n    - git.example.com\n    - https://git.example.com\n", `config c.yaml:4: token host "https://git.example.com" is not a host name`},
		{"token host with a path", "git:\n  token_hosts: [host/org]\n", `token host "host/org" is not a host name`},
		{"empty token host", "git:\n  token_hosts: ['']\n", `token host "" is not`},
		{"unknown git key", "git:\n  token: x\n", "field token not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("c.yaml", []byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestPathAndLoad(t *testing.T) {
	env := map[string]string{"HOME": "/home/u"}
	get := func(k string) string { return env[k] }
	if p, named := Path("", get); p != "/home/u/.config/scaffold/config.yaml" || named {
		t.Errorf("Path = %s, %v", p, named)
	}
	env["XDG_CONFIG_HOME"] = "/xdg"
	if p, _ := Path("", get); p != "/xdg/scaffold/config.yaml" {
		t.Errorf("Path with XDG = %s", p)
	}
	env[EnvVar] = "/env.yaml"
	if p, named := Path("", get); p != "/env.yaml" || !named {
		t.Errorf("Path with %s = %s", EnvVar, p)
	}
	if p, named := Path("/flag.yaml", get); p != "/flag.yaml" || !named {
		t.Errorf("Path with flag = %s", p)
	}

	dir := t.TempDir()
	missing := filepath.Join(dir, "none.yaml")
	if c, err := Load(missing, false); err != nil || len(c.Templates) != 0 {
		t.Errorf("missing default file: %v, %v", c, err)
	}
	if _, err := Load(missing, true); err == nil || !strings.Contains(err.Error(), "none.yaml") {
		t.Errorf("missing named file: %v", err)
	}
	p := filepath.Join(dir, "c.yaml")
	os.WriteFile(p, []byte(sample), 0o644)
	c, err := Load(p, true)
	if err != nil || c.Path != p {
		t.Fatalf("Load: %v %v", c, err)
	}
}

func TestTrusted(t *testing.T) {
	c, _ := Parse("c.yaml", []byte(sample))
	c.Path = "c.yaml"
	pin := "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	other := "sha256:" + strings.Repeat("f", 64)
	tests := []struct {
		ref, digest string
		want        bool
		why         string
	}{
		{"git@host:platform/templates.git//go-service@v3", pin, true, ""},
		{"git@host:platform/templates.git@main", pin, true, ""},
		{"git@host:platform/templates.git//go-service@v3", other, false, "changed since it was trusted"},
		{"git@host:platform/templates.gitx", pin, false, ""},
		{"/srv/templates/svc", other, true, ""},
		{"/srv/templates/svc2", other, false, ""},
		// A folder's name may hold "@" or "//": they are not a ref.
		{"/srv/templates/svc@evil", other, false, ""},
		{"/srv/templates/svc/evil", other, false, ""},
		{"/srv/templates/svc/", other, true, ""},
		// Read as ROOT//SUB, a folder template takes layers from ROOT:
		// trusting SUB alone does not cover it; trusting ROOT does.
		{"/srv/templates//svc", other, false, ""},
		{"/srv//templates/svc", other, false, ""},
		{"/srv/team//api", other, true, ""},
		{"/srv/team//api/", other, true, ""},
		{"/srv/other//api", other, false, ""},
		{"/srv/pinned//svc", other, true, ""},
		{"/srv/pinned//api", other, false, ""},
		{"/srv/team/svc", other, false, ""},
		{"/srv//team/svc", other, false, ""},
	}
	for _, tt := range tests {
		ok, why := c.Trusted(tt.ref, tt.digest)
		if ok != tt.want || (tt.why == "" && why != "") || !strings.Contains(why, tt.why) {
			t.Errorf("Trusted(%s, %s) = %v, %q", tt.ref, tt.digest[:12], ok, why)
		}
	}
}

func TestNameOptions(t *testing.T) {
	tests := []struct {
		name     string
		defaults map[string]any
		want     names.Options
	}{
		{"empty config", nil, names.Options{}},
		{"prefix and scope", map[string]any{GoModulePrefix: "example.com/platform", NpmScope: "acme", Author: "Platform Team"},
			names.Options{GoModulePrefix: "example.com/platform", NpmScope: "acme"}},
		{"null value", map[string]any{GoModulePrefix: nil}, names.Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Config{Defaults: tt.defaults}
			if got := c.NameOptions(); got != tt.want {
				t.Errorf("NameOptions() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// On Windows, which sets no HOME, the default config is under %AppData%.
func TestPathOnWindowsIsUnderAppData(t *testing.T) {
	env := map[string]string{"APPDATA": filepath.Join(t.TempDir(), "Roaming")}
	got, named := Path("", func(k string) string { return env[k] })
	want := ""
	if runtime.GOOS == "windows" {
		want = filepath.Join(env["APPDATA"], "scaffold", "config.yaml")
	}
	if got != want || named {
		t.Errorf("Path with only APPDATA set = %q, %v; want %q, false", got, named, want)
	}
}
