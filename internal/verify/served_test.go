//go:build unix

package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/scaffold-cli/scaffold/internal/proc/proctest"
)

// itemsServer is a service with a database, as the test binary: with the
// argument migrate it records that it ran and exits (1 in mode
// items-badmigration); else it serves /healthz, /openapi.json, /readyz
// (503 when DATABASE_URL is the unreachable one verify gives) and
// /v1/items from memory. Modes items-<fault> break one promise.
func itemsServer(mode string) int {
	if len(os.Args) > 1 && os.Args[1] == "migrate" {
		switch mode {
		case "items-badmigration":
			fmt.Fprintln(os.Stderr, "migration 00002_broken.sql: syntax error at or near \"TABLEE\"")
			return 1
		case "items-hangmigrate":
			// A migration that never ends, ignores SIGTERM and leaves a
			// child behind.
			signal.Ignore(syscall.SIGTERM)
			child := exec.Command("sleep", "300")
			if err := child.Start(); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			pidFile := os.Getenv("VERIFY_TEST_MIGRATED")
			os.WriteFile(pidFile+".tmp", []byte(strconv.Itoa(child.Process.Pid)), 0o644)
			os.Rename(pidFile+".tmp", pidFile)
			child.Wait()
			return 1
		case "items-migrateserves":
			// A server that knows no migrate command, and serves.
			sig := make(chan os.Signal, 1)
			signal.Notify(sig, syscall.SIGTERM)
			<-sig
			return 0
		case "items-echomigrate":
			// A driver that says where it failed to connect, secret and all.
			fmt.Fprintf(os.Stderr, "cannot connect to %s\n", os.Getenv(DatabaseEnv))
			return 1
		}
		if err := os.WriteFile(os.Getenv("VERIFY_TEST_MIGRATED"), []byte(os.Getenv(DatabaseEnv)), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return 0
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM)
	reply := func(w http.ResponseWriter, status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
	}
	var mu sync.Mutex
	items := map[string]item{}
	var order []string
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if mode == "items-healthzredirect" {
			// The answer verify wants, but from another server.
			elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				reply(w, 200, map[string]string{"status": "ok"})
			}))
			http.Redirect(w, r, elsewhere.URL+"/healthz", http.StatusFound)
			return
		}
		reply(w, 200, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) {
		switch mode {
		case "items-slowdoc":
			// One byte a second, for ever.
			w.Header().Set("Content-Type", "application/json")
			for {
				w.Write([]byte(" "))
				w.(http.Flusher).Flush()
				time.Sleep(time.Second)
			}
		case "items-endlessdoc":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"openapi": "3.1.0", "x": "`))
			chunk := []byte(strings.Repeat("x", 1<<16))
			for {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}
		version := "3.1.0"
		if mode == "items-swagger" {
			version = ""
		}
		reply(w, 200, map[string]any{"openapi": version, "paths": map[string]any{"/healthz": map[string]any{}}})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		up := os.Getenv(DatabaseEnv) != unreachableDatabase
		if mode == "items-alwaysready" {
			up = true
		}
		if !up {
			reply(w, 503, map[string]string{"status": "unavailable", "database": "unreachable"})
			return
		}
		reply(w, 200, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("POST /v1/items", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Name string `json:"name"`
		}
		json.NewDecoder(r.Body).Decode(&in)
		switch mode {
		case "items-echobody":
			reply(w, 500, map[string]string{"error": "no connection to " + os.Getenv(DatabaseEnv)})
			return
		case "items-echoclip":
			// The password straddles where verify clips a body it quotes.
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(500)
			fmt.Fprintf(w, `{"error":"%s%s"}`, strings.Repeat(".", 271), os.Getenv(DatabaseEnv))
			return
		case "items-echoctype":
			// Quoted in the error, the password's quote is escaped.
			w.Header().Set("Content-Type", "text/plain; dsn="+os.Getenv(DatabaseEnv))
			w.WriteHeader(201)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		it := item{ID: fmt.Sprintf("id-%d", len(items)+1), Name: in.Name}
		items[it.ID] = it
		order = append(order, it.ID)
		switch mode {
		case "items-nolocation":
		case "items-hugelocation":
			w.Header().Set("Location", "/v1/items/"+strings.Repeat("a", 4<<20))
		case "items-longlocation":
			w.Header().Set("Location", "/v1/items/"+strings.Repeat("a", 32<<10))
		case "items-userinfo":
			w.Header().Set("Location", "http://verify:secret@"+r.Host+"/v1/items/"+it.ID)
		default:
			w.Header().Set("Location", "/v1/items/"+it.ID)
		}
		reply(w, 201, it)
	})
	mux.HandleFunc("GET /v1/items/{id}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		it, ok := items[r.PathValue("id")]
		if !ok {
			reply(w, 404, map[string]string{"title": "not found"})
			return
		}
		if mode == "items-forgetful" {
			it.Name = "someone else"
		}
		reply(w, 200, it)
	})
	mux.HandleFunc("GET /v1/items", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		list := []item{}
		if r.URL.Query().Get("limit") == "1" && len(order) > 0 {
			list = append(list, items[order[len(order)-1]])
		}
		reply(w, 200, map[string]any{"items": list})
	})
	go http.ListenAndServe("127.0.0.1:"+os.Getenv("PORT"), mux)
	<-sig
	return 0
}

