package template

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/scaffold-cli/scaffold/internal/tree"
)

func TestRenderWithSecrets(t *testing.T) {
	manifest := `name: s
questions:
  - name: token
    secret: true
  - name: region
    default: eu
files:
  - path: only-with-token.txt
    when: '{{ ne .token "" }}'
`
	fsys := fstest.MapFS{
		"scaffold.yaml":                {Data: []byte(manifest)},
		"plain.env.tmpl":               {Data: []byte("TOKEN={{ .token }}\nREGION={{ .region }}\n")},
		"encoded.yaml.tmpl":            {Data: []byte("token: {{ .token | b64enc }}\n")},
		"hashed.txt.tmpl":              {Data: []byte("{{ .token | sha256sum }}\n")},
		"decoded.txt.tmpl":             {Data: []byte("{{ .token | b64enc | b64dec | upper }}\n")},
		"keys/{{ .token }}.pem":        {Data: []byte("key\n")},
		"only-with-token.txt":          {Data: []byte("there is a token\n")},
		"region.txt.tmpl":              {Data: []byte("{{ .region }}\n")},
		"README.md":                    {Data: []byte("readme\n")},
		"hasToken.txt.tmpl":            {Data: []byte(`{{ if .token }}yes{{ else }}no{{ end }}` + "\n")},
		"uses-length-only.txt.tmpl":    {Data: []byte("{{ len .token }}\n")},
		"unrelated/{{ .region }}.tmpl": {Data: []byte("r\n")},
	}
	tmpl := &Template{Manifest: mustManifest(t, manifest), Files: mustTree(t, fsys), Name: "s"}
	data := map[string]any{"token": "tok_Sup3rS3cret", "region": "eu"}
	files, found, err := tmpl.RenderWithSecrets(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	secret := found.Paths
	// The stand-in's own key path is there too: no file is rendered at
	// it, and callers only act on paths they have.
	want := []string{"decoded.txt", "encoded.yaml", "hashed.txt", "keys/" + standIn("tok_Sup3rS3cret").(string) + ".pem", "keys/tok_Sup3rS3cret.pem", "plain.env"}
	if !slices.Equal(secret, want) {
		t.Errorf("secret-derived = %v, want %v", secret, want)
	}
	plain, _ := tmpl.Render(ctx, data)
	if len(files) != len(plain) {
		t.Errorf("RenderWithSecrets gave %d files, Render %d", len(files), len(plain))
	}
	for _, f := range files {
		if f.Path == "encoded.yaml" && !strings.Contains(string(f.Data), base64.StdEncoding.EncodeToString([]byte("tok_Sup3rS3cret"))) {
			t.Errorf("the real render is not the one returned: %s", f.Data)
		}
	}

	// Answered empty (as update renders a secret it does not know), the
	// same files are secret-derived, and the file only a token brings is
	// too: with the secret known it would hold it.
	_, found, err = tmpl.RenderWithSecrets(ctx, map[string]any{"token": "", "region": "eu"})
	if err != nil {
		t.Fatal(err)
	}
	secret = found.Paths
	for _, p := range []string{"plain.env", "encoded.yaml", "hashed.txt", "hasToken.txt", "only-with-token.txt"} {
		if !slices.Contains(secret, p) {
			t.Errorf("with the secret empty, %s is not secret-derived: %v", p, secret)
		}
	}
	if slices.Contains(secret, "region.txt") || slices.Contains(secret, "README.md") {
		t.Errorf("files without the secret are secret-derived: %v", secret)
	}
}

func TestRenderWithSecretsWithoutSecrets(t *testing.T) {
	manifest := "name: s\nquestions:\n  - name: region\n"
	fsys := fstest.MapFS{"scaffold.yaml": {Data: []byte(manifest)}, "r.tmpl": {Data: []byte("{{ .region }}")}}
	tmpl := &Template{Manifest: mustManifest(t, manifest), Files: mustTree(t, fsys), Name: "s"}
	files, secret, err := tmpl.RenderWithSecrets(ctx, map[string]any{"region": "eu"})
	if err != nil || len(files) != 1 || secret.Paths != nil || secret.Answers != nil {
		t.Errorf("got %v, %v, %v", files, secret, err)
	}
}

// A template that checks its secret's shape still renders with the
// second stand-in; one that accepts only the secret itself cannot be told
// apart file by file: refused, without quoting a stand-in.
func TestRenderWithSecretsAndATemplateThatChecksTheSecret(t *testing.T) {
	manifest := "name: s\nquestions:\n  - name: token\n    secret: true\n"
	render := func(check string) (Secrets, error) {
		fsys := fstest.MapFS{
			"scaffold.yaml": {Data: []byte(manifest)},
			".env.tmpl":     {Data: []byte(`{{ if ` + check + ` }}{{ fail (print "bad token " .token) }}{{ end }}T={{ .token }}`)},
			"README.md":     {Data: []byte("readme")},
		}
		tmpl := &Template{Manifest: mustManifest(t, manifest), Files: mustTree(t, fsys), Name: "s"}
		_, found, err := tmpl.RenderWithSecrets(ctx, map[string]any{"token": "tok_abc"})
		return found, err
	}
	found, err := render(`not (hasPrefix "tok_ab" .token)`)
	if err != nil || !slices.Equal(found.Paths, []string{".env"}) {
		t.Errorf("a prefix check: %v, %v", found, err)
	}
	_, err = render(`ne .token "tok_abc"`)
	if err == nil || !strings.Contains(err.Error(), "cannot tell which files hold them") || strings.Contains(err.Error(), "bad token") {
		t.Errorf("err = %v", err)
	}
}

func TestStandIn(t *testing.T) {
	for _, v := range []any{"", "a", "q", "Qx9", "!!", "tok_ABC-123+/=", 0, -5, true, false, []string{}, []string{"a"}} {
		for name, f := range map[string]func(any) any{"standIn": standIn, "nudge": nudge} {
			if s := f(v); fmt.Sprintf("%#v", s) == fmt.Sprintf("%#v", v) {
				t.Errorf("%s(%v) = %v, the same", name, v, s)
			}
		}
	}
	if got := nudge("tok_abc=="); got != "tok_abq==" {
		t.Errorf("nudge = %q", got)
	}
	// Base64 stays base64.
	enc := base64.StdEncoding.EncodeToString([]byte("a secret value"))
	if _, err := base64.StdEncoding.DecodeString(standIn(enc).(string)); err != nil {
		t.Errorf("standIn(%q) = %q is not base64: %v", enc, standIn(enc), err)
	}
}

func mustManifest(t *testing.T, s string) *Manifest {
	t.Helper()
	m, err := ParseManifest("scaffold.yaml", []byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// An answer that is its default rendered from a secret is as secret: it
// is named, and the files rendered from it are secret-derived.
func TestRenderWithSecretsFollowsDerivedAnswers(t *testing.T) {
	manifest := `name: s
questions:
  - name: token
    secret: true
  - name: token_b64
    default: '{{ .token | b64enc }}'
  - name: header
    default: 'Bearer {{ .token_b64 }}'
  - name: region
    default: '{{ "eu" }}'
  - name: typed
    default: '{{ .token }}'
`
	fsys := fstest.MapFS{
		"scaffold.yaml":   {Data: []byte(manifest)},
		"auth.txt.tmpl":   {Data: []byte("{{ .header }}\n")},
		"b64.txt.tmpl":    {Data: []byte("{{ .token_b64 }}\n")},
		"typed.txt.tmpl":  {Data: []byte("{{ .typed }}\n")},
		"region.txt.tmpl": {Data: []byte("{{ .region }}\n")},
		"README.md":       {Data: []byte("readme\n")},
	}
	tmpl := &Template{Manifest: mustManifest(t, manifest), Files: mustTree(t, fsys), Name: "s"}
	b64 := base64.StdEncoding.EncodeToString([]byte("tok_abc"))
	data := map[string]any{"token": "tok_abc", "token_b64": b64, "header": "Bearer " + b64, "region": "eu",
		"typed": "typed by the user, not the default"}
	_, found, err := tmpl.RenderWithSecrets(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(found.Answers, []string{"token_b64", "header"}) {
		t.Errorf("derived answers = %v", found.Answers)
	}
	if !slices.Equal(found.Paths, []string{"auth.txt", "b64.txt"}) {
		t.Errorf("secret-derived files = %v", found.Paths)
	}
}

func TestRedact(t *testing.T) {
	manifest := "name: s\nquestions:\n  - name: token\n    secret: true\n  - name: region\n"
	tmpl := &Template{Manifest: mustManifest(t, manifest), Name: "s"}
	data := map[string]any{"token": "a\"b\tc", "region": "eu"}
	err := fmt.Errorf("%q and a\"b\tc, in eu", "x/a\"b\tc")
	got := tmpl.Redact(err, data).Error()
	if strings.Contains(got, "b") || !strings.Contains(got, "in eu") || strings.Count(got, "***") != 2 {
		t.Errorf("Redact = %q", got)
	}
	plain := errors.New("nothing secret in eu")
	if tmpl.Redact(plain, data) != plain || tmpl.Redact(nil, data) != nil {
		t.Error("Redact changed an error without secrets")
	}
	if e := errors.New("x"); tmpl.Redact(e, map[string]any{"token": ""}) != e {
		t.Error("an empty secret redacted something")
	}
}

func mustTree(t *testing.T, fsys fs.FS) *tree.Tree {
	t.Helper()
	files, err := tree.ReadFS(fsys, tree.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	return files
}
