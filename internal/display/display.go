// Package display makes text that scaffold did not write (a template's
// hooks, names, descriptions, questions) safe to show to someone who
// decides on it: what they see is what is there.
package display

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Untrusted returns s with every character that a terminal would not
// show as itself replaced by a visible escape, so that text which would
// rewrite the line, reorder it or hide part of it shows as odd instead:
//
//   - C0 controls and DEL: \t, \n, \r, else \xNN (\x1b, \x7f)
//   - C1 controls U+0080-U+009F: \u0080 ... \u009f
//   - format characters (Unicode category Cf): the bidi controls
//     U+202A-U+202E and U+2066-U+2069, U+200B-U+200F, U+2060-U+2064,
//     U+FEFF, U+00AD, tag characters, and the rest: \u202e, \U000e0041
//   - line and paragraph separators U+2028, U+2029, and fillers that
//     render as nothing (U+115F, U+1160, U+3164, U+FFA0)
//   - bytes that are not UTF-8: \xNN
//
// Anything else, non-ASCII letters included, is unchanged. A backslash
// is left as it is: a template that spells out "\r" shows the same as
// one with a carriage return, and either way the user sees something
// odd. The one format character some scripts use in ordinary words,
// U+200C (zero-width non-joiner), is escaped too; safety comes first.
func Untrusted(s string) string {
	return escape(s, nil)
}

// Lines is Untrusted for text of many lines that is shown as it is laid
// out (a diff of a template's files): line feeds and tabs stay, and so
// does a carriage return right before a line feed (a CRLF file), since
// none of them can hide or rewrite what was shown before; any other
// carriage return, which can, is escaped like every other control
// character.
func Lines(s string) string {
	return escape(s, func(s string, i int, r rune) bool {
		return r == '\n' || r == '\t' || r == '\r' && i+1 < len(s) && s[i+1] == '\n'
	})
}

// Progress is Untrusted for a remote's progress messages: line feeds,
// tabs and carriage returns (which redraw a counter in place) stay;
// every other control character, an escape sequence's ESC among them,
// is escaped.
func Progress(s string) string {
	return escape(s, func(_ string, _ int, r rune) bool { return r == '\n' || r == '\t' || r == '\r' })
}

// escape escapes what hidden finds, except what keep keeps (nil: none).
func escape(s string, keep func(s string, i int, r rune) bool) string {
	clean := true
	for i, r := range s {
		if hidden(r) && (keep == nil || !keep(s, i, r)) {
			clean = false
			break
		}
	}
	if clean && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case keep != nil && hidden(r) && keep(s, i, r):
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case hidden(r) && r > 0xffff:
			fmt.Fprintf(&b, `\U%08x`, r)
		case hidden(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// hidden reports whether r is not shown as itself.
func hidden(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r < 0x80:
		return false
	case r == 0x2028, r == 0x2029, r == 0x115f, r == 0x1160, r == 0x3164, r == 0xffa0:
		return true
	}
	return unicode.Is(unicode.Cf, r)
}
