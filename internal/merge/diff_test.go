package merge

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSplitLines(t *testing.T) {
	for _, s := range []string{"", "a", "a\n", "a\nb", "a\r\nb\r\n", "\n\n", "a\rb\n"} {
		lines := splitLines([]byte(s))
		if got := string(bytes.Join(lines, nil)); got != s {
			t.Errorf("splitLines(%q) joins to %q", s, got)
		}
		for i, l := range lines[:max(len(lines)-1, 0)] {
			if !bytes.HasSuffix(l, []byte{'\n'}) {
				t.Errorf("splitLines(%q): line %d %q has no newline", s, i, l)
			}
		}
	}
	if got := splitLines(nil); got != nil {
		t.Errorf("splitLines(nil) = %q, want nil", got)
	}
}

// lcsLen is the textbook O(n*m) longest common subsequence, the yardstick
// for the edit script's length.
func lcsLen(a, b []int) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			switch {
			case a[i] == b[j]:
				cur[j+1] = prev[j] + 1
			case prev[j+1] >= cur[j]:
				cur[j+1] = prev[j+1]
			default:
				cur[j+1] = cur[j]
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// checkScript fails unless ca and cb describe a valid script from a to b
// that keeps a longest common subsequence.
func checkScript(t *testing.T, a, b []int, ca, cb []bool) {
	t.Helper()
	var ka, kb []int
	for i, c := range ca {
		if !c {
			ka = append(ka, a[i])
		}
	}
	for i, c := range cb {
		if !c {
			kb = append(kb, b[i])
		}
	}
	if !slices.Equal(ka, kb) {
		t.Fatalf("a=%v b=%v: kept lines differ: %v vs %v", a, b, ka, kb)
	}
	if want := lcsLen(a, b); len(ka) != want {
		t.Fatalf("a=%v b=%v: script keeps %d lines, the LCS has %d", a, b, len(ka), want)
	}
}

func randSeq(r *rand.Rand, maxLen, alphabet int) []int {
	s := make([]int, r.IntN(maxLen+1))
	for i := range s {
		s[i] = r.IntN(alphabet)
	}
	return s
}

// TestSearcherMinimal checks the Myers search alone (no trimming or
// filtering around it) against the quadratic LCS on many small inputs,
// where the edge cases of the two-ended search live.
func TestSearcherMinimal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 30000 {
		alpha := 1 + r.IntN(6)
		a, b := randSeq(r, 14, alpha), randSeq(r, 14, alpha)
		s := &searcher{a: a, b: b, ca: make([]bool, len(a)), cb: make([]bool, len(b))}
		s.compare(0, len(a), 0, len(b))
		checkScript(t, a, b, s.ca, s.cb)
	}
}

func TestChangedMinimal(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		alpha := 1 + r.IntN(12)
		a, b := randSeq(r, 30, alpha), randSeq(r, 30, alpha)
		ca, cb := changed(a, b, alpha)
		checkScript(t, a, b, ca, cb)
	}
}

func TestDiffIDsHunks(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 5000 {
		alpha := 1 + r.IntN(8)
		a, b := randSeq(r, 20, alpha), randSeq(r, 20, alpha)
		hs := diffIDs(a, b, alpha)
		// Applying the hunks to a must give b, and hunks must be apart.
		var got []int
		pos := 0
		for k, h := range hs {
			if h.a0 == h.a1 && h.b0 == h.b1 {
				t.Fatalf("empty hunk %+v", h)
			}
			if k > 0 && h.a0 <= hs[k-1].a1 {
				t.Fatalf("hunks %+v and %+v touch", hs[k-1], h)
			}
			got = append(got, a[pos:h.a0]...)
			got = append(got, b[h.b0:h.b1]...)
			pos = h.a1
		}
		got = append(got, a[pos:]...)
		if !slices.Equal(got, b) {
			t.Fatalf("a=%v b=%v: hunks %+v give %v", a, b, hs, got)
		}
	}
}

