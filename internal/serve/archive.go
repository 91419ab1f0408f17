package serve

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"time"

	"github.com/scaffold-cli/scaffold/internal/template"
)

// entry is one member of an archive, its path slash-separated and
// relative to the project's folder.
type entry struct {
	path string
	mode fs.FileMode // the permission bits, with fs.ModeDir or fs.ModeSymlink
	data []byte
	link string
}

// format is an archive format the starter serves.
type format struct {
	ext, contentType string
	write            func(w io.Writer, root string, entries []entry, mtime time.Time) error
}

var formats = []format{
	{".zip", "application/zip", writeZip},
	{".tgz", "application/gzip", writeTgz},
}

// fileEntries are the rendered files with a folder entry for each folder
// they are in, so that an unpacker makes the folders with their modes.
func fileEntries(files []template.File) []entry {
	dirs := map[string]bool{}
	var out []entry
	for _, f := range files {
		for d := path.Dir(f.Path); d != "." && !dirs[d]; d = path.Dir(d) {
			dirs[d] = true
		}
		e := entry{path: f.Path, mode: f.Mode.Perm(), data: f.Data}
		if f.Link != "" {
			e.mode, e.data, e.link = fs.ModeSymlink|0o777, nil, f.Link
		}
		out = append(out, e)
	}
	for d := range dirs {
		out = append(out, entry{path: d, mode: fs.ModeDir | 0o755})
	}
	slices.SortFunc(out, func(a, b entry) int {
		switch {
		case a.path < b.path:
			return -1
		case a.path > b.path:
			return 1
		}
		return 0
	})
	return out
}

// dirEntries reads the project scaffold wrote at dir, .git included,
// without following a link, up to max bytes of content.
func dirEntries(dir string, max int64) ([]entry, error) {
	var out []entry
	var total int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		e := entry{path: filepath.ToSlash(rel), mode: info.Mode() & (fs.ModeDir | fs.ModeSymlink | fs.ModePerm)}
		switch {
		case d.IsDir():
		case info.Mode()&fs.ModeSymlink != 0:
			if e.link, err = os.Readlink(p); err != nil {
				return err
			}
		case info.Mode().IsRegular():
			if total += info.Size(); total > max {
				return errTooLarge
			}
			if e.data, err = os.ReadFile(p); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s is neither a file, a folder nor a link", rel)
		}
		out = append(out, e)
		return nil
	})
	return out, err
}

func writeZip(w io.Writer, root string, entries []entry, mtime time.Time) error {
	zw := zip.NewWriter(w)
	for _, e := range withRoot(entries) {
		h := &zip.FileHeader{Name: path.Join(root, e.path), Method: zip.Deflate, Modified: mtime}
		h.SetMode(e.mode)
		data := e.data
		switch {
		case e.mode.IsDir():
			h.Name += "/"
			h.Method = zip.Store
		case e.mode&fs.ModeSymlink != 0:
			data = []byte(e.link)
			h.Method = zip.Store
		}
		fw, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if _, err := fw.Write(data); err != nil {
			return err
		}
	}
	return zw.Close()
}

func writeTgz(w io.Writer, root string, entries []entry, mtime time.Time) error {
	gz, _ := gzip.NewWriterLevel(w, gzip.BestCompression)
	gz.ModTime = mtime
	tw := tar.NewWriter(gz)
	for _, e := range withRoot(entries) {
		h := &tar.Header{Name: path.Join(root, e.path), Mode: int64(e.mode.Perm()), ModTime: mtime, Typeflag: tar.TypeReg, Size: int64(len(e.data))}
		switch {
		case e.mode.IsDir():
			h.Typeflag, h.Name, h.Size = tar.TypeDir, h.Name+"/", 0
		case e.mode&fs.ModeSymlink != 0:
			h.Typeflag, h.Linkname, h.Size = tar.TypeSymlink, e.link, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write(e.data); err != nil {
				return err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

// withRoot puts the project's own folder first, so that an unpacker
// makes it 0755 whatever its umask.
func withRoot(entries []entry) []entry {
	return append([]entry{{path: "", mode: fs.ModeDir | 0o755}}, entries...)
}

var errTooLarge = errors.New("the archive is too large")

// capped is a buffer that refuses to grow past max bytes.
type capped struct {
	bytes.Buffer
	max int64
}

func (c *capped) Write(b []byte) (int, error) {
	if int64(c.Len()+len(b)) > c.max {
		return 0, errTooLarge
	}
	return c.Buffer.Write(b)
}
