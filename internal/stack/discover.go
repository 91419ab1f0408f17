package stack

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/scaffold-cli/scaffold/internal/tree"
)

// Finding what the default checks need in a project: its main package,
// its entry point, its crate. The project may be anyone's (a clone, a
// pull request): it is read as every project is, through an os.Root on
// it (see package tree), so a FIFO is refused without blocking, a link
// leads nowhere outside it and a huge file is not read.

// maxManifestBytes bounds the package.json or Cargo.toml a check reads.
const maxManifestBytes = 1 << 20

// readProjectFile reads the file name of the project in dir.
func readProjectFile(dir, name string) ([]byte, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	data, _, err := tree.ReadFile(root, name, maxManifestBytes)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", filepath.Join(dir, name), err)
	}
	return data, nil
}

// goMain finds the one command under cmd/.
func goMain(dir string) (string, error) {
	entries, err := readProjectDir(dir, "cmd")
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

// readProjectDir lists the folder name of the project in dir.
func readProjectDir(dir, name string) ([]fs.DirEntry, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	f, err := tree.OpenFile(root, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s is not a folder", filepath.Join(dir, name))
	}
	return f.ReadDir(-1)
}

func nodeMain(dir string) (string, error) {
	data, err := readProjectFile(dir, "package.json")
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
	data, err := readProjectFile(dir, "Cargo.toml")
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
