package template

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// Nothing in a template reaches the environment, the network, the clock,
// randomness, files or commands: each such function, and variants of its
// spelling, is undefined.
func TestFunctionsAreHermetic(t *testing.T) {
	absent := []string{
		"env", "Env", "ENV", "expandenv", "expandEnv", "ExpandEnv", "getenv", "getEnv", "os",
		"getHostByName", "gethostbyname", "getHostByname", "lookupHost",
		"now", "date", "dateInZone", "date_in_zone", "dateModify", "date_modify", "htmlDate", "htmlDateInZone", "ago",
		"randAlpha", "randAlphaNum", "randAscii", "randNumeric", "randBytes", "randInt", "uuidv4", "shuffle",
		"genPrivateKey", "genCA", "genCAWithKey", "genSelfSignedCert", "genSelfSignedCertWithKey",
		"genSignedCert", "genSignedCertWithKey", "bcrypt", "htpasswd", "encryptAES",
		"readFile", "ReadFile", "readfile", "include", "file", "glob", "exec", "Exec", "shell", "cmd", "run", "system",
	}
	fsys := fstest.MapFS{"scaffold.yaml": {Data: []byte("name: t\n")}}
	tmpl, err := loadFS(fsys, "t")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range absent {
		_, err := tmpl.Eval("probe", "{{ "+name+" }}", map[string]any{})
		if err == nil || !strings.Contains(err.Error(), `function "`+name+`" not defined`) {
			t.Errorf("%s: err = %v, want it undefined", name, err)
		}
	}
}

