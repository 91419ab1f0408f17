package stack

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Finding what the default checks need in a project: its main package,
// its entry point, its crate.

// goMain finds the one command under cmd/.
func goMain(dir string) (string, error) {
	entries, err := os.ReadDir(filepath.Join(dir, "cmd"))
	if err != nil {
		return "", fmt.Errorf("a Go project to verify keeps its main package in cmd/NAME: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	if len(names) != 1 {
		return "", fmt.Errorf("a Go project to verify has one main package in cmd/NAME; found %d (%s)", len(names), strings.Join(names, ", "))
	}
	return names[0], nil
}

func nodeMain(dir string) (string, error) {
	data, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return "", err
	}
	var pkg struct {
		Main string `json:"main"`
	}
	if err := json.Unmarshal(data, &pkg); err != nil {
		return "", fmt.Errorf("package.json: %w", err)
	}
	if pkg.Main == "" {
		return "", errors.New(`package.json has no "main": scaffold verify starts the server with node <main> after npm run build`)
	}
	return pkg.Main, nil
}

var cargoName = regexp.MustCompile(`(?m)^\s*name\s*=\s*"([^"]+)"`)

func crateName(dir string) (string, error) {
	data, err := os.ReadFile(filepath.Join(dir, "Cargo.toml"))
	if err != nil {
		return "", err
	}
	// The first name in Cargo.toml is the package's, under [package].
	m := cargoName.FindSubmatch(data)
	if m == nil {
		return "", errors.New("Cargo.toml has no package name")
	}
	return string(m[1]), nil
}
