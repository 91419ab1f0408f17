package source

import (
	"strings"
	"testing"
)

// A source read from a project's .scaffold-answers.yaml may hold a token
// put in by hand; Shown never gives it back, whether the source parses
// or not.
func TestShownDropsCredentials(t *testing.T) {
	for _, in := range []string{
		"https://user:S3cretTok@git.example.com/org/tpl.git@v1",
		"https://S3cretTok@git.example.com/org/tpl.git//svc@v1",
		"http://user:S3cretTok@127.0.0.1:8080/tpl.git@v1@x",
		"https://user:S3cret/Tok@git.example.com/tpl.git@v1",
		"ssh://git:S3cretTok@git.example.com/tpl.git",
	} {
		got := Shown(in)
		if strings.Contains(got, "S3cret") || strings.Contains(got, "Tok@") {
			t.Errorf("Shown(%q) = %q, which holds the credentials", in, got)
		}
	}
	if got := Shown("https://user:S3cretTok@git.example.com/org/tpl.git//svc@v1"); got != "https://git.example.com/org/tpl.git//svc@v1" {
		t.Errorf("Shown of a parsed reference = %q", got)
	}
	if got := Shown("./templates/svc"); got != "./templates/svc" {
		t.Errorf("Shown of a folder = %q", got)
	}
}
