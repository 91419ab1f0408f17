// Package yamlfile decodes the YAML files people write for scaffold
// (manifests, configs, answers) strictly: an unknown key is an error, and
// every error names the file and the line, so it can be fixed in place.
package yamlfile

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Error locates a problem in a YAML file.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Decode decodes data into v, refusing unknown keys. An empty document
// leaves v as it is. It also returns the document's node tree, so a
// caller can find the line of a value it rejects itself.
func Decode(file string, data []byte, v any) (*yaml.Node, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, locate(file, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && err != io.EOF {
		return nil, locate(file, err)
	}
	return &root, nil
}

var lineRE = regexp.MustCompile(`^line (\d+): (.*)$`)

// locate turns yaml.v3's messages ("yaml: unmarshal errors:\n  line 2:
// field x not found in type T") into one located error, the first.
func locate(file string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:")
	first := strings.TrimSpace(strings.SplitN(strings.TrimSpace(msg), "\n", 2)[0])
	if m := lineRE.FindStringSubmatch(first); m != nil {
		n, _ := strconv.Atoi(m[1])
		return &Error{File: file, Line: n, Msg: tidy(m[2])}
	}
	return &Error{File: file, Msg: tidy(first)}
}

// tidy drops Go type names from yaml.v3's messages: a user writing YAML
// has no use for "in type config.Config".
func tidy(msg string) string {
	if i := strings.Index(msg, " in type "); i >= 0 {
		msg = msg[:i]
	}
	return strings.ReplaceAll(msg, "!!str", "a string")
}

// KeyLine returns the line of key in the mapping under the top-level
// section sec, or of sec itself, or 0.
func KeyLine(root *yaml.Node, sec, key string) int {
	n := Section(root, sec)
	if n == nil {
		return 0
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i].Line
		}
	}
	return n.Line
}

// ItemLine returns the line of the i-th item of the top-level sequence sec.
func ItemLine(root *yaml.Node, sec string, i int) int {
	n := Section(root, sec)
	if n == nil || n.Kind != yaml.SequenceNode || i >= len(n.Content) {
		return 0
	}
	return n.Content[i].Line
}

// Section returns the value node of a top-level key, or nil.
func Section(root *yaml.Node, key string) *yaml.Node {
	if root == nil || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}
