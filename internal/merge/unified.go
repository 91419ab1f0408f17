package merge

import (
	"bytes"
	"strconv"
	"strings"
)

// contextLines is how many unchanged lines a unified diff shows around each
// change, as diff -u and git diff do by default.
const contextLines = 3

// Diff returns a unified diff from a to b, as `diff -u` prints it with
// nameA and nameB as labels (no timestamps): a "--- nameA" and a
// "+++ nameB" line, then hunks with three lines of context; changes with
// at most six unchanged lines between them share a hunk. A hunk header reads
// "@@ -start,count +start,count @@"; as in diff -u a count of 1 is left
// out, and an empty range gives the line before it ("-0,0" before the
// first line). A last line without newline is followed by
// "\ No newline at end of file". Line endings are part of the lines, so
// a CRLF line shows with its "\r". Equal inputs give "".
//
// It uses the same line diff as Merge.
func Diff(a, b []byte, nameA, nameB string) string {
	if bytes.Equal(a, b) {
		return ""
	}
	al, bl := splitLines(a), splitLines(b)
	in := interner{}
	ai, bi := in.ids(al), in.ids(bl)
	hs := diffIDs(ai, bi, len(in))
	if len(hs) == 0 {
		return ""
	}

	var sb strings.Builder
	sb.WriteString("--- " + oneLine(nameA) + "\n")
	sb.WriteString("+++ " + oneLine(nameB) + "\n")
	for len(hs) > 0 {
		// Take the hunks whose context would touch or overlap.
		n := 1
		for n < len(hs) && hs[n].a0-hs[n-1].a1 <= 2*contextLines {
			n++
		}
		group := hs[:n]
		hs = hs[n:]

		first, last := group[0], group[len(group)-1]
		a0 := max(first.a0-contextLines, 0)
		a1 := min(last.a1+contextLines, len(al))
		b0 := first.b0 - (first.a0 - a0)
		b1 := last.b1 + (a1 - last.a1)
		sb.WriteString("@@ -" + hunkRange(a0, a1) + " +" + hunkRange(b0, b1) + " @@\n")

		pos := a0
		for _, h := range group {
			writeLines(&sb, ' ', al[pos:h.a0])
			writeLines(&sb, '-', al[h.a0:h.a1])
			writeLines(&sb, '+', bl[h.b0:h.b1])
			pos = h.a1
		}
		writeLines(&sb, ' ', al[pos:a1])
	}
	return sb.String()
}

// hunkRange formats the lines [lo, hi) (0-based) as diff -u does.
func hunkRange(lo, hi int) string {
	switch hi - lo {
	case 0:
		return strconv.Itoa(lo) + ",0"
	case 1:
		return strconv.Itoa(lo + 1)
	}
	return strconv.Itoa(lo+1) + "," + strconv.Itoa(hi-lo)
}

func writeLines(sb *strings.Builder, prefix byte, lines [][]byte) {
	for _, l := range lines {
		sb.WriteByte(prefix)
		sb.Write(l)
		if !bytes.HasSuffix(l, []byte{'\n'}) {
			sb.WriteString("\n\\ No newline at end of file\n")
		}
	}
}
