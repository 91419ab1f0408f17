package source

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// packObject encodes one pack entry: the type and size header, a
// REF_DELTA's base hash, and the zlib stream of body.
func packObject(typ byte, size int64, body []byte) []byte {
	var b bytes.Buffer
	c := typ<<4 | byte(size&0x0f)
	size >>= 4
	for size > 0 {
		b.WriteByte(c | 0x80)
		c = byte(size & 0x7f)
		size >>= 7
	}
	b.WriteByte(c)
	if typ == 7 {
		b.Write(make([]byte, 20))
	}
	zw := zlib.NewWriter(&b)
	zw.Write(body)
	zw.Close()
	return b.Bytes()
}

func pack(objects ...[]byte) []byte {
	var b bytes.Buffer
	b.WriteString("PACK")
	binary.Write(&b, binary.BigEndian, uint32(2))
	binary.Write(&b, binary.BigEndian, uint32(len(objects)))
	for _, o := range objects {
		b.Write(o)
	}
	b.Write(make([]byte, 20)) // the trailer, not checked
	return b.Bytes()
}

func varint(n int64) []byte {
	var out []byte
	for {
		c := byte(n & 0x7f)
		n >>= 7
		if n == 0 {
			return append(out, c)
		}
		out = append(out, c|0x80)
	}
}

func TestPackCheck(t *testing.T) {
	const max = 1 << 10
	blob := func(body string) []byte { return packObject(3, int64(len(body)), []byte(body)) }
	delta := func(base, target int64) []byte {
		body := append(varint(base), varint(target)...)
		body = append(body, 0x01, 'x') // insert one byte
		return packObject(7, int64(len(body)), body)
	}
	tests := []struct {
		name string
		pack []byte
		want string // empty: accepted
	}{
		{"small objects", pack(blob("hello"), blob(strings.Repeat("x", max)), delta(5, 1)), ""},
		{"blob over the limit", pack(blob("a"), blob(strings.Repeat("x", max+1))), "blob of 1025 bytes"},
		// The header alone tells: the 1 TiB is never inflated.
		{"declared size over the limit", pack(packObject(3, 1<<40, []byte("tiny"))), "blob of 1099511627776 bytes"},
		{"delta making a huge object", pack(blob("a"), delta(1, 2<<30)), "blob of 2147483648 bytes"},
		{"more data than declared", pack(packObject(3, 3, []byte("hello"))), "malformed git pack"},
		{"less data than declared", pack(packObject(3, 9, []byte("hello"))), "malformed git pack"},
		{"not a pack", []byte("HTTP/1.1 200 OK\r\n\r\n"), "not a git pack"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkPack(bufio.NewReader(bytes.NewReader(tt.pack)), max)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(tt.want, "bytes") && !errors.Is(err, ErrTooLarge) {
				t.Errorf("errors.Is(err, ErrTooLarge) = false")
			}
		})
	}

	// Through the writer: the pack is refused at the object, before it
	// all reaches the storage, and the total is capped.
	var sink closeBuffer
	w := newPackCheck(&sink, max, 1<<20)
	p := pack(blob("a"), blob(strings.Repeat("y", 4*max)))
	_, err := w.Write(p)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err == nil || !errors.Is(err, ErrTooLarge) {
		t.Errorf("writer: err = %v, want ErrTooLarge", err)
	}
	w = newPackCheck(&closeBuffer{}, max, 100)
	if _, err := w.Write(make([]byte, 101)); err == nil || !strings.Contains(err.Error(), "sends more than") {
		t.Errorf("pack cap: err = %v", err)
	}
	w.Close()
}

type closeBuffer struct{ bytes.Buffer }

func (*closeBuffer) Close() error { return nil }
