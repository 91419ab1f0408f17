package cli

import (
	"fmt"
	"io/fs"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/scaffold-cli/scaffold/internal/config"
	"github.com/scaffold-cli/scaffold/internal/display"
)

type listOptions struct {
	IO       *IOStreams
	Config   func() (*config.Config, error)
	Builtins fs.FS
	JSON     bool
}

// NewCmdList builds "scaffold list".
func NewCmdList(f *Factory, runF func(*listOptions) error) *cobra.Command {
	opts := &listOptions{IO: f.IO, Config: f.Config, Builtins: f.Builtins}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the templates scaffold knows",
		Long: `List the templates scaffold knows: the built-ins, with their kind (service,
cli, library, workspace), language, framework and version, and the team's
aliases from the config file, with the source each points at. An alias
named like a built-in replaces it. --json adds each template's title.`,
		Example: "  scaffold list\n  scaffold list --json",
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return listRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the templates as a JSON array")
	return cmd
}

func listRun(opts *listOptions) error {
	cat, err := loadCatalog(opts.Builtins, opts.Config)
	if err != nil {
		return err
	}
	entries := cat.Entries()
	if opts.JSON {
		return writeJSON(opts.IO.Out, entries)
	}
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tLANGUAGE\tFRAMEWORK\tVERSION\tSOURCE\tDESCRIPTION")
	// Names and descriptions come from templates and the config: escaped,
	// a tab or an escape sequence in one cannot forge the table.
	for _, t := range entries {
		cells := []string{t.Name, dash(string(t.Kind)), dash(t.Language), dash(t.Framework), dash(t.Version), t.Source, t.Description}
		for i, c := range cells {
			cells[i] = display.Untrusted(c)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
