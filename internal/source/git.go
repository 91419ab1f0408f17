package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/client"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/plumbing/transport/server"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/memory"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// remote is one git repository as scaffold talks to it: the URL go-git
// is given never holds a credential (they go in auth), so neither go-git's
// errors nor the cloned repository's config can leak one.
type remote struct {
	ref     Ref
	url     string
	auth    transport.AuthMethod
	secrets []string
	shallow bool
	// timeout is how long the remote may send nothing; maxTime bounds
	// the whole OpenWith.
	timeout  time.Duration
	maxTime  time.Duration
	progress io.Writer
	closers  []io.Closer
	// refs are the remote's references, once listed.
	refs []*plumbing.Reference
	// withheld says why the token was not sent: withheldHTTP over plain
	// http, withheldHost to a host the user did not configure.
	withheld string
	// ignoredUserinfo is set when the URL's credentials were not used,
	// since the ref came from a project file.
	ignoredUserinfo bool
}

// Why a token was withheld.
const (
	withheldHTTP = "http"
	withheldHost = "host"
)

// TokenHostsEnv names the environment variable listing, separated by
// commas or spaces, the hosts SCAFFOLD_GIT_TOKEN may be sent to, besides
// Options.TokenHosts.
const TokenHostsEnv = "SCAFFOLD_GIT_TOKEN_HOSTS"

// authPolicy is what decides which credentials a remote may be given.
type authPolicy struct {
	// tokenHosts may receive the token (see hostAllowed).
	tokenHosts []string
	// fromProject ignores credentials written in the ref's URL.
	fromProject bool
}

func policyOf(opts Options, getenv func(string) string) authPolicy {
	hosts := append([]string(nil), opts.TokenHosts...)
	hosts = append(hosts, strings.FieldsFunc(getenv(TokenHostsEnv), func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })...)
	return authPolicy{tokenHosts: hosts, fromProject: opts.ProjectRef}
}

// hostAllowed reports whether host (host or host:port, as in the URL)
// is one of allowed: "host" allows it on any port, "host:port" on that
// port only. Names compare without case; nothing else matches (no
// wildcards, no subdomains).
func hostAllowed(host string, allowed []string) bool {
	host = strings.ToLower(host)
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.Trim(name, "[]")
	for _, a := range allowed {
		a = strings.ToLower(strings.TrimSpace(a))
		if a == "" {
			continue
		}
		if a == host || strings.Trim(a, "[]") == name {
			return true
		}
	}
	return false
}

func newRemote(r Ref, getenv func(string) string, timeout time.Duration, progress io.Writer, policy authPolicy) (*remote, error) {
	rm := &remote{ref: r, url: r.URL, shallow: true, timeout: timeout, progress: progress}
	if r.password != "" {
		rm.secrets = append(rm.secrets, r.password)
	}
	if r.user != "" && (r.scheme == "http" || r.scheme == "https") {
		// https://TOKEN@host/... : the user name may be the secret.
		rm.secrets = append(rm.secrets, r.user)
	}
	user, password := r.user, r.password
	if policy.fromProject && (user != "" || password != "") && r.scheme != "ssh" && r.scheme != "scp" && r.scheme != "git" {
		// A project's record never holds credentials; one edited in
		// by hand is not used.
		user, password = "", ""
		rm.ignoredUserinfo = true
	}
	switch r.scheme {
	case "http", "https":
		useActivityTransport()
		token := getenv(TokenEnv)
		if token != "" {
			rm.secrets = append(rm.secrets, token)
		}
		switch {
		case token == "":
		case !hostAllowed(r.Host(), policy.tokenHosts):
			// The token goes only where the user said: not to a host
			// that a template reference, or a project file, names.
			token = ""
			rm.withheld = withheldHost
		case r.scheme == "http" && !isLoopback(r):
			// A token sent over plain http is a token given away.
			token = ""
			rm.withheld = withheldHTTP
		}
		switch {
		case password != "":
			rm.auth = &githttp.BasicAuth{Username: user, Password: password}
		case token != "":
			if user == "" {
				user = "x-access-token"
			}
			rm.auth = &githttp.BasicAuth{Username: user, Password: token}
		case user != "":
			rm.auth = &githttp.BasicAuth{Username: user}
		}
	case "ssh", "scp":
		if user == "" {
			user = "git"
		}
		keys := &keyring{getenv: getenv}
		rm.closers = append(rm.closers, keys)
		rm.auth = &sshAuth{
			PublicKeysCallback: &gitssh.PublicKeysCallback{User: user, Callback: keys.signers},
			timeout:            timeout,
		}
	case "file":
		// go-git's file transport runs git-upload-pack; scaffold serves
		// the repository in process instead, which has no shallow fetch.
		useLocalTransport()
		rm.shallow = false
	}
	return rm, nil
}

