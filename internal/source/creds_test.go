package source

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
)

// sawToken reports whether any request since from carried the token in
// its Authorization header, as user or password.
func (s *gitServer) sawToken(from int, token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.auths[from:] {
		raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(a, "Basic "))
		if strings.Contains(a, token) || strings.Contains(string(raw), token) {
			return true
		}
	}
	return false
}

func (s *gitServer) mark() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.auths)
}

// TestGitTokenOnlyToAllowedHosts serves one repository under two host
// names, 127.0.0.1 (allowed) and localhost (not), and checks where
// SCAFFOLD_GIT_TOKEN and a URL's own credentials go.
func TestGitTokenOnlyToAllowedHosts(t *testing.T) {
	const token = "tok-ALLOWED-only-5678"
	fx := newFixture(t)
	srv := fx.serve(t, token)
	hostA := srv.url
	hostB := strings.Replace(srv.url, "127.0.0.1", "localhost", 1)
	o := newOpener(t)
	o.env[TokenEnv] = token
	opts := func(project bool, hosts ...string) Options {
		so := o.options()
		so.TokenHosts = hosts
		so.ProjectRef = project
		return so
	}
	open := func(ref string, so Options) error {
		_, err := OpenWith(context.Background(), ref, so)
		return err
	}

	// Host B is not allowed: nothing of the token reaches it, and the
	// error says how to allow it.
	for _, ref := range []string{hostB + "//svc@v1", hostB + "//svc@dev", hostB} {
		from := srv.mark()
		err := open(ref, opts(false, "127.0.0.1"))
		if err == nil || !strings.Contains(err.Error(), "is not one: add it to git.token_hosts in the scaffold config, or to "+TokenHostsEnv) {
			t.Errorf("%s: err = %v, want the token withheld, saying how to allow the host", ref, err)
		}
		if srv.mark() == from {
			t.Errorf("%s: no request reached the server", ref)
		}
		if srv.sawToken(from, token) {
			t.Errorf("%s: the token was sent to a host that is not allowed", ref)
		}
	}
	from := srv.mark()
	if _, err := Tags(context.Background(), hostB, opts(false, "127.0.0.1")); err == nil || srv.sawToken(from, token) {
		t.Errorf("Tags of host B: err = %v, token sent %v", err, srv.sawToken(from, token))
	}

	// Host A is: the token goes there.
	from = srv.mark()
	if err := open(hostA+"//svc@v1", opts(false, "127.0.0.1")); err != nil {
		t.Fatalf("host A: %v", err)
	}
	if !srv.sawToken(from, token) {
		t.Errorf("host A: the token was not sent")
	}
	if tags, err := Tags(context.Background(), hostA, opts(false, "127.0.0.1")); err != nil || len(tags) != 2 {
		t.Errorf("Tags of host A = %q, %v", tags, err)
	}

	// The environment allows host B, by name (any port).
	o.env[TokenHostsEnv] = "example.com,localhost"
	if err := open(hostB+"//svc@v1", opts(false)); err != nil {
		t.Errorf("host B allowed by %s: %v", TokenHostsEnv, err)
	}
	delete(o.env, TokenHostsEnv)

	// A token written in the URL is the user's own choice on the command
	// line, but not when the ref comes from a project file.
	withToken := strings.Replace(hostB, "http://", "http://x-access-token:"+token+"@", 1)
	from = srv.mark()
	err := open(withToken+"//svc@v2", opts(true))
	if err == nil || !strings.Contains(err.Error(), "credentials written in a template URL in a project file are not used") {
		t.Errorf("URL credentials from a project file: err = %v", err)
	}
	if srv.sawToken(from, token) {
		t.Errorf("the credentials of a project file's URL were sent")
	}
	if strings.Contains(err.Error(), token) {
		t.Errorf("the error shows the token: %v", err)
	}
	if err := open(withToken+"//svc@v2", opts(false)); err != nil {
		t.Errorf("URL credentials given by the user: %v", err)
	}
}
