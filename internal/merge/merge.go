// Package merge merges three versions of a text file line by line, as
// diff3 and git merge-file do, and shows line differences as unified diffs.
//
// scaffold update uses it per file: base is the render the project was
// last made from, ours is the project as it is now and theirs is the new
// render. Lines only the user changed survive, lines only the template
// changed arrive, and where both changed the same lines differently the
// file gets git's conflict markers for the user to resolve.
//
// Lines are compared with their endings, so "a\r\n", "a\n" and a final
// "a" without newline are three different lines. That is what keeps a
// CRLF file CRLF and a missing final newline missing, but it also means
// that a side which converted every line ending conflicts with the other
// side's edits, as it does in git.
package merge

import (
	"bytes"
	"slices"
	"strings"
)

// Labels name the three versions on the conflict marker lines. Empty
// labels leave the markers bare; line breaks in a label become spaces so
// that a marker stays one line.
type Labels struct {
	Ours   string // e.g. "ours (your project)"
	Base   string // e.g. "base (template v1)"
	Theirs string // e.g. "theirs (template v2)"
}

// Merge merges the changes from base to ours and from base to theirs and
// returns the result and the number of conflict blocks in it.
//
// It is a line-based diff3 on a Myers diff. A change made on one side
// only is applied. The same change made on both sides is applied once.
// Changes to the same lines, to overlapping lines or to adjacent lines
// (touching, with no unchanged line between them, as git counts it) that
// differ are a conflict; so are two different insertions at the same
// place. A conflict is written in git's diff3 style, with the base lines,
// because seeing what the template used to say is what tells a user which
// side changed what:
//
//	<<<<<<< ours label
//	ours lines
//	||||||| base label
//	base lines
//	=======
//	theirs lines
//	>>>>>>> theirs label
//
// Lines that open or close both the ours and the theirs section are moved
// out of the markers, as git's zdiff3 style does, so the markers hold only
// the lines that really differ; the base section is kept whole.
//
// The markers end with the line ending that most lines of ours use
// (theirs, then base, if ours has no complete line; "\n" if none has).
// When a section inside the markers ends without a newline, one is added
// there so the marker starts its own line; outside conflicts no byte is
// added or dropped: merging equal inputs, Merge(x, x, y), Merge(x, y, x)
// and Merge(x, y, y) all return the expected side byte for byte.
//
// Merge works on any bytes, but merging binary data line by line makes no
// sense; callers check IsBinary first. The result never shares memory with
// the inputs.
func Merge(base, ours, theirs []byte, labels Labels) (merged []byte, conflicts int) {
	// These shortcuts give the same result as the general path; they save
	// the diffs for the files an update does not touch on one side,
	// which are most of them.
	switch {
	case bytes.Equal(ours, theirs):
		return bytes.Clone(ours), 0
	case bytes.Equal(base, ours):
		return bytes.Clone(theirs), 0
	case bytes.Equal(base, theirs):
		return bytes.Clone(ours), 0
	}
	return merge3(base, ours, theirs, labels)
}

