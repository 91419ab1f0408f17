package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/scaffold-cli/scaffold/internal/source"
)

type listOptions struct {
	IO   *IOStreams
	JSON bool
}

// NewCmdList builds "scaffold list".
func NewCmdList(f *Factory, runF func(*listOptions) error) *cobra.Command {
	opts := &listOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List the templates scaffold knows",
		Long:    "List the built-in templates with their language, framework and version.",
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
	infos, err := source.Builtins()
	if err != nil {
		return err
	}
	if opts.JSON {
		return writeJSON(opts.IO.Out, infos)
	}
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tLANGUAGE\tFRAMEWORK\tVERSION\tSOURCE\tDESCRIPTION")
	for _, t := range infos {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.Name, t.Language, t.Framework, t.Version, t.Source, t.Description)
	}
	return tw.Flush()
}
