package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/scaffold-cli/scaffold/internal/catalog"
	"github.com/scaffold-cli/scaffold/internal/source"
	"github.com/scaffold-cli/scaffold/internal/template"
)

// What every service template with database=postgres keeps, checked
// from outside against a real PostgreSQL (see postgres_test.go), and the
// OpenAPI document every service serves, validated with kin-openapi and
// held against the real responses.

// hasPostgres reports whether the answers give the project a database.
func hasPostgres(asks map[string]bool, answers map[string]string) bool {
	return asks["database"] && answers["database"] == "postgres"
}

// documentedPaths are the paths a service's OpenAPI document must hold
// for the answers: each route it answers, but the document itself and
// the WebSocket endpoint, which OpenAPI cannot describe.
func documentedPaths(asks map[string]bool, answers map[string]string) []string {
	paths := []string{"/healthz", "/readyz", "/v1/echo"}
	if asks["workspace"] && answers["workspace"] == "true" {
		paths = append(paths, "/v1/chain")
	}
	if hasPostgres(asks, answers) {
		paths = append(paths, "/v1/items", "/v1/items/{id}")
	}
	slices.Sort(paths)
	return paths
}

// apiDoc is a server's OpenAPI document, with a router that finds the
// operation of a request.
type apiDoc struct {
	doc    *openapi3.T
	router routers.Router
}

// openapi fetches the document the running server serves, validates it
// and checks that it documents exactly the routes of the answers.
func (c *contract) openapi(s *server, path string, asks map[string]bool, answers map[string]string) *apiDoc {
	c.t.Helper()
	r := c.do(s, "GET", path, "", "")
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		c.t.Fatalf("%s: openapi: GET "+path+" answered %d %q, want 200 application/json: %.300s", c.where, r.status, r.header.Get("Content-Type"), r.body)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(r.body)
	if err != nil {
		c.t.Fatalf("%s: openapi: the document does not load: %v\n%s", c.where, err, r.body)
	}
	if err := doc.Validate(context.Background()); err != nil {
		c.t.Fatalf("%s: openapi: the document is not valid OpenAPI %s: %v\n%s", c.where, doc.OpenAPI, err, r.body)
	}
	var got []string
	for p := range doc.Paths.Map() {
		if p != path && p != wsPath {
			got = append(got, p)
		}
	}
	slices.Sort(got)
	if want := documentedPaths(asks, answers); !slices.Equal(got, want) {
		c.fail("openapi: the document has paths %v, want %v (every route of the server, but %s and %s)", got, want, path, wsPath)
	}
	// The router matches the requests the checks make, to this server.
	doc.Servers = openapi3.Servers{{URL: s.base}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		c.t.Fatalf("%s: openapi: %v", c.where, err)
	}
	return &apiDoc{doc: doc, router: router}
}

