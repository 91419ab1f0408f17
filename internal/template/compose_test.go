package template

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/scaffold-cli/scaffold/internal/tree"
)

// rootTree builds a source root: a value "-> x" is a link to x, a key
// ending in "/" an empty folder.
func rootTree(t *testing.T, files map[string]string) *tree.Tree {
	t.Helper()
	var entries []tree.Entry
	for p, body := range files {
		switch {
		case strings.HasSuffix(p, "/"):
			entries = append(entries, tree.Entry{Path: strings.TrimSuffix(p, "/"), Mode: fs.ModeDir})
		case strings.HasPrefix(body, "-> "):
			entries = append(entries, tree.Entry{Path: p, Mode: fs.ModeSymlink, Link: body[3:]})
		default:
			entries = append(entries, tree.Entry{Path: p, Mode: 0o644, Data: []byte(body)})
		}
	}
	root, err := tree.New(entries)
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// composeIn composes the template in the folder dir of root.
func composeIn(t *testing.T, root *tree.Tree, dir string) (*Template, error) {
	t.Helper()
	own, _, err := Folder(root, dir)
	if err != nil {
		t.Fatal(err)
	}
	return Compose(own, dir, Source{Root: "the test root", Dir: dir, Read: func(folder string, _ tree.Limits) (*tree.Tree, string, error) {
		return Folder(root, folder)
	}})
}

func TestCompose(t *testing.T) {
	const manifest = "name: t\ninclude: [../_shared, ../../_license]\n"
	base := map[string]string{
		"lang/t/scaffold.yaml":        manifest,
		"lang/t/main.go.tmpl":         "package main\n",
		"lang/t/.github/own.yml":      "own\n",
		"lang/_shared/.editorconfig":  "root = true\n",
		"lang/_shared/.github/ci.yml": "ci\n",
		"_license/LICENSE.tmpl":       "MIT {{ .Project.Year }}\n",
		"_license/scaffold.yaml":      "note: left out\n",
		"unrelated/big":               "not read\n",
	}
	tmpl, err := composeIn(t, rootTree(t, base), "lang/t")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range tmpl.Files.Files() {
		got = append(got, e.Path)
	}
	want := ".editorconfig .github/ci.yml .github/own.yml LICENSE.tmpl main.go.tmpl scaffold.yaml"
	if strings.Join(got, " ") != want {
		t.Errorf("composed files %q, want %q", strings.Join(got, " "), want)
	}
	if data, _ := tmpl.Files.ReadFile(ManifestFile); string(data) != manifest {
		t.Errorf("the manifest is %q: a layer's scaffold.yaml replaced the template's", data)
	}

	// A change in a layer changes the digest, which trust pins.
	changed := map[string]string{}
	for k, v := range base {
		changed[k] = v
	}
	changed["_license/LICENSE.tmpl"] = "Apache\n"
	again, err := composeIn(t, rootTree(t, changed), "lang/t")
	if err != nil {
		t.Fatal(err)
	}
	if again.Digest() == tmpl.Digest() {
		t.Error("a layer's file changed and the digest did not")
	}

	// Without include, the template is the tree it was read as.
	plain := rootTree(t, map[string]string{"t/scaffold.yaml": "name: t\n", "t/a": "a"})
	own, _, _ := Folder(plain, "t")
	tmpl, err = Compose(own, "t", Source{Dir: "t", Read: func(string, tree.Limits) (*tree.Tree, string, error) {
		t.Fatal("read without an include")
		return nil, "", nil
	}})
	if err != nil || tmpl.Files != own {
		t.Errorf("Compose without include = %v, %v", tmpl, err)
	}
}

func TestComposeErrors(t *testing.T) {
	tests := []struct {
		name    string
		include string
		extra   map[string]string
		want    string
		is      error
	}{
		{"clash", "../_shared", map[string]string{"lang/_shared/main.go.tmpl": "x"},
			`template lang/t: include "../_shared": main.go.tmpl is in the template too: two sources for one path`, nil},
		{"clash of a file and a folder", "../_shared", map[string]string{"lang/_shared/main.go.tmpl/x": "x"},
			"main.go.tmpl is in the template too", nil},
		{"clash in case", "../_shared", map[string]string{"lang/_shared/MAIN.go.tmpl": "x"},
			"MAIN.go.tmpl and main.go.tmpl (in the template) are one file on a disk that ignores case", nil},
		{"clash between layers", "../_shared, ../_other", map[string]string{"lang/_shared/a": "x", "lang/_other/a": "y"},
			`include "../_other": a is in include "../_shared" too`, nil},
		{"beneath a link of the template", "../_shared", map[string]string{"lang/t/lib": "-> main.go.tmpl", "lang/_shared/lib/x": "x"},
			"lib is in the template too", nil},
		{"escape", "../../../etc", nil, `include "../../../etc": leads out of the source's root (the test root)`, ErrOutsideRoot},
		{"missing", "../nope", nil, `include "../nope": no folder lang/nope in the test root`, nil},
		{"a file", "../file", map[string]string{"lang/file": "x"}, `include "../file": lang/file is not a folder`, ErrNotFolder},
		{"a link to a folder inside", "../in", map[string]string{"lang/in": "-> _shared", "lang/_shared/z": "z"}, "", nil},
		{"a layer's link leading out of it", "../_shared", map[string]string{"lang/_shared/l": "-> ../t/main.go.tmpl"}, "leads out", nil},
		{"the template itself", "../t", nil, "lang/t is inside the template", nil},
		{"inside the template", "../t/sub", map[string]string{"lang/t/sub/x": "x"}, "lang/t/sub is inside the template", nil},
		{"holding the template", "..", nil, "names no folder", nil},
		{"a parent of it", "../../lang", nil, "lang holds the template itself", nil},
		{"nested include", "../_shared", map[string]string{"lang/_shared/scaffold.yaml": "include: [../x]\n"},
			"lang/_shared/scaffold.yaml: a layer includes other layers, and layers are one level deep", nil},
		{"a layer's manifest that does not parse", "../_shared", map[string]string{"lang/_shared/scaffold.yaml": "include: [\n"},
			"does not parse", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{
				"lang/t/scaffold.yaml": "name: lang/t\ninclude: [" + tt.include + "]\n",
				"lang/t/main.go.tmpl":  "package main\n",
				"lang/_shared/a.txt":   "shared\n",
			}
			for k, v := range tt.extra {
				files[k] = v
			}
			_, err := composeIn(t, rootTree(t, files), "lang/t")
			if !wantError(t, err, tt.want) {
				return
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err = %v, want it to wrap %v", err, tt.is)
			}
		})
	}
}

