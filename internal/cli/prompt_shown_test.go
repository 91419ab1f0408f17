package cli

import (
	"os/exec"
	"strings"
	"testing"
)

// The repeatable command line shows an answer holding an escape sequence
// escaped, and a shell still runs it with the very value.
func TestShellQuoteSpellsHiddenCharacters(t *testing.T) {
	for _, s := range []string{"plain", "with space", "it's", "zz\x1b]0;t\a\x1b[8m", "a'b\\c\u202e\r\n", "bad\xff"} {
		q := shellQuote(s)
		if strings.ContainsAny(q, "\x1b\a\r\n\u202e") {
			t.Errorf("shellQuote(%q) = %q shows raw characters", s, q)
		}
		if _, err := exec.LookPath("bash"); err != nil {
			continue
		}
		out, err := exec.Command("bash", "-c", "printf %s "+q).Output()
		if err != nil || string(out) != s {
			t.Errorf("bash reads %q back as %q (%v), want %q", q, out, err, s)
		}
	}
}
