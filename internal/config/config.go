// Package config reads a team's scaffold configuration: template aliases
// (which may replace a built-in), default answers, and the template
// sources whose hooks are trusted.
//
// The file is YAML:
//
//	templates:
//	  svc: git@host:platform/templates.git//go-service@v3
//	  go/chi: https://host/platform/chi-template.git@v2   # replaces the built-in
//	defaults:
//	  author: Platform Team
//	  go_module_prefix: example.com/platform
//	  license: Apache-2.0
//	trust:
//	  - source: git@host:platform/templates.git
//	    digest: sha256:…      # optional pin; without it the whole source is trusted
//	git:
//	  token_hosts:            # the hosts SCAFFOLD_GIT_TOKEN may be sent to
//	    - git.example.com     # on any port
//	    - git.example.com:8443
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"

	"github.com/scaffold-cli/scaffold/internal/names"
	"github.com/scaffold-cli/scaffold/internal/source"
	"github.com/scaffold-cli/scaffold/internal/tree"
	"github.com/scaffold-cli/scaffold/internal/yamlfile"
)

// MaxBytes bounds the config file: aliases, defaults and trust entries
// fit in a few KiB.
const MaxBytes = 1 << 20

// EnvVar names the environment variable that points at a config file.
const EnvVar = "SCAFFOLD_CONFIG"

// Keys of defaults that scaffold uses itself rather than as answers.
const (
	Author         = "author"
	GoModulePrefix = "go_module_prefix"
	NpmScope       = "npm_scope"
)

// Config is a parsed config file. The zero value is an empty config.
type Config struct {
	// Path is the file it was read from; empty when there was none.
	Path      string            `yaml:"-"`
	Templates map[string]string `yaml:"templates"`
	Defaults  map[string]any    `yaml:"defaults"`
	Trust     []Trust           `yaml:"trust"`
	Git       Git               `yaml:"git"`
}

// Git is how scaffold talks to git hosts.
type Git struct {
	// TokenHosts are the hosts SCAFFOLD_GIT_TOKEN is sent to, as host
	// (any port) or host:port; it goes to no other.
	TokenHosts []string `yaml:"token_hosts"`
}

// Trust lets a template source run its hooks.
type Trust struct {
	Source string `yaml:"source"`
	// Digest pins the trust to one content of the template
	// (sha256:<hex>); empty trusts whatever the source holds.
	Digest string `yaml:"digest"`
}

// Path returns the config file to read: explicit (from --config) wins,
// then $SCAFFOLD_CONFIG, then $XDG_CONFIG_HOME/scaffold/config.yaml
// (~/.config/scaffold/config.yaml; %AppData%\scaffold\config.yaml on
// Windows, which sets no HOME). The bool says whether the file was
// named by the user, in which case it must exist.
func Path(explicit string, getenv func(string) string) (string, bool) {
	if explicit != "" {
		return explicit, true
	}
	if p := getenv(EnvVar); p != "" {
		return p, true
	}
	dir := getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home := getenv("HOME")
		// Windows sets no HOME: its per-user settings live under
		// %AppData%, where os.UserConfigDir puts them too.
		if appData := getenv("APPDATA"); home == "" && runtime.GOOS == "windows" && filepath.IsAbs(appData) {
			return filepath.Join(appData, "scaffold", "config.yaml"), false
		}
		if home == "" {
			return "", false
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "scaffold", "config.yaml"), false
}

