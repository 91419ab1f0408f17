package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/scaffold-cli/scaffold/internal/project"
)

// TestWorkspace proves the polyglot workspace as a user gets it from
// scaffold new platform --goal startup,performance,infrastructure: one
// committed repository whose root make test passes, whose compose.yaml a
// real Compose parser accepts, whose workflows actionlint passes, and
// whose parts, each started on a free port and given the next one's URL,
// answer the API's chain route through all three.
func TestWorkspace(t *testing.T) {
	if mode == "" {
		t.Skip("set SCAFFOLD_E2E=1 to run")
	}
	t.Parallel()
	for _, l := range []string{"node", "go", "rust"} {
		requireToolchain(t, l)
	}
	work := t.TempDir()
	env := append(os.Environ(), "npm_config_omit_lockfile_registry_resolved=true")
	env = append(env, rustEnv(t, work)...)
	// The API part runs on the oldest Node.js its template supports.
	for _, rt := range runtimesOf(t, "node") {
		if rt.all {
			env = append(env, rt.env...)
		}
	}
	dir := filepath.Join(work, "platform")
	where := "workspace platform"
	start := time.Now()
	var timings []string
	took := func(what string) {
		timings = append(timings, fmt.Sprintf("%s %s", what, time.Since(start).Round(100*time.Millisecond)))
		start = time.Now()
	}
	defer func() { t.Logf("%s: %s", where, strings.Join(timings, ", ")) }()
	if _, out, err := run(work, env, scaffold, "new", dir, "--goal", "startup,performance,infrastructure", "--yes", "--install"); err != nil {
		t.Fatalf("%s: step generate failed: %v\n%s", where, err, out)
	}
	took("generate")
	if _, out, err := run(dir, env, "git", "status", "--porcelain"); err != nil || len(out) > 0 {
		t.Fatalf("%s: the tree is not clean after the first commit: %v\n%s", where, err, out)
	}
	rec, err := project.ReadProjectRecord(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range rec.Parts {
		got = append(got, p.Path+"="+p.Template)
	}
	if want := []string{"apps/api=node/express", "services/core=go/chi", "infra/engine=rust/axum"}; !slices.Equal(got, want) {
		t.Fatalf("%s: parts %q, want %q", where, got, want)
	}
	// Each part's lock file is in the first commit, and no part is a
	// repository of its own.
	for _, lock := range []string{"apps/api/package-lock.json", "services/core/go.sum", "infra/engine/Cargo.lock"} {
		if _, out, err := run(dir, env, "git", "ls-files", "--error-unmatch", lock); err != nil {
			t.Errorf("%s: %s is not in the first commit: %v\n%s", where, lock, err, out)
		}
	}
	for _, p := range rec.Parts {
		if _, err := os.Lstat(filepath.Join(dir, p.Path, ".git")); err == nil {
			t.Errorf("%s: %s has a .git of its own", where, p.Path)
		}
		checkProjectDockerfile(t, where+", part "+p.Path, filepath.Join(dir, p.Path))
	}
	lintWorkflow(t, where, dir)
	checkCompose(t, where, dir, rec.Parts, len(rec.Parts))
	if _, out, err := run(dir, env, "make", "test"); err != nil {
		t.Fatalf("%s: make test at the root failed: %v\n%s", where, err, out)
	}
	if _, out, err := run(dir, env, "git", "status", "--porcelain"); err != nil || len(out) > 0 {
		t.Errorf("%s: the tree is not clean after make test: %v\n%s", where, err, out)
	}
	took("make test")
	checkChain(t, where, dir, env)
	took("chain")

	// verify at the root: every part with its own plan, then the chain,
	// in one report.
	stdout, out, err := run(work, env, scaffold, "verify", dir, "--json")
	var report struct {
		OK    bool `json:"ok"`
		Parts []struct {
			Part  string `json:"part"`
			OK    bool   `json:"ok"`
			Steps []struct {
				Step string `json:"step"`
			} `json:"steps"`
		} `json:"parts"`
		Chain *struct {
			Command string `json:"command"`
			Err     string `json:"error"`
		} `json:"chain"`
	}
	if jerr := json.Unmarshal(stdout, &report); jerr != nil || err != nil || !report.OK {
		t.Fatalf("%s: scaffold verify at the root: %v, %v\n%s", where, err, jerr, out)
	}
	var verified []string
	for _, p := range report.Parts {
		if n := len(p.Steps); p.OK && n > 0 && p.Steps[n-1].Step == "serve" {
			verified = append(verified, p.Part)
		}
	}
	if want := []string{"apps/api", "services/core", "infra/engine"}; !slices.Equal(verified, want) || report.Chain == nil ||
		report.Chain.Command != "GET /v1/chain through api, core, engine" || report.Chain.Err != "" {
		t.Errorf("%s: scaffold verify at the root checked parts %q and chain %+v, want every part served and the chain through api, core, engine\n%s", where, verified, report.Chain, out)
	}
	if _, out, err := run(dir, env, "git", "status", "--porcelain"); err != nil || len(out) > 0 {
		t.Errorf("%s: the tree is not clean after scaffold verify: %v\n%s", where, err, out)
	}
	took("verify")
	checkAdd(t, where, dir, env)
	took("add and make test")
}

// checkAdd adds a fourth part after the user edited the root Makefile:
// the edit survives, and make test, compose and actionlint still pass.
func checkAdd(t *testing.T, where, dir string, env []string) {
	makefile := filepath.Join(dir, "Makefile")
	mine, err := os.ReadFile(makefile)
	if err != nil {
		t.Fatal(err)
	}
	edit := "\nhello: ## our own target\n\t@echo hello from $(PARTS)\n"
	if err := os.WriteFile(makefile, append(mine, edit...), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"add", "Makefile"}, {"-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", "our target"}} {
		if _, out, err := run(dir, env, "git", args...); err != nil {
			t.Fatalf("%s: git %v: %v\n%s", where, args, err, out)
		}
	}
	if _, out, err := run(dir, env, scaffold, "add", "billing", "--template", "go/chi", "--yes", "--install"); err != nil {
		t.Fatalf("%s: scaffold add billing failed: %v\n%s", where, err, out)
	}
	got, _ := os.ReadFile(makefile)
	if !strings.Contains(string(got), edit) || !strings.Contains(string(got), "services/billing") {
		t.Errorf("%s: the Makefile after scaffold add lost the user's target or lacks the part:\n%s", where, got)
	}
	if _, out, err := run(dir, env, "make", "hello"); err != nil || !strings.Contains(string(out), "services/billing") {
		t.Errorf("%s: the user's make target after scaffold add: %v\n%s", where, err, out)
	}
	rec, err := project.ReadProjectRecord(dir)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(rec.Parts); n != 4 || rec.Parts[3].Path != "services/billing" {
		t.Fatalf("%s: parts after scaffold add: %+v", where, rec.Parts)
	}
	lintWorkflow(t, where+", after add", dir)
	// The new part ends a chain of its own.
	checkCompose(t, where+", after add", dir, rec.Parts, 3)
	if _, out, err := run(dir, env, "make", "test"); err != nil {
		t.Fatalf("%s: make test at the root after scaffold add failed: %v\n%s", where, err, out)
	}
}

