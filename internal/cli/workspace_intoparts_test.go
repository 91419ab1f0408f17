package cli

import (
	"strings"
	"testing"

	"github.com/scaffold-cli/scaffold/internal/project"
	"github.com/scaffold-cli/scaffold/internal/template"
)

// A root file may lie neither in a part's folder nor where one of the
// folders on the way to it is: update would otherwise tell the user to
// move that folder, the part in it, away to take the root's file.
func TestIntoParts(t *testing.T) {
	parts := []project.PartRecord{{Name: "api", Path: "apps/api"}}
	for _, p := range []string{"apps/api", "apps/api/x", "apps"} {
		err := intoParts([]template.File{{Path: p}}, parts, "evil")
		if err == nil || !strings.Contains(err.Error(), "apps/api") {
			t.Errorf("%s: err = %v, want it refused", p, err)
		}
	}
	for _, p := range []string{"apps/apix", "apps/api.md", "app", "Makefile", "apps/other/x"} {
		if err := intoParts([]template.File{{Path: p}}, parts, "evil"); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
}
