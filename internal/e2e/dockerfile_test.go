package e2e

// The Dockerfile check: what `docker build --check` reports, offline,
// plus what a build would fail on or silently get wrong in the build
// context. No Docker engine or registry is reachable where the proof
// runs, so base images are never resolved (see offlineImages).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/distribution/reference"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dfgitutil"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// A dockerProblem is one thing wrong with a Dockerfile: the rule it
// breaks (BuildKit's rule name where BuildKit has the rule), what is
// wrong, and what to change.
type dockerProblem struct {
	file string
	line int // 1-based; 0 when the problem has no line
	rule string
	msg  string
	fix  string
	url  string
}

func (p dockerProblem) String() string {
	var b strings.Builder
	b.WriteString(p.file)
	if p.line > 0 {
		fmt.Fprintf(&b, ":%d", p.line)
	}
	fmt.Fprintf(&b, ": %s: %s", p.rule, p.msg)
	if p.fix != "" {
		b.WriteString("; " + p.fix)
	}
	if p.url != "" {
		b.WriteString(" (" + p.url + ")")
	}
	return b.String()
}

// checkDockerfile returns every problem with dir/Dockerfile, one line
// each, naming the file, line, rule and what to change; none when it
// is fine. It
//   - runs BuildKit's Dockerfile linter the way `docker build --check`
//     does (dockerfile2llb.DockerfileLint: the parse with the linter
//     attached, then stage names, instruction casing, FROM arguments and
//     platforms, undefined variables, ...), honouring `# check=`;
//   - checks that every COPY/ADD source and RUN bind mount from the
//     build context exists there once .dockerignore is applied, that a
//     glob matches something, and says when .dockerignore is what
//     excludes a source;
//   - checks that a RUN using a build argument (a global ARG, or one of
//     the automatic platform ones such as TARGETARCH) declares it in its
//     stage, without which the shell sees it empty.
func checkDockerfile(dir string) []string {
	var out []string
	for _, p := range dockerfileProblems(dir) {
		out = append(out, p.String())
	}
	return out
}

// checkProjectDockerfile fails t with every problem of dir's Dockerfile,
// when the project has one. The proof calls it on the project as
// generated, the tree of its first commit: what a checkout that CI
// builds the image from holds.
func checkProjectDockerfile(t *testing.T, where, dir string) {
	if _, err := os.Stat(filepath.Join(dir, "Dockerfile")); err != nil {
		return
	}
	if problems := checkDockerfile(dir); len(problems) > 0 {
		t.Errorf("%s: step dockerfile: %d problems (docker build --check's rules, offline, and the build context):\n%s", where, len(problems), strings.Join(problems, "\n"))
	}
}

func dockerfileProblems(dir string) []dockerProblem {
	const name = "Dockerfile"
	dt, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return []dockerProblem{{file: name, rule: "Read", msg: err.Error()}}
	}
	problems := lintDockerfile(name, dt)
	ignore, ignoreProblems := readDockerignore(dir, name)
	problems = append(problems, ignoreProblems...)
	problems = append(problems, checkBuildContext(dir, name, dt, ignore)...)
	slices.SortStableFunc(problems, func(a, b dockerProblem) int { return a.line - b.line })
	seen := map[dockerProblem]bool{}
	return slices.DeleteFunc(problems, func(p dockerProblem) bool {
		dup := seen[p]
		seen[p] = true
		return dup
	})
}

