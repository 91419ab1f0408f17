package project

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckParentsRefusesAnotherUsersLink(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("making a link owned by another user needs root")
	}
	root := t.TempDir()
	elsewhere := filepath.Join(root, "elsewhere")
	os.Mkdir(elsewhere, 0o777)
	link := filepath.Join(root, "shared")
	if err := os.Symlink(elsewhere, link); err != nil {
		t.Fatal(err)
	}
	if err := os.Lchown(link, 4242, 4242); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(link, "app")
	err := CheckParents(target)
	var te *TargetError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "owned by another user (uid 4242)") {
		t.Fatalf("err = %v", err)
	}
	// The user's own link is fine.
	if err := os.Lchown(link, 0, 0); err != nil {
		t.Fatal(err)
	}
	if err := CheckParents(target); err != nil {
		t.Fatalf("own link: %v", err)
	}
	if err := Write(context.Background(), target, sample, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(elsewhere, "app", "README.md")); err != nil {
		t.Error(err)
	}
}
