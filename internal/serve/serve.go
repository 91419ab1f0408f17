// Package serve is scaffold's web initializr: the catalog, the decision
// rules and the renderer of scaffold new, over HTTP. GET / answers with
// the metadata (JSON), a short help (curl) or the web page (a browser);
// /recommend gives the recommendation; /preview is the dry run and
// /starter.zip and /starter.tgz the rendered project.
//
// A server holds no state of its own beyond a short memory of opened
// templates: git templates come from the same cache as the command
// line's, so any number of servers can sit behind a load balancer. It
// never runs a template's hooks and installs no dependencies. Only
// templates of the catalog (built-ins and the team config's aliases) can
// be rendered: a request cannot name a folder or a repository.
package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/scaffold-cli/scaffold/internal/catalog"
	"github.com/scaffold-cli/scaffold/internal/config"
	"github.com/scaffold-cli/scaffold/internal/source"
)

// Limits bound what one request may cost the server.
type Limits struct {
	// MaxBody is the largest request body, in bytes.
	MaxBody int64
	// MaxRenders is how many previews and archives are made at once.
	MaxRenders int
	// QueueWait is how long a request waits for a render slot before it
	// is answered 503 with Retry-After; negative is not at all.
	QueueWait time.Duration
	// MaxArchive is the largest archive, in bytes.
	MaxArchive int64
	// RenderTimeout bounds the work of one request: opening the
	// template, answering, rendering, committing and archiving.
	RenderTimeout time.Duration
	// MaxBuffered bounds the bytes of all the responses made and not yet
	// sent (slow clients'); past it a request gets 503.
	MaxBuffered int64
}

// DefaultLimits are the limits of a server that names none.
func DefaultLimits() Limits {
	return Limits{
		MaxBody:       64 << 10,
		MaxRenders:    max(2, runtime.GOMAXPROCS(0)),
		QueueWait:     5 * time.Second,
		MaxArchive:    64 << 20,
		RenderTimeout: time.Minute,
		MaxBuffered:   256 << 20,
	}
}

// Options make a Server.
type Options struct {
	// Catalog is what the server offers; nil is the built-ins of
	// Builtins (nil: the embedded ones) with the aliases of Config,
	// or the aliases alone with NoBuiltins.
	Catalog    *catalog.Catalog
	Builtins   fs.FS
	NoBuiltins bool
	// Config is the team config: its aliases, defaults and name rules.
	Config *config.Config
	// Open opens a template of the catalog by name; nil opens it as
	// scaffold new does, git templates through the cache of Getenv's
	// XDG_CACHE_HOME or HOME.
	Open    func(ctx context.Context, name string) (*source.Opened, error)
	Getenv  func(string) string
	Version string
	// Logger receives one line per request; nil logs nothing.
	Logger *slog.Logger
	Now    func() time.Time
	// Limits are zero-valued fields filled from DefaultLimits.
	Limits Limits
}

// Server is the initializr. Its Handler serves every route.
type Server struct {
	cat     *catalog.Catalog
	cfg     *config.Config
	open    func(ctx context.Context, name string) (*source.Opened, error)
	version string
	log     *slog.Logger
	now     func() time.Time
	limits  Limits
	slots   chan struct{}
	builtin bool
	// buffered counts the bytes of responses made and not yet sent.
	buffered atomic.Int64
	// running counts the requests under way, for Wait.
	running sync.WaitGroup
	flight  singleflight.Group

	mu     sync.Mutex
	opened map[string]openedEntry
}

type openedEntry struct {
	o   *source.Opened
	err error
	at  time.Time
}

// reopenAfter is how long an opened template other than a built-in is
// used before it is opened again (a git branch checked for new commits,
// a folder read again).
const reopenAfter = 30 * time.Second