func itemsPlan(t *testing.T, mode string, env ...string) (*Plan, string) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(t.TempDir(), "migrated")
	base := []string{"VERIFY_TEST_SERVER=" + mode, "VERIFY_TEST_MIGRATED=" + marker}
	// The test's own environment may name a database: these plans say
	// for themselves whether there is one.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, DatabaseEnv+"=") {
			base = append(base, kv)
		}
	}
	return &Plan{Serve: []string{exe}, OpenAPI: "/openapi.json", Items: "/v1/items", Env: append(base, env...)}, marker
}

func TestServeWithADatabaseMigratesThenCreatesAndReadsAnItem(t *testing.T) {
	const url = "postgres://app@127.0.0.1:5432/app"
	p, marker := itemsPlan(t, "items", DatabaseEnv+"="+url)
	rs, err := run(t, context.Background(), t.TempDir(), p)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Step != MigrateStep || rs[1].Step != "serve" {
		t.Fatalf("results %+v, want migrate then serve", rs)
	}
	if want := strings.Join(p.Serve, " ") + " migrate"; rs[0].Command != want {
		t.Errorf("migrate ran %q, want %q", rs[0].Command, want)
	}
	if got, err := os.ReadFile(marker); err != nil || string(got) != url {
		t.Errorf("the migrate command saw DATABASE_URL %q (%v), want %q", got, err, url)
	}
	for _, want := range []string{"GET /openapi.json", "GET /readyz", "POST, GET and list /v1/items"} {
		if !strings.Contains(rs[1].Checks, want) {
			t.Errorf("serve checked %q, want %q among them", rs[1].Checks, want)
		}
	}
}

func TestServeWithoutADatabaseSaysItSkippedAndWantsNotReady(t *testing.T) {
	p, marker := itemsPlan(t, "items")
	rs, err := run(t, context.Background(), t.TempDir(), p)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Step != MigrateStep || rs[0].Skipped == "" || rs[1].Step != "serve" {
		t.Fatalf("results %+v, want migrate skipped, then serve", rs)
	}
	if !strings.Contains(rs[0].Skipped, "DATABASE_URL is not set") {
		t.Errorf("skipped says %q, want it to name DATABASE_URL", rs[0].Skipped)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the migrate command ran with no database")
	}
	if !strings.Contains(rs[1].Checks, "GET /readyz 503 with no database") {
		t.Errorf("serve checked %q, want /readyz 503 among them", rs[1].Checks)
	}
	// The steps before serve get no database: a project's tests skip
	// their integration tests then, and must not be handed a database
	// that is not there.
	p, _ = itemsPlan(t, "items")
	p.Steps = []Step{{Name: "test", Args: []string{"sh", "-c", `test -z "$DATABASE_URL" || { echo "DATABASE_URL=$DATABASE_URL"; exit 1; }`}}}
	if rs, err := run(t, context.Background(), t.TempDir(), p); err != nil {
		t.Errorf("a step before serve was given a database: %+v, %v", rs, err)
	}
	// An empty DATABASE_URL is no database either.
	p, _ = itemsPlan(t, "items", DatabaseEnv+"=")
	if rs, err := run(t, context.Background(), t.TempDir(), p); err != nil || rs[0].Skipped == "" {
		t.Errorf("with DATABASE_URL empty: %+v, %v; want migrate skipped", rs, err)
	}
}

