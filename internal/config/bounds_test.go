package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scaffold-cli/scaffold/internal/tree/treetest"
)

// The config is read with a bound and never blocks: a FIFO, a link to
// /dev/zero and a sparse 4 GiB file are quick, clear errors.
func TestLoadRefusesHostileFiles(t *testing.T) {
	for _, tc := range []struct {
		kind, want string
		make       func(p string) error
	}{
		{"fifo", "is a FIFO", func(p string) error { return treetest.Mkfifo(p) }},
		{"devzero", "is a device", func(p string) error { return os.Symlink("/dev/zero", p) }},
		{"sparse", "is larger than 1 MiB", func(p string) error {
			f, err := os.Create(p)
			if err != nil {
				return err
			}
			defer f.Close()
			return f.Truncate(4 << 30)
		}},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "config.yaml")
			if err := tc.make(p); err != nil {
				t.Skipf("cannot make a %s here: %v", tc.kind, err)
			}
			done := make(chan error, 1)
			go func() { _, err := Load(p, true); done <- err }()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("Load = %v, want an error saying %q", err, tc.want)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("Load blocks")
			}
		})
	}
}