func (rm *remote) close() {
	for _, c := range rm.closers {
		c.Close()
	}
}

// dialWithin is dialWithin for an ssh remote: the agent's connections
// close when ctx ends too, since the handshake waits on the agent.
func (rm *remote) dialWithin(ctx context.Context) (transport.ProxyOptions, func()) {
	po, release := dialWithin(ctx)
	stop := context.AfterFunc(ctx, func() {
		for _, c := range rm.closers {
			c.Close()
		}
	})
	return po, func() { stop(); release() }
}

func (rm *remote) isSSH() bool { return rm.ref.scheme == "ssh" || rm.ref.scheme == "scp" }

func isLoopback(r Ref) bool {
	host := strings.TrimPrefix(r.URL, r.scheme+"://")
	if i := strings.Index(host, "/"); i >= 0 {
		host = host[:i]
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// target is what a ref names on the remote.
type target struct {
	kind string // head, branch, tag or commit
	name plumbing.ReferenceName
	// hash is the commit the remote has for it now; zero for a commit,
	// which is known only after the fetch.
	hash plumbing.Hash
}

// The kinds of target, as recorded in the cache.
const (
	targetHead   = "head"
	targetBranch = "branch"
	targetTag    = "tag"
	targetCommit = "commit"
)

// immutable reports whether the cache may serve the target without
// asking the remote: a tag is taken as fixed, as package managers do.
func immutable(kind string) bool { return kind == targetTag || kind == targetCommit }

// list asks the remote for its references: one round trip.
func (rm *remote) list(ctx context.Context) ([]*plumbing.Reference, error) {
	ctx, stop := watch(ctx, rm.timeout)
	defer stop()
	rem := git.NewRemote(memory.NewStorage(), &gitconfig.RemoteConfig{Name: "origin", URLs: []string{rm.url}})
	lo := &git.ListOptions{Auth: rm.auth, PeelingOption: git.AppendPeeled}
	if rm.isSSH() {
		var release func()
		lo.ProxyOptions, release = rm.dialWithin(ctx)
		defer release()
	}
	refs, err := rem.ListContext(ctx, lo)
	if err != nil {
		return nil, rm.fail(ctx, err)
	}
	rm.refs = refs
	return refs, nil
}

// resolve finds what the ref's Rev names among the remote's references,
// in git's order: tag, then branch, then a commit hash.
func (rm *remote) resolve(refs []*plumbing.Reference) (target, error) {
	byName := map[plumbing.ReferenceName]*plumbing.Reference{}
	for _, ref := range refs {
		byName[ref.Name()] = ref
	}
	rev := rm.ref.Rev
	if rev == "" {
		head, ok := byName[plumbing.HEAD]
		for i := 0; ok && head.Type() == plumbing.SymbolicReference && i < 5; i++ {
			head, ok = byName[head.Target()]
		}
		if !ok {
			return target{}, fmt.Errorf("%s has no default branch (it may be empty): name a branch, tag or commit with @REF", rm.ref.URL)
		}
		return target{kind: targetHead, name: plumbing.HEAD, hash: head.Hash()}, nil
	}
	if ref, ok := byName[plumbing.NewTagReferenceName(rev)]; ok {
		hash := ref.Hash()
		// An annotated tag points at a tag object; the peeled entry
		// gives its commit.
		if peeled, ok := byName[plumbing.ReferenceName(string(ref.Name())+"^{}")]; ok {
			hash = peeled.Hash()
		}
		return target{kind: targetTag, name: ref.Name(), hash: hash}, nil
	}
	if ref, ok := byName[plumbing.NewBranchReferenceName(rev)]; ok {
		return target{kind: targetBranch, name: ref.Name(), hash: ref.Hash()}, nil
	}
	if hexRev.MatchString(rev) {
		return target{kind: targetCommit}, nil
	}
	return target{}, rm.notFound()
}

// notFound names the ref, the repository and what it does have.
func (rm *remote) notFound() error {
	var tags, branches []string
	for _, ref := range rm.refs {
		switch n := ref.Name(); {
		case n.IsTag() && !strings.HasSuffix(string(n), "^{}"):
			tags = append(tags, n.Short())
		case n.IsBranch():
			branches = append(branches, n.Short())
		}
	}
	msg := fmt.Sprintf("no tag, branch or commit %q in %s", rm.ref.Rev, rm.ref.URL)
	if rm.refs != nil {
		msg += fmt.Sprintf("; it has %s and %s", listSome("tags", tags), listSome("branches", branches))
	}
	return errors.New(rm.redact(msg))
}

func listSome(what string, names []string) string {
	if len(names) == 0 {
		return "no " + what
	}
	sort.Strings(names)
	const most = 8
	if len(names) > most {
		return fmt.Sprintf("%s %s, ... (%d in all)", what, strings.Join(names[:most], ", "), len(names))
	}
	return what + " " + strings.Join(names, ", ")
}

// clone fetches the target into dest/git, a bare repository (storage
// only, no worktree), and gives the commit the ref names. A branch or tag
// is fetched alone at depth 1; a commit needs the whole history, as a
// server need not serve an arbitrary commit by hash.
func (rm *remote) clone(ctx context.Context, tgt target, dest string) (plumbing.Hash, error) {
	ctx, stop := watch(ctx, rm.timeout)
	defer stop()
	touch := touchOf(ctx)
	fst := filesystem.NewStorage(osfs.New(filepath.Join(dest, gitDir)), cache.NewObjectLRUDefault())
	defer fst.Close()
	st := &boundedStorage{Storage: fst, maxObject: MaxObject, maxPack: MaxPack, touch: touch}
	o := &git.CloneOptions{URL: rm.url, Auth: rm.auth, Tags: git.NoTags, SingleBranch: true, NoCheckout: true,
		// Always asked for, as the remote's progress messages are
		// activity too (while it counts and compresses objects).
		Progress: activityWriter{w: rm.progress, touch: touch}}
	switch tgt.kind {
	case targetBranch, targetTag:
		o.ReferenceName = tgt.name
	case targetCommit:
		o.SingleBranch = false
		o.Tags = git.AllTags
	}
	if rm.shallow && tgt.kind != targetCommit {
		o.Depth = 1
	}
	if rm.isSSH() {
		var release func()
		o.ProxyOptions, release = rm.dialWithin(ctx)
		defer release()
	}
	// A nil worktree makes a bare clone: nothing is checked out.
	repo, err := git.CloneContext(ctx, st, nil, o)
	if err != nil {
		return plumbing.ZeroHash, rm.fail(ctx, err)
	}
	if tgt.kind != targetCommit {
		head, err := repo.Head()
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("reading the commit cloned from %s: %w", rm.ref.repoLabel(), err)
		}
		return head.Hash(), nil
	}
	return rm.findCommit(repo)
}

// findCommit finds the one commit whose hash starts with Rev.
func (rm *remote) findCommit(repo *git.Repository) (plumbing.Hash, error) {
	rev := strings.ToLower(rm.ref.Rev)
	if len(rev) == 40 {
		h := plumbing.NewHash(rev)
		if _, err := repo.CommitObject(h); err != nil {
			return plumbing.ZeroHash, rm.notFound()
		}
		return h, nil
	}
	var found []plumbing.Hash
	iter, err := repo.CommitObjects()
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("reading the commits of %s: %w", rm.ref.URL, err)
	}
	err = iter.ForEach(func(c *object.Commit) error {
		if strings.HasPrefix(c.Hash.String(), rev) {
			found = append(found, c.Hash)
		}
		if len(found) > 1 {
			return storer.ErrStop
		}
		return nil
	})
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("reading the commits of %s: %w", rm.ref.URL, err)
	}
	switch len(found) {
	case 0:
		return plumbing.ZeroHash, rm.notFound()
	case 1:
		return found[0], nil
	}
	return plumbing.ZeroHash, fmt.Errorf("commit %q is ambiguous in %s: give more hex digits", rm.ref.Rev, rm.ref.URL)
}

