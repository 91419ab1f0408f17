package merge

import (
	"bytes"
	"unicode/utf8"
)

// sniffLen is how much of a file git looks at for a NUL byte.
const sniffLen = 8000

// IsBinary reports whether data should be treated as binary rather than
// merged or diffed line by line: it has a NUL byte in its first 8000
// bytes, as git decides, or it is not valid UTF-8 anywhere. The UTF-8 rule
// is stricter than git's: a Latin-1 or UTF-16 file counts as binary, so
// callers replace it whole instead of merging lines they cannot read.
// Empty data is text.
func IsBinary(data []byte) bool {
	if bytes.IndexByte(data[:min(len(data), sniffLen)], 0) >= 0 {
		return true
	}
	return !utf8.Valid(data)
}
