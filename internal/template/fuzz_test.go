package template

import (
	"errors"
	"io/fs"
	"path"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// The seed corpora live in testdata/fuzz/<target>/ and run with the
// ordinary tests. To search for new inputs:
//
//	go test -run '^$' -fuzz '^FuzzParseManifest$' -fuzztime 60s ./internal/template
//	go test -run '^$' -fuzz '^FuzzCheckPath$' -fuzztime 60s ./internal/template
//	go test -run '^$' -fuzz '^FuzzRenderPath$' -fuzztime 60s ./internal/template

// FuzzParseManifest checks that any manifest either fails with a located
// *ManifestError or gives questions that hold the rules ParseManifest
// promises, and that Coerce, given any answer, returns a value of the
// question's type that Coerce accepts again unchanged.
func FuzzParseManifest(f *testing.F) {
	f.Add([]byte("name: t\nquestions:\n  - name: n\n    type: int\n"), "42")
	f.Fuzz(func(t *testing.T, data []byte, answer string) {
		// Big documents only slow the search down; yaml.v3 bounds aliases.
		if len(data) > 8<<10 || len(answer) > 1<<10 {
			return
		}
		const file = "fuzz/scaffold.yaml"
		m, err := ParseManifest(file, data)
		if err != nil {
			var me *ManifestError
			if !errors.As(err, &me) {
				t.Fatalf("error is %T, not *ManifestError: %v", err, err)
			}
			if me.File != file {
				t.Fatalf("error names %q, not %q: %v", me.File, file, err)
			}
			if m != nil {
				t.Fatalf("a manifest and an error: %v", err)
			}
			_ = err.Error()
			return
		}
		if m == nil || m.Name == "" {
			t.Fatalf("accepted a manifest without a name: %#v", m)
		}
		checkFieldsHold(t, m)
		seen := map[string]bool{}
		for i := range m.Questions {
			q := &m.Questions[i]
			if !questionName.MatchString(q.Name) || seen[q.Name] {
				t.Fatalf("accepted question name %q (seen before: %v)", q.Name, seen[q.Name])
			}
			seen[q.Name] = true
			if q.Prompt == "" {
				t.Fatalf("question %q has no prompt", q.Name)
			}
			switch q.Type {
			case String, Bool, Int, Select, MultiSelect:
			default:
				t.Fatalf("question %q has type %q", q.Name, q.Type)
			}
			if s, ok := q.Default.(string); q.Default != nil && !(ok && strings.Contains(s, "{{")) {
				if _, err := q.Coerce(q.Default); err != nil {
					t.Fatalf("question %q: accepted default %#v that Coerce refuses: %v", q.Name, q.Default, err)
				}
				checkCoerce(t, q, q.Default)
			}
			checkCoerce(t, q, answer)
			checkCoerce(t, q, strings.Split(answer, ","))
		}
	})
}

// checkFieldsHold checks the rules of kind, title, include and verify
// on an accepted manifest.
func checkFieldsHold(t *testing.T, m *Manifest) {
	t.Helper()
	if !slices.Contains(ProjectKinds, m.Kind) {
		t.Fatalf("accepted kind %q", m.Kind)
	}
	if checkTitle(m.Title) != nil {
		t.Fatalf("accepted title %q", m.Title)
	}
	for _, inc := range m.Include {
		if CheckInclude(inc) != nil || strings.HasPrefix(inc, "/") {
			t.Fatalf("accepted include %q", inc)
		}
	}
	for i, s := range m.Verify {
		if !stepName.MatchString(s.Name) || len(s.Run) == 0 || (s.Name == ServeStep && !m.Kind.HasServer()) || (s.Name == TryStep && m.Kind != CLI) {
			t.Fatalf("accepted verify step %+v of a %s", s, m.Kind)
		}
		if last := lastStep(m.Kind); i == len(m.Verify)-1 && last != "" && s.Name != last {
			t.Fatalf("accepted a %s plan ending in %q", m.Kind, s.Name)
		}
	}
	if m.Kind != CLI && (len(m.Try.Commands) > 0 || len(m.Try.Samples) > 0) {
		t.Fatalf("accepted try in a %s", m.Kind)
	}
	for _, smp := range m.Try.Samples {
		if smp.Exit < 0 || smp.Exit > 125 || len(smp.Stdin) > MaxSampleBytes {
			t.Fatalf("accepted sample %+v", smp)
		}
	}
}

// checkCoerce checks the type of what Coerce gives for v and that Coerce
// gives it back unchanged.
func checkCoerce(t *testing.T, q *Question, v any) {
	t.Helper()
	got, err := q.Coerce(v)
	if err != nil {
		if got != nil {
			t.Fatalf("question %q: Coerce(%#v) gives %#v and an error: %v", q.Name, v, got, err)
		}
		_ = err.Error()
		return
	}
	switch q.Type {
	case Bool:
		if _, ok := got.(bool); !ok {
			t.Fatalf("question %q: Coerce(%#v) = %#v, not a bool", q.Name, v, got)
		}
	case Int:
		if _, ok := got.(int); !ok {
			t.Fatalf("question %q: Coerce(%#v) = %#v, not an int", q.Name, v, got)
		}
	case MultiSelect:
		list, ok := got.([]string)
		if !ok {
			t.Fatalf("question %q: Coerce(%#v) = %#v, not a []string", q.Name, v, got)
		}
		for _, s := range list {
			if !contains(q.Choices, s) {
				t.Fatalf("question %q: Coerce(%#v) gives %q, not one of %q", q.Name, v, s, q.Choices)
			}
		}
	case String, Select:
		s, ok := got.(string)
		if !ok {
			t.Fatalf("question %q: Coerce(%#v) = %#v, not a string", q.Name, v, got)
		}
		if q.Type == Select && !contains(q.Choices, s) {
			t.Fatalf("question %q: Coerce(%#v) = %q, not one of %q", q.Name, v, s, q.Choices)
		}
		if q.validate != nil && !q.validate.MatchString(s) {
			t.Fatalf("question %q: Coerce(%#v) = %q, which does not match %s", q.Name, v, s, q.Validate)
		}
		if q.Format != "" {
			if err := CheckFormat(q.Format, s); err != nil {
				t.Fatalf("question %q: Coerce(%#v) = %q, which is not a %s: %v", q.Name, v, s, q.Format, err)
			}
		}
	}
	again, err := q.Coerce(got)
	if err != nil {
		t.Fatalf("question %q: Coerce(%#v) = %#v, which Coerce then refuses: %v", q.Name, v, got, err)
	}
	if !reflect.DeepEqual(again, got) {
		t.Fatalf("question %q: Coerce(%#v) = %#v, but Coerce of that is %#v", q.Name, v, got, again)
	}
}

// FuzzCheckPath checks that a path CheckPath accepts is relative, clean
// and free of anything that would let it escape the project on any OS.
func FuzzCheckPath(f *testing.F) {
	f.Add("cmd/app/main.go")
	f.Add("../x")
	f.Fuzz(func(t *testing.T, p string) {
		if err := CheckPath(p); err != nil {
			_ = err.Error()
			return
		}
		checkSafePath(t, p)
	})
}

// checkSafePath fails t unless p is a relative, clean, slash-separated
// path that stays inside the project and out of its .git.
func checkSafePath(t *testing.T, p string) {
	t.Helper()
	switch {
	case p == "":
		t.Fatalf("empty path accepted")
	case strings.HasPrefix(p, "/"):
		t.Fatalf("absolute path %q accepted", p)
	case strings.ContainsRune(p, 0):
		t.Fatalf("path %q with NUL accepted", p)
	case strings.Contains(p, "\\"):
		t.Fatalf("path %q with a backslash accepted", p)
	case strings.Contains(p, ":"):
		t.Fatalf("path %q with a ':' (a Windows drive or stream) accepted", p)
	case path.Clean(p) != p:
		t.Fatalf("path %q accepted, but it cleans to %q", p, path.Clean(p))
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." || seg == "." || seg == "" {
			t.Fatalf("path %q with segment %q accepted", p, seg)
		}
	}
	if first, _, _ := strings.Cut(p, "/"); strings.EqualFold(first, ".git") {
		t.Fatalf("path %q inside .git accepted", p)
	}
}