// conform sends a request, expects the status (any of them) and holds
// the request and the answer against the document: the operation must
// be documented, a request the server accepts must be one the document
// accepts, and the answer's status, headers and body must be what the
// document says, problems included.
func (c *contract) conform(a *apiDoc, s *server, method, path, body string, statuses ...int) *response {
	c.t.Helper()
	ctype := ""
	if body != "" {
		ctype = "application/json"
	}
	r := c.do(s, method, path, ctype, body)
	what := method + " " + path
	if body != "" {
		what += " " + body
	}
	if !slices.Contains(statuses, r.status) {
		c.fail("%s answered %d, want %v: %s", what, r.status, statuses, r.body)
		return r
	}
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	route, params, err := a.router.FindRoute(req)
	if err != nil {
		c.fail("openapi: %s is not documented: %v", what, err)
		return r
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	ctx := context.Background()
	if r.status < 400 {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			c.fail("openapi: the document refuses %s, which the server accepted: %v", what, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: r.status, Header: r.header, Body: io.NopCloser(bytes.NewReader(r.body)), Options: opts}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		c.fail("openapi: %s answered %d %s, which is not what the document says: %v", what, r.status, r.body, err)
	}
	return r
}

// documented checks the document of a server started with extra, and
// the routes every service has against it.
func (c *contract) documented(path string, asks map[string]bool, answers map[string]string, extra ...string) {
	s := c.start(extra...)
	a := c.openapi(s, path, asks, answers)
	c.conform(a, s, "GET", "/healthz", "", 200)
	c.conform(a, s, "GET", "/readyz", "", 200)
	c.conform(a, s, "POST", "/v1/echo", `{"message":"hi"}`, 200)
	c.conform(a, s, "POST", "/v1/echo", `{"message":123}`, 400)
	if asks["workspace"] && answers["workspace"] == "true" && answers["downstream"] == "" {
		c.conform(a, s, "GET", "/v1/chain", "", 200)
	}
	if hasPostgres(asks, answers) {
		c.items(a, s)
	}
}

// item is the sample resource.
type item struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	CreatedAt string `json:"created_at"`
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// items creates, reads and lists an item, and gets each kind of bad
// request refused, each answer held against the document. It returns
// the item created.
func (c *contract) items(a *apiDoc, s *server) item {
	c.t.Helper()
	token := make([]byte, 4)
	rand.Read(token)
	name := fmt.Sprintf("e2e item é %x", token)
	body, _ := json.Marshal(map[string]string{"name": name})
	r := c.conform(a, s, "POST", "/v1/items", string(body), 201)
	var it item
	if err := json.Unmarshal(r.body, &it); err != nil || !uuidRE.MatchString(it.ID) || it.Name != name {
		c.fail("POST /v1/items answered %s, want the item with a lower-case UUID and name %q", r.body, name)
		return it
	}
	if _, err := time.Parse(time.RFC3339, it.CreatedAt); err != nil {
		c.fail("POST /v1/items answered created_at %q, want RFC 3339: %v", it.CreatedAt, err)
	}
	if loc := r.header.Get("Location"); loc != "/v1/items/"+it.ID && loc != s.base+"/v1/items/"+it.ID {
		c.fail("POST /v1/items answered Location %q, want /v1/items/%s", loc, it.ID)
	}
	r = c.conform(a, s, "GET", "/v1/items/"+it.ID, "", 200)
	var got item
	if json.Unmarshal(r.body, &got) != nil || got != it {
		c.fail("GET /v1/items/%s answered %s, want the item created: %+v", it.ID, r.body, it)
	}
	r = c.conform(a, s, "GET", "/v1/items?limit=1", "", 200)
	var list struct{ Items []item }
	if json.Unmarshal(r.body, &list) != nil || len(list.Items) != 1 {
		c.fail(`GET /v1/items?limit=1 answered %s, want {"items": [one item]}`, r.body)
	}
	c.conform(a, s, "GET", "/v1/items", "", 200)

	c.problem("POST /v1/items as text/plain", c.do(s, "POST", "/v1/items", "text/plain", string(body)), 415)
	long, _ := json.Marshal(map[string]string{"name": strings.Repeat("é", 101)})
	for _, bad := range []string{`{"name":""}`, string(long), `{}`, `{"name":7}`, `{"name":"a","extra":true}`, `{"name":"a"} {}`} {
		r := c.conform(a, s, "POST", "/v1/items", bad, 400, 422)
		c.problem("POST /v1/items "+bad, r, r.status)
	}
	// 100 characters of two bytes each is a name of 100 characters.
	hundred, _ := json.Marshal(map[string]string{"name": strings.Repeat("é", 100)})
	c.conform(a, s, "POST", "/v1/items", string(hundred), 201)
	c.problem("GET /v1/items/not-a-uuid", c.conform(a, s, "GET", "/v1/items/not-a-uuid", "", 400), 400)
	c.problem("GET /v1/items/<unknown>", c.conform(a, s, "GET", "/v1/items/00000000-0000-4000-8000-000000000000", "", 404), 404)
	for _, limit := range []string{"0", "101", "x", "-1"} {
		c.problem("GET /v1/items?limit="+limit, c.conform(a, s, "GET", "/v1/items?limit="+limit, "", 400), 400)
	}
	if !loggedRoute(s.out.String(), "/v1/items/{id}") && !loggedRoute(s.out.String(), "/v1/items/:id") {
		c.fail("no log line has the route pattern /v1/items/{id} (or /v1/items/:id) and a numeric duration_ms:\n%s", s.out)
	}
	return it
}

// database checks the promises of a service with a database on a
// cluster of its own, which it stops and starts again: config errors,
// the migrate command, the items through HTTP, and readiness that
// follows the database down and back up. It also checks that the
// project's integration tests run, rather than skip, once DATABASE_URL
// is set.
func (c *contract) database(openapi string, asks map[string]bool, answers map[string]string, testStep []string) {
	cl := newCluster(c.t)
	url := cl.createDB(c.t, "outage")

	// Config: each bad DATABASE_URL stops the server before it listens,
	// naming the variable, and never prints a password.
	const password = "hunter2-secret"
	c.badEnv("DATABASE_URL unset", "DATABASE_URL", without(c.env, "DATABASE_URL"), password)
	for _, v := range []string{"", "mysql://u@h/db", "postgres://u:" + password + "@host:notaport/db"} {
		c.badEnv(fmt.Sprintf("DATABASE_URL=%q", v), "DATABASE_URL", append(without(c.env, "DATABASE_URL"), "DATABASE_URL="+v), password)
	}
	c.badEnv(`DATABASE_MAX_CONNS="lots"`, "DATABASE_MAX_CONNS", append(without(c.env, "DATABASE_URL"), "DATABASE_URL="+url, "DATABASE_MAX_CONNS=lots"), password)

	// The migrate command applies the migrations, and again finds none
	// to apply.
	migrate := append(slices.Clone(c.serve), "migrate")
	for i := range 2 {
		if _, out, err := run(c.dir, append(without(c.env, "DATABASE_URL"), "DATABASE_URL="+url), migrate[0], migrate[1:]...); err != nil {
			c.t.Fatalf("%s: step migrate (%s, run %d) failed: %v\n%s", c.where, strings.Join(migrate, " "), i+1, err, out)
		}
	}

	s := c.start("DATABASE_URL="+url, "SHUTDOWN_DRAIN=1s")
	a := c.openapi(s, openapi, asks, answers)
	c.waitReady(s, 200)
	it := c.items(a, s)

	// The database goes away: the server stays live, turns unready,
	// and answers the items routes with a 503 problem.
	if err := cl.stop(); err != nil {
		c.t.Fatal(err)
	}
	r := c.waitReady(s, 503)
	if r != nil && !jsonEqual(r.body, `{"status":"unavailable","database":"unreachable"}`) {
		c.fail(`GET /readyz with the database stopped answered %s, want {"status":"unavailable","database":"unreachable"}`, r.body)
	}
	c.conform(a, s, "GET", "/healthz", "", 200)
	c.problem("GET /v1/items/{id} with the database stopped", c.conform(a, s, "GET", "/v1/items/"+it.ID, "", 503), 503)
	if strings.Contains(s.out.String(), password) {
		c.fail("the logs hold a password")
	}

	// ... and comes back: so does the server, with the item.
	if err := cl.start(); err != nil {
		c.t.Fatal(err)
	}
	c.waitReady(s, 200)
	if r := c.conform(a, s, "GET", "/v1/items/"+it.ID, "", 200); !bytes.Contains(r.body, []byte(it.ID)) {
		c.fail("after the database came back, GET /v1/items/%s answered %s", it.ID, r.body)
	}
	if err := s.cmd.Signal(syscall.SIGTERM); err != nil {
		c.t.Fatal(err)
	}
	if code, err := s.wait(exitWithin); err != nil || code != 0 {
		c.fail("after SIGTERM the server with a database ended with code %d, %v; want 0\n%s", code, err, s.out)
	}

	// Without a database the tests pass, the integration tests
	// skipped; with DATABASE_URL set they run: naming a database that
	// does not exist fails them.
	if _, out, err := run(c.dir, without(c.env, "DATABASE_URL"), testStep[0], testStep[1:]...); err != nil {
		c.fail("step test without DATABASE_URL (%s) failed: %v\n%s", strings.Join(testStep, " "), err, out)
	}
	env := append(without(c.env, "DATABASE_URL"), "DATABASE_URL="+cl.url("no_such_database"))
	if _, out, err := run(c.dir, env, testStep[0], testStep[1:]...); err == nil {
		c.fail("%s passed with DATABASE_URL naming a database that does not exist: the integration tests did not run\n%s", strings.Join(testStep, " "), out)
	}
}

// badEnv expects the server to refuse to start in env: exit code 2 and
// one line on stderr that names the variable, and secret nowhere.
func (c *contract) badEnv(what, name string, env []string, secret string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), exitWithin)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.serve[0], c.serve[1:]...)
	cmd.Dir = c.dir
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		c.fail("with %s the server ended with %v, want exit code 2\n%s%s", what, err, stdout.Bytes(), stderr.Bytes())
		return
	}
	lines := strings.Split(strings.TrimRight(stderr.String(), "\n"), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], name) {
		c.fail("with %s stderr is not one line naming %s:\n%s", what, name, stderr.Bytes())
	}
	if secret != "" && (bytes.Contains(stdout.Bytes(), []byte(secret)) || bytes.Contains(stderr.Bytes(), []byte(secret))) {
		c.fail("with %s the server printed the URL's password:\n%s%s", what, stdout.Bytes(), stderr.Bytes())
	}
}

