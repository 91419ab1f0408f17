package project

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/scaffold-cli/scaffold/internal/template"
	"github.com/scaffold-cli/scaffold/internal/tree"
	"github.com/scaffold-cli/scaffold/internal/yamlfile"
)

// AnswersFile records, in every generated project, how it was made.
const AnswersFile = ".scaffold-answers.yaml"

// Record is the content of AnswersFile. It is also the shape of the file
// that --answers reads, so a project can be made again from its record.
type Record struct {
	// Scaffold is the version of scaffold that rendered the project.
	Scaffold string      `yaml:"scaffold,omitempty" json:"scaffold,omitempty"`
	Template TemplateRef `yaml:"template" json:"template"`
	Project  string      `yaml:"project,omitempty" json:"project,omitempty"`
	// Author and Year are the .Project data the render used, so a later
	// render for scaffold update gives the same bytes.
	Author string   `yaml:"author,omitempty" json:"author,omitempty"`
	Year   int      `yaml:"year,omitempty" json:"year,omitempty"`
	Goals  []string `yaml:"goals,omitempty" json:"goals,omitempty"`
	Team   string   `yaml:"team,omitempty" json:"team,omitempty"`
	// Answers holds every template answer by question name, except
	// secret ones.
	Answers map[string]any `yaml:"answers" json:"answers"`
	// SecretFiles are the files scaffold wrote from a secret answer (their
	// names, never their content, and only names that do not themselves
	// derive from the secret). They stay the user's for good: an update
	// never rewrites them, even once a later template version no longer
	// renders them from a secret.
	SecretFiles []string `yaml:"secret_files,omitempty" json:"secret_files,omitempty"`
	// Parts are a workspace's projects, in the order a request goes
	// through them; each has its own record in its folder.
	Parts []PartRecord `yaml:"parts,omitempty" json:"parts,omitempty"`
}

// PartRecord names one part of a workspace.
type PartRecord struct {
	Name string `yaml:"name" json:"name"`
	// Path is the part's folder, slash-separated, in the workspace.
	Path     string `yaml:"path" json:"path"`
	Layer    string `yaml:"layer,omitempty" json:"layer,omitempty"`
	Template string `yaml:"template" json:"template"`
	// Language and Framework are its template's, for the root files.
	Language  string `yaml:"language,omitempty" json:"language,omitempty"`
	Framework string `yaml:"framework,omitempty" json:"framework,omitempty"`
}

// KeepSecretFiles returns the secret-derived paths worth recording: those
// in paths, less any whose name is itself rendered from the secret
// (shown masks those), merged with what the record already holds.
func (r *Record) KeepSecretFiles(paths []string, shown map[string]string) []string {
	keep := slices.Clone(r.SecretFiles)
	for _, p := range paths {
		if _, named := shown[p]; !named {
			keep = append(keep, p)
		}
	}
	slices.Sort(keep)
	return slices.Compact(keep)
}

// TemplateRef says which template, at which version, made the project.
type TemplateRef struct {
	// Source is what the user named: a built-in such as go/chi, a folder
	// or a git URL.
	Source  string `yaml:"source" json:"source"`
	Name    string `yaml:"name,omitempty" json:"name,omitempty"`
	Version string `yaml:"version,omitempty" json:"version,omitempty"`
	// Commit is the git commit of a template from a repository.
	Commit string `yaml:"commit,omitempty" json:"commit,omitempty"`
	// Digest is the template's content digest (sha256:...), as trust
	// entries pin it.
	Digest string `yaml:"digest,omitempty" json:"digest,omitempty"`
}

const answersHeader = `# Written by scaffold: how this project was generated.
# Keep it: "scaffold update" reads it. Replay with: scaffold new NAME --answers ` + AnswersFile + `
`