// gitError is a network or repository failure, told without credentials.
// It has no Unwrap, since go-git's own errors may quote a URL; Is still
// lets callers test for context.DeadlineExceeded and go-git's sentinels.
type gitError struct {
	msg   string
	cause error
}

func (e *gitError) Error() string        { return e.msg }
func (e *gitError) Is(target error) bool { return errors.Is(e.cause, target) }

// fail turns a go-git error into one that says what happened to which
// repository and what to do, with no credentials in it.
func (rm *remote) fail(ctx context.Context, err error) error {
	where := rm.ref.repoLabel()
	var msg string
	idle, isIdle := idleCause(ctx)
	switch {
	case isIdle && idle.bytes == 0:
		msg = fmt.Sprintf("%s did not answer within %s: check the address and the network", where, rm.timeout)
		err = idle
	case isIdle:
		msg = fmt.Sprintf("%s stopped sending: nothing for %s, after %d bytes in %s; check the network and try again", where, rm.timeout, idle.bytes, idle.after.Round(time.Millisecond))
		err = idle
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		msg = fmt.Sprintf("fetching %s took longer than %s in all: the remote is too slow, or the repository too large", where, rm.maxTime)
	case errors.Is(err, context.Canceled) || errors.Is(ctx.Err(), context.Canceled):
		msg = fmt.Sprintf("fetching %s: interrupted", where)
		// The transport's own error may be a closed connection: the
		// cause is the interruption (exit 130).
		err = context.Canceled
	case errors.Is(err, transport.ErrAuthenticationRequired), errors.Is(err, transport.ErrAuthorizationFailed):
		host := rm.ref.Host()
		switch {
		case rm.ignoredUserinfo:
			msg = fmt.Sprintf("%s refused access: credentials written in a template URL in a project file are not used; set %s and allow %s in git.token_hosts or %s", where, TokenEnv, host, TokenHostsEnv)
		case rm.withheld == withheldHost:
			msg = fmt.Sprintf("%s refused access: %s is sent only to the hosts you allow, and %s is not one: add it to git.token_hosts in the scaffold config, or to %s", where, TokenEnv, host, TokenHostsEnv)
		case rm.withheld == withheldHTTP:
			msg = fmt.Sprintf("%s refused access: %s is sent only over https (or http to this machine); use an https URL", where, TokenEnv)
		default:
			msg = fmt.Sprintf("%s refused access: set %s to a token that may read it (sent to %s only when git.token_hosts in the scaffold config or %s names it)", where, TokenEnv, host, TokenHostsEnv)
		}
	case rm.isSSH() && strings.Contains(err.Error(), "known_hosts"):
		msg = fmt.Sprintf("cannot fetch %s: %v: add the host's key to ~/.ssh/known_hosts (connect once with ssh, or use ssh-keyscan)", where, err)
	case rm.isSSH() && strings.Contains(err.Error(), "unable to authenticate"):
		msg = fmt.Sprintf("%s refused access: %v: load your key into ssh-agent, or create ~/.ssh/id_ed25519 and give its public key access", where, err)
	case errors.Is(err, transport.ErrRepositoryNotFound):
		msg = fmt.Sprintf("no git repository at %s: check the URL and your access to it", rm.ref.URL)
	case errors.Is(err, transport.ErrEmptyRemoteRepository):
		msg = fmt.Sprintf("%s is an empty repository: it holds no template", rm.ref.URL)
	default:
		var netErr *net.OpError
		if errors.As(err, &netErr) {
			// The network error alone; go-git's wrapping repeats the URL.
			msg = fmt.Sprintf("cannot fetch %s: %v: check the address and the network", where, netErr)
		} else {
			msg = fmt.Sprintf("cannot fetch %s: %v", where, err)
		}
	}
	return &gitError{msg: rm.redact(msg), cause: err}
}