// New makes a Server.
func New(opts Options) (*Server, error) {
	s := &Server{cfg: opts.Config, open: opts.Open, version: opts.Version, log: opts.Logger, now: opts.Now,
		limits: opts.Limits, opened: map[string]openedEntry{}, builtin: !opts.NoBuiltins}
	if s.cfg == nil {
		s.cfg = &config.Config{}
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.version == "" {
		s.version = "dev"
	}
	def := DefaultLimits()
	for _, l := range []struct {
		v *int64
		d int64
	}{{&s.limits.MaxBody, def.MaxBody}, {&s.limits.MaxArchive, def.MaxArchive}, {&s.limits.MaxBuffered, def.MaxBuffered}} {
		if *l.v <= 0 {
			*l.v = l.d
		}
	}
	if s.limits.MaxRenders <= 0 {
		s.limits.MaxRenders = def.MaxRenders
	}
	switch {
	case s.limits.QueueWait == 0:
		s.limits.QueueWait = def.QueueWait
	case s.limits.QueueWait < 0: // no waiting at all
		s.limits.QueueWait = 0
	}
	if s.limits.RenderTimeout <= 0 {
		s.limits.RenderTimeout = def.RenderTimeout
	}
	s.slots = make(chan struct{}, s.limits.MaxRenders)

	s.cat = opts.Catalog
	if s.cat == nil {
		var err error
		if s.cat, err = buildCatalog(opts.Builtins, opts.NoBuiltins, s.cfg); err != nil {
			return nil, err
		}
	}
	if len(s.cat.Entries()) == 0 {
		return nil, errors.New("no template to serve: the team config names none and the built-ins are left out")
	}
	if s.open == nil {
		getenv := opts.Getenv
		if getenv == nil {
			getenv = func(string) string { return "" }
		}
		s.open = defaultOpen(s.cfg, opts.Builtins, getenv, s.now)
	}
	return s, nil
}

// buildCatalog is the built-ins (unless left out) and the config's
// aliases, each shown without the credentials its URL may hold.
func buildCatalog(builtins fs.FS, noBuiltins bool, cfg *config.Config) (*catalog.Catalog, error) {
	cat := &catalog.Catalog{}
	if !noBuiltins {
		var err error
		if cat, err = catalog.Builtins(builtins); err != nil {
			return nil, err
		}
	}
	return cat.WithConfig(cfg), nil
}

// defaultOpen opens a name of the catalog as scaffold new does: through
// the config's aliases, a git template from the shared cache.
func defaultOpen(cfg *config.Config, builtins fs.FS, getenv func(string) string, now func() time.Time) func(context.Context, string) (*source.Opened, error) {
	return func(ctx context.Context, name string) (*source.Opened, error) {
		ref, _ := cfg.Resolve(name)
		dir, _ := source.DefaultCacheDir(getenv)
		return source.OpenWith(ctx, ref, source.Options{CacheDir: dir, Getenv: getenv, Now: now, Builtins: builtins, TokenHosts: cfg.TokenHosts()})
	}
}

// template opens the catalog's template name, or gives the one opened
// a moment ago, or the failure to open it: one opening at a time per
// name, whoever waits for it, so a burst of requests is one fetch of a
// git template. While its source cannot be opened, the last copy opened
// serves, with a warning in the log.
func (s *Server) template(ctx context.Context, name string) (*source.Opened, error) {
	s.mu.Lock()
	e, ok := s.opened[name]
	s.mu.Unlock()
	if ok && (e.o != nil && e.o.Kind == source.Builtin || s.now().Sub(e.at) < reopenAfter) {
		return e.o, e.err
	}
	ch := s.flight.DoChan(name, func() (any, error) {
		// Not the request's context: whoever waits for it, the opening
		// is bounded by its own time.
		octx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.limits.RenderTimeout)
		defer cancel()
		o, err := s.open(octx, name)
		if err != nil && ok && e.o != nil {
			s.log.Warn("open template: serving the copy opened before", "template", name, "error", err)
			o, err = e.o, nil
		}
		s.mu.Lock()
		s.opened[name] = openedEntry{o: o, err: err, at: s.now()}
		s.mu.Unlock()
		return o, err
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*source.Opened), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// allowed are the methods of each route, for a 405's Allow.
var allowed = map[string]string{
	"/": "GET, HEAD", "/healthz": "GET, HEAD", "/readyz": "GET, HEAD", "/recommend": "GET, HEAD",
	"/preview": "GET, HEAD, POST", "/starter.zip": "GET, HEAD, POST", "/starter.tgz": "GET, HEAD, POST",
}

// Wait waits for the requests under way to end: after the http.Server's
// Shutdown or Close, so that none is left writing (a git=true render
// removes its folder as it ends).
func (s *Server) Wait() { s.running.Wait() }

// Handler serves every route of the initializr.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.root)
	mux.HandleFunc("GET /assets/{file}", s.asset)
	mux.HandleFunc("GET /healthz", s.health)
	mux.HandleFunc("GET /readyz", s.health)
	mux.HandleFunc("GET /recommend", s.recommend)
	mux.HandleFunc("GET /preview", s.preview)
	mux.HandleFunc("POST /preview", s.preview)
	for _, f := range formats {
		mux.HandleFunc("GET /starter"+f.ext, s.starter(f))
		mux.HandleFunc("POST /starter"+f.ext, s.starter(f))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if allow, ok := allowed[r.URL.Path]; ok || strings.HasPrefix(r.URL.Path, "/assets/") {
			if !ok {
				allow = "GET, HEAD"
			}
			w.Header().Set("Allow", allow)
			s.problem(w, r, &problem{Status: http.StatusMethodNotAllowed, Detail: fmt.Sprintf("%s takes %s, not %s", r.URL.Path, allow, r.Method)})
			return
		}
		s.problem(w, r, &problem{Status: http.StatusNotFound, Detail: fmt.Sprintf("no such endpoint: %s %s; GET / lists them", r.Method, r.URL.Path)})
	})
	return s.middleware(mux)
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// statusWriter notes the status and size of a response, for the log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// middleware sets the headers every response carries, bounds the body,
// turns a panic into a 500, and logs each request: its path, never its
// query, which may hold a secret answer.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.running.Add(1)
		defer s.running.Done()
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h := sw.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		r.Body = http.MaxBytesReader(sw, r.Body, s.limits.MaxBody)
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "path", r.URL.Path, "panic", fmt.Sprint(v))
				if sw.status == 0 {
					s.problem(sw, r, &problem{Status: http.StatusInternalServerError, Detail: "the server failed; its log says why"})
				}
			}
			s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", sw.status, "bytes", sw.bytes,
				"ms", time.Since(start).Milliseconds(), "remote", r.RemoteAddr)
		}()
		next.ServeHTTP(sw, r)
	})
}

// acquire waits for a render slot; false means none came free in time
// (a 503 has been written) or the client went away.
func (s *Server) acquire(w http.ResponseWriter, r *http.Request) bool {
	select {
	case s.slots <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(s.limits.QueueWait)
	defer t.Stop()
	select {
	case s.slots <- struct{}{}:
		return true
	case <-t.C:
	case <-r.Context().Done():
		return false
	}
	w.Header().Set("Retry-After", "1")
	s.problem(w, r, &problem{Status: http.StatusServiceUnavailable,
		Detail: fmt.Sprintf("the server is making %d projects already, its limit; try again in a moment", s.limits.MaxRenders)})
	return false
}

func (s *Server) release() { <-s.slots }
