package project

import (
	"strings"
	"testing"
)

// A workspace's record is a project file anyone may edit: parts whose
// folders leave the workspace, overlap, or whose fields would write
// more than a value into the root files are refused.
func TestRecordRefusesBadParts(t *testing.T) {
	head := "template: {source: workspace/polyglot}\nanswers: {}\nparts:\n"
	good := "  - {name: api, path: apps/api, layer: api, template: node/express, language: node}\n"
	if _, err := parseRecord("r.yaml", []byte(head+good)); err != nil {
		t.Fatalf("a good part is refused: %v", err)
	}
	for part, want := range map[string]string{
		"  - {name: x, path: ../out, template: go/chi}\n":                          "is not a folder path inside the workspace",
		"  - {name: x, path: /etc, template: go/chi}\n":                            "is not a folder path inside the workspace",
		"  - {name: x, path: apps/.git, template: go/chi}\n":                       "is not a folder path inside the workspace",
		"  - {name: x, path: 'a b', template: go/chi}\n":                           "is not a folder path inside the workspace",
		"  - {name: x, path: apps/api/sub, template: go/chi}\n":                    "overlap",
		"  - {name: api, path: apps/other, template: go/chi}\n":                    "",
		"  - {name: Bad, path: apps/bad, template: go/chi}\n":                      "is no part name",
		"  - {name: x, path: apps/x, template: 'go/chi\"\\n  evil: 1'}\n":          "template reference must be one line",
		"  - {name: x, path: apps/x, template: go/chi, language: 'go\\nrun: x'}\n": "plain words",
	} {
		_, err := parseRecord("r.yaml", []byte(head+good+part))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", strings.TrimSpace(part), err, want)
		}
	}
}
