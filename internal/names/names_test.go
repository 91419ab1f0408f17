package names

import (
	"strings"
	"testing"
)

func TestDerive(t *testing.T) {
	p, err := Derive("My.App", Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := Project{Name: "My.App", GoModule: "example.com/my.app", NpmName: "my.app", CrateName: "my-app"}
	if p != want {
		t.Errorf("Derive = %+v, want %+v", p, want)
	}
	p, err = Derive("api", Options{GoModulePrefix: "github.com/acme/", NpmScope: "@acme"})
	if err != nil {
		t.Fatal(err)
	}
	if p.GoModule != "github.com/acme/api" || p.NpmName != "@acme/api" {
		t.Errorf("with options: %+v", p)
	}
	if err := CheckGoModule(p.GoModule); err != nil {
		t.Error(err)
	}
	if err := CheckNpmPackage(p.NpmName); err != nil {
		t.Error(err)
	}
	if err := CheckCargoCrate(p.CrateName); err != nil {
		t.Error(err)
	}
}

func TestCheckProject(t *testing.T) {
	for _, ok := range []string{"a", "myapp", "my-app", "my_app", "My.App", "1app"} {
		if err := CheckProject(ok); err != nil {
			t.Errorf("CheckProject(%q) = %v", ok, err)
		}
	}
	bad := map[string]string{
		"":                       "empty",
		"my app":                 "not allowed",
		".hidden":                "not allowed",
		"-dash":                  "not allowed",
		"..":                     "not a name",
		strings.Repeat("a", 101): "too long",
		"a/b":                    "not allowed",
		"café":                   "not allowed",
	}
	for name, want := range bad {
		if err := CheckProject(name); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckProject(%q) = %v, want %q", name, err, want)
		}
	}
}

func TestCheckGoModule(t *testing.T) {
	for _, ok := range []string{"example.com/x", "github.com/acme/my-svc", "example.com/a/v2"} {
		if err := CheckGoModule(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "myapp", "example.com/a b", "-x.com/a", "example.com/.hidden", "example.com/a/v1", "Example.com/x"} {
		err := CheckGoModule(bad)
		if err == nil || !strings.Contains(err.Error(), "not a valid Go module path") {
			t.Errorf("CheckGoModule(%q) = %v", bad, err)
		}
	}
}

func TestCheckNpmPackage(t *testing.T) {
	for _, ok := range []string{"a", "my-app", "my.app", "@acme/api", "a~b"} {
		if err := CheckNpmPackage(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	bad := map[string]string{
		"":                       "empty",
		"MyApp":                  "upper case",
		"my app":                 "spaces",
		".app":                   "starts with",
		"_app":                   "starts with",
		"http":                   "reserved",
		"node_modules":           "reserved",
		"@acme":                  "scoped",
		"a/b":                    "URL-safe",
		strings.Repeat("a", 215): "214",
	}
	for name, want := range bad {
		if err := CheckNpmPackage(name); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckNpmPackage(%q) = %v, want %q", name, err, want)
		}
	}
}

func TestCheckCargoCrate(t *testing.T) {
	for _, ok := range []string{"a", "my-app", "my_app", "app2"} {
		if err := CheckCargoCrate(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	bad := map[string]string{
		"":                      "empty",
		"1app":                  "digit",
		"test":                  "reserved",
		"fn":                    "reserved",
		"std":                   "reserved",
		"my.app":                "characters",
		strings.Repeat("a", 65): "64",
	}
	for name, want := range bad {
		if err := CheckCargoCrate(name); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckCargoCrate(%q) = %v, want %q", name, err, want)
		}
	}
}
