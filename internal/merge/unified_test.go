package merge

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// diffCases have one shortest diff only, so GNU diff -u must print exactly
// what Diff prints.
var diffCases = []struct {
	name string
	a, b string
	want string
}{
	{name: "equal", a: "a\nb\n", b: "a\nb\n", want: ""},
	{
		name: "one line changed in the middle",
		a:    "1\n2\n3\n4\n5\n6\n7\n8\n9\n", b: "1\n2\n3\n4\nfive\n6\n7\n8\n9\n",
		want: "--- a\n+++ b\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n",
	},
	{
		name: "changes far apart make two hunks",
		a:    "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", b: "one\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\ntwelve\n",
		want: "--- a\n+++ b\n@@ -1,4 +1,4 @@\n-1\n+one\n 2\n 3\n 4\n@@ -9,4 +9,4 @@\n 9\n 10\n 11\n-12\n+twelve\n",
	},
	{
		name: "changes six lines apart share a hunk",
		a:    "1\n2\n3\n4\n5\n6\n7\n8\n", b: "one\n2\n3\n4\n5\n6\n7\neight\n",
		want: "--- a\n+++ b\n@@ -1,8 +1,8 @@\n-1\n+one\n 2\n 3\n 4\n 5\n 6\n 7\n-8\n+eight\n",
	},
	{
		name: "from empty",
		a:    "", b: "x\n",
		want: "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n",
	},
	{
		name: "to empty",
		a:    "x\ny\n", b: "",
		want: "--- a\n+++ b\n@@ -1,2 +0,0 @@\n-x\n-y\n",
	},
	{
		name: "insertion",
		a:    "1\n2\n3\n4\n5\n6\n", b: "1\n2\n3\nnew\n4\n5\n6\n",
		want: "--- a\n+++ b\n@@ -1,6 +1,7 @@\n 1\n 2\n 3\n+new\n 4\n 5\n 6\n",
	},
	{
		name: "inserted line equal to its neighbours goes last",
		a:    "1\n2\n2\n3\n", b: "1\n2\n2\n2\n3\n",
		want: "--- a\n+++ b\n@@ -1,4 +1,5 @@\n 1\n 2\n 2\n+2\n 3\n",
	},
	{
		name: "deleted line equal to its neighbours goes last",
		a:    "1\n2\n2\n2\n3\n", b: "1\n2\n2\n3\n",
		want: "--- a\n+++ b\n@@ -1,5 +1,4 @@\n 1\n 2\n 2\n-2\n 3\n",
	},
	{
		name: "insertion at start",
		a:    "1\n2\n3\n4\n5\n", b: "0\n1\n2\n3\n4\n5\n",
		want: "--- a\n+++ b\n@@ -1,3 +1,4 @@\n+0\n 1\n 2\n 3\n",
	},
	{
		name: "newline added at end",
		a:    "1\n2", b: "1\n2\n",
		want: "--- a\n+++ b\n@@ -1,2 +1,2 @@\n 1\n-2\n\\ No newline at end of file\n+2\n",
	},
	{
		name: "no newline on either side",
		a:    "1\n2\n3", b: "1\n2\nthree",
		want: "--- a\n+++ b\n@@ -1,3 +1,3 @@\n 1\n 2\n-3\n\\ No newline at end of file\n+three\n\\ No newline at end of file\n",
	},
	{
		name: "CRLF",
		a:    "1\r\n2\r\n", b: "1\r\nzwei\r\n",
		want: "--- a\n+++ b\n@@ -1,2 +1,2 @@\n 1\r\n-2\r\n+zwei\r\n",
	},
}

func TestDiff(t *testing.T) {
	for _, tt := range diffCases {
		t.Run(tt.name, func(t *testing.T) {
			got := Diff([]byte(tt.a), []byte(tt.b), "a", "b")
			if got != tt.want {
				t.Errorf("Diff =\n%s\nwant\n%s", show([]byte(got)), show([]byte(tt.want)))
			}
			checkPatch(t, tt.a, tt.b, got)
		})
	}
}

