package source

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/scaffold-cli/scaffold/internal/template"
	"github.com/scaffold-cli/scaffold/internal/tree/treetest"
)

// layered is a source root holding a template, svc, that includes two
// layers: one beside it and one at the root.
var layered = map[string]string{
	"tpls/svc/scaffold.yaml":      "name: svc\ninclude: [../_shared, ../../_license]\n",
	"tpls/svc/main.go.tmpl":       "package main\n",
	"tpls/_shared/.editorconfig":  "root = true\n",
	"tpls/_shared/.github/ci.yml": "on: push\n",
	"_license/LICENSE.tmpl":       "MIT\n",
}

// wantLayered checks that op holds the template's files and its layers'.
func wantLayered(t *testing.T, op *Opened) {
	t.Helper()
	var got []string
	for _, e := range op.Template.Files.Files() {
		got = append(got, e.Path)
	}
	if want := ".editorconfig .github/ci.yml LICENSE.tmpl main.go.tmpl scaffold.yaml"; strings.Join(got, " ") != want {
		t.Errorf("%s holds %q, want %q", op.Ref, strings.Join(got, " "), want)
	}
	if op.Digest != op.Template.Files.Digest() {
		t.Errorf("the digest %s is not the composed files' %s", op.Digest, op.Template.Files.Digest())
	}
}

// writeFiles writes files (as layered holds them) below dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBuiltinLayers(t *testing.T) {
	// Built-in names are those embedded; the test plays a go/chi whose
	// layers are in the FS given.
	fsys := fstest.MapFS{}
	for name, body := range layered {
		name = strings.Replace(name, "tpls/svc/", "go/chi/", 1)
		name = strings.Replace(name, "tpls/", "go/", 1)
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	open := func() *Opened {
		t.Helper()
		op, err := OpenWith(context.Background(), "go/chi", Options{Builtins: fsys})
		if err != nil {
			t.Fatal(err)
		}
		return op
	}
	op := open()
	wantLayered(t, op)
	fsys["_license/LICENSE.tmpl"] = &fstest.MapFile{Data: []byte("Apache\n")}
	if open().Digest == op.Digest {
		t.Error("a layer's file changed and the built-in's digest did not")
	}
	fsys["go/chi/scaffold.yaml"] = &fstest.MapFile{Data: []byte("name: svc\ninclude: [../../../x]\n")}
	if _, err := OpenWith(context.Background(), "go/chi", Options{Builtins: fsys}); err == nil ||
		!strings.Contains(err.Error(), `template go/chi: include "../../../x": leads out of the source's root (the built-in templates)`) {
		t.Errorf("include out of the built-ins: %v", err)
	}
	fsys["go/chi/scaffold.yaml"] = &fstest.MapFile{Data: []byte("name: svc\ninclude: [../nope]\n")}
	if _, err := OpenWith(context.Background(), "go/chi", Options{Builtins: fsys}); err == nil ||
		!strings.Contains(err.Error(), `include "../nope": no folder go/nope in the built-in templates`) {
		t.Errorf("include of a missing folder: %v", err)
	}
}

