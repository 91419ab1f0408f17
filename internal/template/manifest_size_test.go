package template

import (
	"strings"
	"testing"
)

// A manifest is parsed whole by YAML, which takes about a hundred times
// its size in memory for a long flow list: one over MaxManifestBytes is
// refused before it is parsed.
func TestParseManifestTooLarge(t *testing.T) {
	head := "name: a\nlanguage: go\nhooks: ["
	big := head + strings.Repeat("0,", (MaxManifestBytes-len(head))/2+1) + "0]\n"
	_, err := ParseManifest("big/scaffold.yaml", []byte(big))
	if err == nil || !strings.Contains(err.Error(), "more than the 1 MiB a manifest may hold") {
		t.Fatalf("ParseManifest(%d bytes) = %v, want the size refused", len(big), err)
	}
	small := head + "0]\n"
	if _, err := ParseManifest("small/scaffold.yaml", []byte(small)); err != nil {
		t.Fatalf("ParseManifest(small) = %v", err)
	}
}
