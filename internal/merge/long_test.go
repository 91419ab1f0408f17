package merge

import (
	"fmt"
	"strings"
)

// longFiles returns a base of n numbered lines; ours edits the lines
// numbered 0 mod 50 and deletes those 30 mod 90; theirs edits the lines
// 25 mod 50 and inserts a line after those 57 mod 110. The edits are
// scattered over both sides and never touch, so they merge cleanly.
func longFiles(n int) (base, ours, theirs []byte) {
	var b, o, t strings.Builder
	for i := range n {
		line := fmt.Sprintf("line %d: some text to make the line longer\n", i)
		b.WriteString(line)
		switch {
		case i%50 == 0:
			fmt.Fprintf(&o, "line %d: edited by the user\n", i)
		case i%90 == 30:
		default:
			o.WriteString(line)
		}
		if i%50 == 25 {
			fmt.Fprintf(&t, "line %d: edited by the template\n", i)
		} else {
			t.WriteString(line)
		}
		if i%110 == 57 {
			fmt.Fprintf(&t, "inserted by the template after %d\n", i)
		}
	}
	return []byte(b.String()), []byte(o.String()), []byte(t.String())
}

// longMerged is the expected merge of longFiles(n).
func longMerged(n int) []byte {
	var m strings.Builder
	for i := range n {
		switch {
		case i%50 == 0:
			fmt.Fprintf(&m, "line %d: edited by the user\n", i)
		case i%90 == 30:
		case i%50 == 25:
			fmt.Fprintf(&m, "line %d: edited by the template\n", i)
		default:
			fmt.Fprintf(&m, "line %d: some text to make the line longer\n", i)
		}
		if i%110 == 57 {
			fmt.Fprintf(&m, "inserted by the template after %d\n", i)
		}
	}
	return []byte(m.String())
}