func TestServeFailsWhenTheServerBreaksTheDatabasePromises(t *testing.T) {
	for mode, want := range map[string]string{
		"items-badmigration": "00002_broken.sql",
		"items-nolocation":   "no Location header",
		"items-forgetful":    "want the item created",
		"items-swagger":      `want a 3.x document`,
	} {
		t.Run(mode, func(t *testing.T) {
			p, _ := itemsPlan(t, mode, DatabaseEnv+"=postgres://app@127.0.0.1:5432/app")
			rs, err := run(t, context.Background(), t.TempDir(), p)
			if err == nil {
				t.Fatalf("verify passed: %+v", rs)
			}
			if !strings.Contains(err.Error(), want) {
				t.Errorf("err = %v, want it to contain %q", err, want)
			}
		})
	}
	t.Run("ready with no database", func(t *testing.T) {
		defer func(d time.Duration) { readyTimeout = d }(readyTimeout)
		readyTimeout = 2 * time.Second
		p, _ := itemsPlan(t, "items-alwaysready")
		_, err := run(t, context.Background(), t.TempDir(), p)
		if err == nil || !strings.Contains(err.Error(), "GET /readyz answered 200") {
			t.Errorf("err = %v, want /readyz's 200 with no database named", err)
		}
	})
}

// The server is the template's code: what it answers may not make verify
// wait past its deadlines or a signal, read without bound, take another
// server's answer for its own, or print the database's password.

func TestServeHoldsAgainstAHostileServer(t *testing.T) {
	const url = "postgres://app:hunter2-s3cret@127.0.0.1:5432/app"
	for mode, want := range map[string]string{
		"items-endlessdoc":      "more than 4 MiB",
		"items-userinfo":        "is not a path on the server",
		"items-healthzredirect": "GET /healthz answered 302",
	} {
		t.Run(mode, func(t *testing.T) {
			p, _ := itemsPlan(t, mode, DatabaseEnv+"="+url)
			rs, err := run(t, context.Background(), t.TempDir(), p)
			if err == nil {
				t.Fatalf("verify passed: %+v", rs)
			}
			if !strings.Contains(err.Error(), want) {
				t.Errorf("err = %v, want it to contain %q", err, want)
			}
		})
	}
}

func TestServeStopsPromptlyOnASlowServerWhenInterrupted(t *testing.T) {
	p, _ := itemsPlan(t, "items-slowdoc", DatabaseEnv+"=postgres://app@127.0.0.1:5432/app")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(2*time.Second, cancel)
	start := time.Now()
	_, err := run(t, ctx, t.TempDir(), p)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > requestTimeout {
		t.Errorf("verify took %v after the interrupt, longer than a request's own deadline", d)
	}
}