// lintDockerfile runs the lint that `docker build --check` asks the
// Dockerfile frontend for: dockerfile2llb.DockerfileLint, which converts
// every stage (not only the target's) with the linter attached. What
// differs from docker's run, since nothing here is resolved:
//   - base images come from offlineImages, so InvalidBaseImagePlatform
//     cannot fire (it compares the platform of the image a registry
//     serves), a base image that does not exist is not noticed, and
//     UndefinedVar knows the environment only of the base images that
//     offlineImages describes;
//   - there is no frontend client, so no named contexts, no check
//     options from build arguments (the `# check=` directive still
//     counts) and no .dockerignore: CopyIgnoredFile is checked by
//     checkBuildContext instead, more strictly (BuildKit skips the rule
//     when .dockerignore has `!` exceptions);
//   - `# syntax=` is not followed: the rules are those of the frontend
//     in the BuildKit module this test builds with.
func lintDockerfile(name string, dt []byte) []dockerProblem {
	var problems []dockerProblem
	// The results name the Dockerfile by its source map, which needs a
	// definition: the frontend gives the one of the local context it
	// read the Dockerfile from, which is no business of the lint.
	sourceMap := llb.NewSourceMap(nil, name, "Dockerfile", dt)
	sourceMap.Definition = &llb.Definition{}
	opt := dockerfile2llb.ConvertOpt{SourceMap: sourceMap, MetaResolver: offlineImages{}}
	res, err := dockerfile2llb.DockerfileLint(context.Background(), dt, opt)
	if err != nil {
		return []dockerProblem{{file: name, rule: "BuildError", msg: err.Error(), fix: "the Dockerfile must parse and convert before anything else can be checked"}}
	}
	for _, w := range res.Warnings {
		line := 0
		if w.Location != nil && len(w.Location.Ranges) > 0 {
			line = int(w.Location.Ranges[0].Start.Line)
		}
		problems = append(problems, dockerProblem{file: name, line: line, rule: w.RuleName, msg: w.Detail, fix: lintFixes[w.RuleName], url: w.URL})
	}
	if res.Error != nil && !strings.HasPrefix(res.Error.Message, "lint violation found for rules:") {
		// (That message only repeats the warnings, under `# check=error=true`.)
		line := 0
		if len(res.Error.Location.Ranges) > 0 {
			line = int(res.Error.Location.Ranges[0].Start.Line)
		}
		problems = append(problems, dockerProblem{file: name, line: line, rule: "BuildError", msg: res.Error.Message, fix: "docker build fails here: fix the instruction"})
	}
	return problems
}

// lintFixes says, per BuildKit rule, what to change.
var lintFixes = map[string]string{
	"StageNameCasing":                 "write the stage name in lowercase, in its FROM and in every --from that names it",
	"FromAsCasing":                    "write FROM and AS in the same case, as in `FROM image AS name`",
	"NoEmptyContinuation":             "remove the empty line inside the continued instruction",
	"ConsistentInstructionCasing":     "write every instruction in the same case (upper case, as Docker's docs do)",
	"DuplicateStageName":              "give every stage a name of its own",
	"ReservedStageName":               "rename the stage: `context` and `scratch` are reserved",
	"JSONArgsRecommended":             "use the exec form, e.g. CMD [\"/app\"], so the program is PID 1 and receives SIGTERM",
	"MaintainerDeprecated":            "replace MAINTAINER with LABEL org.opencontainers.image.authors=...",
	"UndefinedArgInFrom":              "declare the ARG before the first FROM, or correct its name",
	"WorkdirRelativePath":             "give WORKDIR an absolute path",
	"UndefinedVar":                    "declare it with ARG or ENV before this line, or correct its name (base images are not resolved here: a variable that only the base image sets is reported too, see offlineImages)",
	"MultipleInstructionsDisallowed":  "keep only the last of them: the earlier ones have no effect",
	"LegacyKeyValueFormat":            "write KEY=value",
	"InvalidBaseImagePlatform":        "use a base image that exists for the target platform",
	"RedundantTargetPlatform":         "drop --platform=$TARGETPLATFORM: every stage builds for the target platform already",
	"SecretsUsedInArgOrEnv":           "pass secrets with RUN --mount=type=secret at build time or through the environment at run time, never ARG or ENV (rename the variable if it holds no secret)",
	"InvalidDefaultArgInFrom":         "make the base image name valid (lowercase) with no build argument given: every ARG in it needs a default",
	"FromPlatformFlagConstDisallowed": "use --platform=$BUILDPLATFORM for a stage that cross-compiles, or drop the flag",
	"InvalidDefinitionDescription":    "start the comment with the name it describes, or separate it from the instruction with an empty line",
	"ExposeProtoCasing":               "write the protocol in lowercase, e.g. EXPOSE 8080/tcp",
	"ExposeInvalidFormat":             "EXPOSE only the container's port; hosts publish ports with docker run -p",
}

// offlineImages stands in for the registry: the config of every base
// image is an empty image for the platform asked for, with the
// environment that the official image sets when offlineImages knows it
// (so that UndefinedVar does not report, say, $CARGO_HOME in a rust
// stage); other images have PATH only.
type offlineImages struct{}

