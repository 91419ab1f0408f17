package tree

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strconv"
)

// digestHeader starts every digest's input, so that a change of the
// format below gives different digests instead of colliding ones.
const digestHeader = "scaffold-template-digest-v1\n"

// Digest identifies the tree's content as "sha256:" and 64 hex digits,
// so a trusted template can be pinned and a changed one noticed. It is
// the SHA-256 of digestHeader followed by one record per file or link, in
// byte order of their paths:
//
//	mode " " path "\x00" length "\x00" content
//
// where mode is "100644" for a file, "100755" for an executable file and
// "120000" for a link (as git writes them), length is the decimal byte
// length of content, and content is the file's bytes or the link's
// target. Folders count only through what they hold, and nothing else
// (times, owners, other permission bits) counts, so the same template
// gives the same digest embedded, in a folder or from git, on any
// machine. It covers exactly the bytes the tree gives to its readers.
func (t *Tree) Digest() string {
	h := sha256.New()
	io.WriteString(h, digestHeader)
	for _, e := range t.Files() {
		mode, content := "100644", e.Data
		switch {
		case e.IsLink():
			mode, content = "120000", []byte(e.Link)
		case e.Mode&0o111 != 0:
			mode = "100755"
		}
		io.WriteString(h, mode+" "+e.Path+"\x00"+strconv.Itoa(len(content))+"\x00")
		h.Write(content)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}
