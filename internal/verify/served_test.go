//go:build unix

package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// itemsServer is a service with a database, as the test binary: with the
// argument migrate it records that it ran and exits (1 in mode
// items-badmigration); else it serves /healthz, /openapi.json, /readyz
// (503 when DATABASE_URL is the unreachable one verify gives) and
// /v1/items from memory. Modes items-<fault> break one promise.
func itemsServer(mode string) int {
	if len(os.Args) > 1 && os.Args[1] == "migrate" {
		if mode == "items-badmigration" {
			fmt.Fprintln(os.Stderr, "migration 00002_broken.sql: syntax error at or near \"TABLEE\"")
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
		reply(w, 200, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) {
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
		mu.Lock()
		defer mu.Unlock()
		it := item{ID: fmt.Sprintf("id-%d", len(items)+1), Name: in.Name}
		items[it.ID] = it
		order = append(order, it.ID)
		if mode != "items-nolocation" {
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