// merge3 is Merge without the shortcuts, so tests can check that the
// general path agrees with them.
func merge3(base, ours, theirs []byte, labels Labels) ([]byte, int) {
	bl, ol, tl := splitLines(base), splitLines(ours), splitLines(theirs)
	in := interner{}
	b, o, t := in.ids(bl), in.ids(ol), in.ids(tl)
	ho := diffIDs(b, o, len(in))
	ht := diffIDs(b, t, len(in))

	w := &writer{
		out:    make([]byte, 0, max(len(ours), len(theirs))+64),
		labels: labels,
		files:  [3][][]byte{ol, tl, bl},
	}

	// pos is the next base line not yet written. dO and dT are how far
	// ours and theirs are shifted against base by the hunks already
	// passed, which maps an unchanged base line to its place in each side.
	pos, dO, dT := 0, 0, 0
	i, j := 0, 0
	for i < len(ho) || j < len(ht) {
		// A region starts at the first remaining hunk of either side and
		// takes in every hunk of either side that overlaps or touches it.
		start := len(b) + 1
		if i < len(ho) {
			start = ho[i].a0
		}
		if j < len(ht) {
			start = min(start, ht[j].a0)
		}
		end := start
		i0, j0 := i, j
		for {
			if i < len(ho) && ho[i].a0 <= end {
				end = max(end, ho[i].a1)
				i++
			} else if j < len(ht) && ht[j].a0 <= end {
				end = max(end, ht[j].a1)
				j++
			} else {
				break
			}
		}

		w.lines(bl[pos:start])
		oStart, tStart := start+dO, start+dT
		for _, h := range ho[i0:i] {
			dO += (h.b1 - h.b0) - (h.a1 - h.a0)
		}
		for _, h := range ht[j0:j] {
			dT += (h.b1 - h.b0) - (h.a1 - h.a0)
		}
		oEnd, tEnd := end+dO, end+dT

		switch {
		case i == i0:
			w.lines(tl[tStart:tEnd])
		case j == j0:
			w.lines(ol[oStart:oEnd])
		case slices.Equal(o[oStart:oEnd], t[tStart:tEnd]):
			w.lines(ol[oStart:oEnd])
		default:
			w.conflict(o, t, oStart, oEnd, start, end, tStart, tEnd)
		}
		pos = end
	}
	w.lines(bl[pos:])
	return w.out, w.conflicts
}

// writer builds the merged file.
type writer struct {
	out       []byte
	labels    Labels
	files     [3][][]byte // lines of ours, theirs, base
	eol       string      // marker line ending, found at the first conflict
	conflicts int
}

func (w *writer) lines(ls [][]byte) {
	for _, l := range ls {
		w.out = append(w.out, l...)
	}
}

// conflict writes the conflict between ours[o0:o1] and theirs[t0:t1] over
// base[b0:b1]; o and t are the line ids of ours and theirs.
func (w *writer) conflict(o, t []int, o0, o1, b0, b1, t0, t1 int) {
	ol, tl, bl := w.files[0], w.files[1], w.files[2]
	if w.eol == "" {
		w.eol = lineEnding(ol, tl, bl)
	}
	w.conflicts++

	head := 0
	for o0+head < o1 && t0+head < t1 && o[o0+head] == t[t0+head] {
		head++
	}
	tail := 0
	for o1-tail > o0+head && t1-tail > t0+head && o[o1-tail-1] == t[t1-tail-1] {
		tail++
	}

	w.lines(ol[o0 : o0+head])
	w.marker("<<<<<<<", w.labels.Ours)
	w.section(ol[o0+head : o1-tail])
	w.marker("|||||||", w.labels.Base)
	w.section(bl[b0:b1])
	w.marker("=======", "")
	w.section(tl[t0+head : t1-tail])
	w.marker(">>>>>>>", w.labels.Theirs)
	w.lines(ol[o1-tail : o1])
}

func (w *writer) section(ls [][]byte) {
	w.lines(ls)
	if len(ls) > 0 && !bytes.HasSuffix(ls[len(ls)-1], []byte{'\n'}) {
		w.out = append(w.out, w.eol...)
	}
}

func (w *writer) marker(m, label string) {
	w.out = append(w.out, m...)
	if label != "" {
		w.out = append(w.out, ' ')
		w.out = append(w.out, oneLine(label)...)
	}
	w.out = append(w.out, w.eol...)
}

func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}

// lineEnding returns the ending most complete lines of the first file that
// has any use: "\r\n" only if it outnumbers "\n".
func lineEnding(files ...[][]byte) string {
	for _, lines := range files {
		crlf, lf := 0, 0
		for _, l := range lines {
			switch {
			case bytes.HasSuffix(l, []byte("\r\n")):
				crlf++
			case bytes.HasSuffix(l, []byte{'\n'}):
				lf++
			}
		}
		if crlf > lf {
			return "\r\n"
		}
		if lf > 0 {
			return "\n"
		}
	}
	return "\n"
}