func TestFolderLayers(t *testing.T) {
	top := t.TempDir()
	root := filepath.Join(top, "team")
	writeFiles(t, root, layered)
	abs := filepath.ToSlash(root)

	op, err := Open(root + "//tpls/svc")
	if err != nil {
		t.Fatal(err)
	}
	wantLayered(t, op)
	if op.Kind != Dir || op.Ref != abs+"//tpls/svc" {
		t.Errorf("Kind %s, Ref %q; want dir %q", op.Kind, op.Ref, abs+"//tpls/svc")
	}
	// The Ref opens the same template again (update and check do).
	again, err := Open(op.Ref)
	if err != nil || again.Digest != op.Digest {
		t.Fatalf("Open(%q) = %v; digest %v, want %s", op.Ref, err, again, op.Digest)
	}
	// A relative root, as typed.
	t.Chdir(top)
	if rel, err := Open("./team//tpls/svc/"); err != nil || rel.Ref != op.Ref {
		t.Errorf("Open(./team//tpls/svc/) = %v, %v; want Ref %q", rel, err, op.Ref)
	}

	// Without //, the template's folder is its root: nothing beside it.
	if _, err := Open(filepath.Join(root, "tpls", "svc")); err == nil || !errors.Is(err, template.ErrOutsideRoot) ||
		!strings.Contains(err.Error(), `include "../_shared": leads out of the source's root`) || !strings.Contains(err.Error(), "ROOT//TEMPLATE") {
		t.Errorf("include without //: %v", err)
	}

	writeFiles(t, root, map[string]string{"_license/LICENSE.tmpl": "Apache\n"})
	if changed, err := Open(op.Ref); err != nil || changed.Digest == op.Digest {
		t.Errorf("a layer's file changed: %v, digest %v (was %s)", err, changed, op.Digest)
	}

	// Links: a layer through a link inside the root is read; one that
	// leads out, as the template's own folder leading out, is refused.
	outside := filepath.Join(top, "outside")
	writeFiles(t, outside, map[string]string{"secret": "s3cr3t\n", "scaffold.yaml": "name: out\n"})
	manifest := filepath.Join(root, "tpls", "svc", "scaffold.yaml")
	for _, link := range [][2]string{{"tpls/common", "_shared"}, {"tpls/out", "../../outside"}, {"tpls/abs", outside}, {"evil", "../outside"}, {"tpls/up", ".."}} {
		if err := os.Symlink(link[1], filepath.Join(root, filepath.FromSlash(link[0]))); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(manifest, []byte("name: svc\ninclude: [../common]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(op.Ref); err != nil {
		t.Errorf("a layer through a link inside the root: %v", err)
	}
	for _, inc := range []string{"../out", "../abs", "../../evil"} {
		if err := os.WriteFile(manifest, []byte("name: svc\ninclude: ["+inc+"]\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Open(op.Ref)
		if err == nil || !errors.Is(err, template.ErrOutsideRoot) || !strings.Contains(err.Error(), `template `+op.Ref+`: include "`+inc+`"`) {
			t.Errorf("include %s, a link out: %v", inc, err)
		}
	}
	if _, err := Open(root + "//evil"); err == nil || !strings.Contains(err.Error(), `folder "evil" leads out of `+abs) {
		t.Errorf("a template folder that is a link out: %v", err)
	}
	if _, err := Open(root + "//nope"); err == nil || !strings.Contains(err.Error(), `no folder "nope" in `+abs) {
		t.Errorf("a missing template folder: %v", err)
	}

	// A link beside the template to a folder holding it is no way
	// round the rule that a layer is beside the template.
	for _, p := range []string{"evil", "tpls/out", "tpls/abs"} {
		if err := os.Remove(filepath.Join(root, filepath.FromSlash(p))); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(manifest, []byte("name: svc\ninclude: [../up]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(op.Ref); err == nil || !strings.Contains(err.Error(), `include "../up": tpls/up (a link to .) holds the template itself`) {
		t.Errorf("include of a link to the root: %v", err)
	}

	// A FIFO in a layer is refused without blocking the read.
	if err := os.WriteFile(manifest, []byte("name: svc\ninclude: [../_shared]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := treetest.Mkfifo(filepath.Join(root, "tpls", "_shared", "fifo")); err != nil {
		t.Skipf("no FIFO: %v", err)
	}
	treetest.Quickly(t, "opening a template whose layer holds a FIFO", func() {
		if _, err := Open(op.Ref); err == nil || !strings.Contains(err.Error(), "is a FIFO") {
			t.Errorf("a FIFO in a layer: %v", err)
		}
	})
}

func TestGitLayers(t *testing.T) {
	fx := newFixture(t)
	for name, body := range layered {
		fx.write(t, name, body, 0o644)
	}
	fx.commit(t, "layers")
	fx.git(t, fx.work, "tag", "L1")
	fx.write(t, "_license/LICENSE.tmpl", "Apache\n", 0o644)
	fx.commit(t, "another license")
	fx.git(t, fx.work, "tag", "L2")
	fx.write(t, "tpls/svc/scaffold.yaml", "name: svc\ninclude: [../../docs, ../../nope]\n", 0o644)
	fx.commit(t, "a missing layer")
	fx.git(t, fx.work, "tag", "L3")
	if err := os.Symlink("tpls/_shared", filepath.Join(fx.work, "shared")); err != nil {
		t.Fatal(err)
	}
	fx.write(t, "tpls/svc/scaffold.yaml", "name: svc\ninclude: [../../shared]\n", 0o644)
	fx.commit(t, "a layer through a link")
	fx.git(t, fx.work, "tag", "L4")
	if err := os.Symlink("../..", filepath.Join(fx.work, "escape")); err != nil {
		t.Fatal(err)
	}
	fx.write(t, "tpls/svc/scaffold.yaml", "name: svc\ninclude: [../../escape]\n", 0o644)
	fx.commit(t, "a layer through a link out")
	fx.git(t, fx.work, "tag", "L5")
	if err := os.Remove(filepath.Join(fx.work, "escape")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("tpls/svc", filepath.Join(fx.work, "self")); err != nil {
		t.Fatal(err)
	}
	fx.write(t, "tpls/svc/scaffold.yaml", "name: svc\ninclude: [../../self]\n", 0o644)
	fx.commit(t, "a layer through a link to the template itself")
	fx.git(t, fx.work, "tag", "L6")

	o := newOpener(t)
	// No program may run: the repository is read with go-git alone.
	t.Setenv("PATH", "")
	work := "file://" + filepath.ToSlash(fx.work)
	l1 := o.mustOpen(work + "//tpls/svc@L1")
	wantLayered(t, l1)
	if l2 := o.mustOpen(work + "//tpls/svc@L2"); l2.Digest == l1.Digest {
		t.Error("a layer's file changed between tags and the digest did not")
	}
	if _, err := o.open(work + "//tpls/svc@L3"); err == nil ||
		!strings.Contains(err.Error(), `template `+work+`//tpls/svc@L3: include "../../nope": no folder nope in `+work+" at commit") {
		t.Errorf("a missing layer: %v", err)
	}
	op := o.mustOpen(work + "//tpls/svc@L4")
	if _, ok := op.Template.Files.Lookup(".github/ci.yml"); !ok {
		t.Errorf("the layer through a link was not read: %v", op.Template.Files.Paths())
	}
	if _, err := o.open(work + "//tpls/svc@L5"); err == nil ||
		!strings.Contains(err.Error(), `include "../../escape": escape: escape is a link to "../..": leads out of the tree`) {
		t.Errorf("a layer through a link out of the repository: %v", err)
	}
	if _, err := o.open(work + "//tpls/svc@L6"); err == nil ||
		!strings.Contains(err.Error(), `include "../../self": self (a link to tpls/svc) is inside the template`) {
		t.Errorf("a layer through a link to the template itself: %v", err)
	}
}

// A shared layer has no manifest, so it is no template of its own.
func TestBuiltinLayersAreNotTemplates(t *testing.T) {
	for _, name := range builtinNames() {
		if strings.Contains(name, "_shared") {
			t.Errorf("%s is listed as a template", name)
		}
	}
}
