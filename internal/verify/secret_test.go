package verify

import (
	"fmt"
	"strings"
	"testing"
)

func TestRedactorHidesThePasswordInEveryForm(t *testing.T) {
	for _, c := range []struct{ url, shown, want string }{
		{"postgres://app:s3cret@db:5432/app", "connect to postgres://app:s3cret@db:5432/app: refused", "connect to postgres://app:xxxxx@db:5432/app: refused"},
		{"postgres://app:p%40ss%2Fw0rd@db/app", "url postgres://app:p%40ss%2Fw0rd@db/app, password p@ss/w0rd", "url postgres://app:xxxxx@db/app, password xxxxx"},
		{"postgres://db/app?user=app&password=s3cret", "dsn postgres://db/app?user=app&password=s3cret", "dsn postgres://db/app?user=app&password=xxxxx"},
		{"host=db user=app password=s3cret dbname=app", "password=s3cret", "password=xxxxx"},
		{"host=db password='se cret' dbname=app", "password='se cret'", "password='xxxxx'"},
		{"postgres://app@db/app", "postgres://app@db/app", "postgres://app@db/app"},
		{`postgres://app:pa"ss@db/app`, `cannot parse postgres://app:pa"ss@db/app`, "cannot parse postgres://app:xxxxx@db/app"},
		{"postgres://app:a@b:c@db/app", "url postgres://app:a@b:c@db/app", "url postgres://app:xxxxx@db/app"},
	} {
		r := redactorOf([]string{"PATH=/bin", DatabaseEnv + "=" + c.url})
		if got := r.String(c.shown); got != c.want {
			t.Errorf("DATABASE_URL=%s: %q shown as %q, want %q", c.url, c.shown, got, c.want)
		}
	}
	// An error may quote what the server answered with %q, or a report
	// hold it in JSON: the password is hidden in those forms too.
	r := redactorOf([]string{DatabaseEnv + `=postgres://app:pa"s\s@db/app`})
	for shown, want := range map[string]string{
		fmt.Sprintf("Content-Type %q", `x; pa"s\s`): `Content-Type "x; xxxxx"`,
		`{"error": "pa\"s\\s"}`:                     `{"error": "xxxxx"}`,
	} {
		if got := r.String(shown); got != want {
			t.Errorf("%s shown as %s, want %s", shown, got, want)
		}
	}
	if r := redactorOf([]string{DatabaseEnv + "=" + unreachableDatabase}); len(r) != 0 {
		t.Errorf("the unreachable database has secrets %q", r)
	}
	if r := redactorOf([]string{DatabaseEnv + "="}); r.String("x") != "x" || strings.Contains(r.String("abc"), hidden) {
		t.Errorf("an empty DATABASE_URL hides %q", r)
	}
}
