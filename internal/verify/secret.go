package verify

import (
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// hidden is what a secret is shown as.
const hidden = "xxxxx"

// redactor hides the database's password wherever verify shows what a
// command printed or a server answered: the project gets DATABASE_URL
// to run, and a driver, a migration tool or a hostile server may echo it
// into a step's output or an answer, which verify would otherwise print
// and put in its --json report (a CI log). The password is hidden in
// each form it may be echoed in: as given in the URL (percent-encoded),
// decoded, and as the password parameter of a URL's query or of a
// key=value connection string.
type redactor []string

func redactorOf(envs ...[]string) redactor {
	var secrets []string
	for _, env := range envs {
		v := ""
		for _, kv := range env {
			if s, ok := strings.CutPrefix(kv, DatabaseEnv+"="); ok {
				v = s
			}
		}
		for _, pw := range passwords(v) {
			// As an error quotes it (%q) and as JSON holds it.
			q := strconv.Quote(pw)
			j, _ := json.Marshal(pw)
			secrets = append(secrets, pw, q[1:len(q)-1], string(j[1:len(j)-1]))
		}
	}
	secrets = slices.DeleteFunc(secrets, func(s string) bool { return s == "" })
	// The longest first, so that a secret that holds another is hidden
	// whole.
	slices.SortFunc(secrets, func(a, b string) int { return len(b) - len(a) })
	return slices.Compact(secrets)
}

// passwords are the forms of the password in the connection string v:
// a URL's (scheme://user:password@host, read by hand, since a driver may
// accept a URL that net/url refuses), and the value of each password=
// (in a URL's query or a key=value string), each as written and
// decoded.
func passwords(v string) []string {
	var secrets []string
	add := func(raw string) {
		secrets = append(secrets, raw)
		if dec, err := url.PathUnescape(raw); err == nil {
			secrets = append(secrets, dec)
		}
		if dec, err := url.QueryUnescape(raw); err == nil {
			secrets = append(secrets, dec)
		}
	}
	if _, rest, ok := strings.Cut(v, "://"); ok {
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if _, raw, ok := strings.Cut(rest[:at], ":"); ok {
				add(raw)
			}
		}
	}
	for rest := v; ; {
		i := strings.Index(rest, "password=")
		if i < 0 {
			break
		}
		rest = rest[i+len("password="):]
		pw := rest
		if strings.HasPrefix(pw, "'") {
			if end := strings.Index(pw[1:], "'"); end >= 0 {
				pw = pw[1 : end+1]
			}
		} else if end := strings.IndexAny(pw, " \t\n&"); end >= 0 {
			pw = pw[:end]
		}
		add(pw)
	}
	return secrets
}

// String hides the secrets in s.
func (r redactor) String(s string) string {
	for _, secret := range r {
		s = strings.ReplaceAll(s, secret, hidden)
	}
	return s
}

// Result hides the secrets in what res shows of the project: its error
// and its output.
func (r redactor) Result(res Result) Result {
	res.Err, res.Output = r.String(res.Err), r.String(res.Output)
	return res
}
