package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/scaffold-cli/scaffold/internal/serve"
)

type serveOptions struct {
	f          *Factory
	Listen     string
	NoBuiltins bool
	MaxRenders int
	LogJSON    bool
	// ready, in tests, hears the address once the server listens.
	ready func(addr string)
}

// NewCmdServe builds "scaffold serve".
func NewCmdServe(f *Factory) *cobra.Command { return newCmdServe(f, nil) }

// newCmdServe is NewCmdServe, telling ready the address it listens on.
func newCmdServe(f *Factory, ready func(addr string)) *cobra.Command {
	opts := &serveOptions{f: f, ready: ready}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the templates over HTTP: a web page, and an API for curl and IDEs",
		Long: `Serve the catalog over HTTP, as an initializr for the whole team: a web page
for browsers at /, the metadata at / for clients that ask for JSON, the
recommendation at /recommend, the dry run at /preview, and the rendered
project at /starter.zip and /starter.tgz. GET / from curl prints how.

It serves the built-in templates and the team config's aliases (--config),
whose defaults pre-fill the answers; --no-builtins serves the aliases alone.
A request names a template of that catalog, never a folder or a URL. It
never runs a template's hooks and installs no dependencies.

It keeps nothing between requests but a short memory of opened templates:
git templates come from the same cache as scaffold new's, so any number of
servers can run behind a load balancer. It logs a line per request on
stderr (the path, never the query, which may hold an answer), and stops
on SIGTERM or Ctrl-C, finishing the requests under way.`,
		Example: `  scaffold serve
  scaffold serve --config team.yaml --listen :8080
  curl -fsS 'http://127.0.0.1:8080/starter.tgz?template=go/chi&name=orders' | tar xz`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return serveRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Listen, "listen", "127.0.0.1:8080", "the address to listen on: HOST:PORT, or :PORT for every interface")
	fl.BoolVar(&opts.NoBuiltins, "no-builtins", false, "serve the team config's templates alone, not the built-in ones")
	fl.IntVar(&opts.MaxRenders, "max-renders", 0, "projects made at once; more wait, then get 503 (default: the number of CPUs, at least 2)")
	fl.BoolVar(&opts.LogJSON, "log-json", false, "log one JSON object per request instead of key=value text")
	return cmd
}

func serveRun(ctx context.Context, opts *serveOptions) error {
	f := opts.f
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	if opts.NoBuiltins && len(cfg.Aliases()) == 0 {
		return &FlagError{Err: errors.New("--no-builtins leaves nothing to serve: the team config names no template (give --config)")}
	}
	if opts.MaxRenders < 0 {
		return &FlagError{Err: fmt.Errorf("--max-renders %d: give a positive number", opts.MaxRenders)}
	}
	var handler slog.Handler = slog.NewTextHandler(f.IO.ErrOut, nil)
	if opts.LogJSON {
		handler = slog.NewJSONHandler(f.IO.ErrOut, nil)
	}
	logger := slog.New(handler)
	srv, err := serve.New(serve.Options{
		Builtins: f.Builtins, NoBuiltins: opts.NoBuiltins, Config: cfg, Getenv: f.Getenv,
		Version: f.Version, Logger: logger, Now: f.Now, Limits: serve.Limits{MaxRenders: opts.MaxRenders},
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return inputErr(fmt.Errorf("--listen %s: %w", opts.Listen, err))
	}
	// Every request's context ends when the shutdown gives up on it, so
	// a render under way stops and removes what it made.
	base, cancelBase := context.WithCancel(context.Background())
	defer cancelBase()
	hs := &http.Server{
		Handler:           srv.Handler(),
		BaseContext:       func(net.Listener) context.Context { return base },
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(handler, slog.LevelWarn),
	}
	fmt.Fprintf(f.IO.Out, "Serving %s (Ctrl-C stops)\n", serveURL(ln.Addr()))
	if opts.ready != nil {
		opts.ready(ln.Addr().String())
	}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	// Stopped: the requests under way finish, for a while; then they
	// are cut off, and their renders stopped and cleaned up.
	shut, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err = hs.Shutdown(shut)
	if err != nil {
		cancelBase()
		hs.Close()
	}
	srv.Wait()
	if err != nil {
		return fmt.Errorf("stopped, but requests still under way after %s were cut off", shutdownGrace)
	}
	fmt.Fprintln(f.IO.ErrOut, "scaffold serve: stopped")
	return nil
}

// shutdownGrace is how long the requests under way get to finish once
// the server is asked to stop.
const shutdownGrace = 30 * time.Second

// serveURL is the address to open: an unspecified host (":8080",
// "0.0.0.0") is reached at the loopback address.
func serveURL(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return "http://" + a.String() + "/"
	}
	host := tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(tcp.Port)) + "/"
}