func TestTheDatabasePasswordIsNeverShown(t *testing.T) {
	for _, c := range []struct{ mode, password, shown string }{
		{"items-echomigrate", "hunter2-s3cret", "postgres://app:xxxxx@127.0.0.1:5432/app"},
		{"items-echobody", "hunter2-s3cret", "postgres://app:xxxxx@127.0.0.1:5432/app"},
		{"items-echoclip", "hunter2-s3cret", "postgres://app:xxxx"},
		{"items-echoctype", `hunter"2-s3cret`, "postgres://app:xxxxx@127.0.0.1:5432/app"},
	} {
		t.Run(c.mode, func(t *testing.T) {
			p, _ := itemsPlan(t, c.mode, DatabaseEnv+"=postgres://app:"+c.password+"@127.0.0.1:5432/app")
			rs, err := run(t, context.Background(), t.TempDir(), p)
			if err == nil {
				t.Fatalf("verify passed: %+v", rs)
			}
			b, _ := json.Marshal(rs)
			for what, s := range map[string]string{"the error": err.Error(), "the results": string(b)} {
				// Not even a part of it.
				if strings.Contains(s, "s3cret") || strings.Contains(s, "hunt") {
					t.Errorf("%s show the password: %s", what, s)
				}
			}
			if !strings.Contains(err.Error(), c.shown) {
				t.Errorf("err = %v, want it to show %s", err, c.shown)
			}
		})
	}
}

func TestLocationMustBeAPathOnTheServer(t *testing.T) {
	const base = "http://127.0.0.1:8080"
	for loc, want := range map[string]string{
		"/v1/items/1":                           base + "/v1/items/1",
		"1":                                     base + "/1",
		base + "/v1/items/1":                    base + "/v1/items/1",
		"http://evil.example/v1/items/1":        "",
		"//evil.example/v1/items/1":             "",
		"https://127.0.0.1:8080/v1/items/1":     "",
		"file:///etc/passwd":                    "",
		"javascript:alert(1)":                   "",
		"http://user:pw@127.0.0.1:8080/v1/x":    "",
		"http://user@127.0.0.1:8080/v1/x":       "",
		"//user@127.0.0.1:8080/v1/x":            "",
		"http://127.0.0.1:8080@evil.example/x":  "",
		"http://127.0.0.1:8080\\@evil.example/": "",
	} {
		got, err := location(base, loc)
		switch {
		case want == "" && err == nil:
			t.Errorf("location(%q) = %q, want it refused", loc, got)
		case want != "" && (err != nil || got != want):
			t.Errorf("location(%q) = %q, %v; want %q", loc, got, err, want)
		}
	}
}

func TestAnInterruptEndsAMigrationThatNeverEnds(t *testing.T) {
	p, pidFile := itemsPlan(t, "items-hangmigrate", DatabaseEnv+"=postgres://app@127.0.0.1:5432/app")
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for !exists(pidFile) {
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
	}()
	_, err := run(t, ctx, t.TempDir(), p)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if !proctest.Gone(t, pidFile, promptly) {
		t.Error("the migration's child outlived the interrupt")
	}
}

func TestAHugeHeaderIsRefusedNotQuoted(t *testing.T) {
	for _, mode := range []string{"items-hugelocation", "items-longlocation"} {
		t.Run(mode, func(t *testing.T) {
			p, _ := itemsPlan(t, mode, DatabaseEnv+"=postgres://app@127.0.0.1:5432/app")
			rs, err := run(t, context.Background(), t.TempDir(), p)
			if err == nil {
				t.Fatalf("verify passed: %+v", rs)
			}
			if len(err.Error()) > 4<<10 {
				t.Errorf("the error is %d KiB long", len(err.Error())>>10)
			}
		})
	}
}

func TestAMigrateStepThatServesInsteadEndsAtItsDeadline(t *testing.T) {
	defer func(d time.Duration) { migrateTimeout = d }(migrateTimeout)
	migrateTimeout = time.Second
	p, _ := itemsPlan(t, "items-migrateserves", DatabaseEnv+"=postgres://app@127.0.0.1:5432/app")
	rs, err := run(t, context.Background(), t.TempDir(), p)
	if err == nil {
		t.Fatalf("verify passed: %+v", rs)
	}
	if !strings.Contains(err.Error(), "did not finish within 1s") {
		t.Errorf("err = %v, want the migrate step's deadline", err)
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		t.Errorf("err = %v: the step's deadline is not an interrupt", err)
	}
}
