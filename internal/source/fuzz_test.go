package source

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzParseRef checks that ParseRef never panics, that neither a parsed
// reference's String nor an error repeats a password or http(s) token
// given in the URL's userinfo, and that a git reference's String parses
// back to the same repository, folder and ref. The seed corpus is in
// testdata/fuzz/FuzzParseRef. To search for new inputs:
//
//	go test -run '^$' -fuzz '^FuzzParseRef$' -fuzztime 60s ./internal/source
func FuzzParseRef(f *testing.F) {
	f.Add("https://u:tok@host/o/r.git//sub@v1")
	f.Add("git@host:o/r.git@main")
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 1<<10 {
			return
		}
		checkRef(t, s)
		// Messages hold fixed words (git, https, ...) that a fuzzed
		// password may equal; a planted one shows a leak unambiguously.
		if planted, ok := plantSecrets(s); ok {
			r, err := ParseRef(planted)
			out := r.String() + r.GoString()
			if err != nil {
				out = err.Error()
			}
			if strings.Contains(strings.ToLower(out), plantedSecret) {
				t.Fatalf("ParseRef(%q) leaks its credentials: %q", planted, out)
			}
		}
	})
}

// plantedSecret stands for a password or token in plantSecrets.
const plantedSecret = "zq8secretx"

// plantSecrets replaces the password in the userinfo of a URL reference,
// and the user of an http(s) one, by plantedSecret.
func plantSecrets(s string) (string, bool) {
	if looksLikePath(s) || strings.Contains(strings.ToLower(s), plantedSecret) {
		return "", false
	}
	i := strings.Index(s, "://")
	if i < 0 {
		return "", false
	}
	scheme := strings.ToLower(s[:i])
	after := s[i+3:]
	auth := after
	if j := strings.Index(after, "/"); j >= 0 {
		auth = after[:j]
	}
	k := strings.LastIndex(auth, "@")
	if k < 0 {
		return "", false
	}
	user, _, hasPass := strings.Cut(auth[:k], ":")
	if scheme == "http" || scheme == "https" {
		user = plantedSecret
	} else if !hasPass {
		return "", false
	}
	return s[:i+3] + user + ":" + plantedSecret + after[k:], true
}

// checkRef checks what ParseRef makes of s.
func checkRef(t *testing.T, s string) {
	t.Helper()
	r, err := ParseRef(s)
	if err != nil {
		if err.Error() == "" {
			t.Fatalf("ParseRef(%q): empty error", s)
		}
		return
	}
	str := r.String()
	for _, sec := range refSecrets(s) {
		// GoString quotes: a byte it escapes (\x80) and the digits after
		// it may spell a secret of digits that is not there. The planted
		// secret below covers that case unambiguously.
		quoted := strings.Contains(r.GoString(), sec) && strings.Trim(sec, `0123456789abcdefABCDEFxu\`) != ""
		if strings.Contains(str, sec) || quoted {
			t.Fatalf("ParseRef(%q).String() = %q repeats the secret %q", s, str, sec)
		}
	}
	switch r.Kind {
	case Git:
	case Dir, Builtin:
		if r.Subdir == "" && (r.Name != s || str != s) {
			t.Fatalf("ParseRef(%q) = %s %q, String %q: a name is kept as given", s, r.Kind, r.Name, str)
		}
		if r.Subdir != "" {
			// PATH//SUBDIR: the path as given, the folder cleaned.
			again, err := ParseRef(str)
			if r.Kind != Dir || !strings.HasPrefix(s, r.Name+"//") || err != nil || again.Name != r.Name || again.Subdir != r.Subdir || again.String() != str {
				t.Fatalf("ParseRef(%q) = %s %q//%q, String %q, which parses to %+v, %v", s, r.Kind, r.Name, r.Subdir, str, again, err)
			}
		}
		return
	default:
		t.Fatalf("ParseRef(%q): kind %q", s, r.Kind)
	}
	if r.URL == "" {
		t.Fatalf("ParseRef(%q): git ref without URL", s)
	}
	again, err := ParseRef(str)
	if err != nil {
		t.Fatalf("ParseRef(%q).String() = %q, which does not parse: %v", s, str, err)
	}
	if again.Kind != Git || again.URL != r.URL || again.Subdir != r.Subdir || again.Rev != r.Rev {
		t.Fatalf("ParseRef(%q) = {%q %q %q}, but its String %q parses to %s {%q %q %q}",
			s, r.URL, r.Subdir, r.Rev, str, again.Kind, again.URL, again.Subdir, again.Rev)
	}
	if again.String() != str {
		t.Fatalf("String is not stable: %q, then %q", str, again.String())
	}
}

// refSecrets returns the credentials written in the userinfo of a URL
// reference (the authority before the first "/" after "://"), as written
// and decoded: the password of any scheme, and the user of http(s), which
// may be a token. A secret that also appears elsewhere in s (for example
// a password equal to the host name) is left out, since String may
// rightly hold that other place; so are secrets of one or two bytes,
// which any URL may hold by chance.
func refSecrets(s string) []string {
	if looksLikePath(s) {
		return nil
	}
	i := strings.Index(s, "://")
	if i < 0 {
		return nil
	}
	scheme := strings.ToLower(s[:i])
	after := s[i+3:]
	auth := after
	if j := strings.Index(after, "/"); j >= 0 {
		auth = after[:j]
	}
	k := strings.LastIndex(auth, "@")
	if k < 0 {
		return nil
	}
	userinfo := auth[:k]
	user, pass, hasPass := strings.Cut(userinfo, ":")
	var raw []string
	if hasPass {
		raw = append(raw, pass)
	}
	if scheme == "http" || scheme == "https" {
		raw = append(raw, user)
	}
	rest := strings.ToLower(withoutUserinfo(s))
	var out []string
	for _, sec := range raw {
		cands := []string{sec}
		if dec, err := url.PathUnescape(sec); err == nil && dec != sec {
			cands = append(cands, dec)
		}
		for _, c := range cands {
			if len(c) < 3 || strings.Contains(rest, strings.ToLower(c)) {
				continue
			}
			// The ssh user is kept on purpose; a password equal to it
			// or inside it shows through the user, not the password.
			if scheme != "http" && scheme != "https" && strings.Contains(strings.ToLower(user), strings.ToLower(c)) {
				continue
			}
			out = append(out, c)
		}
	}
	return out
}

// withoutUserinfo drops the userinfo from a URL reference.
func withoutUserinfo(s string) string {
	i := strings.Index(s, "://")
	if i < 0 {
		return s
	}
	after := s[i+3:]
	auth := after
	if j := strings.Index(after, "/"); j >= 0 {
		auth = after[:j]
	}
	if k := strings.LastIndex(auth, "@"); k >= 0 {
		return s[:i+3] + after[k+1:]
	}
	return s
}
