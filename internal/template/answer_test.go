package template

import (
	"strings"
	"testing"
)

// Every kind of question refuses an answer over MaxAnswerBytes before
// looking at it, whatever its shape; one at the limit passes.
func TestCoerceBoundsTheAnswer(t *testing.T) {
	m, err := ParseManifest("m", []byte(`name: t
questions:
  - name: s
  - name: b
    type: bool
  - name: n
    type: int
  - name: sel
    type: select
    choices: [a]
  - name: tags
    type: multiselect
    choices: [a]
`))
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("a", MaxAnswerBytes+1)
	list := make([]any, MaxAnswerBytes+1)
	for i := range list {
		list[i] = "a"
	}
	for i := range m.Questions {
		q := &m.Questions[i]
		for _, in := range []any{big, list, strings.Split(big, "")} {
			_, err := q.Coerce(in)
			if err == nil || !strings.Contains(err.Error(), "more than the 64 KiB an answer may hold") {
				t.Errorf("%s.Coerce(%T of %d) = %v, want the limit named", q.Name, in, MaxAnswerBytes+1, err)
			}
			if err != nil && len(err.Error()) > 200 {
				t.Errorf("%s: the error quotes the answer (%d bytes)", q.Name, len(err.Error()))
			}
		}
	}
	if v, err := m.Questions[0].Coerce(big[1:]); err != nil || AnswerSize(v) != MaxAnswerBytes {
		t.Errorf("an answer of exactly %d bytes: %v", MaxAnswerBytes, err)
	}
}
