package project

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/scaffold-cli/scaffold/internal/answer"
	"github.com/scaffold-cli/scaffold/internal/source"
	"github.com/scaffold-cli/scaffold/internal/template"
	"github.com/scaffold-cli/scaffold/internal/tree"
	"github.com/scaffold-cli/scaffold/internal/usererr"
)

func loadTemplate(t *testing.T, files fstest.MapFS) *template.Template {
	t.Helper()
	tr, err := tree.ReadFS(files, tree.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := template.Load(tr, "t")
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

const secretManifest = `name: t
questions:
  - name: token
    secret: true
  - name: encoded
    default: '{{ .token | b64enc }}'
  - name: db
    default: none
`

func TestRender(t *testing.T) {
	tests := []struct {
		name         string
		files        map[string]string
		token        string
		wantPaths    []string // secret-derived
		wantRecorded map[string]any
		wantErr      string
	}{
		{
			name:         "plain files, a secret one, an answer derived from the secret",
			files:        map[string]string{"README.md.tmpl": "{{ .db }}\n", ".env.tmpl": "T={{ .encoded }}\n"},
			token:        "tok_Sup3rS3cret",
			wantPaths:    []string{".env"},
			wantRecorded: map[string]any{"db": "none"},
		},
		{
			name:         "nothing renders the secret",
			files:        map[string]string{"README.md.tmpl": "{{ .db }}\n"},
			token:        "tok_Sup3rS3cret",
			wantRecorded: map[string]any{"db": "none"},
		},
		{
			name:    "an error quoting the secret",
			files:   map[string]string{"README.md.tmpl": `{{ fail (printf "bad token %s" .token) }}`},
			token:   "tok_Sup3rS3cret",
			wantErr: "bad token",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{"scaffold.yaml": {Data: []byte(secretManifest)}}
			for p, data := range tt.files {
				fsys[p] = &fstest.MapFile{Data: []byte(data)}
			}
			tmpl := loadTemplate(t, fsys)
			answered, err := answer.Questions(context.Background(), tmpl, map[string]any{}, answer.Options{
				Given: map[string]any{"token": tt.token}, Yes: true,
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := answered.Recorded["encoded"]; !ok {
				t.Fatalf("answering left out encoded, so the test shows nothing: %v", answered.Recorded)
			}
			files, secrets, err := Render(context.Background(), tmpl, answered)
			if tt.wantErr != "" {
				var re *usererr.Error
				if !errors.As(err, &re) || !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), "Sup3r") {
					t.Fatalf("Render = %v, want a user error with %q and without the secret", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(files) != len(tt.files) {
				t.Errorf("rendered %d files, want %d", len(files), len(tt.files))
			}
			if !reflect.DeepEqual(secrets.Paths, tt.wantPaths) {
				t.Errorf("secret paths %v, want %v", secrets.Paths, tt.wantPaths)
			}
			if !reflect.DeepEqual(answered.Recorded, tt.wantRecorded) {
				t.Errorf("recorded %v, want %v", answered.Recorded, tt.wantRecorded)
			}
		})
	}
}

func TestTemplateOf(t *testing.T) {
	tmpl := loadTemplate(t, fstest.MapFS{"scaffold.yaml": {Data: []byte("name: svc\nversion: 2.1.0\n")}})
	o := &source.Opened{Template: tmpl, Kind: source.Git, Ref: "https://host/t.git@v2", Commit: "0123abcd", Digest: "sha256:ab"}
	want := TemplateRef{Source: "https://host/t.git@v2", Name: "svc", Version: "2.1.0", Commit: "0123abcd", Digest: "sha256:ab"}
	if got := TemplateOf(o); got != want {
		t.Errorf("TemplateOf = %+v, want %+v", got, want)
	}
}