// withMaxCost lowers the search bound for one test, so that small inputs
// take the path that large, very different files take.
func withMaxCost(t testing.TB, n int) {
	old := maxCost
	maxCost = n
	t.Cleanup(func() { maxCost = old })
}

// checkValid is checkScript without the demand for a shortest script.
func checkValid(t *testing.T, a, b []int, ca, cb []bool) {
	t.Helper()
	var ka, kb []int
	for i, c := range ca {
		if !c {
			ka = append(ka, a[i])
		}
	}
	for i, c := range cb {
		if !c {
			kb = append(kb, b[i])
		}
	}
	if !slices.Equal(ka, kb) {
		t.Fatalf("a=%v b=%v: kept lines differ: %v vs %v", a, b, ka, kb)
	}
}

func TestSearcherCostLimit(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, limit := range []int{1, 2, 3, 5} {
		withMaxCost(t, limit)
		longer := 0
		for range 20000 {
			alpha := 1 + r.IntN(6)
			a, b := randSeq(r, 20, alpha), randSeq(r, 20, alpha)
			s := &searcher{a: a, b: b, ca: make([]bool, len(a)), cb: make([]bool, len(b))}
			s.compare(0, len(a), 0, len(b))
			checkValid(t, a, b, s.ca, s.cb)
			kept := 0
			for _, c := range s.ca {
				if !c {
					kept++
				}
			}
			if kept < lcsLen(a, b) {
				longer++
			}
		}
		// The cut-off may cost length, but it must not give up on
		// matching altogether.
		t.Logf("limit %d: %d of 20000 scripts longer than the shortest", limit, longer)
		if longer > 10000 {
			t.Errorf("limit %d: %d of 20000 scripts longer than the shortest", limit, longer)
		}
	}
}

// TestDiffLargeUnrelated checks that two unrelated 64,000-line files of a
// few repeated lines, the worst case of the search, diff correctly under
// the cost limit. How fast is BenchmarkDiff's business, not this test's.
func TestDiffLargeUnrelated(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	r := rand.New(rand.NewPCG(13, 14))
	a, b := randSeq(r, 0, 1), randSeq(r, 0, 1)
	for range 64000 {
		a = append(a, r.IntN(8))
		b = append(b, r.IntN(8))
	}
	ca, cb := changed(a, b, 8)
	checkValid(t, a, b, ca, cb)
}

func TestSlide(t *testing.T) {
	tests := []struct {
		name string
		a, b []int
		in   []hunk
		want []hunk
	}{
		{
			name: "insertion moves past equal lines",
			a:    []int{1, 2, 2, 3}, b: []int{1, 2, 2, 2, 3},
			in:   []hunk{{1, 1, 1, 2}},
			want: []hunk{{3, 3, 3, 4}},
		},
		{
			name: "deletion moves past equal lines",
			a:    []int{1, 2, 2, 3}, b: []int{1, 2, 3},
			in:   []hunk{{1, 2, 1, 1}},
			want: []hunk{{2, 3, 2, 2}},
		},
		{
			name: "insertion joins the hunk it reaches",
			a:    []int{1, 2, 5}, b: []int{1, 2, 2, 6},
			in:   []hunk{{1, 1, 1, 2}, {2, 3, 3, 4}},
			want: []hunk{{2, 3, 2, 4}},
		},
		{
			name: "replacement stays",
			a:    []int{1, 2, 2}, b: []int{1, 3, 2},
			in:   []hunk{{1, 2, 1, 2}},
			want: []hunk{{1, 2, 1, 2}},
		},
		{
			name: "insertion at the end stays",
			a:    []int{1}, b: []int{1, 1},
			in:   []hunk{{1, 1, 1, 2}},
			want: []hunk{{1, 1, 1, 2}},
		},
	}
	for _, tt := range tests {
		got := slide(tt.a, tt.b, slices.Clone(tt.in))
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: slide(%v) = %v, want %v", tt.name, tt.in, got, tt.want)
		}
	}
}
