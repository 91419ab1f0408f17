package source

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

func TestParseRef(t *testing.T) {
	tests := []struct {
		in               string
		kind             Kind
		url, subdir, rev string
		str              string // String(); "" means in
		user, password   string
		wantErr          string
	}{
		// Built-ins and folders.
		{in: "go/chi", kind: Builtin, str: "go/chi"},
		{in: "./templates/svc", kind: Dir},
		{in: "/abs/path", kind: Dir},
		{in: "~/tpl", kind: Dir},
		{in: "/srv/a@b:c", kind: Dir},
		{in: "nope/nope", kind: Dir},
		// A folder's // names the root, as a repository's does.
		{in: "./team//go-svc", kind: Dir, subdir: "go-svc"},
		{in: "/srv/team//svc/go/", kind: Dir, subdir: "svc/go", str: "/srv/team//svc/go"},
		{in: "team//svc", kind: Dir, subdir: "svc"},
		{in: "//srv/tpl", kind: Dir},
		{in: "./team//", wantErr: "empty folder after //: write PATH//FOLDER"},
		{in: "./team//../x", wantErr: `folder "../x" must be a path inside the folder`},
		{in: "./team//a//b", wantErr: "must be a plain path inside the folder"},
		{in: "./team//.git/x", wantErr: "must be a plain path"},

		// https and http.
		{in: "https://host/org/templates.git", kind: Git, url: "https://host/org/templates.git"},
		{in: "https://host/org/templates", kind: Git, url: "https://host/org/templates"},
		{in: "https://host/org/templates.git/", kind: Git, url: "https://host/org/templates.git", str: "https://host/org/templates.git"},
		{in: "https://host/org/templates.git//go-service@v3", kind: Git, url: "https://host/org/templates.git", subdir: "go-service", rev: "v3"},
		{in: "https://host/org/templates.git@v3", kind: Git, url: "https://host/org/templates.git", rev: "v3"},
		{in: "https://host/org/templates.git//a/b/", kind: Git, url: "https://host/org/templates.git", subdir: "a/b", str: "https://host/org/templates.git//a/b"},
		{in: "HTTPS://Host.Example/Org/Repo.git", kind: Git, url: "https://host.example/Org/Repo.git", str: "https://host.example/Org/Repo.git"},
		{in: "https://host:8443/org/t.git@release/2.x", kind: Git, url: "https://host:8443/org/t.git", rev: "release/2.x"},
		{in: "http://127.0.0.1:8080/git/t.git//svc@0a1b2c3", kind: Git, url: "http://127.0.0.1:8080/git/t.git", subdir: "svc", rev: "0a1b2c3"},
		{in: "https://[::1]:8443/t.git", kind: Git, url: "https://[::1]:8443/t.git"},
		{in: "https://x-access-token:s3cr3t-tok@host/org/t.git@v1", kind: Git, url: "https://host/org/t.git", rev: "v1",
			str: "https://host/org/t.git@v1", user: "x-access-token", password: "s3cr3t-tok"},
		{in: "https://ghp_tokenonly@host/org/t.git", kind: Git, url: "https://host/org/t.git",
			str: "https://host/org/t.git", user: "ghp_tokenonly"},
		{in: "https://host/org%20x/t.git", kind: Git, url: "https://host/org%20x/t.git"},

		// ssh and scp-like.
		{in: "ssh://git@host/org/t.git", kind: Git, url: "ssh://git@host/org/t.git", user: "git"},
		{in: "ssh://git@host:2222/org/t.git//svc@main", kind: Git, url: "ssh://git@host:2222/org/t.git", subdir: "svc", rev: "main", user: "git"},
		{in: "ssh://git:pw12345@host/org/t.git", kind: Git, url: "ssh://git@host/org/t.git", str: "ssh://git@host/org/t.git", user: "git", password: "pw12345"},
		{in: "ssh://host/t.git", kind: Git, url: "ssh://host/t.git"},
		{in: "git@host:org/templates.git@main", kind: Git, url: "git@host:org/templates.git", rev: "main", user: "git"},
		{in: "git@host:org/templates.git", kind: Git, url: "git@host:org/templates.git", user: "git"},
		{in: "git@host:org/templates", kind: Git, url: "git@host:org/templates", user: "git"},
		{in: "git@host:org/templates.git//svc@v1.2.3", kind: Git, url: "git@host:org/templates.git", subdir: "svc", rev: "v1.2.3", user: "git"},
		{in: "git@Host:/srv/t.git", kind: Git, url: "git@host:/srv/t.git", str: "git@host:/srv/t.git", user: "git"},
		{in: "git://host/t.git@v1", kind: Git, url: "git://host/t.git", rev: "v1"},

		// file.
		{in: "file:///srv/tpl.git//svc", kind: Git, url: "file:///srv/tpl.git", subdir: "svc"},
		{in: "file:///srv/tpl.git", kind: Git, url: "file:///srv/tpl.git"},
		{in: "file://localhost/srv/tpl.git@v2", kind: Git, url: "file:///srv/tpl.git", rev: "v2", str: "file:///srv/tpl.git@v2"},

		// Malformed.
		{in: "", wantErr: "no template named"},
		{in: "ftp://host/t.git", wantErr: `unsupported scheme "ftp"`},
		{in: "https://host", wantErr: "no repository path after the host"},
		{in: "https:///t.git", wantErr: "no host"},
		{in: "https://host/", wantErr: "no repository path"},
		{in: "https://host:abc/t.git", wantErr: "bad host"},
		{in: "https://host/t.git@", wantErr: "empty ref after @"},
		{in: "https://host/t.git@v1@v2", wantErr: "more than one @"},
		{in: "https://host/t.git@v1//svc", wantErr: "the folder comes before the ref"},
		{in: "https://host/t.git//", wantErr: "empty folder after //"},
		{in: "https://host/t.git//@v1", wantErr: "empty folder after //"},
		{in: "https://host/t.git//../x", wantErr: "must be a path inside the repository"},
		{in: "https://host/t.git//a/../../x", wantErr: "must be a path inside the repository"},
		{in: "https://host/t.git//a/./b", wantErr: "must be a plain path"},
		{in: "https://host/t.git//.git/hooks", wantErr: "must be a plain path"},
		{in: "https://host/t.git//a//b", wantErr: "must be a plain path"},
		{in: "https://host/t.git@v1..2", wantErr: "not a valid tag, branch or commit name"},
		{in: "https://host/t.git@-rf", wantErr: "not a valid tag, branch or commit name"},
		{in: "https://host/t.git@a b", wantErr: "not a valid tag, branch or commit name"},
		{in: "https://host/t.git@x~1", wantErr: "not a valid tag, branch or commit name"},
		{in: "https://host/%zz.git", wantErr: "bad repository path"},
		{in: "https://user:s3cr3t-tok@host:abc/t.git", wantErr: "bad host"},
		{in: "https://user:s3cr3t-tok@host/t.git@", wantErr: "empty ref after @"},
		{in: "file://server/srv/t.git", wantErr: "file URL names a local path"},
		{in: "file://u:p@/srv/t.git", wantErr: "file URL names a local path"},
		{in: "git@host:", wantErr: "no repository path"},
		{in: "git@host://x", wantErr: `unsupported scheme "git@host"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, err := ParseRef(tt.in)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("ParseRef(%q) = %#v, want an error containing %q", tt.in, r, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseRef(%q) error = %q, want it to contain %q", tt.in, err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "s3cr3t") {
					t.Fatalf("error leaks the password: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseRef(%q): %v", tt.in, err)
			}
			if r.Kind != tt.kind || r.URL != tt.url || r.Subdir != tt.subdir || r.Rev != tt.rev {
				t.Errorf("ParseRef(%q) = kind %q url %q subdir %q rev %q, want %q %q %q %q",
					tt.in, r.Kind, r.URL, r.Subdir, r.Rev, tt.kind, tt.url, tt.subdir, tt.rev)
			}
			if r.user != tt.user || r.password != tt.password {
				t.Errorf("ParseRef(%q) credentials = %q:%q, want %q:%q", tt.in, r.user, r.password, tt.user, tt.password)
			}
			want := tt.str
			if want == "" {
				want = tt.in
			}
			if r.String() != want {
				t.Errorf("ParseRef(%q).String() = %q, want %q", tt.in, r.String(), want)
			}
			// The canonical form reads back as itself.
			if r.Kind == Git {
				again, err := ParseRef(r.String())
				if err != nil || again.String() != r.String() {
					t.Errorf("ParseRef(%q) = %q, %v: the canonical form does not read back", r.String(), again.String(), err)
				}
			}
			// No way of printing a Ref shows the password.
			for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
				if tt.password != "" && strings.Contains(fmt.Sprintf(format, r), tt.password) {
					t.Errorf("fmt %s of the Ref shows the password", format)
				}
			}
		})
	}
}

// A token may hold "/" or "+" (base64): a reference that fails to parse
// must not echo any of it.
func TestParseRefErrorsHideTokens(t *testing.T) {
	for _, ref := range []string{
		"https://u:t/okSECRET@host/x",
		"https://AKIA:ab+c/defSECRET@git-codecommit.us-east-1.amazonaws.com/v1/repos/r",
		"https://u:t%zzokSECRET@host/o",
	} {
		_, err := ParseRef(ref)
		if err == nil {
			continue
		}
		if strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "okSE") {
			t.Errorf("ParseRef(%q) error leaks the token: %v", ref, err)
		}
	}
}

// TestRefErrorsNameTheRepository: every error about a bad ref, folder or
// path names the repository, as the user wrote it minus credentials, both
// from ParseRef and through OpenWith.
func TestRefErrorsNameTheRepository(t *testing.T) {
	tests := []struct{ ref, want string }{
		{"https://host/repo.git@bad..ref", `template https://host/repo.git@bad..ref: "bad..ref" is not a valid`},
		{"https://host/org/repo.git//svc@bad..ref", `template https://host/org/repo.git//svc@bad..ref: "bad..ref" is not a valid`},
		{"https://tokSECRET1@host/repo.git@bad..ref", `template https://host/repo.git@bad..ref: "bad..ref" is not a valid`},
		{"https://user:pwSECRET1@Host:8443/org/repo.git@v1.lock", `template https://host:8443/org/repo.git@v1.lock: "v1.lock" is not a valid`},
		{"https://host/repo.git@", "template https://host/repo.git@: empty ref after @"},
		{"https://host/repo.git@-x", `template https://host/repo.git@-x: "-x" is not a valid`},
		{"https://host/repo.git@a@b", "template https://host/repo.git@a@b: more than one @ after the host"},
		{"https://u:pwSECRET1@host/repo.git@v1@x", "template https://host/repo.git@v1@x: more than one @"},
		{"https://host/repo.git@v1//svc", "template https://host/repo.git@v1//svc: the folder comes before the ref"},
		{"https://host/repo.git//../x@v1", `template https://host/repo.git//../x@v1: folder "../x" must be`},
		{"https://host/repo.git//@v1", "template https://host/repo.git//@v1: empty folder after //"},
		{"ssh://git@host:2222/repo.git@bad..ref", `template ssh://git@host:2222/repo.git@bad..ref: "bad..ref"`},
		{"git@host:org/repo.git@bad..ref", `template git@host:org/repo.git@bad..ref: "bad..ref"`},
		{"file:///srv/t.git@bad..ref", `template file:///srv/t.git@bad..ref: "bad..ref"`},
	}
	for _, tt := range tests {
		for _, how := range []string{"ParseRef", "OpenWith"} {
			var err error
			if how == "ParseRef" {
				_, err = ParseRef(tt.ref)
			} else {
				_, err = OpenWith(context.Background(), tt.ref, Options{CacheDir: t.TempDir()})
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s(%q) error = %v, want %q", how, tt.ref, err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "SECRET") {
				t.Errorf("%s(%q) error leaks the credentials: %v", how, tt.ref, err)
			}
		}
	}
	// A token holding "/" ends the host early; the error is then
	// redacted instead, as before.
	for _, ref := range []string{"https://to/kSECRET1@host/repo.git@bad..ref", "https://to/kSECRET1@host/repo.git@a@b"} {
		if _, err := ParseRef(ref); err != nil && strings.Contains(err.Error(), "SECRET") {
			t.Errorf("ParseRef(%q) error leaks the token: %v", ref, err)
		}
	}
}

// A # in a git reference would end its URL early (net/url reads it as a
// fragment): the rest of a password would be dropped and the user taken
// for the host. It is refused, without showing the credentials.
func TestParseRefRefusesAHash(t *testing.T) {
	for _, s := range []string{"https://tok:p#ss@host/o/r.git", "http://000:#0000@0/001", "git@host:o/r#x.git"} {
		_, err := ParseRef(s)
		if err == nil || !strings.Contains(err.Error(), "cannot hold #: write it as %23") || strings.Contains(err.Error(), "p#ss") || strings.Contains(err.Error(), "tok") {
			t.Errorf("ParseRef(%q) = %v", s, err)
		}
		if shown := Shown(s); strings.Contains(shown, "SECRETQ") {
			t.Errorf("Shown(%q) = %q", s, shown)
		}
	}
}

// A query in a git URL is refused, and its error quotes none of it.
func TestParseRefRefusesAQuery(t *testing.T) {
	for _, s := range []string{"https://host/o/r.git?token=SECRETQ", "https://host/o/r.git//sub@v1?private_token=SECRETQ", "git@host:o/r.git?SECRETQ"} {
		_, err := ParseRef(s)
		if err == nil || !strings.Contains(err.Error(), "cannot hold ? (a query string") || strings.Contains(err.Error(), "SECRETQ") {
			t.Errorf("ParseRef(%q) = %v", s, err)
		}
		if shown := Shown(s); strings.Contains(shown, "SECRETQ") {
			t.Errorf("Shown(%q) = %q", s, shown)
		}
	}
}
