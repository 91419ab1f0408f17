package source

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"
)

// Ref is a parsed template reference. Its exported fields never hold a
// credential: a password or token given in a URL is kept unexported, only
// to authenticate, so printing a Ref (it has String and GoString) is safe.
type Ref struct {
	Kind Kind
	// Name is the built-in name (go/chi) or the folder path, as given
	// (before any //).
	Name string
	// URL is the canonical repository URL of a git reference, without
	// credentials (a user name is kept for ssh, where it is not secret).
	URL string
	// Subdir is the slash-separated folder of the template inside the
	// repository, or inside the folder Name; empty for its root. The
	// repository or folder is the root the template's include entries
	// are resolved against.
	Subdir string
	// Rev is the tag, branch or commit asked for; empty for the default
	// branch.
	Rev string

	scheme   string // https, http, ssh, git, file or "scp" for user@host:path
	user     string // from the URL, used to authenticate
	password string // from the URL, never printed
}

// ParseRef reads a template reference. The grammar:
//
//	ref     = dir | git | builtin
//	dir     = path [ "//" subdir ]
//	path    = anything starting with ".", "/" or "~"
//	git     = repo [ "//" subdir ] [ "@" rev ]
//	repo    = scheme "://" [ userinfo "@" ] host [ ":" port ] "/" repopath
//	        | user "@" host ":" repopath                  (scp-like, as git takes it; no port)
//	scheme  = "https" | "http" | "ssh" | "git" | "file"  (file has no host: file:///abs/path)
//	subdir  = a relative slash path inside the repository, no "." or ".." element
//	rev     = a tag, a branch, or a commit as 4 to 40 hex digits
//	builtin = anything else, such as go/chi (Open checks it is embedded, and
//	          otherwise takes it as a folder, with its // subdir)
//
// A folder's "//" works as a repository's: ./team-templates//go-svc is
// the template in go-svc, whose include entries may name any folder of
// ./team-templates. Without it the template's folder is its own root.
// The first "//" after the path's first character counts, so //srv/tpl
// is still the absolute path /srv/tpl.
//
// The host part ends at the first "/" after "://" (at the first ":" in the
// scp-like form), so the "@" of userinfo or of git@host never starts a
// rev. After the host, the first "//" starts SUBDIR and a "@" starts REV;
// "@" may appear only once there, so neither a path nor a rev holds one
// (write it %40 in the path). SUBDIR comes before REV. The ".git" suffix
// is optional and kept as written; a trailing "/" is dropped. REV is looked
// up on the remote as a tag, then a branch, then a commit hash, as git
// does.
//
// Credentials may be written in an http(s) URL (https://user:token@host/...,
// or the token alone as user); they authenticate but String leaves them
// out, as it leaves out an ssh password (not an ssh user, git@, which is
// no secret).
//
// Examples:
//
//	https://host/org/templates.git//go-service@v3
//	ssh://git@host:2222/org/templates.git@main
//	git@host:org/templates.git@0a1b2c3
//	file:///srv/tpl.git//svc
func ParseRef(s string) (Ref, error) {
	if s == "" {
		return Ref{}, errors.New("no template named")
	}
	if looksLikePath(s) {
		return parseDir(s)
	}
	if isGitRef(s) {
		return parseGit(s)
	}
	if IsBuiltin(s) {
		return Ref{Kind: Builtin, Name: s}, nil
	}
	return parseDir(s)
}

// parseDir reads a folder reference, PATH[//SUBDIR].
func parseDir(s string) (Ref, error) {
	i := strings.Index(s[1:], "//")
	if i < 0 {
		return Ref{Kind: Dir, Name: s}, nil
	}
	root, sub := s[:i+1], s[i+3:]
	clean, err := checkSubdir(sub, "folder", "PATH")
	if err != nil {
		return Ref{}, fmt.Errorf("template %s: %v", s, err)
	}
	return Ref{Kind: Dir, Name: root, Subdir: clean}, nil
}

