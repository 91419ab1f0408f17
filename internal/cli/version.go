package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Build is what scaffold version says about the binary.
type Build struct {
	Version string `json:"version"`
	// Commit is the git commit built; empty when unknown (a go install
	// from the module proxy stamps none).
	Commit string `json:"commit"`
	// Date is when that commit was made (a go build stamp) or when the
	// release was built (-ldflags), RFC 3339; empty when unknown.
	Date string `json:"date"`
	// Modified says the work tree had changes that the commit lacks.
	Modified  bool   `json:"modified"`
	GoVersion string `json:"go"`
	Platform  string `json:"platform"`
}

// readBuildInfo is debug.ReadBuildInfo; tests replace it.
var readBuildInfo = debug.ReadBuildInfo

// currentBuild describes this binary: version as the factory has it,
// commit and date from -ldflags when a release stamped them, else from
// the VCS settings go build records (vcs.revision, vcs.time,
// vcs.modified), so that a plain go build or go install says something.
func currentBuild(version string) Build {
	b := Build{Version: version, Commit: commit, Date: date,
		GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	bi, ok := readBuildInfo()
	if !ok {
		return b
	}
	if bi.GoVersion != "" {
		b.GoVersion = bi.GoVersion
	}
	if b.Commit != "" {
		return b // a release: its stamps are the whole story
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.time":
			if b.Date == "" {
				b.Date = s.Value
			}
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// NewCmdVersion builds "scaffold version".
func NewCmdVersion(f *Factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print scaffold's version, commit, build date, Go version and platform",
		Example: `  scaffold version
  scaffold version --json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			b := currentBuild(f.Version)
			if asJSON {
				return writeJSON(f.IO.Out, b)
			}
			return writeBuild(f.IO.Out, b)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print it as one JSON object")
	return cmd
}

// writeBuild prints b for a person: the first line as scaffold always
// printed it, then what is known of the commit and its date.
func writeBuild(w io.Writer, b Build) error {
	commit, date := b.Commit, b.Date
	if commit == "" {
		commit = "unknown"
	} else if b.Modified {
		commit += " (with uncommitted changes)"
	}
	if date == "" {
		date = "unknown"
	}
	_, err := fmt.Fprintf(w, "scaffold %s (%s, %s)\ncommit:   %s\nbuilt:    %s\ngo:       %s\nplatform: %s\n",
		b.Version, b.GoVersion, b.Platform, commit, date, b.GoVersion, b.Platform)
	return err
}

// writeJSON prints v as one indented JSON document.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
