package merge

import "bytes"

// FindMarkers returns the line (counting from 1) of the first unresolved
// conflict in data, or 0 when there is none. A conflict is a line
// starting "<<<<<<< " followed, in this order, by a "=======" line and a
// line starting ">>>>>>> ": what git writes and what Merge writes, with
// or without labels and a ||||||| base section. A "=======" line alone (a
// Markdown heading's underline, say) or markers out of order are not a
// conflict.
func FindMarkers(data []byte) int {
	const (
		seekOpen = iota
		seekSep
		seekClose
	)
	state, open := seekOpen, 0
	for n := 1; len(data) > 0; n++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		switch {
		case isMarker(line, "<<<<<<<"):
			// A later opening marker restarts the search: the conflict,
			// if there is one, starts there.
			state, open = seekSep, n
		case state == seekSep && string(line) == "=======":
			state = seekClose
		case state == seekClose && isMarker(line, ">>>>>>>"):
			return open
		}
	}
	return 0
}

// isMarker reports whether line is the marker alone or the marker, a
// space and a label.
func isMarker(line []byte, marker string) bool {
	rest, ok := bytes.CutPrefix(line, []byte(marker))
	return ok && (len(rest) == 0 || rest[0] == ' ')
}