// checkCompose loads compose.yaml with compose-go, as docker compose
// does, and checks what the workspace promises of it: every part built
// from its own folder's Dockerfile, health-checked by its own binary,
// and each of the first chained started once the next is healthy, with
// that part's URL.
func checkCompose(t *testing.T, where, dir string, parts []project.PartRecord, chained int) {
	file := filepath.Join(dir, "compose.yaml")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	cfg := types.ConfigDetails{WorkingDir: dir, ConfigFiles: []types.ConfigFile{{Filename: file, Content: data}}, Environment: types.Mapping{}}
	proj, err := loader.LoadWithContext(context.Background(), cfg, func(o *loader.Options) { o.SetProjectName("platform", true) })
	if err != nil {
		t.Fatalf("%s: compose.yaml: %v", where, err)
	}
	for i, p := range parts {
		svc, ok := proj.Services[p.Name]
		if !ok {
			t.Errorf("%s: compose.yaml has no service %s", where, p.Name)
			continue
		}
		if svc.Build == nil || svc.Build.Context != filepath.Join(dir, p.Path) {
			t.Errorf("%s: compose service %s is not built from %s: %+v", where, p.Name, p.Path, svc.Build)
		} else if _, err := os.Stat(filepath.Join(svc.Build.Context, "Dockerfile")); err != nil {
			t.Errorf("%s: compose service %s: %v", where, p.Name, err)
		}
		if svc.HealthCheck == nil || len(svc.HealthCheck.Test) < 3 || svc.HealthCheck.Test[0] != "CMD" || svc.HealthCheck.Test[len(svc.HealthCheck.Test)-1] != "healthcheck" {
			t.Errorf("%s: compose service %s has no health check by its own program: %+v", where, p.Name, svc.HealthCheck)
		}
		if i+1 < chained {
			next := parts[i+1]
			dep, ok := svc.DependsOn[next.Name]
			if !ok || dep.Condition != types.ServiceConditionHealthy {
				t.Errorf("%s: compose service %s does not wait for %s to be healthy: %+v", where, p.Name, next.Name, svc.DependsOn)
			}
			urlVar := strings.ToUpper(next.Name) + "_URL"
			if v := svc.Environment[urlVar]; v == nil || *v != "http://"+next.Name+":8080" {
				t.Errorf("%s: compose service %s does not get %s=http://%s:8080: %v", where, p.Name, urlVar, next.Name, svc.Environment)
			}
		}
	}
}