// Load reads the config at path. A default path that does not exist is
// an empty config; a path the user named must exist.
func Load(path string, named bool) (*Config, error) {
	if path == "" {
		return &Config{}, nil
	}
	// Bounded and never blocking: a FIFO, a device (a link to /dev/zero)
	// or a huge file is an error, not a hang or an exhausted memory.
	data, _, err := tree.ReadPath(path, MaxBytes)
	if errors.Is(err, fs.ErrNotExist) && !named {
		return &Config{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	c, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	c.Path = path
	return c, nil
}

// Parse decodes a config; file names it in errors, with the line.
func Parse(file string, data []byte) (*Config, error) {
	var c Config
	root, err := yamlfile.Decode("config "+file, data, &c)
	if err != nil {
		return nil, err
	}
	fail := func(line int, format string, args ...any) error {
		return &yamlfile.Error{File: "config " + file, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	for _, alias := range c.Aliases() {
		if strings.TrimSpace(c.Templates[alias]) == "" {
			return nil, fail(yamlfile.KeyLine(root, "templates", alias), "template %q has no source", alias)
		}
	}
	for i, t := range c.Trust {
		if t.Source == "" {
			return nil, fail(yamlfile.ItemLine(root, "trust", i), "a trust entry needs a source")
		}
		if t.Digest != "" && !digestRE.MatchString(t.Digest) {
			return nil, fail(yamlfile.ItemLine(root, "trust", i), "digest %q is not sha256:<64 hex digits>", t.Digest)
		}
	}
	for i, h := range c.Git.TokenHosts {
		if !hostRE.MatchString(h) {
			line := 0
			if n := yamlfile.Section(root, "git"); n != nil {
				for j := 0; j+1 < len(n.Content); j += 2 {
					if n.Content[j].Value == "token_hosts" && i < len(n.Content[j+1].Content) {
						line = n.Content[j+1].Content[i].Line
					}
				}
			}
			return nil, fail(line, "token host %q is not a host name or host:port (no scheme, user or path: write git.example.com)", h)
		}
	}
	return &c, nil
}

// hostRE is a host name, an IPv4 address or a bracketed IPv6 one, with
// an optional port.
var hostRE = regexp.MustCompile(`^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$`)

var digestRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// Resolve maps a template name through the aliases; it returns ref
// unchanged when no alias names it. A relative folder in the config is
// relative to the config file, wherever scaffold runs.
func (c *Config) Resolve(ref string) (string, bool) {
	to, ok := c.Templates[ref]
	if !ok {
		return ref, false
	}
	if (strings.HasPrefix(to, "./") || strings.HasPrefix(to, "../")) && c.Path != "" {
		to = filepath.Join(filepath.Dir(c.Path), to)
	}
	return to, true
}

// Aliases lists the aliases, sorted by name.
func (c *Config) Aliases() []string {
	names := make([]string, 0, len(c.Templates))
	for n := range c.Templates {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// String returns a default that scaffold uses itself, or "".
func (c *Config) String(key string) string {
	if v, ok := c.Defaults[key]; ok && v != nil {
		return fmt.Sprint(v)
	}
	return ""
}

// NameOptions are the team's rules for a project's ecosystem names (see
// names.Derive): the Go module prefix and the npm scope its defaults set.
func (c *Config) NameOptions() names.Options {
	return names.Options{GoModulePrefix: c.String(GoModulePrefix), NpmScope: c.String(NpmScope)}
}

// Trusted says whether the config trusts a template source at digest,
// and when it does not because a pin no longer matches, why.
func (c *Config) Trusted(source, digest string) (bool, string) {
	for _, t := range c.Trust {
		if !sameSource(t.Source, source) {
			continue
		}
		if t.Digest == "" || t.Digest == digest {
			return true, ""
		}
		return false, fmt.Sprintf("%s changed since it was trusted: the config %s pins %s, the template is now %s; review it, then update the digest or pass --trust", source, c.Path, t.Digest, digest)
	}
	return false, ""
}

// sameSource reports whether a trust entry covers a template reference:
// the same reference, or, for a git repository, the same repository with
// any //subdir or @ref. A folder is covered only by its own path, read as
// source.ParseRef reads it: "@" is part of a folder's name (team/tpl@evil
// is another folder), and ROOT//SUBDIR is the template in SUBDIR with
// the layers it may include from all of ROOT, so it is covered by an
// entry for ROOT (as a repository's entry covers its folders) or for
// ROOT//SUBDIR, never by one for ROOT/SUBDIR: trusting that folder says
// nothing of the files beside it.
func sameSource(entry, ref string) bool {
	if filepath.IsAbs(ref) {
		if !filepath.IsAbs(entry) {
			return false
		}
		e, err := source.ParseRef(entry)
		r, err2 := source.ParseRef(ref)
		return err == nil && err2 == nil && e.Kind == source.Dir && r.Kind == source.Dir &&
			filepath.Clean(e.Name) == filepath.Clean(r.Name) && (e.Subdir == "" || e.Subdir == r.Subdir)
	}
	entry = strings.TrimSuffix(entry, "/")
	if entry == ref {
		return true
	}
	rest, ok := strings.CutPrefix(ref, entry)
	return ok && (strings.HasPrefix(rest, "//") || strings.HasPrefix(rest, "@"))
}

// TokenHosts are the hosts SCAFFOLD_GIT_TOKEN may go to: those
// git.token_hosts lists, and the hosts of the template aliases, which
// the user wrote in their own config (never read from a project) to name
// the repositories they mean scaffold to fetch. A nil Config has none.
func (c *Config) TokenHosts() []string {
	if c == nil {
		return nil
	}
	hosts := append([]string(nil), c.Git.TokenHosts...)
	for _, alias := range c.Aliases() {
		if r, err := source.ParseRef(c.Templates[alias]); err == nil && r.Kind == source.Git {
			if h := r.Host(); h != "" {
				hosts = append(hosts, h)
			}
		}
	}
	return hosts
}

// ShownTemplate is the source an alias points at, as scaffold shows it:
// through source.Ref's String, which leaves out a password or token in
// the URL (https://user:token@host/...), so a config holding one can be
// listed on a shared screen, in a CI log or by scaffold serve.
func (c *Config) ShownTemplate(alias string) string {
	r, err := source.ParseRef(c.Templates[alias])
	if err != nil {
		// The error is redacted; the raw text may not be.
		return "(unusable: " + err.Error() + ")"
	}
	return r.String()
}
