package proof

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/scaffold-cli/scaffold/internal/names"
	"github.com/scaffold-cli/scaffold/internal/template"
)

const manifest = `
name: test/proof
language: go
questions:
  - name: module
    type: string
    default: '{{ .Project.GoModule }}'
    format: go-module
  - name: port
    type: int
    default: 8080
  - name: docker
    type: bool
    default: true
  - name: license
    type: select
    choices: [MIT, Apache-2.0, none]
    default: MIT
  - name: features
    type: multiselect
    choices: [redis, queue]
  - name: token
    type: select
    choices: [a, b]
    secret: true
  - name: edition
    type: select
    choices: ["2024", "2021"]
    default: "2024"
proof:
  fixed: [edition]
  sets:
    - name: Custom
      answers:
        module: example.com/acme/custom
        docker: false
        features: [queue]
        port: 9090
    - answers:
        license: none
    - name: my-app
      answers: {}
`

func parse(t *testing.T, yaml string) *template.Manifest {
	t.Helper()
	m, err := template.ParseManifest("scaffold.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestFactors(t *testing.T) {
	m := parse(t, manifest)
	var got []string
	for _, f := range Factors(m) {
		got = append(got, f.String()+"="+strings.Join(f.Values, "|"))
	}
	// Not module or port (string, int), token (secret) or edition (fixed).
	want := []string{"docker=true|false", "license=MIT|Apache-2.0|none", "features:redis=with|without", "features:queue=with|without"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("factors\n got %q\nwant %q", got, want)
	}
}

func TestSets(t *testing.T) {
	m := parse(t, manifest)
	sets, err := Sets(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sets {
		t.Logf("%s: %s", s.Name, strings.Join(s.Flags(), " "))
	}
	computed, extra := sets[:len(sets)-3], sets[len(sets)-3:]
	// The best cover of 3 x 2 x 2 x 2 values has 6 rows.
	if len(computed) != 6 {
		t.Errorf("%d computed sets, want 6", len(computed))
	}
	factors := Factors(m)
	if gaps := Uncovered(factors, computed); len(gaps) > 0 {
		t.Errorf("the computed sets leave out: %s", strings.Join(gaps, "; "))
	}
	for _, s := range computed {
		if keys := slices.Sorted(maps.Keys(s.Answers)); !reflect.DeepEqual(keys, []string{"docker", "features", "license"}) {
			t.Errorf("set %s answers %q, want docker, features and license only", s.Name, keys)
		}
	}

	wantExtra := []Set{
		{"Custom", map[string]string{"module": "example.com/acme/custom", "docker": "false", "features": "queue", "port": "9090"}},
		{"svc3-2", map[string]string{"license": "none"}},
		{"my-app", map[string]string{}},
	}
	if !reflect.DeepEqual(extra, wantExtra) {
		t.Errorf("the manifest's sets\n got %v\nwant %v", extra, wantExtra)
	}
	// Sets that name no project take turns at the shapes, computed ones
	// first; the manifest's names are kept.
	wantNames := []string{"my-app-2", "App.Two", "svc3", "big_svc", "my-app-3", "App.Two-2"}
	var gotNames []string
	for _, s := range computed {
		gotNames = append(gotNames, s.Name)
	}
	if !reflect.DeepEqual(gotNames, wantNames) {
		t.Errorf("names %q, want %q", gotNames, wantNames)
	}

	seen := map[string]bool{}
	questions := map[string]*template.Question{}
	for i := range m.Questions {
		questions[m.Questions[i].Name] = &m.Questions[i]
	}
	for _, s := range sets {
		if err := names.CheckProject(s.Name); err != nil {
			t.Errorf("set %s: %v", s.Name, err)
		}
		if key := strings.ToLower(s.Name); seen[key] {
			t.Errorf("two sets are named %s", s.Name)
		} else {
			seen[key] = true
		}
		for k, v := range s.Answers {
			if _, err := questions[k].Coerce(v); err != nil {
				t.Errorf("set %s: --set %s=%s: %v", s.Name, k, v, err)
			}
		}
	}
}

func TestSetsIsDeterministic(t *testing.T) {
	m := parse(t, manifest)
	first, err := Sets(m)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if again, _ := Sets(m); !reflect.DeepEqual(again, first) {
			t.Fatalf("two runs differ:\n%v\n%v", first, again)
		}
	}
}

func TestSetsWithoutFactors(t *testing.T) {
	m := parse(t, "name: bare\nlanguage: go\nquestions:\n  - name: module\n    default: x\n")
	sets, err := Sets(m)
	if err != nil {
		t.Fatal(err)
	}
	if want := []Set{{"my-app", map[string]string{}}}; !reflect.DeepEqual(sets, want) {
		t.Errorf("sets %v, want one with every default: %v", sets, want)
	}
}

func TestSetsRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(m *template.Manifest)
		want   string
	}{
		{"an unknown question", func(m *template.Manifest) {
			m.Proof.Sets[0].Answers["colour"] = "red"
		}, `proof set 1 (Custom): template test/proof has no question "colour"`},
		{"an answer its question refuses", func(m *template.Manifest) {
			m.Proof.Sets[1].Answers["license"] = "GPL"
		}, `proof set 2: answer to license: "GPL" is not one of MIT, Apache-2.0, none`},
		{"a secret answer, without showing it", func(m *template.Manifest) {
			m.Proof.Sets[1].Answers["token"] = "hunter2"
		}, "the secret answer is not one of a, b (its value is not shown)"},
		{"a name that is no project name", func(m *template.Manifest) {
			m.Proof.Sets[0].Name = "my app"
		}, `project name "my app" is not allowed`},
		{"a choice --set cannot carry", func(m *template.Manifest) {
			m.Questions[4].Choices = []string{"a,b", "queue"}
		}, `"a,b,queue" does not read back the same from --set features=`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := parse(t, manifest)
			tc.change(m)
			_, err := Sets(m)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one holding %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the error shows the secret: %v", err)
			}
		})
	}
}

func TestUncoveredSaysWhat(t *testing.T) {
	m := parse(t, manifest)
	sets := []Set{
		{"a", map[string]string{"docker": "true", "license": "MIT", "features": "redis"}},
		{"b", map[string]string{"docker": "false", "license": "MIT", "features": "queue"}},
		{"c", map[string]string{"docker": "true", "license": "none"}},
	}
	got := Uncovered(Factors(m), sets)
	for _, want := range []string{
		"no set has license=Apache-2.0",
		"no set has docker=false and license=none",
		"no set has features with redis and features with queue",
		"no set has license=none and features with redis",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("Uncovered does not say %q; it says:\n%s", want, strings.Join(got, "\n"))
		}
	}
	if slices.Contains(got, "no set has docker=true and license=none") {
		t.Errorf("Uncovered misses set c's docker=true and license=none")
	}
}
