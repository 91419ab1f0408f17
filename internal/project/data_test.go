package project

import (
	"slices"
	"testing"

	"github.com/scaffold-cli/scaffold/internal/names"
)

func TestDataGoalsNeverNil(t *testing.T) {
	in := DataInput{Project: names.Project{Name: "app"}, Author: "A", Year: 2026, Version: "v1"}
	d := Data(in)
	if g, ok := d["Goals"].([]string); !ok || g == nil || len(g) != 0 {
		t.Errorf("Goals = %#v, want an empty list", d["Goals"])
	}
	in.Goals = []string{"realtime"}
	d = Data(in)
	in.Goals[0] = "changed"
	if g := d["Goals"].([]string); !slices.Equal(g, []string{"realtime"}) {
		t.Errorf("Goals = %q, want a copy of the input", g)
	}
	if d["Scaffold"].(map[string]any)["Version"] != "v1" || d["Project"].(projectData).Year != 2026 {
		t.Errorf("data %#v", d)
	}
}