// checkSubdir checks the SUBDIR of a reference, a plain relative path
// inside the repository or folder (where, written form before //), and
// cleans it.
func checkSubdir(subdir, where, form string) (string, error) {
	if subdir == "" {
		return "", errors.New("empty folder after //: write " + form + "//FOLDER or leave the // out")
	}
	clean := path.Clean(subdir)
	if strings.HasPrefix(subdir, "/") || clean == "." || clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("folder %q must be a path inside the %s", subdir, where)
	}
	for _, el := range strings.Split(strings.TrimSuffix(subdir, "/"), "/") {
		if el == "." || el == ".." || el == "" || el == ".git" {
			return "", fmt.Errorf("folder %q must be a plain path inside the %s (no ., .., .git or empty elements)", subdir, where)
		}
	}
	return clean, nil
}

func looksLikePath(s string) bool {
	return strings.HasPrefix(s, ".") || strings.HasPrefix(s, "/") || strings.HasPrefix(s, "~")
}

// scpLike matches the start of user@host:path; a user is required so that
// a folder name holding a colon is never taken for a host.
var scpLike = regexp.MustCompile(`^([^/@:\s]+)@([^/@:\s\[\]]+):`)

// isGitRef reports whether s is written as a git repository.
func isGitRef(s string) bool {
	return strings.Contains(s, "://") || scpLike.MatchString(s)
}

func parseGit(s string) (Ref, error) {
	var r Ref
	r.Kind = Git
	var rest string // repopath[//subdir][@rev]
	bad := func(format string, args ...any) (Ref, error) {
		detail := fmt.Sprintf(format, args...)
		if label, ok := errLabel(r, rest); ok {
			return Ref{}, errors.New("template " + label + ": " + detail)
		}
		msg := fmt.Sprintf("template %s: %s", redactRefText(s), detail)
		return Ref{}, errors.New(redactCredentials(s, msg))
	}
	// A git URL has no fragment: a # would end the URL where the user
	// did not mean it to, and what followed (the rest of a password,
	// the host) would be dropped or taken for something else.
	if strings.Contains(s, "#") {
		return bad("a template reference cannot hold #: write it as %%23 in a password or path")
	}
	// Nor a query: what follows ? (a token=..., often) would be kept in
	// the reference, shown by list and serve and recorded in every
	// project. The message quotes none of it.
	if strings.Contains(s, "?") {
		return Ref{}, errors.New("a git template reference cannot hold ? (a query string, which may carry a token, would be shown and recorded): give a token in " + TokenEnv + ", or write ? as %3F in a path")
	}
	if i := strings.Index(s, "://"); i >= 0 {
		scheme := strings.ToLower(s[:i])
		switch scheme {
		case "https", "http", "ssh", "git", "file":
		default:
			return bad("unsupported scheme %q: use https, http, ssh, git or file (or user@host:path for ssh)", s[:i])
		}
		after := s[i+3:]
		slash := strings.Index(after, "/")
		if slash < 0 {
			return bad("no repository path after the host: write %s://host/org/repo.git", scheme)
		}
		authority := after[:slash]
		rest = after[slash:]
		u, err := url.Parse(scheme + "://" + authority + "/")
		if err != nil {
			return bad("bad host %q: %s", authority[strings.LastIndex(authority, "@")+1:], urlErrText(err))
		}
		if scheme == "file" {
			if u.Host != "" && u.Host != "localhost" || u.User != nil {
				return bad("a file URL names a local path: write file:///absolute/path")
			}
			u.Host = ""
		} else if u.Hostname() == "" {
			return bad("no host: write %s://host/org/repo.git", scheme)
		}
		r.scheme = scheme
		if u.User != nil {
			r.user = u.User.Username()
			r.password, _ = u.User.Password()
		}
		host := strings.ToLower(u.Host)
		userPart := ""
		if (scheme == "ssh" || scheme == "git") && r.user != "" {
			userPart = url.User(r.user).String() + "@"
		}
		r.URL = scheme + "://" + userPart + host
	} else {
		m := scpLike.FindStringSubmatch(s)
		if m == nil {
			return bad("not a git URL: use https://host/org/repo.git or git@host:org/repo.git")
		}
		r.scheme = "scp"
		r.user = m[1]
		rest = s[len(m[0]):]
		r.URL = m[1] + "@" + strings.ToLower(m[2]) + ":"
	}

	repoPath, rev := rest, ""
	if at := strings.Index(rest, "@"); at >= 0 {
		repoPath, rev = rest[:at], rest[at+1:]
		if strings.Contains(rev, "@") {
			return bad("more than one @ after the host: only the ref follows @ (write @ in a path as %%40)")
		}
		if strings.Contains(rev, "//") {
			return bad("the folder comes before the ref: write URL//FOLDER@REF")
		}
		if err := checkRev(rev); err != nil {
			return bad("%v", err)
		}
		r.Rev = rev
	}
	subdir := ""
	// The scheme form's path starts with "/": look for "//" after it.
	from := 0
	if r.scheme != "scp" {
		from = 1
	}
	if i := strings.Index(repoPath[from:], "//"); i >= 0 {
		repoPath, subdir = repoPath[:from+i], repoPath[from+i+2:]
		clean, err := checkSubdir(subdir, "repository", "URL")
		if err != nil {
			return bad("%v", err)
		}
		subdir = clean
	}
	repoPath = strings.TrimRight(repoPath, "/")
	if repoPath == "" {
		return bad("no repository path: write the repository before // or @")
	}
	if r.scheme != "scp" {
		if _, err := url.Parse("x://h" + repoPath); err != nil {
			return bad("bad repository path %q: %s", repoPath, urlErrText(err))
		}
	}
	r.URL += repoPath
	r.Subdir = subdir
	return r, nil
}