// pathPatterns are template file names with an answer in a segment.
var pathPatterns = []string{
	"{{ .x }}/a.txt",
	"pre-{{ .x }}.txt",
	"{{ .x }}",
	"d/{{ .x }}.go.tmpl",
	"{{ .Project.Name }}-{{ .x }}/{{ .x }}",
}

// FuzzRenderPath renders template file names holding a fuzzed answer x,
// alone and between the fuzzed literal text pre and post, and checks that
// every rendered path is safe and is exactly the name with x put in.
func FuzzRenderPath(f *testing.F) {
	f.Add("../../etc/passwd", "", "")
	f.Add("svc", "cmd/", ".go")
	f.Fuzz(func(t *testing.T, x, pre, post string) {
		if len(x)+len(pre)+len(post) > 1<<10 {
			return
		}
		names := pathPatterns
		// pre and post are literal text around the answer; an action of
		// their own would test text/template, not the path check.
		if !strings.Contains(pre+post, "{{") && fs.ValidPath(pre+"{{ .x }}"+post) {
			names = append(names[:len(names):len(names)], pre+"{{ .x }}"+post)
		}
		data := map[string]any{"x": x, "Project": map[string]any{"Name": "p"}}
		for _, name := range names {
			if name == ManifestFile {
				continue
			}
			tmpl, err := loadFS(fstest.MapFS{
				ManifestFile: {Data: []byte("name: f\n")},
				name:         {Data: []byte("body")},
			}, "fuzz")
			if err != nil {
				t.Fatal(err)
			}
			files, err := tmpl.Render(ctx, data)
			if err != nil {
				_ = err.Error()
				continue
			}
			if len(files) > 1 {
				t.Fatalf("%q with x=%q renders to %d files", name, x, len(files))
			}
			want := strings.ReplaceAll(strings.ReplaceAll(name, "{{ .Project.Name }}", "p"), "{{ .x }}", x)
			want = strings.TrimSuffix(want, ".tmpl")
			for _, f := range files {
				if err := CheckPath(f.Path); err != nil {
					t.Fatalf("%q with x=%q renders to %q, which CheckPath refuses: %v", name, x, f.Path, err)
				}
				checkSafePath(t, f.Path)
				if f.Path != want {
					t.Fatalf("%q with x=%q renders to %q, want %q", name, x, f.Path, want)
				}
			}
		}
	})
}
