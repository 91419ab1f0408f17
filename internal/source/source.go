// Package source finds templates: built into the binary, in a folder, or
// in a git repository, cloned with go-git into a cache (see OpenWith).
package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/scaffold-cli/scaffold/internal/display"
	"github.com/scaffold-cli/scaffold/internal/template"
	"github.com/scaffold-cli/scaffold/internal/tree"
	"github.com/scaffold-cli/scaffold/templates"
)

// Kind says where a template comes from.
type Kind string

// The kinds of source.
const (
	Builtin Kind = "builtin"
	Dir     Kind = "dir"
	Git     Kind = "git"
)

// builtinNames finds every <language>/<framework> folder holding a
// manifest, for messages; package catalog lists what they are.
func builtinNames() []string {
	matches, _ := fs.Glob(templates.FS, "*/*/"+template.ManifestFile)
	var names []string
	for _, m := range matches {
		if name := path.Dir(m); isBuiltinIn(templates.FS, name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// IsBuiltin reports whether name is an embedded template.
func IsBuiltin(name string) bool { return isBuiltinIn(templates.FS, name) }

// isBuiltinIn reports whether fsys holds a template named name.
// Built-ins are <language>/<name>; a folder whose name starts with _
// holds a shared layer, not a template.
func isBuiltinIn(fsys fs.FS, name string) bool {
	parts := strings.Split(name, "/")
	if !fs.ValidPath(name) || len(parts) != 2 || strings.HasPrefix(parts[0], "_") || strings.HasPrefix(parts[1], "_") {
		return false
	}
	info, err := fs.Stat(fsys, path.Join(name, template.ManifestFile))
	return err == nil && info.Mode().IsRegular()
}

// loadFS loads the template in the folder name of fsys, the built-ins,
// with the layers it includes from the other folders of fsys.
func loadFS(fsys fs.FS, name string) (*template.Template, error) {
	read := func(folder string, lim tree.Limits) (*tree.Tree, string, error) {
		t, err := readFS(fsys, folder, lim)
		return t, folder, err // an embedded tree has no links
	}
	files, err := readFS(fsys, name, tree.DefaultLimits)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	return template.Compose(files, name, template.Source{Root: "the built-in templates", Dir: name, Read: read})
}

// readFS reads the folder of fsys into a tree, as template.Source's Read.
func readFS(fsys fs.FS, folder string, lim tree.Limits) (*tree.Tree, error) {
	info, err := fs.Stat(fsys, folder)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, template.ErrNotFolder
	}
	sub, err := fs.Sub(fsys, folder)
	if err != nil {
		return nil, err
	}
	return tree.ReadFS(sub, lim)
}

// Opened is a template together with where it came from.
type Opened struct {
	Template *template.Template
	Kind     Kind
	// Ref is the canonical reference as recorded in the answers file:
	// the built-in name, the absolute folder, or URL[//SUBDIR][@REV]
	// without credentials.
	Ref string
	// Commit is the full hash (40 hex digits) of the commit a git
	// template was taken from; empty for other kinds.
	Commit string
	// Digest identifies the template's content: see Digest.
	Digest string
	// Notices are things the user should hear, such as a cached copy
	// used because the repository could not be reached. They were also
	// written to Options.Progress, when set.
	Notices []string
}

// Options are what OpenWith needs from its caller for git sources.
type Options struct {
	// CacheDir holds the cloned repositories, normally
	// $XDG_CACHE_HOME/scaffold/templates (see DefaultCacheDir). Required
	// for git sources only.
	CacheDir string
	// Refresh fetches a git source even when the cache holds it, and
	// fails when the fetch fails.
	Refresh bool
	// Progress receives clone progress and notices; nil is silent. The
	// caller passes stderr only when it is a terminal.
	Progress io.Writer
	// Getenv reads SCAFFOLD_GIT_TOKEN, SSH_AUTH_SOCK and HOME; nil is an
	// empty environment.
	Getenv func(string) string
	// Timeout is how long the remote may send nothing before a fetch is
	// given up on: a slow but steady clone goes on. Zero means
	// DefaultTimeout.
	Timeout time.Duration
	// MaxTime bounds all the work of one OpenWith, network and waiting
	// for another scaffold's fetch of the same entry included; zero
	// means DefaultMaxTime.
	MaxTime time.Duration
	// Now is the clock that dates abandoned clones in the cache where
	// file locks do not work (older than an hour, they are removed); nil
	// leaves them there. With locks, a clone whose entry is not locked
	// is abandoned, whatever its age.
	Now func() time.Time
	// TokenHosts are the hosts SCAFFOLD_GIT_TOKEN may be sent to, as
	// host (any port) or host:port, besides those SCAFFOLD_GIT_TOKEN_HOSTS
	// lists: the token goes to no other host, whatever URL a template
	// reference names. The caller fills it from the user's own config.
	TokenHosts []string
	// ProjectRef says the reference was read from a project file
	// (.scaffold-answers.yaml), which whoever may change the project can
	// edit: credentials written in its URL are not used.
	ProjectRef bool
	// Builtins replaces the embedded templates when a built-in name is
	// opened; tests use it to play a later scaffold with newer built-ins.
	Builtins fs.FS
}

// DefaultTimeout is how long a remote may send nothing when
// Options.Timeout is zero.
const DefaultTimeout = 15 * time.Second

// DefaultMaxTime bounds one OpenWith when Options.MaxTime is zero.
const DefaultMaxTime = 10 * time.Minute

// TokenEnv names the environment variable holding a token for HTTPS git
// sources.
const TokenEnv = "SCAFFOLD_GIT_TOKEN"

// timeouts gives Timeout and MaxTime, or their defaults.
func (o Options) timeouts() (idle, total time.Duration) {
	idle, total = o.Timeout, o.MaxTime
	if idle <= 0 {
		idle = DefaultTimeout
	}
	if total <= 0 {
		total = DefaultMaxTime
	}
	return idle, total
}

// DefaultCacheDir is $XDG_CACHE_HOME/scaffold/templates, or
// $HOME/.cache/scaffold/templates when XDG_CACHE_HOME is unset (as the XDG
// base directory specification says, a relative XDG_CACHE_HOME is ignored).
func DefaultCacheDir(getenv func(string) string) (string, error) {
	if dir := getenv("XDG_CACHE_HOME"); filepath.IsAbs(dir) {
		return filepath.Join(dir, "scaffold", "templates"), nil
	}
	if home := getenv("HOME"); home != "" {
		return filepath.Join(home, ".cache", "scaffold", "templates"), nil
	}
	// Windows sets no HOME: its per-user cache is %LocalAppData%, where
	// os.UserCacheDir puts it too.
	if dir := getenv("LOCALAPPDATA"); runtime.GOOS == "windows" && filepath.IsAbs(dir) {
		return filepath.Join(dir, "scaffold", "templates"), nil
	}
	return "", errors.New("no cache folder for git templates: set XDG_CACHE_HOME or HOME")
}

// OpenWith finds the template that ref names (see ParseRef): a built-in
// such as go/chi, a folder (a path starting with ".", "/" or "~", or any
// existing folder that is not a built-in name), or a git repository,
// cloned with go-git into opts.CacheDir or taken from it.
//
// A tag or commit found in the cache is used without any network. A
// branch, or the default branch when no ref is given, is checked against
// the remote (one reference listing) and fetched again when it moved; when
// the remote cannot be reached the cached copy is used, with a notice. A
// branch or tag is fetched at depth 1, a commit with the whole history.
// opts.Refresh checks every ref against the remote and fails without it.
//
// Credentials never reach the cache, Opened.Ref, a notice or an error: an
// http(s) URL's userinfo and the token of SCAFFOLD_GIT_TOKEN are given to
// go-git as basic auth, never in the URL. The token is sent only to a host
// of opts.TokenHosts or SCAFFOLD_GIT_TOKEN_HOSTS, and only over https or
// to this machine; userinfo is not used when opts.ProjectRef is set. ssh uses the agent of
// SSH_AUTH_SOCK and the unencrypted ~/.ssh/id_ed25519, id_ecdsa or id_rsa,
// and go-git's known_hosts check.
func OpenWith(ctx context.Context, ref string, opts Options) (*Opened, error) {
	if opts.Progress != nil {
		// Progress carries what a remote writes (its sideband messages,
		// its errors in notices) to the user's terminal, where an escape
		// sequence could clear the screen or redraw what scaffold printed.
		opts.Progress = display.Writer(opts.Progress)
	}
	// Built-ins other than the embedded ones (a later scaffold's, played
	// by a test) are names in opts.Builtins.
	if opts.Builtins != nil && !looksLikePath(ref) && !isGitRef(ref) && isBuiltinIn(opts.Builtins, ref) {
		return openBuiltinRef(ref, opts.Builtins)
	}
	r, err := ParseRef(ref)
	if err != nil {
		return nil, err
	}
	switch r.Kind {
	case Builtin:
		return openBuiltinRef(r.Name, opts.Builtins)
	case Git:
		return openGit(ctx, r, opts)
	}
	return openDir(r)
}

func openBuiltinRef(name string, builtins fs.FS) (*Opened, error) {
	if builtins == nil {
		builtins = templates.FS
	}
	t, err := loadFS(builtins, name)
	if err != nil {
		return nil, err
	}
	return &Opened{Template: t, Kind: Builtin, Ref: name, Digest: t.Digest()}, nil
}

// openDir opens a folder template, PATH or PATH//SUBDIR (see ParseRef).
// PATH is the root its include entries are resolved against, and every
// folder is read through an os.Root on it, so that no link (SUBDIR's,
// an include's, or one in what they hold) leads a read out of it.
func openDir(r Ref) (*Opened, error) {
	info, err := os.Stat(r.Name)
	if err != nil || !info.IsDir() {
		return nil, fmt.Errorf("unknown template %q: use a built-in (%s), a folder holding a %s, or a git URL", r.String(), strings.Join(builtinNames(), ", "), template.ManifestFile)
	}
	abs, err := filepath.Abs(r.Name)
	if err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	ref := Ref{Kind: Dir, Name: abs, Subdir: r.Subdir}.String()
	src := template.Source{Root: abs, Dir: ".", Read: func(folder string, lim tree.Limits) (*tree.Tree, string, error) {
		return readRoot(root, folder, lim)
	}}
	if r.Subdir == "" {
		src.Root += ", the template's own folder: to include folders beside it, open it as ROOT//TEMPLATE with a folder above it as ROOT"
	} else if src.Dir, err = tree.ResolveIn(root, r.Subdir); err != nil {
		return nil, fmt.Errorf("template %s: folder %q leads out of %s", ref, r.Subdir, abs)
	}
	files, _, err := src.Read(src.Dir, tree.DefaultLimits)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, template.ErrNotFolder) {
		return nil, fmt.Errorf("no folder %q in %s: check the path after //", r.Subdir, abs)
	}
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", ref, err)
	}
	t, err := template.Compose(files, ref, src)
	if err != nil {
		return nil, err
	}
	return &Opened{Template: t, Kind: Dir, Ref: ref, Digest: t.Digest()}, nil
}

