package merge

import (
	"bytes"
	"testing"
)

// FuzzMerge checks, on raw bytes and on files built from a few repeated
// lines (where diffs get ambiguous), that merging never panics, that the
// identity properties hold byte for byte without conflicts, that the
// sides can be swapped, and that Diff turns one side into the other.
//
//	go test -run '^$' -fuzz FuzzMerge -fuzztime 60s ./internal/merge
func FuzzMerge(f *testing.F) {
	seeds := [][3]string{
		{"", "", ""},
		{"a\nb\nc\n", "a\nB\nc\n", "a\nb\nC\n"},
		{"a\nb\nc", "a\nb\nc\n", "A\nb\nc"},
		{"a\r\nb\r\n", "a\r\nX\r\n", "a\r\nY\r\n"},
		{"a\nb\n", "", "a\nB\n"},
		{"x\n", "x\ny\n", "x\nz\n"},
		{"\x00\x01\x02", "\x00\x03\x02", "\x04\x01\x02"},
	}
	for _, s := range seeds {
		f.Add([]byte(s[0]), []byte(s[1]), []byte(s[2]))
	}
	f.Fuzz(func(t *testing.T, base, ours, theirs []byte) {
		// Large inputs only slow the search for bugs down; the long-file
		// tests and benchmarks cover size.
		if len(base)+len(ours)+len(theirs) > 4096 {
			return
		}
		checkMerge(t, base, ours, theirs)
		b, o, th := expand(base), expand(ours), expand(theirs)
		checkMerge(t, b, o, th)
		// Again with the search cut off almost at once, so that the
		// properties are checked on the path very different files take.
		withMaxCost(t, 2)
		checkMerge(t, b, o, th)
	})
}

// expand turns each byte into one of a few lines, some CRLF and one
// without newline, so that random input makes files that share lines.
func expand(data []byte) []byte {
	lines := [...]string{"a\n", "b\n", "c\n", "d\n", "{\n", "a\r\n", "}\r\n", "z"}
	var out []byte
	for _, c := range data {
		out = append(out, lines[c%byte(len(lines))]...)
	}
	return out
}

func checkMerge(t *testing.T, base, ours, theirs []byte) {
	t.Helper()
	x, y := base, ours
	for _, c := range []struct {
		name    string
		b, o, t []byte
	}{
		{"Merge(x, x, y)", x, x, y},
		{"Merge(x, y, x)", x, y, x},
		{"Merge(x, y, y)", x, y, y},
	} {
		for _, merge := range []func(b, o, t []byte, l Labels) ([]byte, int){Merge, merge3} {
			got, n := merge(c.b, c.o, c.t, testLabels)
			if n != 0 || !bytes.Equal(got, y) {
				t.Fatalf("%s with x=%q y=%q: %d conflicts, %q", c.name, x, y, n, got)
			}
		}
	}

	got, n := merge3(base, ours, theirs, testLabels)
	if n == 0 && bytes.Equal(ours, base) && !bytes.Equal(got, theirs) {
		t.Fatalf("ours == base, no conflict, but merged %q != theirs %q", got, theirs)
	}
	swapped, ns := merge3(base, theirs, ours, testLabels)
	if ns != n || n == 0 && !bytes.Equal(swapped, got) {
		t.Fatalf("swapping sides of %q %q %q: %d conflicts %q, then %d conflicts %q", base, ours, theirs, n, got, ns, swapped)
	}
	if m, nm := Merge(base, ours, theirs, testLabels); nm != n || !bytes.Equal(m, got) {
		t.Fatalf("Merge and merge3 differ on %q %q %q", base, ours, theirs)
	}

	checkPatch(t, string(base), string(theirs), Diff(base, theirs, "a", "b"))
}
