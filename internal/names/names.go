// Package names derives and checks the names a project needs in each
// ecosystem: a Go module path, an npm package name, a Cargo crate name.
// Each check follows that ecosystem's own rules and says what is allowed.
package names

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/mod/module"
)

// Project holds a project's name in every form its templates may need.
type Project struct {
	// Name is the project name as typed: the last element of the target.
	Name      string
	GoModule  string
	NpmName   string
	CrateName string
}

// Options are the team's conventions for the derived names.
type Options struct {
	GoModulePrefix string // e.g. github.com/acme; default example.com
	NpmScope       string // e.g. @acme; default none
}

var projectName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// CheckProject checks a project name as typed: it becomes a folder name
// and the root of every derived name.
func CheckProject(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("project name is empty: give a name such as myapp")
	case name == "." || name == "..":
		return fmt.Errorf("project name %q is not a name: give a folder name such as myapp", name)
	case len(name) > 100:
		return fmt.Errorf("project name %q is too long: use at most 100 characters", name)
	case !projectName.MatchString(name):
		return fmt.Errorf("project name %q is not allowed: use letters, digits, '.', '_' and '-', starting with a letter or digit", name)
	}
	return nil
}

// Derive returns the project's names in each ecosystem's form. It checks
// only the name as typed; each form is checked by the template that uses
// it (see Check), since a good Go name may be a bad crate name.
func Derive(name string, opts Options) (Project, error) {
	if err := CheckProject(name); err != nil {
		return Project{}, err
	}
	prefix := strings.TrimSuffix(opts.GoModulePrefix, "/")
	if prefix == "" {
		prefix = "example.com"
	}
	lower := strings.ToLower(name)
	npm := lower
	if scope := strings.TrimSuffix(strings.TrimPrefix(opts.NpmScope, "@"), "/"); scope != "" {
		npm = "@" + strings.ToLower(scope) + "/" + lower
	}
	return Project{
		Name:      name,
		GoModule:  prefix + "/" + lower,
		NpmName:   npm,
		CrateName: strings.ReplaceAll(lower, ".", "-"),
	}, nil
}

// CheckGoModule applies the go command's rules for module paths.
func CheckGoModule(path string) error {
	if err := module.CheckPath(path); err != nil {
		return fmt.Errorf("%q is not a valid Go module path: %v (a path looks like example.com/team/app: the first element is a domain with a dot)", path, unwrapModuleErr(err))
	}
	return nil
}

// unwrapModuleErr drops the path that CheckPath repeats in its message.
func unwrapModuleErr(err error) error {
	var perr *module.InvalidPathError
	if errors.As(err, &perr) {
		return perr.Err
	}
	return err
}

var (
	npmNameChars = regexp.MustCompile(`^[a-z0-9][a-z0-9._~-]*$`)
	npmScope     = regexp.MustCompile(`^@([a-z0-9][a-z0-9._~-]*)/(.+)$`)
)

// Node's built-in modules may not be published under their own names.
var npmReserved = []string{
	"node_modules", "favicon.ico",
	"assert", "buffer", "child_process", "cluster", "console", "constants", "crypto",
	"dgram", "dns", "domain", "events", "fs", "http", "http2", "https", "inspector",
	"module", "net", "os", "path", "perf_hooks", "process", "punycode", "querystring",
	"readline", "repl", "stream", "string_decoder", "sys", "timers", "tls", "trace_events",
	"tty", "url", "util", "v8", "vm", "wasi", "worker_threads", "zlib",
}

// CheckNpmPackage applies npm's rules for new package names.
func CheckNpmPackage(name string) error {
	const allowed = "npm names are lower case letters, digits, '-', '.', '_' and '~', not starting with '.' or '_', at most 214 characters, optionally scoped as @scope/name"
	bad := func(why string) error {
		return fmt.Errorf("%q is not a valid npm package name: %s (%s)", name, why, allowed)
	}
	if name == "" {
		return bad("it is empty")
	}
	if len(name) > 214 {
		return bad("it is longer than 214 characters")
	}
	if strings.TrimSpace(name) != name || strings.ContainsAny(name, " \t") {
		return bad("it has spaces")
	}
	if strings.ToLower(name) != name {
		return bad("it has upper case letters")
	}
	base := name
	if strings.HasPrefix(name, "@") {
		m := npmScope.FindStringSubmatch(name)
		if m == nil {
			return bad("a scoped name is @scope/name")
		}
		base = m[2]
	}
	if strings.HasPrefix(base, ".") || strings.HasPrefix(base, "_") {
		return bad("it starts with '.' or '_'")
	}
	if !npmNameChars.MatchString(base) {
		return bad("it has characters that are not URL-safe")
	}
	if slices.Contains(npmReserved, base) && base == name {
		return bad("it is reserved (a Node.js core module or npm's own)")
	}
	return nil
}

var crateChars = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)

// Names cargo refuses for a new package: Rust keywords and the names of
// the standard crates and of cargo's own test harness.
var crateReserved = []string{
	"abstract", "as", "async", "await", "become", "box", "break", "const", "continue",
	"crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if",
	"impl", "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv",
	"pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "try",
	"type", "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
	"alloc", "core", "proc_macro", "proc-macro", "std", "test", "build", "deps", "examples",
	"incremental",
}

// CheckCargoCrate applies cargo's rules for new package names.
func CheckCargoCrate(name string) error {
	const allowed = "crate names are ASCII letters, digits, '-' and '_', start with a letter, at most 64 characters, and are not Rust keywords or standard crate names"
	bad := func(why string) error {
		return fmt.Errorf("%q is not a valid Rust crate name: %s (%s)", name, why, allowed)
	}
	switch {
	case name == "":
		return bad("it is empty")
	case len(name) > 64:
		return bad("it is longer than 64 characters")
	case name[0] >= '0' && name[0] <= '9':
		return bad("it starts with a digit")
	case !crateChars.MatchString(name):
		return bad("it has characters other than letters, digits, '-' and '_'")
	case slices.Contains(crateReserved, strings.ToLower(name)):
		return bad("it is reserved")
	}
	return nil
}
