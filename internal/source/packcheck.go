package source

import (
	"bufio"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/scaffold-cli/scaffold/internal/tree"
)

// go-git inflates every object of a fetched pack into memory, whole, to
// index it (packfile.Parser.resolveDeltas), so a pack of a few MiB that
// holds a 2 GiB file of zeros costs gigabytes before scaffold sees a
// single object. The pack is therefore read twice as it arrives: once by
// go-git, once by packCheck, which inflates each object into nothing,
// reads its size (for a delta, the size of the object it makes) and stops
// the fetch, before the pack is complete and so before go-git's indexing
// inflates anything whole, when an object or the pack is too large.
const (
	// MaxObject is the largest git object a fetch takes. Templates are
	// read from the objects with tree.DefaultLimits (16 MiB a file); a
	// repository may hold larger files outside the template's folder,
	// up to this.
	MaxObject = 64 << 20
	// MaxPack is the most bytes a fetch takes, compressed.
	MaxPack = 512 << 20
)

// ErrTooLarge is wrapped by the error of a fetch stopped by MaxObject or
// MaxPack.
var ErrTooLarge = errors.New("the repository is too large")

type tooLargeError struct{ msg string }

func (e *tooLargeError) Error() string { return e.msg }
func (e *tooLargeError) Unwrap() error { return ErrTooLarge }

// boundedStorage is a storage whose fetched packs pass through packCheck.
type boundedStorage struct {
	*filesystem.Storage
	maxObject, maxPack int64
	// touch reports the pack's bytes as activity (see watch).
	touch func(int)
}

func (s *boundedStorage) PackfileWriter() (io.WriteCloser, error) {
	w, err := s.Storage.PackfileWriter()
	if err != nil {
		return nil, err
	}
	c := newPackCheck(w, s.maxObject, s.maxPack)
	c.touch = s.touch
	return c, nil
}

// boundedLocal is a local repository served to a file:// fetch that
// refuses to give out an object larger than max: go-git's in-process
// upload-pack reads objects whole to pack them.
type boundedLocal struct {
	storer.Storer
	max int64
}

func (s boundedLocal) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	// The size from the object's header, before go-git reads a loose
	// object whole.
	if sz, ok := s.Storer.(interface {
		EncodedObjectSize(plumbing.Hash) (int64, error)
	}); ok {
		if size, err := sz.EncodedObjectSize(h); err == nil && size > s.max {
			return nil, objectTooLarge(t, size, s.max)
		}
	}
	o, err := s.Storer.EncodedObject(t, h)
	if err == nil && o.Size() > s.max {
		return nil, objectTooLarge(o.Type(), o.Size(), s.max)
	}
	return o, err
}

// packCheck passes a pack stream to w while a goroutine parses it.
type packCheck struct {
	w       io.WriteCloser
	pw      *io.PipeWriter
	done    chan error
	n       int64
	maxPack int64
	err     error
	touch   func(int)
}

func newPackCheck(w io.WriteCloser, maxObject, maxPack int64) *packCheck {
	pr, pw := io.Pipe()
	c := &packCheck{w: w, pw: pw, done: make(chan error, 1), maxPack: maxPack}
	go func() {
		err := checkPack(bufio.NewReader(pr), maxObject)
		if err == nil {
			// Whatever follows the pack is not checked; drain it.
			_, err = io.Copy(io.Discard, pr)
		}
		pr.CloseWithError(err)
		c.done <- err
	}()
	return c
}

func (c *packCheck) Write(b []byte) (int, error) {
	if c.touch != nil {
		c.touch(len(b))
	}
	if c.err != nil {
		return 0, c.err
	}
	if c.n += int64(len(b)); c.n > c.maxPack {
		c.err = &tooLargeError{fmt.Sprintf("the repository sends more than %d MiB: scaffold fetches templates, not repositories this large; keep the templates in a repository of their own", c.maxPack>>20)}
		return 0, c.err
	}
	// The checker sees every byte before go-git's indexer does.
	if _, err := c.pw.Write(b); err != nil {
		c.err = err
		return 0, err
	}
	return c.w.Write(b)
}