// A folder template, its own root, cannot include: any include leaves it
// or lies inside it.
func TestComposeAtTheRoot(t *testing.T) {
	root := rootTree(t, map[string]string{"scaffold.yaml": "name: t\ninclude: [../x]\n", "sub/a": "a"})
	if _, err := composeIn(t, root, "."); !errors.Is(err, ErrOutsideRoot) {
		t.Errorf("include out of a root template: %v", err)
	}
	root = rootTree(t, map[string]string{"scaffold.yaml": "name: t\ninclude: [sub]\n", "sub/a": "a"})
	if _, err := composeIn(t, root, "."); err == nil || !strings.Contains(err.Error(), "sub is inside the template") {
		t.Errorf("include of a folder of the template: %v", err)
	}
}

// Whether a layer is the template's folder, inside it or holds it is
// decided on the folder the entry names once links are followed: a link
// beside the template to itself, into it or to a folder above it is no
// way round the rule.
func TestComposeThroughLinks(t *testing.T) {
	for _, tt := range []struct{ link, target, want string }{
		{"lang/self", "t", "lang/self (a link to lang/t) is inside the template"},
		{"lang/inner", "t/sub", "lang/inner (a link to lang/t/sub) is inside the template"},
		{"lang/up", "..", "lang/up (a link to .) holds the template itself"},
		{"lang/parent", ".", "lang/parent (a link to lang) holds the template itself"},
	} {
		t.Run(tt.link, func(t *testing.T) {
			root := rootTree(t, map[string]string{
				"lang/t/scaffold.yaml": "name: t\ninclude: [../" + strings.TrimPrefix(tt.link, "lang/") + "]\n",
				"lang/t/sub/a":         "a",
				"lang/_l/b":            "b",
				tt.link:                "-> " + tt.target,
			})
			_, err := composeIn(t, root, "lang/t")
			wantError(t, err, tt.want)
		})
	}
}

// What Read says of a folder reaches the error, naming the entry: a
// link that leads out of the root cannot be in a tree (see the source
// package's tests for one on disk and in git).
func TestComposeReadErrors(t *testing.T) {
	root := rootTree(t, map[string]string{"t/scaffold.yaml": "name: t\ninclude: [../out]\n"})
	own, _, _ := Folder(root, "t")
	_, err := Compose(own, "t", Source{Root: "r", Dir: "t", Read: func(folder string, _ tree.Limits) (*tree.Tree, string, error) {
		return nil, "", fmt.Errorf("%w: %s is a link to /etc", ErrOutsideRoot, folder)
	}})
	var ie *IncludeError
	if !errors.As(err, &ie) || ie.Include != "../out" || ie.Template != "t" || !errors.Is(err, ErrOutsideRoot) ||
		!strings.Contains(err.Error(), `template t: include "../out": out: leads out of the source's root: out is a link to /etc`) {
		t.Errorf("err = %v", err)
	}
}

func TestComposeLimits(t *testing.T) {
	defer func(l tree.Limits) { composeLimits = l }(composeLimits)
	composeLimits = tree.Limits{File: 100, Total: 100, Entries: 8}

	files := map[string]string{
		"t/scaffold.yaml": "name: t\ninclude: [../l]\n", // 27 bytes
		"t/a":             strings.Repeat("a", 30),
		"l/b":             strings.Repeat("b", 40),
	}
	var asked tree.Limits
	compose := func() error {
		root := rootTree(t, files)
		own, _, _ := Folder(root, "t")
		_, err := Compose(own, "t", Source{Root: "r", Dir: "t", Read: func(folder string, lim tree.Limits) (*tree.Tree, string, error) {
			asked = lim
			return Folder(root, folder)
		}})
		return err
	}
	if err := compose(); err != nil {
		t.Fatalf("within the limits: %v", err)
	}
	// The layer may read only what the template left of the total.
	if asked.Total != 100-54 || asked.File != 100 {
		t.Errorf("the layer was read with %+v, want what is left: total 46", asked)
	}
	// The limits hold for the whole, each part being within them.
	files["l/c"] = strings.Repeat("c", 10)
	if err := compose(); !errors.Is(err, tree.ErrLimit) || !strings.Contains(err.Error(), "add up to more than") {
		t.Errorf("over the total: %v", err)
	}
	delete(files, "l/c")
	for _, p := range []string{"l/d/1", "l/d/2", "l/d/3", "l/d/4", "l/d/5"} {
		files[p] = ""
	}
	if err := compose(); !errors.Is(err, tree.ErrLimit) || !strings.Contains(err.Error(), "more than 8 files and folders") {
		t.Errorf("over the entries: %v", err)
	}
}
