package cli

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"time"

	"github.com/scaffold-cli/scaffold/internal/config"
	"github.com/scaffold-cli/scaffold/internal/display"
	"github.com/scaffold-cli/scaffold/internal/source"
)

// sourceOptions are the options of every template lookup of new, update
// and check. Without HOME there is no cache folder; only git templates need
// one, and OpenWith says so when one is used. The token hosts come from the
// user's config (see tokenHosts); update and check, which open the
// reference a project file records, also set ProjectRef.
func sourceOptions(streams *IOStreams, getenv func(string) string, now func() time.Time, builtins fs.FS, cfg *config.Config) source.Options {
	dir, _ := source.DefaultCacheDir(getenv)
	so := source.Options{CacheDir: dir, Getenv: getenv, Now: now, Builtins: builtins, TokenHosts: cfg.TokenHosts()}
	if streams.CanPrompt() {
		so.Progress = streams.ErrOut
	}
	return so
}

// openSource opens a template and passes on its notices (a cached copy
// used because the remote did not answer, say) when no progress writer
// heard them: without a terminal they must still reach stderr.
func openSource(ctx context.Context, ref string, so source.Options, errOut io.Writer) (*source.Opened, error) {
	opened, err := source.OpenWith(ctx, ref, so)
	if err != nil {
		return nil, err
	}
	if so.Progress == nil {
		for _, n := range opened.Notices {
			fmt.Fprintf(errOut, "note: %s\n", display.Untrusted(n))
		}
	}
	return opened, nil
}