// redact removes the credentials from a message: the secrets themselves
// wherever they appear, and the userinfo of any URL.
func (rm *remote) redact(s string) string {
	for _, secret := range rm.secrets {
		// A very short secret would blank out ordinary letters; the
		// userinfo rule below still removes it from URLs.
		if len(secret) >= 4 {
			s = strings.ReplaceAll(s, secret, "***")
		}
	}
	return redactUserinfo(s)
}

// sshAuth is go-git's public key authentication with a connection
// timeout: go-git's ssh dial takes no context.
type sshAuth struct {
	*gitssh.PublicKeysCallback
	timeout time.Duration
}

func (a *sshAuth) ClientConfig() (*ssh.ClientConfig, error) {
	c, err := a.PublicKeysCallback.ClientConfig()
	if c != nil {
		c.Timeout = a.timeout
	}
	return c, err
}

// keyring offers the keys of the SSH agent, then the user's unencrypted
// key files, as ssh does. It reads SSH_AUTH_SOCK and HOME through getenv
// (go-git's NewSSHAgentAuth would read the process environment).
type keyring struct {
	getenv func(string) string
	mu     sync.Mutex
	conns  []net.Conn
}

// keyFiles are tried in ssh's order.
var keyFiles = []string{"id_ed25519", "id_ecdsa", "id_rsa"}

