package proof

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/scaffold-cli/scaffold/internal/names"
	"github.com/scaffold-cli/scaffold/internal/template"
)

// The values of a factor for one choice of a multiselect question.
const (
	With    = "with"
	Without = "without"
)

// Factor is an answer the proof varies, with the values it takes.
type Factor struct {
	// Question is the name of the question answered.
	Question string
	// Choice is, for a multiselect question, the choice this factor puts
	// in the answer or leaves out; empty for other questions.
	Choice string
	// Values are a bool's true and false, a select's choices, or With
	// and Without for a multiselect's choice.
	Values []string

	q *template.Question
}

// String names the factor: the question, or question:choice.
func (f Factor) String() string {
	if f.Choice != "" {
		return f.Question + ":" + f.Choice
	}
	return f.Question
}

// describe says value v of f: "docker=false", "features with redis".
func (f Factor) describe(v int) string {
	if f.Choice != "" {
		return f.Question + " " + f.Values[v] + " " + f.Choice
	}
	return f.Question + "=" + f.Values[v]
}

// cell is the index of the value answers give f, or -1 when they leave
// the question to its default or give an answer it refuses.
func (f Factor) cell(answers map[string]string) int {
	a, ok := answers[f.Question]
	if !ok {
		return -1
	}
	v, err := f.q.Coerce(a)
	if err != nil {
		return -1
	}
	if f.Choice == "" {
		return slices.Index(f.Values, text(v))
	}
	if items, _ := v.([]string); slices.Contains(items, f.Choice) {
		return slices.Index(f.Values, With)
	}
	return slices.Index(f.Values, Without)
}

// Factors lists what the proof of m varies, in the order of its
// questions: each bool and select question, and each choice of a
// multiselect one. Secret questions and those m.Proof.Fixed names are
// left out, as are string and int questions: they keep their defaults.
func Factors(m *template.Manifest) []Factor {
	var out []Factor
	for i := range m.Questions {
		q := &m.Questions[i]
		if q.Secret || slices.Contains(m.Proof.Fixed, q.Name) {
			continue
		}
		switch q.Type {
		case template.Bool:
			out = append(out, Factor{Question: q.Name, Values: []string{"true", "false"}, q: q})
		case template.Select:
			out = append(out, Factor{Question: q.Name, Values: slices.Clone(q.Choices), q: q})
		case template.MultiSelect:
			for _, c := range q.Choices {
				out = append(out, Factor{Question: q.Name, Choice: c, Values: []string{With, Without}, q: q})
			}
		}
	}
	return out
}

// Set is one project the proof generates.
type Set struct {
	// Name is the project's name, unique within the template's sets.
	Name string
	// Answers are given as --set key=value; a question left out takes
	// its default.
	Answers map[string]string
}

