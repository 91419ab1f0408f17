package template

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// An execution whose memory grows without bound (a value doubled forty
// times, a template calling itself from a range, keeping a list alive at
// every level) is stopped once the live heap has grown by maxExecHeap,
// long before ExecTimeout, and the abandoned execution ends at its next
// function call instead of growing on.
func TestExecuteMemoryBound(t *testing.T) {
	old := maxExecHeap
	maxExecHeap = 32 << 20
	t.Cleanup(func() { maxExecHeap = old })
	for name, text := range map[string]string{
		"print":   `{{ $s := "a" }}{{ range until 40 }}{{ $s = print $s $s }}{{ end }}{{ len $s }}`,
		"concat":  `{{ $x := list 1 }}{{ range until 40 }}{{ $x = concat $x $x }}{{ end }}{{ len $x }}`,
		"recurse": `{{ define "a" }}{{ range until 100000 }}{{ template "a" . }}{{ end }}{{ end }}{{ template "a" . }}`,
	} {
		start := time.Now()
		err := execute(context.Background(), io.Discard, name, text, map[string]any{}, MaxFileBytes)
		if err == nil || !strings.Contains(err.Error(), "MiB of memory") {
			t.Errorf("%s: execute = %v, want the memory bound", name, err)
		}
		if d := time.Since(start); d >= ExecTimeout {
			t.Errorf("%s: stopped after %v, not by the memory bound", name, d)
		}
	}
	// An ordinary template, functions and print included, is unaffected.
	var out strings.Builder
	if err := execute(context.Background(), &out, "ok", `{{ upper "a" }} {{ printf "%03d" 7 }} {{ print 1 2 }} {{ join "," (list "x" "y") }}`, nil, MaxFileBytes); err != nil || out.String() != "A 007 1 2 x,y" {
		t.Fatalf("execute = %q, %v", out.String(), err)
	}
}