// waitReady polls /readyz until it answers status, and returns that
// answer (nil when it did not come in time).
func (c *contract) waitReady(s *server, status int) *response {
	c.t.Helper()
	deadline := time.Now().Add(startWithin)
	var r *response
	for time.Now().Before(deadline) {
		if r = c.do(s, "GET", "/readyz", "", ""); r.status == status {
			return r
		}
		time.Sleep(200 * time.Millisecond)
	}
	c.fail("GET /readyz answered %d for %v, want %d: %s\n%s", r.status, startWithin, status, r.body, s.out)
	return nil
}

// without is env without the variable name.
func without(env []string, name string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool { return strings.HasPrefix(kv, name+"=") })
}

// brokenMigration adds a migration that cannot apply beside the first
// one, named as the project's tool names them (the same number of
// digits, all nines, so it comes last), holding the first one's text
// with its CREATE TABLE broken; it returns the file's path.
func brokenMigration(dir string) (string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "migrations", "*.sql"))
	// A reversible migration's down half creates nothing.
	files = slices.DeleteFunc(files, func(f string) bool { return strings.HasSuffix(f, ".down.sql") })
	if err != nil || len(files) == 0 {
		return "", fmt.Errorf("no migrations/*.sql but down migrations: %v", err)
	}
	slices.Sort(files)
	first := files[0]
	base := filepath.Base(first)
	digits := len(base) - len(strings.TrimLeft(base, "0123456789"))
	if digits == 0 {
		return "", fmt.Errorf("%s does not start with its version", base)
	}
	rest := base[digits:]
	// "_create_items.up.sql" keeps its ".up.sql".
	suffix := ".sql"
	if strings.HasSuffix(rest, ".up.sql") {
		suffix = ".up.sql"
	}
	sep := rest[:1]
	data, err := os.ReadFile(first)
	if err != nil {
		return "", err
	}
	broken := bytes.Replace(data, []byte("CREATE TABLE items"), []byte("CREATE TABLEE broken_items"), 1)
	if bytes.Equal(broken, data) {
		return "", fmt.Errorf("%s has no CREATE TABLE items to break", base)
	}
	path := filepath.Join(dir, "migrations", strings.Repeat("9", digits)+sep+"broken"+suffix)
	return path, os.WriteFile(path, broken, 0o644)
}

