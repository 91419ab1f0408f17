package tree

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"testing"
	"testing/fstest"
)

// TestDigestFormat pins the documented format with a hand-made input.
func TestDigestFormat(t *testing.T) {
	fsys := fstest.MapFS{
		"scaffold.yaml": {Data: []byte("name: x\n"), Mode: 0o444},
		"a-b":           {Data: []byte("dash"), Mode: 0o644},
		"a/run.sh":      {Data: []byte("#!/bin/sh\n"), Mode: 0o700},
		"a/link":        {Data: []byte("run.sh"), Mode: fs.ModeSymlink | 0o777},
		".git/config":   {Data: []byte("ignored"), Mode: 0o644},
		"sub/.git":      {Data: []byte("gitdir: ignored"), Mode: 0o644},
		"empty":         {Mode: fs.ModeDir | 0o755},
	}
	files, err := ReadFS(fsys, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	got := files.Digest()
	// Byte order: "a-b" < "a/link" < "a/run.sh" < "scaffold.yaml".
	input := digestHeader +
		"100644 a-b\x004\x00dash" +
		"120000 a/link\x006\x00run.sh" +
		"100755 a/run.sh\x0010\x00#!/bin/sh\n" +
		"100644 scaffold.yaml\x008\x00name: x\n"
	sum := sha256.Sum256([]byte(input))
	if want := "sha256:" + hex.EncodeToString(sum[:]); got != want {
		t.Errorf("Digest = %s, want %s", got, want)
	}
}