// Marshal encodes the record as the answers file's bytes.
func (r *Record) Marshal() ([]byte, error) {
	// A record scaffold could not read back would leave the project,
	// or the whole workspace, without one: refuse it rather than write it.
	if err := r.checkParts(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.WriteString(answersHeader)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	if buf.Len() > MaxRecordBytes {
		// It could not be read back: refuse it rather than write it.
		return nil, fmt.Errorf("the record of this project's answers would take %d bytes, more than the %d MiB of an answers file; give shorter answers", buf.Len(), MaxRecordBytes>>20)
	}
	return buf.Bytes(), nil
}

// MaxRecordBytes bounds an answers file, read or written: a record is a
// few hundred bytes, and the answers in it are bounded when they are
// formed (template.MaxAnswerBytes, template.MaxAnswersBytes).
const MaxRecordBytes = 1 << 20

// ReadRecord parses an answers file the user named (--answers): YAML,
// which includes JSON. Links are followed; the file is read with
// tree.ReadPath's bounds, so a FIFO, a device (a link to /dev/zero) or a
// file over MaxRecordBytes is an error, and never a hang. Unknown keys
// are an error, so a typo does not silently drop an answer.
func ReadRecord(path string) (*Record, error) {
	data, _, err := tree.ReadPath(path, MaxRecordBytes)
	if err != nil {
		return nil, err
	}
	return parseRecord(path, data)
}

// ReadProjectRecord reads the AnswersFile of the project at dir through
// an os.Root of the project, with ReadRecord's bounds: a link there is
// followed only inside the project, so one to /dev/zero or out of the
// project is an error.
func ReadProjectRecord(dir string) (*Record, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	data, _, err := tree.ReadFile(root, AnswersFile, MaxRecordBytes)
	if err != nil {
		if strings.Contains(err.Error(), "path escapes from parent") {
			return nil, fmt.Errorf("reading %s: %w: it is a link leading out of the project; restore the file from git", filepath.Join(dir, AnswersFile), err)
		}
		return nil, fmt.Errorf("reading %s: %w", filepath.Join(dir, AnswersFile), err)
	}
	return parseRecord(filepath.Join(dir, AnswersFile), data)
}

func parseRecord(path string, data []byte) (*Record, error) {
	var r Record
	if _, err := yamlfile.Decode(path, data, &r); err != nil {
		return nil, fmt.Errorf("%w (an answers file is YAML or JSON with the keys template, goals, team and answers)", err)
	}
	if err := r.checkParts(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &r, nil
}

// MaxParts bounds the parts a workspace's record may list.
const MaxParts = 64

// PartName is what a workspace's part may be called: it names its
// folder, its compose service and its URL variable (CORE_URL), so it is
// kept to what all three accept.
var PartName = regexp.MustCompile(`^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$`)

// IsPartName reports whether name may name a part: PartName's form, and
// a folder name every disk takes (not con, nul or com1, which Windows
// reserves, and the record's path check refuses).
func IsPartName(name string) bool {
	return PartName.MatchString(name) && template.CheckPath(name) == nil
}

var (
	partPath  = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*$`)
	plainWord = regexp.MustCompile(`^[a-z0-9._-]{0,64}$`)
	plainRef  = regexp.MustCompile(`^[A-Za-z0-9._~:/@+=%-]{1,512}$`)
)

// checkParts refuses parts whose folders could lie outside the workspace
// or in each other: the record is a project file, which anyone may edit.
func (r *Record) checkParts() error {
	if len(r.Parts) > MaxParts {
		return fmt.Errorf("parts: %d of them, more than the %d a workspace may have", len(r.Parts), MaxParts)
	}
	for i, p := range r.Parts {
		// What the root files are rendered from: each field lands in
		// YAML, a Makefile and shell lines, so each is plain.
		switch {
		case !IsPartName(p.Name):
			return fmt.Errorf("parts: %q is no part name: lower case letters, digits and -, starting with a letter, at most 32, not a device name Windows reserves (con, nul, com1)", p.Name)
		case !partPath.MatchString(p.Path) || len(p.Path) > 256:
			return fmt.Errorf("parts: %s: %q is not a folder path inside the workspace (letters, digits, . _ and -, each folder starting with a letter, digit or _)", p.Name, p.Path)
		case !plainWord.MatchString(p.Layer) || !plainWord.MatchString(p.Language) || !plainWord.MatchString(p.Framework):
			return fmt.Errorf("parts: %s: its layer, language and framework must be plain words (a-z, 0-9, . _ -)", p.Name)
		case !plainRef.MatchString(p.Template):
			return fmt.Errorf("parts: %s: its template reference must be one line of printable characters, without quotes or spaces", p.Name)
		}
		if err := template.CheckPath(p.Path); err != nil {
			return fmt.Errorf("parts: %s: %w", p.Name, err)
		}
		if p.Path != path.Clean(p.Path) || p.Path == AnswersFile {
			return fmt.Errorf("parts: %s: %q is not a clean folder path inside the workspace", p.Name, p.Path)
		}
		for _, o := range r.Parts[:i] {
			if o.Name == p.Name {
				return fmt.Errorf("parts: two are named %s", p.Name)
			}
			if o.Path == p.Path || strings.HasPrefix(p.Path, o.Path+"/") || strings.HasPrefix(o.Path, p.Path+"/") {
				return fmt.Errorf("parts: %s and %s: the folders %s and %s overlap", o.Name, p.Name, o.Path, p.Path)
			}
		}
	}
	return nil
}

// WithRecord adds the answers file to a rendered project. A template may
// not ship a file of that name: it belongs to scaffold.
func WithRecord(files []template.File, r *Record) ([]template.File, error) {
	for _, f := range files {
		if f.Path == AnswersFile {
			return nil, fmt.Errorf("template file %s renders to %s, which scaffold writes itself; rename it", f.From, AnswersFile)
		}
	}
	data, err := r.Marshal()
	if err != nil {
		return nil, err
	}
	return append(files, template.File{Path: AnswersFile, Mode: 0o644, Data: data}), nil
}
