package template

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// A manifest may list any number of step arguments, each of which may
// loop until ExecTimeout: all the steps together get RenderTimeout, as
// a whole render does.
func TestEvalCommandsHasOneDeadline(t *testing.T) {
	defer func(d time.Duration) { renderTimeout = d }(renderTimeout)
	renderTimeout = 200 * time.Millisecond
	loop := "{{ range until 100000 }}{{ range until 100000 }}{{ end }}{{ end }}"
	var cmds []Command
	for range 50 {
		cmds = append(cmds, Command{What: "verify step x", Args: []string{loop, loop}})
	}
	tmpl := &Template{Manifest: &Manifest{}, Name: "t"}
	start := time.Now()
	_, err := tmpl.EvalCommands(context.Background(), cmds, map[string]any{})
	if err == nil || !strings.Contains(err.Error(), "t: verify step x: the steps did not finish rendering within 200ms") {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestEvalCommandsBoundsEachCommand(t *testing.T) {
	half := `{{ repeat 65000 "x" }}`
	tmpl := &Template{Manifest: &Manifest{}, Name: "t"}
	got, err := tmpl.EvalCommands(context.Background(), []Command{
		{What: "a", Args: []string{half, half}},
		{What: "b", Args: []string{half, half}}, // the bound is per command
	}, map[string]any{})
	if err != nil || len(got) != 2 || len(got[1][1]) != 65000 {
		t.Fatalf("err = %v", err)
	}
	_, err = tmpl.EvalCommands(context.Background(), []Command{{What: "c", Args: []string{half, half, half}}}, map[string]any{})
	if err == nil || !strings.Contains(err.Error(), "t: c renders to more than 128 KiB") {
		t.Fatalf("err = %v", err)
	}
}

// A step that renders only with the secret itself cannot say which of
// its parts hold it: it is shown as *** whole.
func TestEvalShownHidesAStepThatChecksTheSecret(t *testing.T) {
	tmpl := &Template{Manifest: &Manifest{Questions: []Question{{Name: "tok", Secret: true}}}, Name: "t"}
	got, err := tmpl.EvalShown(context.Background(), []Command{
		{What: "next step 1", Args: []string{`{{ if ne .tok "hunter2" }}{{ fail "wrong" }}{{ end }}export T={{ .tok | b64enc }}`}},
		{What: "next step 2", Args: []string{"npm test"}},
	}, map[string]any{"tok": "hunter2"})
	if err != nil || got[0][0] != "***" || got[1][0] != "***" {
		t.Fatalf("got %q, %v", got, err)
	}
	got, err = tmpl.EvalShown(context.Background(), []Command{{What: "next step 1", Args: []string{"npm test", "{{ .tok | upper }}"}}}, map[string]any{"tok": "hunter2"})
	if err != nil || got[0][0] != "npm test" || got[0][1] != "***" {
		t.Fatalf("got %q, %v", got, err)
	}
}

// Interrupted, the error says so, secret answers or not: the command
// line maps it to exit 130.
func TestEvalShownInterrupted(t *testing.T) {
	tmpl := &Template{Manifest: &Manifest{Questions: []Question{{Name: "tok", Secret: true}}}, Name: "t"}
	c, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := tmpl.EvalShown(c, []Command{{What: "next step 1", Args: []string{"echo {{ .tok }}"}}}, map[string]any{"tok": "hunter2"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

// What a next step shows tells nothing of the secret: not its length,
// not an if on it, not the padding of its encoding. Two secrets show the
// same.
func TestEvalShownTellsNothingOfTheSecret(t *testing.T) {
	tmpl := &Template{Manifest: &Manifest{Questions: []Question{{Name: "tok", Secret: true}}}, Name: "t"}
	cmds := []Command{
		{What: "len", Args: []string{"echo {{ len .tok }}"}},
		{What: "if", Args: []string{`echo {{ if hasPrefix "ghp_" .tok }}github{{ else }}other{{ end }}`}},
		{What: "b64", Args: []string{"echo {{ .tok | b64enc }}"}},
		{What: "bool", Args: []string{`echo {{ .tok | hasPrefix "ghp_" }}`}},
		{What: "plain", Args: []string{"npm test"}},
	}
	var shown [][][]string
	for _, tok := range []string{"ghp_abcdefghij", "hunter2", "supersecret1"} {
		got, err := tmpl.EvalShown(context.Background(), cmds, map[string]any{"tok": tok})
		if err != nil {
			t.Fatal(err)
		}
		for _, args := range got {
			if strings.Contains(args[0], tok) {
				t.Errorf("%q shows the secret", args[0])
			}
		}
		shown = append(shown, got)
	}
	for i := 1; i < len(shown); i++ {
		if !reflect.DeepEqual(shown[i], shown[0]) {
			t.Errorf("two secrets show differently: %q and %q", shown[0], shown[i])
		}
	}
	if got := shown[0][0][0]; got != "echo ***" {
		t.Errorf("len shows %q, want echo ***", got)
	}
	if got := shown[0][4][0]; got != "npm test" {
		t.Errorf("a step without the secret shows %q", got)
	}
}
