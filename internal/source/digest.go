package source

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"path"
	"sort"
	"strconv"
)

// digestHeader starts every digest's input, so that a change of the
// format below gives different digests instead of colliding ones.
const digestHeader = "scaffold-template-digest-v1\n"

// Digest identifies a template's content as "sha256:" and 64 hex digits,
// so a trusted template can be pinned and a changed one noticed. It is the
// SHA-256 of digestHeader followed by one record per file or symbolic link
// of fsys, in byte order of their slash-separated relative paths:
//
//	mode " " path "\x00" length "\x00" content
//
// where mode is "100644" for a file, "100755" for a file with any
// executable bit, "120000" for a symbolic link (as git writes them), length
// is the decimal byte length of content, and content is the file's bytes
// or the link's target. Folders count only through what they hold, any
// ".git" entry is left out, and nothing else (times, owners, other
// permission bits) counts, so the same template gives the same digest
// embedded, in a folder or checked out from git, on any machine.
func Digest(fsys fs.FS) (string, error) {
	type entry struct {
		path string
		mode fs.FileMode
	}
	var entries []entry
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Name() == ".git" && p != "." {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		entries = append(entries, entry{p, d.Type()})
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("computing the digest: %w", err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].path < entries[j].path })

	h := sha256.New()
	io.WriteString(h, digestHeader)
	for _, e := range entries {
		if err := digestEntry(h, fsys, e.path, e.mode); err != nil {
			return "", fmt.Errorf("computing the digest: %w", err)
		}
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

func digestEntry(h hash.Hash, fsys fs.FS, p string, typ fs.FileMode) error {
	var mode string
	var content []byte
	switch {
	case typ&fs.ModeSymlink != 0:
		target, err := fs.ReadLink(fsys, p)
		if err != nil {
			return err
		}
		mode, content = "120000", []byte(target)
	case typ.IsRegular():
		info, err := fs.Stat(fsys, p)
		if err != nil {
			return err
		}
		mode = "100644"
		if info.Mode()&0o111 != 0 {
			mode = "100755"
		}
		if content, err = fs.ReadFile(fsys, p); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%s is not a regular file (%v); templates hold only files, folders and links", path.Clean(p), typ)
	}
	io.WriteString(h, mode+" "+p+"\x00"+strconv.Itoa(len(content))+"\x00")
	h.Write(content)
	return nil
}