// A template that never ends or explodes is stopped with a clear error.
func TestRenderLimits(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"huge until", `{{ range until 1000000000000 }}x{{ end }}`, "more than the 100000 a template may build"},
		{"huge untilStep", `{{ untilStep 0 1000000000 1 }}`, "more than the 100000"},
		{"huge seq", `{{ seq 1 1000000000 }}`, "more than the 100000"},
		{"huge repeat", `{{ repeat 1000000000000 "abc" }}`, "would make more than"},
		{"huge replace", `{{ $a := repeat 1000000 "xxxxxxxxxxxxxxxx" }}{{ replace "x" $a (substr 0 4000 $a) | len }}`, "replace would make more than"},
		{"output too large", `{{ range until 100000 }}{{ repeat 1000 "x" }}{{ end }}`, "renders to more than"},
		{"deep recursion", `{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}`, "exceeded maximum template depth"},
	}
	fsys := fstest.MapFS{"scaffold.yaml": {Data: []byte("name: t\n")}}
	tmpl, _ := loadFS(fsys, "t")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tmpl.Eval("probe", tt.text, map[string]any{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestEndlessLoopIsStopped(t *testing.T) {
	defer func(d time.Duration) { execTimeout = d }(execTimeout)
	execTimeout = 200 * time.Millisecond
	fsys := fstest.MapFS{
		"scaffold.yaml": {Data: []byte("name: t\n")},
		"a.txt.tmpl":    {Data: []byte("{{ range 1000000000000000 }}{{ end }}")},
	}
	tmpl, _ := loadFS(fsys, "t")
	_, err := tmpl.Render(ctx, map[string]any{})
	if err == nil || !strings.Contains(err.Error(), "a.txt.tmpl did not finish rendering within 200ms") {
		t.Fatalf("err = %v", err)
	}
}

func TestBoundedFunctionsStillWork(t *testing.T) {
	fsys := fstest.MapFS{"scaffold.yaml": {Data: []byte("name: t\n")}}
	tmpl, _ := loadFS(fsys, "t")
	tests := map[string]string{
		`{{ until 3 }}`:          "[0 1 2]",
		`{{ untilStep 0 10 4 }}`: "[0 4 8]",
		`{{ untilStep 5 0 -2 }}`: "[5 3 1]",
		`{{ seq 3 }}`:            "1 2 3",
		`{{ seq -1 }}`:           "1 0 -1",
		`{{ seq 2 4 }}`:          "2 3 4",
		`{{ seq 4 2 }}`:          "4 3 2",
		`{{ seq 0 5 12 }}`:       "0 5 10",
		`{{ seq 0 -2 12 }}`:      "",
		`{{ repeat 3 "ab" }}`:    "ababab",
		`{{ range $i := until 2 }}{{ $i }}{{ end }}`: "01",
	}
	for text, want := range tests {
		got, err := tmpl.Eval("probe", text, map[string]any{})
		if err != nil || got != want {
			t.Errorf("%s = %q, %v; want %q", text, got, err, want)
		}
	}
}

func TestDefaultsKeepTheirType(t *testing.T) {
	const manifest = `name: m
questions:
  - name: version
    default: 1.10
  - name: mask
    default: 0x1F
  - name: pick
    type: select
    choices: ["1.10", "2.0"]
    default: 1.10
`
	m, err := ParseManifest("m", []byte(manifest+"  - name: huge\n    type: int\n    default: 18446744073709551615\n"))
	if err == nil {
		t.Fatalf("a default too large for an int was accepted: %+v", m.Questions[3].Default)
	}
	if !strings.Contains(err.Error(), "not a whole number") {
		t.Errorf("err = %v", err)
	}
	m, err = ParseManifest("m", []byte(manifest))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"1.10", "0x1F", "1.10"} {
		if got := m.Questions[i].Default; got != want {
			t.Errorf("%s default = %#v, want %q", m.Questions[i].Name, got, want)
		}
	}
}

// A files rule of many ** segments against a deep tree is matched in
// polynomial time: this took minutes of one CPU with backtracking.
func TestGlobOfManyDoubleStars(t *testing.T) {
	rule := strings.Repeat("**/", 30) + "nomatch"
	deep := strings.Repeat("d/", 60) + "f.txt"
	done := make(chan bool, 1)
	go func() {
		ok, err := matchRule(rule, deep)
		done <- ok || err != nil
	}()
	select {
	case bad := <-done:
		if bad {
			t.Errorf("matchRule(%s, %s) matched", rule, deep)
		}
	case <-time.After(time.Minute):
		t.Fatal("matchRule did not finish")
	}
	for _, c := range []struct {
		rule, p string
		want    bool
	}{
		{"**/x/**/y", "a/x/b/c/y/z", true},
		{"**/x/**/y", "a/x/b/c/z", false},
		{"a/**", "a", true},
		{"**/*.md", "docs/deep/README.md", true},
		{"**/**/**", "", true},
	} {
		if got, err := matchRule(c.rule, c.p); err != nil || got != c.want {
			t.Errorf("matchRule(%s, %s) = %v, %v; want %v", c.rule, c.p, got, err, c.want)
		}
	}
}

// Cancelling the context stops a render at once, even inside one file.
func TestRenderStopsWhenCancelled(t *testing.T) {
	fsys := fstest.MapFS{
		"scaffold.yaml": {Data: []byte("name: t\n")},
		"a.txt.tmpl":    {Data: []byte("{{ range 1000000000000000 }}{{ end }}")},
	}
	tmpl, _ := loadFS(fsys, "t")
	c, cancel := context.WithCancel(ctx)
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := tmpl.Render(c, map[string]any{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d >= execTimeout {
		t.Errorf("the render ran %v, past its own time limit: the cancel was not seen", d)
	}
}

// A file and a folder whose names differ only in case or normalization
// are one name on macOS and Windows too: the file cannot be written
// there, or it takes the folder's place. Two folders that differ so
// merge, and stay allowed.
func TestFileFolderCollision(t *testing.T) {
	for _, names := range [][2]string{{"A/f", "a"}, {"docs/x", "Docs"}, {"caf\u00e9/x", "cafe\u0301"}, {"x/Sub/f", "x/sub"}} {
		fsys := fstest.MapFS{
			"scaffold.yaml": {Data: []byte("name: t\n")},
			names[0]:        {Data: []byte("1")},
			names[1]:        {Data: []byte("2")},
		}
		tmpl, err := loadFS(fsys, "t")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tmpl.Render(ctx, map[string]any{}); err == nil || !strings.Contains(err.Error(), "case or Unicode normalization") {
			t.Errorf("%q and %q: err = %v", names[0], names[1], err)
		}
	}
	fsys := fstest.MapFS{
		"scaffold.yaml": {Data: []byte("name: t\n")},
		"Docs/a":        {Data: []byte("1")},
		"docs/b":        {Data: []byte("2")},
	}
	tmpl, err := loadFS(fsys, "t")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tmpl.Render(ctx, map[string]any{}); err != nil {
		t.Errorf("two folders that differ in case: %v", err)
	}
}

// Names that differ only in Unicode normalization are one file on macOS.
func TestNormalizationCollision(t *testing.T) {
	nfc, nfd := "caf\u00e9.txt", "cafe\u0301.txt"
	for _, names := range [][2]string{{nfc, nfd}, {"Caf\u00c9.txt", nfd}} {
		fsys := fstest.MapFS{
			"scaffold.yaml": {Data: []byte("name: t\n")},
			names[0]:        {Data: []byte("1")},
			names[1]:        {Data: []byte("2")},
		}
		tmpl, err := loadFS(fsys, "t")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tmpl.Render(ctx, map[string]any{}); err == nil || !strings.Contains(err.Error(), "Unicode normalization") {
			t.Errorf("%q and %q: err = %v", names[0], names[1], err)
		}
	}
}

// A whole render has a time budget, however many files share it.
func TestRenderBudget(t *testing.T) {
	defer func(d time.Duration) { renderTimeout = d }(renderTimeout)
	renderTimeout = 200 * time.Millisecond
	fsys := fstest.MapFS{"scaffold.yaml": {Data: []byte("name: t\n")}}
	for i := range 50 {
		fsys[fmt.Sprintf("f%02d.txt.tmpl", i)] = &fstest.MapFile{Data: []byte("{{ range until 100000 }}{{ range until 100000 }}{{ end }}{{ end }}")}
	}
	tmpl, _ := loadFS(fsys, "t")
	_, err := tmpl.Render(ctx, map[string]any{})
	if err == nil || !strings.Contains(err.Error(), "t: the render did not finish within 200ms") {
		t.Fatalf("err = %v", err)
	}
}