// errLabel names a reference that failed to parse after its host, so
// that the error names the repository: the credential-free URL scheme
// and host as parsed, and the rest as written (path, //folder, @ref).
// ok is false before the host is parsed, and when the rest may hold
// credentials: userinfo holding a "/" (a base64 token) makes the host
// end too early and leaves "...@host/path" in the rest, so a single "/"
// after the rest's first "@" is taken as such (a branch with a "/" then
// gets the redacted label too); the caller then redacts.
func errLabel(r Ref, rest string) (string, bool) {
	if r.URL == "" || rest == "" {
		return "", false
	}
	if at := strings.Index(rest, "@"); r.scheme != "scp" && at >= 0 {
		after := rest[at+1:]
		if i := strings.Index(after, "//"); i >= 0 {
			after = after[:i] // a folder misplaced after the ref
		}
		if strings.Contains(after, "/") {
			return "", false
		}
	}
	return r.URL + rest, true
}

// hexRev matches what may be an abbreviated or full commit hash.
var hexRev = regexp.MustCompile(`^[0-9a-fA-F]{4,40}$`)

// checkRev applies git's rules for ref names (git check-ref-format) that
// matter here, so that a typo is caught before any network.
func checkRev(rev string) error {
	switch {
	case rev == "":
		return errors.New("empty ref after @: name a tag, branch or commit, or leave the @ out")
	case strings.HasPrefix(rev, "-"), strings.HasPrefix(rev, "/"), strings.HasSuffix(rev, "/"),
		strings.HasSuffix(rev, "."), strings.HasSuffix(rev, ".lock"),
		strings.Contains(rev, ".."), strings.Contains(rev, "//"), strings.Contains(rev, "@{"),
		strings.ContainsAny(rev, " ~^:?*[\\\t\n"):
		return fmt.Errorf("%q is not a valid tag, branch or commit name", rev)
	}
	for _, c := range rev {
		if c < 0x20 || c == 0x7f {
			return fmt.Errorf("%q is not a valid tag, branch or commit name", rev)
		}
	}
	return nil
}