// checkDatabaseCompose loads compose.yaml, as Compose does, and expects
// the database beside the app: PostgreSQL with its health check and a
// named volume, a one-shot migrate, and the app waiting for both.
func checkDatabaseCompose(c *contract) {
	file := filepath.Join(c.dir, "compose.yaml")
	data, err := os.ReadFile(file)
	if err != nil {
		c.fail("compose.yaml: %v", err)
		return
	}
	cfg := types.ConfigDetails{WorkingDir: c.dir, ConfigFiles: []types.ConfigFile{{Filename: file, Content: data}}, Environment: types.Mapping{}}
	proj, err := loader.LoadWithContext(context.Background(), cfg, func(o *loader.Options) { o.SetProjectName("e2e", true) })
	if err != nil {
		c.fail("compose.yaml does not load: %v", err)
		return
	}
	pg, ok := proj.Services["postgres"]
	switch {
	case !ok:
		c.fail("compose.yaml has no postgres service: %v", slices.Sorted(maps.Keys(proj.Services)))
		return
	case pg.HealthCheck == nil || !strings.Contains(strings.Join(pg.HealthCheck.Test, " "), "pg_isready"):
		c.fail("compose service postgres has no pg_isready health check: %+v", pg.HealthCheck)
	case len(pg.Volumes) == 0 || pg.Volumes[0].Type != types.VolumeTypeVolume:
		c.fail("compose service postgres keeps its data in no named volume: %+v", pg.Volumes)
	}
	// The app is built from the Dockerfile; migrate runs it (or its
	// image) once with the argument migrate.
	var app, migrate *types.ServiceConfig
	for name, svc := range proj.Services {
		switch {
		case name == "postgres":
		case len(svc.Command) > 0 && svc.Command[len(svc.Command)-1] == "migrate":
			migrate = &svc
		case svc.Build != nil:
			app = &svc
		}
	}
	if app == nil || migrate == nil {
		c.fail("compose.yaml has no app built from the Dockerfile and migrate service (command ending in migrate): %+v", proj.Services)
		return
	}
	if app.Build.Context != c.dir {
		c.fail("compose service %s is built from %s, want the project", app.Name, app.Build.Context)
	}
	if d := app.DependsOn["postgres"]; d.Condition != types.ServiceConditionHealthy {
		c.fail("compose service %s does not wait for postgres to be healthy: %+v", app.Name, app.DependsOn)
	}
	if d := app.DependsOn[migrate.Name]; d.Condition != types.ServiceConditionCompletedSuccessfully {
		c.fail("compose service %s does not wait for %s to complete: %+v", app.Name, migrate.Name, app.DependsOn)
	}
	for _, svc := range []*types.ServiceConfig{app, migrate} {
		if v := svc.Environment["DATABASE_URL"]; v == nil || !strings.Contains(*v, "@postgres:5432/") {
			c.fail("compose service %s does not get a DATABASE_URL of the postgres service: %v", svc.Name, svc.Environment)
		}
	}
}

