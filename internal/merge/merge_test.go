package merge

import (
	"bytes"
	"strings"
	"testing"
)

var testLabels = Labels{Ours: "ours", Base: "base", Theirs: "theirs"}

// conflict builds the expected conflict block with testLabels and eol.
func conflict(eol, ours, base, theirs string) string {
	return "<<<<<<< ours" + eol + ours +
		"||||||| base" + eol + base +
		"=======" + eol + theirs +
		">>>>>>> theirs" + eol
}

func TestMerge(t *testing.T) {
	tests := []struct {
		name               string
		base, ours, theirs string
		want               string
		conflicts          int
	}{
		{
			name: "disjoint edits",
			base: "a\nb\nc\nd\ne\n", ours: "A\nb\nc\nd\ne\n", theirs: "a\nb\nc\nd\nE\n",
			want: "A\nb\nc\nd\nE\n",
		},
		{
			name: "disjoint insertions and deletions",
			base: "a\nb\nc\nd\ne\nf\ng\n", ours: "a\nc\nd\ne\nf\ng\nh\n", theirs: "0\na\nb\nc\nd\nf\ng\n",
			want: "0\na\nc\nd\nf\ng\nh\n",
		},
		{
			name: "same edit on both sides is taken once",
			base: "a\nb\nc\nd\ne\n", ours: "a\nB\nc\nd\nE\n", theirs: "a\nB\nc\nd\ne\n",
			want: "a\nB\nc\nd\nE\n",
		},
		{
			name: "same insertion on both sides is taken once",
			base: "a\nb\nc\nd\n", ours: "a\nX\nb\nc\nd\n", theirs: "a\nX\nb\nc\nD\n",
			want: "a\nX\nb\nc\nD\n",
		},
		{
			name: "same line edited differently",
			base: "a\nb\nc\n", ours: "a\nX\nc\n", theirs: "a\nY\nc\n",
			want: "a\n" + conflict("\n", "X\n", "b\n", "Y\n") + "c\n", conflicts: 1,
		},
		{
			name: "overlapping edits",
			base: "a\nb\nc\nd\ne\n", ours: "a\nB\nC\nd\ne\n", theirs: "a\nb\nc2\nD\ne\n",
			want: "a\n" + conflict("\n", "B\nC\nd\n", "b\nc\nd\n", "b\nc2\nD\n") + "e\n", conflicts: 1,
		},
		{
			name: "adjacent edits conflict as in git",
			base: "a\nb\nc\nd\n", ours: "a\nB\nc\nd\n", theirs: "a\nb\nC\nd\n",
			want: "a\n" + conflict("\n", "B\nc\n", "b\nc\n", "b\nC\n") + "d\n", conflicts: 1,
		},
		{
			name: "different insertions at the same point",
			base: "a\nb\n", ours: "a\nX\nb\n", theirs: "a\nY\nb\n",
			want: "a\n" + conflict("\n", "X\n", "", "Y\n") + "b\n", conflicts: 1,
		},
		{
			name: "insertion of a line next to an equal one lands after it",
			base: "x\nd\ny\n", ours: "x\nf\nd\ny\n", theirs: "x\nd\nd\ny\n",
			want: "x\nf\nd\nd\ny\n",
		},
		{
			name: "insertion next to an equal line after another change",
			base: "e\na\nc\nb\nd\nb\nb\n", ours: "e\na\nc\nb\nf\nd\nb\nb\n", theirs: "e\na\nc\na\nb\nd\nd\nb\nb\n",
			want: "e\na\nc\na\nb\nf\nd\nd\nb\nb\n",
		},
		{
			name: "deletion of a line next to an equal one",
			base: "x\nd\nd\ny\n", ours: "x\nf\nd\nd\ny\n", theirs: "x\nd\ny\n",
			want: "x\nf\nd\ny\n",
		},
		{
			name: "deletion against edit",
			base: "a\nb\nc\n", ours: "a\nc\n", theirs: "a\nB\nc\n",
			want: "a\n" + conflict("\n", "", "b\n", "B\n") + "c\n", conflicts: 1,
		},
		{
			name: "edit against deletion",
			base: "a\nb\nc\n", ours: "a\nB\nc\n", theirs: "a\nc\n",
			want: "a\n" + conflict("\n", "B\n", "b\n", "") + "c\n", conflicts: 1,
		},
		{
			name: "deletion on one side, edit elsewhere",
			base: "a\nb\nc\nd\ne\n", ours: "a\nc\nd\ne\n", theirs: "a\nb\nc\nd\nE\n",
			want: "a\nc\nd\nE\n",
		},
		{
			name: "same deletion on both sides",
			base: "a\nb\nc\nd\ne\n", ours: "a\nc\nd\nE\n", theirs: "a\nc\nd\ne\n",
			want: "a\nc\nd\nE\n",
		},
		{
			name: "edits at start and end",
			base: "a\nb\nc\nd\n", ours: "A\nb\nc\nd\n", theirs: "a\nb\nc\nD\n",
			want: "A\nb\nc\nD\n",
		},
		{
			name: "conflict at start",
			base: "a\nb\nc\n", ours: "A\nb\nc\n", theirs: "Z\nb\nc\n",
			want: conflict("\n", "A\n", "a\n", "Z\n") + "b\nc\n", conflicts: 1,
		},
		{
			name: "different appends at end",
			base: "a\n", ours: "a\nX\n", theirs: "a\nY\n",
			want: "a\n" + conflict("\n", "X\n", "", "Y\n"), conflicts: 1,
		},
		{
			name: "two conflicts",
			base: "a\nb\nc\nd\ne\n", ours: "A\nb\nc\nd\nE\n", theirs: "1\nb\nc\nd\n5\n",
			want: conflict("\n", "A\n", "a\n", "1\n") + "b\nc\nd\n" + conflict("\n", "E\n", "e\n", "5\n"), conflicts: 2,
		},
		{
			name: "equal head and tail of a conflict move out of the markers",
			base: "a\nb\nz\n", ours: "a\nP\nX\nQ\nz\n", theirs: "a\nP\nY\nQ\nz\n",
			want: "a\nP\n" + conflict("\n", "X\n", "b\n", "Y\n") + "Q\nz\n", conflicts: 1,
		},
		{
			name: "all empty",
		},
		{
			name: "empty base, same content added",
			ours: "x\ny\n", theirs: "x\ny\n",
			want: "x\ny\n",
		},
		{
			name: "empty base, different content added",
			ours: "x\n", theirs: "y\n",
			want: conflict("\n", "x\n", "", "y\n"), conflicts: 1,
		},
		{
			name:   "empty base, content added on one side",
			theirs: "y\n",
			want:   "y\n",
		},
		{
			name: "ours emptied, theirs unchanged",
			base: "a\nb\n", theirs: "a\nb\n",
			want: "",
		},
		{
			name: "theirs emptied, ours unchanged",
			base: "a\nb\n", ours: "a\nb\n",
			want: "",
		},
		{
			name: "ours emptied, theirs edited",
			base: "a\nb\n", ours: "", theirs: "a\nB\n",
			want: conflict("\n", "", "a\nb\n", "a\nB\n"), conflicts: 1,
		},
		{
			name: "theirs emptied, ours edited",
			base: "a\nb\n", ours: "A\nb\n", theirs: "",
			want: conflict("\n", "A\nb\n", "a\nb\n", ""), conflicts: 1,
		},
		{
			name: "CRLF disjoint edits stay CRLF",
			base: "a\r\nb\r\nc\r\nd\r\n", ours: "A\r\nb\r\nc\r\nd\r\n", theirs: "a\r\nb\r\nc\r\nD\r\n",
			want: "A\r\nb\r\nc\r\nD\r\n",
		},
		{
			name: "CRLF conflict has CRLF markers",
			base: "a\r\nb\r\nc\r\n", ours: "a\r\nX\r\nc\r\n", theirs: "a\r\nY\r\nc\r\n",
			want: "a\r\n" + conflict("\r\n", "X\r\n", "b\r\n", "Y\r\n") + "c\r\n", conflicts: 1,
		},
		{
			name: "CRLF without final newline",
			base: "a\r\nb\r\nc\r\nd", ours: "A\r\nb\r\nc\r\nd", theirs: "a\r\nb\r\nc\r\nD",
			want: "A\r\nb\r\nc\r\nD",
		},
		{
			name: "line endings converted on one side conflict with edits",
			base: "a\nb\n", ours: "a\r\nb\r\n", theirs: "a\nB\n",
			want: conflict("\r\n", "a\r\nb\r\n", "a\nb\n", "a\nB\n"), conflicts: 1,
		},
		{
			name: "no final newline kept",
			base: "a\nb\nc", ours: "A\nb\nc", theirs: "a\nb\nC",
			want: "A\nb\nC",
		},
		{
			name: "last line without newline edited on one side",
			base: "a\nb\nc\nd", ours: "A\nb\nc\nd", theirs: "a\nb\nc\nD",
			want: "A\nb\nc\nD",
		},
		{
			name: "final newline added by theirs",
			base: "a\nb\nc", ours: "A\nb\nc", theirs: "a\nb\nc\n",
			want: "A\nb\nc\n",
		},
		{
			name: "final newline removed by ours",
			base: "a\nb\nc\n", ours: "a\nb\nc", theirs: "A\nb\nc\n",
			want: "A\nb\nc",
		},
		{
			name: "line appended after a last line without newline",
			base: "a\nb\nc", ours: "A\nb\nc", theirs: "a\nb\nc\nd",
			want: "A\nb\nc\nd",
		},
		{
			name: "conflict on a last line without newline",
			base: "a\nb", ours: "a\nX", theirs: "a\nY",
			want: "a\n" + conflict("\n", "X\n", "b\n", "Y\n"), conflicts: 1,
		},
		{
			name: "only a newline differs, differently on each side",
			base: "a\nb", ours: "a\nb\n", theirs: "a\nb\r\n",
			want: "a\n" + conflict("\n", "b\n", "b\n", "b\r\n"), conflicts: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, n := Merge([]byte(tt.base), []byte(tt.ours), []byte(tt.theirs), testLabels)
			if string(got) != tt.want || n != tt.conflicts {
				t.Errorf("Merge = %d conflicts\n%s\nwant %d conflicts\n%s", n, show(got), tt.conflicts, show([]byte(tt.want)))
			}
			// The shortcuts in Merge must not change any result.
			got3, n3 := merge3([]byte(tt.base), []byte(tt.ours), []byte(tt.theirs), testLabels)
			if !bytes.Equal(got3, got) || n3 != n {
				t.Errorf("merge3 = %d conflicts\n%s\nMerge = %d conflicts\n%s", n3, show(got3), n, show(got))
			}
			// Swapping the sides swaps the sections but not the outcome.
			sw, ns := merge3([]byte(tt.base), []byte(tt.theirs), []byte(tt.ours), testLabels)
			if ns != n || n == 0 && !bytes.Equal(sw, got) {
				t.Errorf("swapped sides: %d conflicts\n%s", ns, show(sw))
			}
		})
	}
}

