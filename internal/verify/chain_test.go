//go:build unix

package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
)

// chainPart is a workspace part for the chain tests: it answers GET
// /v1/chain as CHAIN_NAME, through the part at NEXT_URL when that is
// set. Modes: chain (good), chain-skip (answers without calling the
// next), chain-500 (answers 500), chain-exit1 (exits 1 at SIGTERM).
func chainPart(mode string) int {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM)
	name, next := os.Getenv("CHAIN_NAME"), os.Getenv("NEXT_URL")
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"ok"}`))
	})
	http.HandleFunc("/v1/chain", func(w http.ResponseWriter, r *http.Request) {
		if mode == "chain-500" {
			http.Error(w, "broken", http.StatusInternalServerError)
			return
		}
		answer := map[string]any{"service": name}
		if next != "" && mode != "chain-skip" {
			resp, err := http.Get(next + "/v1/chain")
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK {
				http.Error(w, string(body), http.StatusBadGateway)
				return
			}
			answer["downstream"] = json.RawMessage(body)
		}
		json.NewEncoder(w).Encode(answer)
	})
	go http.ListenAndServe("127.0.0.1:"+os.Getenv("PORT"), nil)
	<-sig
	if mode == "chain-exit1" {
		return 1
	}
	return 0
}

func chainParts(t *testing.T, modes ...string) []ChainPart {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var parts []ChainPart
	for i, m := range modes {
		p := ChainPart{Name: fmt.Sprintf("part%d", i), Dir: t.TempDir(), Serve: []string{exe},
			Env: append(os.Environ(), "VERIFY_TEST_SERVER="+m, fmt.Sprintf("CHAIN_NAME=part%d", i))}
		if i+1 < len(modes) {
			p.URLVar = "NEXT_URL"
		}
		parts = append(parts, p)
	}
	return parts
}

func TestChainThroughEveryPart(t *testing.T) {
	r := Chain(context.Background(), chainParts(t, "chain", "chain", "chain"))
	if r.Err != "" {
		t.Fatalf("chain failed: %s\n%s", r.Err, r.Output)
	}
	if r.Step != "chain" || r.Command != "GET /v1/chain through part0, part1, part2" {
		t.Errorf("result %+v", r)
	}
}

// A chain that stops short, fails, or a part that does not stop
// cleanly, fails the check with what went wrong.
func TestChainSaysWhatWentWrong(t *testing.T) {
	for _, tc := range []struct {
		modes []string
		want  string
	}{
		{[]string{"chain", "chain-skip", "chain"}, "it came through part0 > part1, want part0 > part1 > part2"},
		{[]string{"chain", "chain-500"}, "answered 502, want 200"},
		{[]string{"chain", "chain-exit1"}, "after SIGTERM part1 exited with exit status 1, want exit code 0"},
	} {
		t.Run(strings.Join(tc.modes, ","), func(t *testing.T) {
			r := Chain(context.Background(), chainParts(t, tc.modes...))
			if !strings.Contains(r.Err, tc.want) {
				t.Fatalf("err = %q, want %q\n%s", r.Err, tc.want, r.Output)
			}
		})
	}
}

func TestChainOf(t *testing.T) {
	for body, want := range map[string]string{
		`{"service":"a","downstream":{"service":"b","downstream":{"service":"c"}}}`: "a b c",
		`{"service":"a"}`:                   "a",
		`{"service":"a","downstream":"b"}`:  `a: a's "downstream" is not an object`,
		`{"service":1}`:                     `: a part's answer has no "service" string`,
		`[1]`:                               ": it is not a JSON object",
		`{"service":"a","downstream":null}`: `a: a's "downstream" is not an object`,
	} {
		got, err := chainOf([]byte(body))
		s := strings.Join(got, " ")
		if err != nil {
			s += ": " + err.Error()
		}
		if !strings.HasPrefix(s, want) {
			t.Errorf("chainOf(%s) = %q, want %q", body, s, want)
		}
	}
}