// String gives the canonical reference, without credentials:
// URL[//SUBDIR][@REV] for git, PATH[//SUBDIR] for a folder, the name of
// a built-in.
func (r Ref) String() string {
	if r.Kind != Git {
		if r.Subdir != "" {
			return r.Name + "//" + r.Subdir
		}
		return r.Name
	}
	s := r.URL
	if r.Subdir != "" {
		s += "//" + r.Subdir
	}
	if r.Rev != "" {
		s += "@" + r.Rev
	}
	return s
}

// GoString keeps %#v from printing the unexported credentials.
func (r Ref) GoString() string { return fmt.Sprintf("source.Ref(%q)", r.String()) }

// Host is the host of a git reference's URL, with its port when the URL
// has one (host:port, in lower case; [addr]:port for IPv6); empty for a
// file URL and for other kinds.
func (r Ref) Host() string {
	if r.Kind != Git {
		return ""
	}
	if r.scheme == "scp" {
		h := strings.TrimSuffix(r.URL[strings.Index(r.URL, "@")+1:], ":")
		return h[:strings.Index(h+":", ":")]
	}
	u, err := url.Parse(r.URL)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

// repoLabel names the repository and the ref in messages.
func (r Ref) repoLabel() string {
	if r.Rev == "" {
		return r.URL
	}
	return r.URL + "@" + r.Rev
}

var (
	// httpUserinfo finds the userinfo of an http(s) URL, where even a
	// lone user name may be a token.
	httpUserinfo = regexp.MustCompile(`(?i)\b(https?://)[^/\s@]*@`)
	// urlPassword finds the password of any other URL; its user name,
	// such as ssh's git@, is no secret.
	urlPassword = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]*):[^/\s@]*@`)
)

// Shown is a template reference as it may be shown: a reference that
// parses as its String (no credentials), anything else with the
// credentials of every URL in it stripped. A project's
// .scaffold-answers.yaml may hold a source with a token in it, put in by
// hand; it must not reach the output.
func Shown(ref string) string {
	if r, err := ParseRef(ref); err == nil {
		return r.String()
	}
	// A query is refused (it may hold a token): not one byte of it shows.
	if i := strings.Index(ref, "?"); i >= 0 {
		ref = ref[:i] + "?***"
	}
	return redactRefText(redactUserinfo(ref))
}

// redactUserinfo strips the credentials from every URL in s.
func redactUserinfo(s string) string {
	s = httpUserinfo.ReplaceAllString(s, "$1")
	return urlPassword.ReplaceAllString(s, "$1@")
}

// redactRefText cleans a reference that failed to parse, for an error.
func redactRefText(s string) string {
	if cred := credentialText(s); cred != "" {
		i := strings.Index(s, "://")
		return s[:i+3] + s[i+3+len(cred)+1:]
	}
	return s
}

// credentialText is what may be userinfo in a reference that failed to
// parse: everything between "://" and the last "@" before the next "//".
// A token may hold "/" or "+" (base64), so the first "/" is no limit.
func credentialText(s string) string {
	i := strings.Index(s, "://")
	if i < 0 {
		return ""
	}
	after := s[i+3:]
	region := after
	if j := strings.Index(after, "//"); j >= 0 {
		region = after[:j]
	}
	k := strings.LastIndex(region, "@")
	if k <= 0 {
		return ""
	}
	return after[:k]
}

// redactCredentials removes from msg every piece of what may be the
// credentials of the reference s, however the parser quoted them.
func redactCredentials(s, msg string) string {
	cred := credentialText(s)
	if cred == "" {
		return msg
	}
	msg = strings.ReplaceAll(msg, cred, "***")
	for _, part := range strings.FieldsFunc(cred, func(r rune) bool { return r == ':' || r == '/' || r == '%' }) {
		if len(part) >= 3 {
			msg = strings.ReplaceAll(msg, part, "***")
		}
	}
	return msg
}

// urlErrText is url.Parse's message without the URL it quotes, which may
// hold credentials.
func urlErrText(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return redactUserinfo(ue.Err.Error())
	}
	return redactUserinfo(err.Error())
}