// TestEveryServiceOffersTheDayOneFeatures runs with every go test: each
// built-in service serves an OpenAPI document and offers PostgreSQL, and
// says so in its manifest, so that verify and this proof check both.
func TestEveryServiceOffersTheDayOneFeatures(t *testing.T) {
	cat, err := catalog.Builtins(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, info := range projectTemplates(cat) {
		if info.Kind != template.Service {
			continue
		}
		opened, err := source.OpenWith(context.Background(), info.Name, source.Options{})
		if err != nil {
			t.Fatal(err)
		}
		m := opened.Template.Manifest
		if m.OpenAPI == "" {
			t.Errorf("%s: the manifest names no openapi document", info.Name)
		}
		var q *template.Question
		for i := range m.Questions {
			if m.Questions[i].Name == "database" {
				q = &m.Questions[i]
			}
		}
		if q == nil || q.Type != template.Select || !slices.Equal(q.Choices, []string{"none", "postgres"}) || q.Default != "none" {
			t.Errorf("%s: no database question with choices none, postgres and default none: %+v", info.Name, q)
		}
		if m.Database.Items != "/v1/items" || m.Database.When == "" {
			t.Errorf("%s: the manifest's database is %+v, want items /v1/items when database is postgres", info.Name, m.Database)
		}
	}
}