func (c *packCheck) Close() error {
	c.pw.Close()
	err := <-c.done
	if c.err != nil {
		err = c.err
	}
	if cerr := c.w.Close(); err == nil {
		err = cerr
	}
	return err
}

// checkPack reads a whole pack (git's pack format, version 2 or 3),
// inflating each object into nothing, and fails on the first object
// larger than max. r must be a ByteReader, so zlib reads no byte past an
// object's end.
func checkPack(r *bufio.Reader, max int64) error {
	var head [12]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return fmt.Errorf("reading the pack header: %w", err)
	}
	if string(head[:4]) != "PACK" {
		return errors.New("the repository sent something that is not a git pack")
	}
	count := binary.BigEndian.Uint32(head[8:])
	for i := uint32(0); i < count; i++ {
		if err := checkObject(r, max); err != nil {
			return err
		}
	}
	return nil
}

func checkObject(r *bufio.Reader, max int64) error {
	c, err := r.ReadByte()
	if err != nil {
		return err
	}
	typ := plumbing.ObjectType((c >> 4) & 7)
	size := int64(c & 0x0f)
	for shift := 4; c&0x80 != 0; shift += 7 {
		if shift > 56 {
			return errors.New("malformed git pack: object size too long")
		}
		if c, err = r.ReadByte(); err != nil {
			return err
		}
		size |= int64(c&0x7f) << shift
	}
	switch typ {
	case plumbing.OFSDeltaObject:
		for {
			if c, err = r.ReadByte(); err != nil {
				return err
			}
			if c&0x80 == 0 {
				break
			}
		}
	case plumbing.REFDeltaObject:
		if _, err := r.Discard(20); err != nil {
			return err
		}
	}
	if !typ.IsDelta() && size > max {
		return objectTooLarge(typ, size, max)
	}
	zr, err := zlib.NewReader(r)
	if err != nil {
		return fmt.Errorf("malformed git pack: %w", err)
	}
	// At most the size the header declares, and one byte more to notice
	// a stream that lies about it.
	cr := &countReader{r: zr}
	data := bufio.NewReader(io.LimitReader(cr, size+1))
	if typ.IsDelta() {
		// A delta starts with the sizes of its base and of its result.
		if _, err := deltaSize(data); err != nil {
			return err
		}
		target, err := deltaSize(data)
		if err != nil {
			return err
		}
		if target > max {
			return objectTooLarge(plumbing.BlobObject, target, max)
		}
	}
	if _, err := io.Copy(io.Discard, data); err != nil {
		return fmt.Errorf("malformed git pack: %w", err)
	}
	if cr.n != size {
		return fmt.Errorf("malformed git pack: an object of %d bytes declares %d", cr.n, size)
	}
	return zr.Close()
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

func deltaSize(r io.ByteReader) (int64, error) {
	var size int64
	for shift := 0; ; shift += 7 {
		if shift > 56 {
			return 0, errors.New("malformed git pack: delta size too long")
		}
		c, err := r.ReadByte()
		if err != nil {
			return 0, fmt.Errorf("malformed git pack: %w", err)
		}
		size |= int64(c&0x7f) << shift
		if c&0x80 == 0 {
			return size, nil
		}
	}
}

func objectTooLarge(typ plumbing.ObjectType, size, max int64) error {
	what := "object"
	switch typ {
	case plumbing.BlobObject, plumbing.TreeObject, plumbing.CommitObject, plumbing.TagObject:
		what = typ.String()
	}
	return &tooLargeError{fmt.Sprintf("the repository holds a git %s of %d bytes, more than the %d MiB scaffold fetches; a template's files may have at most %d MiB each", what, size, max>>20, tree.DefaultLimits.File>>20)}
}