// checkChain builds each part, starts it on a free port with the next
// one's URL, and calls the first one's chain route: the answer must
// have come through every part. It then stops the parts from the last
// and sees readiness and the chain report it.
func checkChain(t *testing.T, where, dir string, env []string) {
	parts := []struct{ name, path, language string }{
		{"api", "apps/api", "node"}, {"core", "services/core", "go"}, {"engine", "infra/engine", "rust"},
	}
	servers := make([]*server, len(parts))
	contracts := make([]*contract, len(parts))
	for i := len(parts) - 1; i >= 0; i-- {
		p := parts[i]
		c := newContract(t, where+", part "+p.path, filepath.Join(dir, p.path), env)
		contracts[i] = c
		var extra []string
		if i+1 < len(parts) {
			extra = append(extra, strings.ToUpper(parts[i+1].name)+"_URL="+servers[i+1].base)
		}
		servers[i] = c.start(extra...)
		// The health check compose runs: the program itself, with the
		// port it serves on.
		port := servers[i].base[strings.LastIndex(servers[i].base, ":")+1:]
		hc := append(slices.Clone(c.serve), "healthcheck")
		if _, out, err := run(c.dir, append(slices.Clone(env), "PORT="+port), hc[0], hc[1:]...); err != nil {
			t.Errorf("%s: %s healthcheck against its running server failed: %v\n%s", where, p.path, err, out)
		}
	}
	api := contracts[0]
	r := api.do(servers[0], "GET", "/v1/chain", "", "", "X-Request-Id", "chain-proof")
	var chain struct {
		Service    string `json:"service"`
		Language   string `json:"language"`
		Downstream *struct {
			Service    string `json:"service"`
			Language   string `json:"language"`
			Downstream *struct {
				Service  string `json:"service"`
				Language string `json:"language"`
			} `json:"downstream"`
		} `json:"downstream"`
	}
	if r.status != 200 || json.Unmarshal(r.body, &chain) != nil || chain.Downstream == nil || chain.Downstream.Downstream == nil {
		t.Fatalf("%s: GET /v1/chain on api: %d %s\napi:\n%s\ncore:\n%s\nengine:\n%s", where, r.status, r.body, servers[0].out, servers[1].out, servers[2].out)
	}
	gotChain := fmt.Sprintf("%s/%s > %s/%s > %s/%s", chain.Service, chain.Language, chain.Downstream.Service, chain.Downstream.Language,
		chain.Downstream.Downstream.Service, chain.Downstream.Downstream.Language)
	if want := "api/node > core/go > engine/rust"; gotChain != want {
		t.Errorf("%s: the chain went %s, want %s", where, gotChain, want)
	}
	// The request ID went down the chain: each part logged it. A log
	// line may be written after the answer (pino writes asynchronously):
	// it is waited for, within a bound far above what it takes.
	for i, s := range servers {
		logged := func() bool { return strings.Contains(s.out.String(), "chain-proof") }
		for deadline := time.Now().Add(10 * time.Second); !logged() && time.Now().Before(deadline); {
			time.Sleep(50 * time.Millisecond)
		}
		if !logged() {
			t.Errorf("%s: %s did not log the request id chain-proof it was given:\n%s", where, parts[i].path, s.out)
		}
	}
	for i := range servers {
		if r := api.do(servers[i], "GET", "/readyz", "", ""); r.status != 200 {
			t.Errorf("%s: %s /readyz with every part up: %d %s", where, parts[i].path, r.status, r.body)
		}
	}

	// The last part down: the one that calls it is not ready, and the
	// chain fails at it, as a bad gateway all the way up.
	servers[2].cmd.Kill()
	<-servers[2].exited
	r = api.do(servers[1], "GET", "/readyz", "", "")
	if !jsonEqual(r.body, `{"status":"unavailable","downstream":"engine"}`) || r.status != 503 {
		t.Errorf("%s: core /readyz with engine down: %d %s, want 503 {\"status\":\"unavailable\",\"downstream\":\"engine\"}", where, r.status, r.body)
	}
	if r := api.do(servers[0], "GET", "/readyz", "", ""); r.status != 200 {
		t.Errorf("%s: api /readyz with core up and engine down: %d %s, want 200: readiness is of the part called, not of the whole chain", where, r.status, r.body)
	}
	if r := api.do(servers[0], "GET", "/v1/chain", "", ""); r.status != 502 {
		t.Errorf("%s: api /v1/chain with engine down: %d %s, want 502", where, r.status, r.body)
	}
	servers[1].cmd.Kill()
	<-servers[1].exited
	r = api.do(servers[0], "GET", "/readyz", "", "")
	if !jsonEqual(r.body, `{"status":"unavailable","downstream":"core"}`) || r.status != 503 {
		t.Errorf("%s: api /readyz with core down: %d %s", where, r.status, r.body)
	}
	if r := api.do(servers[0], "GET", "/v1/chain", "", ""); r.status != 502 {
		t.Errorf("%s: api /v1/chain with core down: %d %s, want 502", where, r.status, r.body)
	}
}