func (k *keyring) signers() ([]ssh.Signer, error) {
	var out []ssh.Signer
	if sock := k.getenv("SSH_AUTH_SOCK"); sock != "" {
		if conn, err := net.DialTimeout("unix", sock, time.Second); err == nil {
			k.mu.Lock()
			k.conns = append(k.conns, conn)
			k.mu.Unlock()
			if s, err := agent.NewClient(conn).Signers(); err == nil {
				out = append(out, s...)
			}
		}
	}
	if home := k.getenv("HOME"); home != "" {
		for _, name := range keyFiles {
			data, err := os.ReadFile(filepath.Join(home, ".ssh", name))
			if err != nil {
				continue
			}
			// A key with a passphrase is used through the agent.
			if s, err := ssh.ParsePrivateKey(data); err == nil {
				out = append(out, s)
			}
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no SSH key: load one into ssh-agent (SSH_AUTH_SOCK) or create ~/.ssh/id_ed25519")
	}
	return out, nil
}

func (k *keyring) Close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, c := range k.conns {
		c.Close()
	}
	k.conns = nil
	return nil
}

var localTransport sync.Once

// useLocalTransport serves file:// repositories with go-git's in-process
// server, since its default file transport runs the git-upload-pack
// program. go-git keeps transports in a global table; this changes only
// the file scheme, once.
func useLocalTransport() {
	localTransport.Do(func() {
		client.InstallProtocol("file", server.NewClient(localLoader{}))
	})
}

// localPath is the folder a file:// URL's path names. On Windows the
// URL file:///C:/srv/tpl.git has the path /C:/srv/tpl.git, the folder
// C:\srv\tpl.git: the slash before the drive letter goes, and the
// rest is converted from slashes here, at the edge, once.
func localPath(p string) string {
	if runtime.GOOS == "windows" && len(p) >= 3 && p[0] == '/' && p[2] == ':' &&
		('a' <= p[1] && p[1] <= 'z' || 'A' <= p[1] && p[1] <= 'Z') {
		p = p[1:]
	}
	return filepath.FromSlash(p)
}

// localLoader opens a bare repository, or the .git folder of a working
// copy (go-git's own loader takes the working copy's root for the
// repository).
type localLoader struct{}

func (localLoader) Load(ep *transport.Endpoint) (storer.Storer, error) {
	dir := localPath(ep.Path)
	if info, err := os.Stat(filepath.Join(dir, ".git")); err == nil && info.IsDir() {
		dir = filepath.Join(dir, ".git")
	} else if _, err := os.Stat(filepath.Join(dir, "HEAD")); err != nil {
		return nil, transport.ErrRepositoryNotFound
	}
	st := filesystem.NewStorage(osfs.New(dir), cache.NewObjectLRUDefault())
	return boundedLocal{Storer: st, max: MaxObject}, nil
}