// TestDiffMatchesGNUDiff checks the expected outputs above against the
// real diff -u, so the hunk header rules are diff's and not our guess.
func TestDiffMatchesGNUDiff(t *testing.T) {
	if _, err := exec.LookPath("diff"); err != nil {
		t.Skip("no diff on PATH")
	}
	dir := t.TempDir()
	for _, tt := range diffCases {
		fa, fb := filepath.Join(dir, "a"), filepath.Join(dir, "b")
		if err := os.WriteFile(fa, []byte(tt.a), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(fb, []byte(tt.b), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("diff", "-u", "--label", "a", "--label", "b", fa, fb).Output()
		var ee *exec.ExitError
		if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
			t.Fatalf("%s: diff -u: %v", tt.name, err)
		}
		if string(out) != tt.want {
			t.Errorf("%s: diff -u prints\n%s\nthe test wants\n%s", tt.name, show(out), show([]byte(tt.want)))
		}
	}
}

// TestDiffApplies checks on random files that every hunk header counts
// its lines right and that the diff turns a into b.
func TestDiffApplies(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	words := []string{"a\n", "b\n", "c\n", "d\r\n", "", "e"}
	gen := func() string {
		var sb strings.Builder
		for range r.IntN(40) {
			sb.WriteString(words[r.IntN(4)])
		}
		if r.IntN(4) == 0 {
			sb.WriteString(words[4+r.IntN(2)])
		}
		return sb.String()
	}
	for range 3000 {
		a, b := gen(), gen()
		checkPatch(t, a, b, Diff([]byte(a), []byte(b), "a", "b"))
	}
}

// checkPatch applies a unified diff to a the way patch(1) would with no
// fuzz and fails unless that gives b and every header is right.
func checkPatch(t *testing.T, a, b, diff string) {
	t.Helper()
	got, err := applyPatch(a, diff)
	if err != nil {
		t.Fatalf("a=%q b=%q: %v\n%s", a, b, err, diff)
	}
	if got != b {
		t.Fatalf("a=%q b=%q: patch gives %q\n%s", a, b, got, diff)
	}
}

func applyPatch(a, diff string) (string, error) {
	if diff == "" {
		return a, nil
	}
	const noNewline = "\\ No newline at end of file\n"
	al := splitLines([]byte(a))
	lines := strings.SplitAfter(diff, "\n")
	if len(lines) < 2 || lines[0] != "--- a\n" || lines[1] != "+++ b\n" {
		return "", fmt.Errorf("bad file header")
	}
	lines = lines[2 : len(lines)-1] // SplitAfter leaves a last ""
	var out [][]byte
	pos := 0
	for len(lines) > 0 {
		var aStart, aLen, bStart, bLen int
		if err := parseHeader(lines[0], &aStart, &aLen, &bStart, &bLen); err != nil {
			return "", err
		}
		lines = lines[1:]
		// A range starts at its first line, an empty one after its line.
		if aLen > 0 {
			aStart--
		}
		if bLen > 0 {
			bStart--
		}
		if aStart < pos {
			return "", fmt.Errorf("hunk at line %d overlaps the one before", aStart+1)
		}
		out = append(out, al[pos:aStart]...)
		pos = aStart
		if bStart != len(out) {
			return "", fmt.Errorf("hunk says +%d, but it starts at line %d of b", bStart, len(out))
		}
		var gotA, gotB int
		for len(lines) > 0 && !strings.HasPrefix(lines[0], "@@") {
			l := lines[0]
			lines = lines[1:]
			body := []byte(l[1:])
			if len(lines) > 0 && lines[0] == noNewline {
				lines = lines[1:]
				body = body[:len(body)-1]
			}
			switch l[0] {
			case ' ', '-':
				if pos >= len(al) || !bytes.Equal(body, al[pos]) {
					return "", fmt.Errorf("context or removed line %q is not line %d of a", body, pos+1)
				}
				pos++
				gotA++
				if l[0] == ' ' {
					out = append(out, body)
					gotB++
				}
			case '+':
				out = append(out, body)
				gotB++
			default:
				return "", fmt.Errorf("bad line %q", l)
			}
		}
		if gotA != aLen || gotB != bLen {
			return "", fmt.Errorf("header says -%d +%d, body has -%d +%d", aLen, bLen, gotA, gotB)
		}
	}
	out = append(out, al[pos:]...)
	return string(bytes.Join(out, nil)), nil
}

func parseHeader(h string, aStart, aLen, bStart, bLen *int) error {
	var ra, rb string
	if _, err := fmt.Sscanf(h, "@@ -%s +%s @@\n", &ra, &rb); err != nil {
		return fmt.Errorf("bad hunk header %q: %v", h, err)
	}
	parse := func(r string, start, n *int) error {
		s, c, ok := strings.Cut(r, ",")
		var err error
		if *start, err = strconv.Atoi(s); err != nil {
			return err
		}
		*n = 1
		if ok {
			if *n, err = strconv.Atoi(c); err != nil {
				return err
			}
			if *n == 1 {
				return fmt.Errorf("header %q spells out a count of 1", h)
			}
		}
		return nil
	}
	if err := parse(ra, aStart, aLen); err != nil {
		return err
	}
	return parse(rb, bStart, bLen)
}
