package display

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestUntrusted(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "go mod tidy", "go mod tidy"},
		{"empty", "", ""},
		{"accents", "café crème", "café crème"},
		{"cjk", "日本語のテンプレート", "日本語のテンプレート"},
		{"emoji and symbols", "ready ✓ → 🚀", "ready ✓ → 🚀"},
		{"backslash kept", `printf 'a\n'`, `printf 'a\n'`},
		{"carriage return and erase line", "echo safe\r\x1b[2Kgo mod tidy", `echo safe\r\x1b[2Kgo mod tidy`},
		{"newline and tab", "a\nb\tc", `a\nb\tc`},
		{"nul and bell", "a\x00b\x07", `a\x00b\x07`},
		{"backspace", "rm -rf ~\b\b\b\b\b\b\b\bls", `rm -rf ~\x08\x08\x08\x08\x08\x08\x08\x08ls`},
		{"del", "a\x7fb", `a\x7fb`},
		{"c1 csi", "a\u009b2Kb", `a\u009b2Kb`},
		{"c1 next line", "a\u0085b", `a\u0085b`},
		{"bidi override", "echo \u202etxt.exe", `echo \u202etxt.exe`},
		{"bidi embeddings", "\u202a\u202b\u202c\u202d", `\u202a\u202b\u202c\u202d`},
		{"bidi isolates", "\u2066\u2067\u2068\u2069", `\u2066\u2067\u2068\u2069`},
		{"zero width", "go\u200bmod\u200d\u200e\u200f", `go\u200bmod\u200d\u200e\u200f`},
		{"bom and word joiner", "\ufeffa\u2060b", `\ufeffa\u2060b`},
		{"soft hyphen", "cu\u00adrl", `cu\u00adrl`},
		{"line separator", "a\u2028b\u2029c", `a\u2028b\u2029c`},
		{"hangul filler", "a\u3164b", `a\u3164b`},
		{"tag characters", "a\U000e0041\U000e007f", `a\U000e0041\U000e007f`},
		{"invalid utf-8", "a\xffb\xc3", `a\xffb\xc3`},
		{"replacement character itself", "a\ufffdb", "a\ufffdb"},
	} {
		if got := Untrusted(tc.in); got != tc.want {
			t.Errorf("%s: Untrusted(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

// Whatever goes in, what comes out is UTF-8 with nothing hidden.
func FuzzUntrusted(f *testing.F) {
	f.Add("echo safe\r\x1b[2Kgo mod tidy")
	f.Add("café \u202e \xff")
	f.Fuzz(func(t *testing.T, s string) {
		out := Untrusted(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Untrusted(%q) = %q, not UTF-8", s, out)
		}
		for i, r := range out {
			if hidden(r) {
				t.Fatalf("Untrusted(%q) = %q: %U at %d", s, out, r, i)
			}
		}
	})
}

func TestWriter(t *testing.T) {
	var out strings.Builder
	w := Writer(&out)
	// A server's progress: carriage returns and line feeds pass, an
	// escape sequence and a bidi control do not, and a character split
	// between writes arrives whole.
	for _, chunk := range []string{"Counting objects: 50%\r", "Counting objects: 100%\n", "\x1b[2Kremote: hi\u202e\n", "caf\xc3", "\xa9\n"} {
		if n, err := w.Write([]byte(chunk)); err != nil || n != len(chunk) {
			t.Fatalf("Write(%q) = %d, %v", chunk, n, err)
		}
	}
	want := "Counting objects: 50%\rCounting objects: 100%\n\\x1b[2Kremote: hi\\u202e\ncafé\n"
	if out.String() != want {
		t.Errorf("wrote %q, want %q", out.String(), want)
	}
}