func show(b []byte) string {
	return strings.ReplaceAll(strings.ReplaceAll(string(b), "\r", `\r`), "\n", "⏎\n")
}

func TestMergeLabels(t *testing.T) {
	base, ours, theirs := []byte("a\n"), []byte("b\n"), []byte("c\n")

	got, _ := Merge(base, ours, theirs, Labels{})
	want := "<<<<<<<\nb\n|||||||\na\n=======\nc\n>>>>>>>\n"
	if string(got) != want {
		t.Errorf("empty labels:\n%s\nwant\n%s", got, want)
	}

	got, _ = Merge(base, ours, theirs, Labels{
		Ours:   "ours (your project)",
		Base:   "base (template v1)",
		Theirs: "theirs (template\r\nv2)",
	})
	want = "<<<<<<< ours (your project)\nb\n||||||| base (template v1)\na\n=======\nc\n>>>>>>> theirs (template  v2)\n"
	if string(got) != want {
		t.Errorf("labels:\n%s\nwant\n%s", got, want)
	}
}

func TestMergeDoesNotAlias(t *testing.T) {
	x, y := []byte("a\n"), []byte("b\n")
	for _, got := range [][]byte{
		first(Merge(x, x, y, testLabels)),
		first(Merge(x, y, x, testLabels)),
		first(Merge(x, y, y, testLabels)),
	} {
		got[0] = 'z'
		if x[0] != 'a' || y[0] != 'b' {
			t.Fatal("Merge returned memory of its inputs")
		}
	}
}

func first(b []byte, _ int) []byte { return b }

// TestMergeLongFile merges a 10,000-line file with edits spread over both
// sides and checks every edit arrived.
func TestMergeLongFile(t *testing.T) {
	base, ours, theirs := longFiles(10000)
	got, n := Merge(base, ours, theirs, testLabels)
	if n != 0 {
		t.Fatalf("%d conflicts", n)
	}
	want := longMerged(10000)
	if !bytes.Equal(got, want) {
		t.Fatalf("merged long file differs:\n%s", Diff(want, got, "want", "got"))
	}
}

func TestIsBinary(t *testing.T) {
	tests := []struct {
		data string
		want bool
	}{
		{"", false},
		{"hello\r\nworld", false},
		{"héllo ✓\n", false},
		{"a\x00b", true},
		{"caf\xe9\n", true}, // Latin-1
		{"\xff\xfeh\x00i\x00", true},
		{strings.Repeat("a", sniffLen) + "\x00", false},
		{strings.Repeat("a", sniffLen-1) + "\x00", true},
	}
	for _, tt := range tests {
		if got := IsBinary([]byte(tt.data)); got != tt.want {
			t.Errorf("IsBinary(%.20q…) = %v, want %v", tt.data, got, tt.want)
		}
	}
}
