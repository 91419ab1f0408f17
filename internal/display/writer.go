package display

import (
	"io"
	"unicode/utf8"
)

// Writer is Progress for a stream: it passes text that scaffold did not
// write (a git server's progress messages) on to w, escaped except for the
// line feeds, tabs and carriage returns that progress lines are made of.
// A character split between two writes is held until it is whole.
func Writer(w io.Writer) io.Writer { return &writer{w: w} }

type writer struct {
	w    io.Writer
	held []byte
}

func (x *writer) Write(p []byte) (int, error) {
	buf := append(x.held, p...)
	// Hold back an incomplete UTF-8 sequence at the end.
	cut := len(buf)
	for i := len(buf) - 1; i >= 0 && i >= len(buf)-utf8.UTFMax; i-- {
		if utf8.RuneStart(buf[i]) {
			if !utf8.FullRune(buf[i:]) {
				cut = i
			}
			break
		}
	}
	x.held = append([]byte(nil), buf[cut:]...)
	if _, err := io.WriteString(x.w, Progress(string(buf[:cut]))); err != nil {
		return 0, err
	}
	return len(p), nil
}
