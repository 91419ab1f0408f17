package names

import (
	"regexp"
	"strings"
	"testing"

	"golang.org/x/mod/module"
)

// FuzzNames checks that the name checks never panic and that what each
// accepts holds its ecosystem's rules. The seed corpus is in
// testdata/fuzz/FuzzNames. To search for new inputs:
//
//	go test -run '^$' -fuzz '^FuzzNames$' -fuzztime 60s ./internal/names
func FuzzNames(f *testing.F) {
	f.Add("my-app", "github.com/acme", "@acme")
	f.Add("@scope/x", "", "")
	f.Fuzz(func(t *testing.T, name, prefix, scope string) {
		if len(name)+len(prefix)+len(scope) > 1<<10 {
			return
		}
		checkProjectName(t, name, Options{})
		checkProjectName(t, name, Options{GoModulePrefix: prefix, NpmScope: scope})

		if err := CheckGoModule(name); err == nil {
			if err := module.CheckPath(name); err != nil {
				t.Fatalf("CheckGoModule accepts %q, module.CheckPath refuses it: %v", name, err)
			}
		} else if !strings.Contains(err.Error(), "not a valid Go module path") {
			t.Fatalf("CheckGoModule(%q): unexpected message %q", name, err)
		}
		if err := CheckNpmPackage(name); err == nil {
			if strings.ToLower(name) != name || len(name) > 214 {
				t.Fatalf("CheckNpmPackage accepts %q (%d bytes): npm names are lower case and at most 214 bytes", name, len(name))
			}
			if strings.ContainsAny(name, " \t\r\n\x00") {
				t.Fatalf("CheckNpmPackage accepts %q with white space or NUL", name)
			}
		}
		if err := CheckCargoCrate(name); err == nil {
			if !crateName.MatchString(name) || len(name) > 64 {
				t.Fatalf("CheckCargoCrate accepts %q (%d bytes): crates match %s and have at most 64 bytes", name, len(name), crateName)
			}
		}
	})
}

var crateName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)

// checkProjectName checks that Derive succeeds exactly when CheckProject
// accepts the name, and keeps the name as typed.
func checkProjectName(t *testing.T, name string, opts Options) {
	t.Helper()
	checkErr := CheckProject(name)
	p, err := Derive(name, opts)
	switch {
	case checkErr == nil && err != nil:
		t.Fatalf("CheckProject accepts %q, but Derive(%+v) fails: %v", name, opts, err)
	case checkErr != nil && err == nil:
		t.Fatalf("CheckProject refuses %q (%v), but Derive(%+v) succeeds: %+v", name, checkErr, opts, p)
	case err != nil:
		return
	}
	if len(name) > 100 || strings.ContainsAny(name, "/\\: \x00") || name == "." || name == ".." {
		t.Fatalf("CheckProject accepts %q, which is no folder name", name)
	}
	if p.Name != name {
		t.Fatalf("Derive(%q).Name = %q", name, p.Name)
	}
	lower := strings.ToLower(name)
	if !strings.HasSuffix(p.GoModule, "/"+lower) || !strings.HasSuffix(p.NpmName, lower) {
		t.Fatalf("Derive(%q, %+v) = %+v: the names do not end in the project name", name, opts, p)
	}
	if p.CrateName != strings.ReplaceAll(lower, ".", "-") {
		t.Fatalf("Derive(%q).CrateName = %q", name, p.CrateName)
	}
}
