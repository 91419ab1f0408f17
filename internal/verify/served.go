package verify

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The bounds of the checks of a running server's routes. The server is
// the project's code, from a template that may not be trusted: every
// request has a deadline and every body read is bounded.
const (
	// requestTimeout bounds one request to the server.
	requestTimeout = 10 * time.Second
	// bodyLimit bounds a body read from the server; an OpenAPI
	// document is the largest, a few KiB for a generated project.
	bodyLimit = 4 << 20
)

// readyTimeout bounds the wait for /readyz to answer as the database's
// state says it must (a test shortens it).
var readyTimeout = 20 * time.Second

// DatabaseEnv is the variable a project with a database finds it by.
const DatabaseEnv = "DATABASE_URL"

// unreachableDatabase is the DATABASE_URL verify serves a project with
// when it has no database to give it: a well-formed URL of a port no
// server listens at (1, tcpmux, refused at once), so the server must
// start and stay live while it reports itself not ready.
const unreachableDatabase = "postgres://scaffold-verify@127.0.0.1:1/scaffold_verify?sslmode=disable"

// fetched is one answer of the server, its body bounded.
type fetched struct {
	status int
	header http.Header
	body   []byte
	// redact hides the database's password in what of the answer an
	// error shows: before it is clipped or quoted, which would leave a
	// part of it, or a form of it, that redacting the error misses.
	redact redactor
}

func fetch(ctx context.Context, redact redactor, method, url, body string) (*fetched, error) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		return nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := toServer.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, bodyLimit+1))
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	if len(b) > bodyLimit {
		return nil, fmt.Errorf("the answer is more than %d MiB", bodyLimit>>20)
	}
	return &fetched{status: resp.StatusCode, header: resp.Header, body: b, redact: redact}, nil
}

// jsonOf decodes an answer that must be JSON.
func (f *fetched) jsonOf(what string, v any) error {
	if ct := f.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return fmt.Errorf("%s answered Content-Type %q, want application/json", what, f.redact.String(ct))
	}
	if err := json.Unmarshal(f.body, v); err != nil {
		return fmt.Errorf("%s answered a body that is not the JSON it documents (%v): %s", what, err, f.clip())
	}
	return nil
}

// short shortens what the server named (a Location) for an error
// message.
func short(s string) string {
	const max = 200
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}

// clip is the body shortened for an error message, its secrets hidden
// first.
func (f *fetched) clip() string {
	const max = 300
	s := f.redact.String(string(f.body))
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}

// checkOpenAPI expects the server's OpenAPI document at path: a JSON
// object of OpenAPI 3.x whose paths hold /healthz.
func checkOpenAPI(ctx context.Context, redact redactor, base, path string) error {
	what := "GET " + path
	f, err := fetch(ctx, redact, http.MethodGet, base+path, "")
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if f.status != http.StatusOK {
		return fmt.Errorf("%s answered %d, want 200: %s", what, f.status, f.clip())
	}
	var doc struct {
		OpenAPI string                     `json:"openapi"`
		Paths   map[string]json.RawMessage `json:"paths"`
	}
	if err := f.jsonOf(what, &doc); err != nil {
		return err
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		return fmt.Errorf("%s answered openapi %q, want a 3.x document", what, redact.String(doc.OpenAPI))
	}
	if _, ok := doc.Paths["/healthz"]; !ok {
		return fmt.Errorf("%s documents no /healthz among its %d paths", what, len(doc.Paths))
	}
	return nil
}

// waitReady polls /readyz until it answers want (200 with the database
// up, 503 without), within readyTimeout: a pool may take a moment to
// connect, or to give up on a server that is not there.
func waitReady(ctx context.Context, redact redactor, base string, want int) error {
	deadline := time.Now().Add(readyTimeout)
	for {
		f, err := fetch(ctx, redact, http.MethodGet, base+"/readyz", "")
		switch {
		case err == nil && f.status == want:
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		case time.Now().After(deadline):
			if err != nil {
				return fmt.Errorf("GET /readyz: %w", err)
			}
			return fmt.Errorf("GET /readyz answered %d for %v, want %d: %s", f.status, readyTimeout, want, f.clip())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// item is the sample resource of a project's database.
type item struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// checkItems creates an item at path on the running server, reads it
// back from the Location the server gave, and lists it.
func checkItems(ctx context.Context, redact redactor, base, path string) error {
	token := make([]byte, 6)
	rand.Read(token)
	name := fmt.Sprintf("scaffold verify %x", token)
	body, _ := json.Marshal(map[string]string{"name": name})

	what := "POST " + path
	f, err := fetch(ctx, redact, http.MethodPost, base+path, string(body))
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if f.status != http.StatusCreated {
		return fmt.Errorf("%s %s answered %d, want 201: %s", what, body, f.status, f.clip())
	}
	var created item
	if err := f.jsonOf(what, &created); err != nil {
		return err
	}
	if created.ID == "" || created.Name != name {
		return fmt.Errorf("%s %s answered %s, want the item with its id and that name", what, body, f.clip())
	}
	loc, err := location(base, f.header.Get("Location"))
	if errors.Is(err, errNotOnServer) {
		return fmt.Errorf("%s: the Location %q %w", what, short(redact.String(f.header.Get("Location"))), err)
	} else if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}

	what = "GET " + short(redact.String(strings.TrimPrefix(loc, base)))
	if f, err = fetch(ctx, redact, http.MethodGet, loc, ""); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	var got item
	if f.status != http.StatusOK {
		return fmt.Errorf("%s (the Location of the item created) answered %d, want 200: %s", what, f.status, f.clip())
	}
	if err := f.jsonOf(what, &got); err != nil {
		return err
	}
	if got != created {
		return fmt.Errorf("%s answered %s, want the item created: id %q, name %q", what, f.clip(), redact.String(created.ID), created.Name)
	}

	what = "GET " + path + "?limit=1"
	if f, err = fetch(ctx, redact, http.MethodGet, base+path+"?limit=1", ""); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if f.status != http.StatusOK {
		return fmt.Errorf("%s answered %d, want 200: %s", what, f.status, f.clip())
	}
	var list struct {
		Items []item `json:"items"`
	}
	if err := f.jsonOf(what, &list); err != nil {
		return err
	}
	if len(list.Items) != 1 || list.Items[0].ID == "" {
		return fmt.Errorf(`%s answered %s, want {"items": [...]} with one item`, what, f.clip())
	}
	return nil
}

// errNotOnServer is a Location that is not a path on the server.
var errNotOnServer = errors.New("is not a path on the server")

// location resolves a Location header against the server's base URL; it
// must name a path on the same server, and nothing else: no other
// scheme or host, and no user name or password, which the request
// would otherwise send (and an error show).
func location(base, loc string) (string, error) {
	if loc == "" {
		return "", errors.New("the answer has no Location header naming the item created")
	}
	b, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u, err := b.Parse(loc)
	if err != nil || u.Host != b.Host || u.Scheme != b.Scheme || u.User != nil {
		return "", errNotOnServer
	}
	return u.String(), nil
}

// hasDatabase reports whether env names a database: DATABASE_URL set
// and not empty.
func hasDatabase(env []string) bool {
	v := ""
	for _, kv := range env {
		if s, ok := strings.CutPrefix(kv, DatabaseEnv+"="); ok {
			v = s
		}
	}
	return v != ""
}
