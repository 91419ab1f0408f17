package cli

import (
	"strings"
	"testing"

	"github.com/scaffold-cli/scaffold/internal/config"
)

func TestTokenHosts(t *testing.T) {
	cfg, err := config.Parse("c.yaml", []byte(`templates:
  a: https://Git.A.example/org/t.git//svc@v1
  b: https://git.b.example:8443/org/t.git
  c: git@ssh.example:org/t.git
  d: ./local
git:
  token_hosts: [git.example.com]
`))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(cfg.TokenHosts(), ",")
	if want := "git.example.com,git.a.example,git.b.example:8443,ssh.example"; got != want {
		t.Errorf("tokenHosts = %s, want %s", got, want)
	}
	if (*config.Config)(nil).TokenHosts() != nil || (&config.Config{}).TokenHosts() != nil {
		t.Errorf("an empty config allows hosts")
	}
}