// Flags returns the answers as --set takes them, key=value, by key.
func (s Set) Flags() []string {
	out := make([]string, 0, len(s.Answers))
	for k, v := range s.Answers {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

// shapes are the project names given to sets that name none, in turn:
// each derives its Go module, npm and crate names differently (a hyphen;
// upper case and a dot; a digit; an underscore).
var shapes = []string{"my-app", "App.Two", "svc3", "big_svc"}

// Sets returns the answer sets that prove m: one for each row of Pairs
// over Factors(m), then m.Proof.Sets. A set that names no project gets a
// name from a fixed list of shapes; names are made unique (ignoring case,
// as folders may) with a suffix -2, -3 and so on. Every answer is checked
// by its question's Coerce and must read back the same from --set. The
// error names the set and the question.
func Sets(m *template.Manifest) ([]Set, error) {
	questions := map[string]*template.Question{}
	for i := range m.Questions {
		questions[m.Questions[i].Name] = &m.Questions[i]
	}
	taken := map[string]bool{}
	extra := make([]Set, len(m.Proof.Sets))
	for i, ps := range m.Proof.Sets {
		where := fmt.Sprintf("template %s: proof set %d", m.Name, i+1)
		if ps.Name != "" {
			where += " (" + ps.Name + ")"
			name, err := unique(ps.Name, taken)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
			extra[i].Name = name
		}
		extra[i].Answers = map[string]string{}
		for _, k := range slices.Sorted(maps.Keys(ps.Answers)) {
			q, ok := questions[k]
			if !ok {
				return nil, fmt.Errorf("%s: template %s has no question %q", where, m.Name, k)
			}
			s, err := setText(q, ps.Answers[k])
			if err != nil {
				return nil, fmt.Errorf("%s: answer to %s: %w", where, k, err)
			}
			extra[i].Answers[k] = s
		}
	}

	factors := Factors(m)
	sizes := make([]int, len(factors))
	for i, f := range factors {
		sizes[i] = len(f.Values)
	}
	var out []Set
	for _, row := range Pairs(sizes) {
		given := map[string]any{}
		for i, f := range factors {
			v := f.Values[row[i]]
			if f.Choice == "" {
				given[f.Question] = v
				continue
			}
			items, _ := given[f.Question].([]string)
			if v == With {
				items = append(items, f.Choice)
			}
			given[f.Question] = items // none with: the empty answer
		}
		answers := map[string]string{}
		for _, k := range slices.Sorted(maps.Keys(given)) {
			s, err := setText(questions[k], given[k])
			if err != nil {
				return nil, fmt.Errorf("template %s: computed proof set %d: answer to %s: %w", m.Name, len(out)+1, k, err)
			}
			answers[k] = s
		}
		out = append(out, Set{Answers: answers})
	}
	out = append(out, extra...)

	next := 0
	for i := range out {
		if out[i].Name != "" {
			continue
		}
		name, err := unique(shapes[next%len(shapes)], taken)
		if err != nil {
			return nil, fmt.Errorf("template %s: naming a proof set: %w", m.Name, err)
		}
		out[i].Name = name
		next++
	}
	return out, nil
}

// unique returns name, or name-2, name-3 ... if taken holds it in any
// case, records what it returns in taken and checks it is a project name.
func unique(name string, taken map[string]bool) (string, error) {
	if err := names.CheckProject(name); err != nil {
		return "", err
	}
	out := name
	for n := 2; taken[strings.ToLower(out)]; n++ {
		out = name + "-" + strconv.Itoa(n)
	}
	if err := names.CheckProject(out); err != nil {
		return "", err
	}
	taken[strings.ToLower(out)] = true
	return out, nil
}

// setText converts v to the text --set passes for q: checked by Coerce, in
// the answer's canonical form (true, a choice, choices joined by commas),
// and read back by Coerce to the same answer.
func setText(q *template.Question, v any) (string, error) {
	c, err := q.Coerce(v)
	if err != nil {
		return "", err
	}
	s := text(c)
	if back, err := q.Coerce(s); err != nil || text(back) != s {
		shown := strconv.Quote(s)
		if q.Secret {
			shown = "(a secret, not shown)"
		}
		return "", fmt.Errorf("%s does not read back the same from --set %s=...: a choice holding a comma or a space at either end cannot be passed there", shown, q.Name)
	}
	return s, nil
}

// text is an answer Coerce returned as --set takes it.
func text(v any) string {
	if items, ok := v.([]string); ok {
		return strings.Join(items, ",")
	}
	return fmt.Sprint(v)
}

// Uncovered says what sets leave out of factors (see Gaps), in words:
// "no set has docker=false", "no set has docker=false and license=none".
// An answer a set leaves to its default covers nothing, since a default
// may depend on other answers. Nothing left out gives none.
func Uncovered(factors []Factor, sets []Set) []string {
	sizes := make([]int, len(factors))
	for i, f := range factors {
		sizes[i] = len(f.Values)
	}
	rows := make([][]int, len(sets))
	for r, s := range sets {
		rows[r] = make([]int, len(factors))
		for i, f := range factors {
			rows[r][i] = f.cell(s.Answers)
		}
	}
	var out []string
	for _, g := range Gaps(sizes, rows) {
		what := factors[g.Factor].describe(g.Value)
		if g.Other >= 0 {
			what += " and " + factors[g.Other].describe(g.OtherValue)
		}
		out = append(out, "no set has "+what)
	}
	return out
}