// baseImageEnv is the environment that official images set, from their
// published image configs; only the names matter to the linter.
var baseImageEnv = map[string][]string{
	"golang": {"PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "GOLANG_VERSION=", "GOTOOLCHAIN=local", "GOPATH=/go"},
	"node":   {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "NODE_VERSION=", "YARN_VERSION="},
	"rust":   {"PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "RUSTUP_HOME=/usr/local/rustup", "CARGO_HOME=/usr/local/cargo", "RUST_VERSION="},
}

func (offlineImages) ResolveImageConfig(_ context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	var img dockerspec.DockerOCIImage
	if opt.ImageOpt != nil && opt.ImageOpt.Platform != nil {
		img.Platform = *opt.ImageOpt.Platform
	}
	img.RootFS = ocispecs.RootFS{Type: "layers", DiffIDs: []digest.Digest{digest.FromString(ref)}}
	img.Config.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	if named, err := reference.ParseNormalizedNamed(ref); err == nil {
		if env, ok := baseImageEnv[reference.FamiliarName(named)]; ok {
			img.Config.Env = env
		}
	}
	dt, err := json.Marshal(img)
	return ref, "", dt, err
}

// A dockerignore is the build context's .dockerignore, read the way
// BuildKit reads it (moby/patternmatcher/ignorefile).
type dockerignore struct {
	file     string
	patterns []string
	matcher  *patternmatcher.PatternMatcher // nil without patterns
}

// readDockerignore reads NAME.dockerignore, which BuildKit prefers for
// a Dockerfile called NAME, or else .dockerignore.
func readDockerignore(dir, dockerfile string) (dockerignore, []dockerProblem) {
	for _, file := range []string{dockerfile + ".dockerignore", ".dockerignore"} {
		data, err := os.ReadFile(filepath.Join(dir, file))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return dockerignore{}, []dockerProblem{{file: file, rule: "DockerignoreInvalid", msg: err.Error()}}
		}
		patterns, err := ignorefile.ReadAll(bytes.NewReader(data))
		if err != nil {
			return dockerignore{}, []dockerProblem{{file: file, rule: "DockerignoreInvalid", msg: err.Error(), fix: "fix the pattern"}}
		}
		di := dockerignore{file: file, patterns: patterns}
		if len(patterns) > 0 {
			if di.matcher, err = patternmatcher.New(patterns); err != nil {
				return dockerignore{}, []dockerProblem{{file: file, rule: "DockerignoreInvalid", msg: err.Error(), fix: "fix the pattern"}}
			}
		}
		return di, nil
	}
	return dockerignore{}, nil
}

// excludes tells whether the build context leaves out rel (a clean,
// slash-separated path relative to the context), because a pattern
// matches it or a folder it is in; and which pattern.
func (di dockerignore) excludes(rel string) (bool, string) {
	if di.matcher == nil {
		return false, ""
	}
	out, err := di.matcher.MatchesOrParentMatches(rel)
	if err != nil || !out {
		return false, ""
	}
	// The last pattern that matches without a later exception decides.
	for i := len(di.patterns) - 1; i >= 0; i-- {
		p := di.patterns[i]
		if strings.HasPrefix(p, "!") {
			continue
		}
		if ok, _ := patternmatcher.MatchesOrParentMatches(rel, []string{p}); ok {
			return true, p
		}
	}
	return true, ""
}

// sent tells whether the build context holds rel: it is not excluded,
// or it is a folder with something inside that a `!` exception puts
// back.
func (di dockerignore) sent(root, rel string, isDir bool) bool {
	if out, _ := di.excludes(rel); !out {
		return true
	}
	if !isDir || !di.matcher.Exclusions() {
		return false
	}
	found := false
	_ = filepath.WalkDir(filepath.Join(root, filepath.FromSlash(rel)), func(p string, d fs.DirEntry, err error) error {
		if err != nil || found {
			return fs.SkipAll
		}
		r, _ := filepath.Rel(root, p)
		if out, _ := di.excludes(filepath.ToSlash(r)); !out {
			found = true
			return fs.SkipAll
		}
		return nil
	})
	return found
}

// platformArgs are the build arguments BuildKit defines by itself.
var platformArgs = []string{
	"TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT",
	"BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT",
}

var shellVar = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)`)

// checkBuildContext checks every stage's COPY and ADD sources against
// the build context (dir less what .dockerignore excludes), and that a
// RUN declares the build arguments it uses.
func checkBuildContext(dir, name string, dt []byte, ignore dockerignore) []dockerProblem {
	parsed, err := parser.Parse(bytes.NewReader(dt))
	if err != nil {
		return nil // lintDockerfile reports it
	}
	stages, metaArgs, err := instructions.Parse(parsed.AST, nil)
	if err != nil {
		return nil
	}
	lex := shell.NewLex(parsed.EscapeToken)

	// The ARGs before the first FROM, with their default values.
	global := map[string]string{}
	var globalEnv []string
	for _, a := range metaArgs {
		for _, kv := range a.Args {
			v := ""
			if kv.Value != nil {
				v, _, _ = lex.ProcessWord(*kv.Value, shell.EnvsFromSlice(globalEnv))
			}
			global[kv.Key] = v
			globalEnv = append(globalEnv, kv.Key+"="+v)
		}
	}

	var problems []dockerProblem
	stageEnv := map[string][]string{} // the ENV a later stage inherits with FROM <stage>
	for _, st := range stages {
		var env []string // KEY=value, later ones win
		if inherited, ok := stageEnv[strings.ToLower(st.BaseName)]; ok {
			env = slices.Clone(inherited)
		} else if named, err := reference.ParseNormalizedNamed(st.BaseName); err == nil {
			env = slices.Clone(baseImageEnv[reference.FamiliarName(named)])
		}
		declared := map[string]bool{} // names set by ARG or ENV in this stage
		for _, e := range env {
			k, _, _ := strings.Cut(e, "=")
			declared[k] = true
		}
		var envOnly []string
		envOnly = append(envOnly, env...)
		for _, cmd := range st.Commands {
			line := 0
			if loc := cmd.Location(); len(loc) > 0 {
				line = loc[0].Start.Line
			}
			switch c := cmd.(type) {
			case *instructions.ArgCommand:
				for _, kv := range c.Args {
					v, ok := global[kv.Key]
					if kv.Value != nil {
						v, _, _ = lex.ProcessWord(*kv.Value, shell.EnvsFromSlice(env))
					} else if !ok && slices.Contains(platformArgs, kv.Key) {
						v = "x" // set by BuildKit; any value does for the checks here
					}
					env = append(env, kv.Key+"="+v)
					declared[kv.Key] = true
				}
			case *instructions.EnvCommand:
				for _, kv := range c.Env {
					v, _, _ := lex.ProcessWord(kv.Value, shell.EnvsFromSlice(env))
					env = append(env, kv.Key+"="+v)
					envOnly = append(envOnly, kv.Key+"="+v)
					declared[kv.Key] = true
				}
			case *instructions.CopyCommand:
				if c.From == "" {
					problems = append(problems, checkSources(dir, name, line, "COPY", "Copy", c.SourcePaths, lex, env, ignore)...)
				}
			case *instructions.AddCommand:
				var local []string
				for _, src := range c.SourcePaths {
					if !remoteSource(src) {
						local = append(local, src)
					}
				}
				problems = append(problems, checkSources(dir, name, line, "ADD", "Copy", local, lex, env, ignore)...)
			case *instructions.RunCommand:
				// A bind mount without from= mounts a path of the build context.
				// The parse leaves the mounts' values to the expansion, which
				// checkSources does: an expander that keeps every word parses them.
				_ = c.Expand(func(word string) (string, error) { return word, nil })
				for _, m := range instructions.GetMounts(c) {
					if m.Type == instructions.MountTypeBind && m.From == "" && m.Source != "" {
						problems = append(problems, checkSources(dir, name, line, "RUN --mount=type=bind", "Bind", []string{m.Source}, lex, env, ignore)...)
					}
				}
				text := strings.Join(c.CmdLine, " ")
				for _, f := range c.Files {
					text += "\n" + f.Data
				}
				reported := map[string]bool{}
				for _, m := range shellVar.FindAllStringSubmatch(text, -1) {
					v := m[1]
					_, isGlobal := global[v]
					if declared[v] || reported[v] || !(isGlobal || slices.Contains(platformArgs, v)) {
						continue
					}
					if regexp.MustCompile(`(?:^|[\s;&|(])` + v + `=`).MatchString(text) {
						continue // the script sets it itself
					}
					reported[v] = true
					why := "BuildKit sets it, but only for the stages that declare it"
					if isGlobal {
						why = "an ARG before the first FROM is seen only by FROM lines"
					}
					problems = append(problems, dockerProblem{
						file: name, line: line, rule: "UndeclaredArgInRun",
						msg: fmt.Sprintf("RUN uses $%s, which is empty there: no ARG %s in this stage (%s)", v, v, why),
						fix: fmt.Sprintf("add `ARG %s` to the stage before this RUN", v),
					})
				}
			}
		}
		if st.Name != "" {
			stageEnv[strings.ToLower(st.Name)] = envOnly
		}
	}
	return problems
}

// remoteSource tells an ADD source from a URL or git repository, which
// is not in the build context.
func remoteSource(src string) bool {
	if strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://") {
		return true
	}
	ref, isGit, _ := dfgitutil.ParseGitRef(src)
	return ref != nil && isGit
}

// checkSources checks the sources that one COPY or ADD (kind Copy), or
// a RUN's bind mount (kind Bind), takes from the build context. A source
// whose variables have no value is left to the linter's UndefinedVar.
// COPY --exclude is not taken into account: a glob whose matches it all
// excludes is not reported.
func checkSources(dir, name string, line int, instr, kind string, sources []string, lex *shell.Lex, env []string, ignore dockerignore) []dockerProblem {
	var problems []dockerProblem
	add := func(rule, msg, fix string) {
		problems = append(problems, dockerProblem{file: name, line: line, rule: kind + rule, msg: msg, fix: fix})
	}
	for _, src := range sources {
		res, err := lex.ProcessWordWithMatches(src, shell.EnvsFromSlice(env))
		if err != nil || len(res.Unmatched) > 0 {
			continue
		}
		// Sources are relative to the context's root, which they cannot leave.
		rel := strings.TrimPrefix(path.Clean("/"+filepath.ToSlash(res.Result)), "/")
		if rel == "" {
			continue // the whole context, which is always there
		}
		if !strings.ContainsAny(rel, `*?[\`) {
			info, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(rel)))
			if err != nil {
				fix := "create it, or drop it from the " + instr
				if cmd, ok := lockFiles[path.Base(rel)]; ok {
					fix = fmt.Sprintf("it is a lock file: create it with `%s` and commit it (a checkout is what CI builds the image from)", cmd)
				}
				add("SourceMissing", fmt.Sprintf("%s source %q is not in the build context (the project folder)", instr, src), fix)
				continue
			}
			if !ignore.sent(dir, rel, info.IsDir()) {
				_, pattern := ignore.excludes(rel)
				add("IgnoredFile",
					fmt.Sprintf("%s source %q is excluded by %s (pattern %q), so the build does not see it", instr, src, ignore.file, pattern),
					fmt.Sprintf("remove the pattern from %s or add an exception (`!%s`), or drop the source", ignore.file, rel))
			}
			continue
		}
		matches, err := globContext(dir, rel)
		if err != nil {
			add("SourceMissing", fmt.Sprintf("%s source %q is not a valid pattern: %v", instr, src, err), "correct the pattern")
			continue
		}
		var kept, ignored, patterns []string
		for _, m := range matches {
			if ignore.sent(dir, m.rel, m.isDir) {
				kept = append(kept, m.rel)
			} else {
				ignored = append(ignored, m.rel)
				if _, p := ignore.excludes(m.rel); !slices.Contains(patterns, p) {
					patterns = append(patterns, p)
				}
			}
		}
		switch {
		case len(kept) > 0:
		case len(ignored) > 0:
			add("IgnoredFile",
				fmt.Sprintf("%s source %q matches only what %s excludes (%s), so it copies nothing", instr, src, ignore.file, strings.Join(ignored, ", ")),
				fmt.Sprintf("remove %s from %s or add an exception after it, or drop the source", quoteAll(patterns), ignore.file))
		default:
			add("GlobMatchesNothing",
				fmt.Sprintf("%s source %q matches nothing in the build context (the project folder); BuildKit copies nothing for it, silently", instr, src),
				"correct the pattern, add the file it is meant for, or drop the source")
		}
	}
	return problems
}

// lockFiles are the lock files a build needs, and what makes each.
var lockFiles = map[string]string{
	"package-lock.json": "npm install",
	"Cargo.lock":        "cargo generate-lockfile",
	"go.sum":            "go mod tidy",
}

type contextEntry struct {
	rel   string
	isDir bool
}

// globContext returns what pattern (a clean, slash-separated path
// relative to root, with the wildcards of filepath.Match in any of its
// elements, as COPY takes them) matches under root.
func globContext(root, pattern string) ([]contextEntry, error) {
	if _, err := path.Match(pattern, ""); err != nil {
		return nil, err
	}
	current := []contextEntry{{rel: "", isDir: true}}
	for _, elem := range strings.Split(pattern, "/") {
		var next []contextEntry
		for _, c := range current {
			if !c.isDir {
				continue
			}
			entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(c.rel)))
			if err != nil {
				continue
			}
			for _, e := range entries {
				if ok, _ := path.Match(elem, e.Name()); !ok {
					continue
				}
				isDir := e.IsDir()
				if e.Type()&fs.ModeSymlink != 0 {
					if info, err := os.Stat(filepath.Join(root, filepath.FromSlash(path.Join(c.rel, e.Name())))); err == nil {
						isDir = info.IsDir()
					}
				}
				next = append(next, contextEntry{rel: path.Join(c.rel, e.Name()), isDir: isDir})
			}
		}
		current = next
	}
	return current, nil
}

func quoteAll(patterns []string) string {
	q := make([]string, len(patterns))
	for i, p := range patterns {
		q[i] = fmt.Sprintf("%q", p)
	}
	return "pattern " + strings.Join(q, ", ")
}