// readRoot reads the folder of root into a tree, as template.Source's
// Read: its links are resolved as the disk would, and must stay inside
// root, and it is read through an os.Root of its own, as tree.ReadDir
// reads a folder.
func readRoot(root *os.Root, folder string, lim tree.Limits) (*tree.Tree, string, error) {
	real, err := tree.ResolveIn(root, folder)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", template.ErrOutsideRoot, err)
	}
	info, err := root.Lstat(real)
	if err != nil {
		return nil, "", err
	}
	if !info.IsDir() {
		return nil, "", template.ErrNotFolder
	}
	sub, err := root.OpenRoot(real)
	if err != nil {
		return nil, "", err
	}
	defer sub.Close()
	t, err := tree.ReadFS(rootFS{sub}, lim)
	return t, real, err
}

// rootFS is an os.Root as the fs.FS tree.ReadFS reads: files are opened
// with tree.OpenFile, which never blocks on a FIFO, and links are read,
// not followed.
type rootFS struct{ root *os.Root }

func (f rootFS) Open(name string) (fs.File, error) { return tree.OpenFile(f.root, name) }
func (f rootFS) ReadDir(name string) ([]fs.DirEntry, error) {
	return fs.ReadDir(f.root.FS(), name)
}
func (f rootFS) ReadLink(name string) (string, error)   { return f.root.Readlink(name) }
func (f rootFS) Lstat(name string) (fs.FileInfo, error) { return f.root.Lstat(name) }
