package template

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// fieldsBase is a manifest with the questions the proof cases name.
const fieldsBase = `name: t
questions:
  - name: docker
    type: bool
    default: true
  - name: license
    type: select
    choices: [MIT, none]
  - name: tags
    type: multiselect
    choices: [a, b]
`

func TestManifestFields(t *testing.T) {
	many := func(n int, item string) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, item, i)
		}
		return b.String()
	}
	tests := []struct {
		name, yaml string
		want       string // "" means accepted
	}{
		{"every field", `kind: service
title: Go with chi
include: [../../_shared/license, ../_shared, common]
next:
  - run: go run ./cmd/{{ .Project.Name }}
    note: run
verify:
  - name: test
    run: [go, test, ./...]
  - name: serve
    run: ['{{ .Verify.Out }}/app']
proof:
  sets:
    - name: no-docker
      answers: {docker: false, license: none, tags: [a]}
  fixed: [license]
`, ""},
		{"kind cli", "kind: cli\nverify:\n  - name: test\n    run: [go, test]\n  - name: try\n    run: [bin/x]\n", ""},
		{"cli not ending in try", "kind: cli\nverify:\n  - name: test\n    run: [go, test]\n", ":14: the verify plan of a cli must end with a try step, which runs the built tool"},
		{"try in a service", "verify:\n  - name: try\n    run: [x]\n  - name: serve\n    run: [x]\n", ":13: kind service is not a command-line tool: remove the try step"},
		{"try samples", "kind: cli\ntry:\n  commands: [count]\n  samples:\n    - args: [count]\n      stdin: \"a b\\n\"\n      stdout: \"1 2\\n\"\n    - args: [count, nope]\n      exit: 1\n      stderr: nope\n", ""},
		{"try in a service manifest", "try:\n  commands: [count]\n", ":13: try is for a command-line tool, and this template's kind is service"},
		{"try exit out of range", "kind: cli\ntry:\n  samples:\n    - args: [x]\n      exit: 300\n", ":15: try: sample 1: exit 300 is not an exit code"},
		{"try command blank", "kind: cli\ntry:\n  commands: ['']\n", ":14: try: command 1 must be a subcommand's name"},
		{"try sample too large", "kind: cli\ntry:\n  samples:\n    - stdin: " + strings.Repeat("x", 64<<10+1) + "\n", "try: sample 1: an input or output over 65536 bytes"},
		{"websocket", "websocket:\n  path: /v1/ws\n  when: '{{ .docker }}'\n", ""},
		{"websocket in a cli", "kind: cli\nwebsocket:\n  path: /v1/ws\n", ":14: websocket is for a service, and this template's kind is cli"},
		{"websocket without a path", "websocket:\n  when: 'true'\n", ":13: websocket has no path"},
		{"websocket path relative", "websocket:\n  path: v1/ws\n", `:13: websocket path "v1/ws": must start with a single /`},
		{"websocket path to another host", "websocket:\n  path: //evil.example/ws\n", "must start with a single /"},
		{"websocket path with a query", "websocket:\n  path: /ws?x=1\n", "without a query or fragment"},
		{"websocket path not clean", "websocket:\n  path: /a/../ws\n", "is not clean: use /ws"},
		{"websocket path with a space", "websocket:\n  path: '/a b'\n", "printable ASCII"},
		{"websocket path too long", "websocket:\n  path: /" + strings.Repeat("a", 300) + "\n", "longer than 256 bytes"},
		{"openapi", "openapi: /openapi.json\n", ""},
		{"openapi in a cli", "kind: cli\nopenapi: /openapi.json\n", ":13: openapi is for a service, and this template's kind is cli"},
		{"openapi path relative", "openapi: openapi.json\n", `:12: openapi path "openapi.json": must start with a single /`},
		{"openapi path with a query", "openapi: /doc?x=1\n", "without a query or fragment"},
		{"database", "database:\n  items: /v1/items\n  when: '{{ eq .db \"postgres\" }}'\n", ""},
		{"database in a library", "kind: library\ndatabase:\n  items: /v1/items\n", ":14: database is for a service, and this template's kind is library"},
		{"database without items", "database:\n  when: 'true'\n", ":13: database has no items"},
		{"database items to another host", "database:\n  items: //evil.example/items\n", `database items path "//evil.example/items": must start with a single /`},
		{"database items not clean", "database:\n  items: /v1/../items\n", "is not clean: use /items"},
		{"unknown kind", "kind: daemon\n", `:12: unknown kind "daemon": use service, cli, wasm, library, workspace`},

		{"long title", "title: " + strings.Repeat("x", 81) + "\n", ":12: title: 81 characters, more than 80"},
		{"title of 80 runes", "title: " + strings.Repeat("é", 80) + "\n", ""},
		{"title with a newline", "title: \"Go\\nwith chi\"\n", "control or invisible character U+000A"},
		{"title with bidi", "title: \"Go \u202ewith\"\n", "U+202E"},

		{"absolute include", "include: [/etc]\n", `:12: include "/etc": "/etc" is absolute`},
		{"backslash include", "include: ['..\\x']\n", "backslash"},
		{"drive include", "include: ['c:/x']\n", "Windows drive"},
		{"empty include", "include: ['']\n", "names no folder"},
		{"only dots", "include: [../..]\n", "names no folder"},
		{"trailing slash", "include: [../x/]\n", "empty path segment"},
		{"dots inside", "include: [a/../b]\n", `".." segment`},
		{"include twice", "include: [../a, ../a]\n", `include "../a" is listed twice`},
		{"too many includes", "include:\n" + many(17, "  - ../l%d\n"), ":29: 17 include entries, more than the 16"},
		{"16 includes", "include:\n" + many(16, "  - ../l%d\n"), ""},

		{"next without run", "next:\n  - note: run\n", ":13: next step 1 has no run"},
		{"too many next", "next:\n" + many(21, "  - run: x%d\n"), "21 next steps, more than the 20"},

		{"bad step name", "verify:\n  - name: Test\n    run: [x]\n", `:13: verify step name "Test" must be lower case`},
		{"step name with a digit first", "verify:\n  - name: 1x\n    run: [x]\n", "must be lower case"},
		{"step without run", "verify:\n  - name: test\n  - name: serve\n    run: [x]\n", `:13: verify step "test" has no run`},
		{"step with an empty command", "verify:\n  - name: test\n    run: ['']\n  - name: serve\n    run: [x]\n", "has no run"},
		{"duplicate step", "verify:\n  - name: test\n    run: [x]\n  - name: test\n    run: [y]\n", `:15: duplicate verify step "test"`},
		{"serve in a cli", "kind: cli\nverify:\n  - name: serve\n    run: [x]\n", ":14: kind cli has no server: remove the serve step"},
		{"service not ending in serve", "verify:\n  - name: serve\n    run: [x]\n  - name: test\n    run: [y]\n", ":15: the verify plan of a service must end with a serve step"},
		{"too many steps", "kind: library\nverify:\n" + many(31, "  - name: s%d\n    run: [x]\n"), "31 verify steps, more than the 30"},

		{"proof of an unknown question", "proof:\n  sets:\n    - answers: {dokker: false}\n", `:14: proof set 1: no question is named "dokker"`},
		{"proof answer of the wrong type", "proof:\n  sets:\n    - answers:\n        docker: maybe\n", `:15: proof set 1: answer to "docker": "maybe" is not a bool`},
		{"proof answer not a choice", "proof:\n  sets:\n    - answers: {license: GPL}\n", `"GPL" is not one of MIT, none`},
		{"proof set name", "proof:\n  sets:\n    - name: ../x\n", `:14: proof set 1: project name "../x" is not allowed`},
		{"proof set names twice", "proof:\n  sets:\n    - name: a\n    - name: a\n", `:15: proof set 2: the name "a" is taken`},
		{"proof fixed unknown", "proof:\n  fixed: [docker, nope]\n", `:13: proof fixed: no question is named "nope"`},
		{"proof fixed twice", "proof:\n  fixed: [docker, docker]\n", `proof fixed: "docker" is listed twice`},
		{"too many sets", "proof:\n  sets:\n" + many(65, "    - name: s%d\n"), "65 proof sets, more than the 64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseManifest("t/scaffold.yaml", []byte(fieldsBase+tt.yaml))
			if !wantError(t, err, tt.want) {
				return
			}
			var me *ManifestError
			if !errors.As(err, &me) || m != nil {
				t.Errorf("got %v, %T; want only a *ManifestError", m, err)
			}
		})
	}
}

// wantError fails the test unless err contains want, or is nil when want
// is empty; it reports whether there was an error to look at further.
func wantError(t *testing.T, err error, want string) bool {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("refused: %v", err)
		}
		return false
	}
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want it to contain %q", err, want)
	}
	return true
}

func TestManifestFieldsDefaults(t *testing.T) {
	m, err := ParseManifest("m", []byte(fieldsBase+"proof:\n  sets:\n    - answers: {docker: 'false', tags: [b]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Kind != Service {
		t.Errorf("kind %q, want %q when none is given", m.Kind, Service)
	}
	// The proof's answers arrive coerced to the question's type.
	want := map[string]any{"docker": false, "tags": []string{"b"}}
	if got := m.Proof.Sets[0].Answers; !reflect.DeepEqual(got, want) {
		t.Errorf("answers %#v, want %#v", got, want)
	}
}
