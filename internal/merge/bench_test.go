package merge

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// BenchmarkMerge10k merges a 10,000-line file with scattered edits on
// both sides, the per-file cost of a large update.
func BenchmarkMerge10k(b *testing.B) {
	base, ours, theirs := longFiles(10000)
	b.SetBytes(int64(len(base)))
	b.ReportAllocs()
	for b.Loop() {
		if _, n := Merge(base, ours, theirs, testLabels); n != 0 {
			b.Fatal(n)
		}
	}
}

// BenchmarkDiff10kRewritten diffs a 10,000-line file against a version
// in which every line changed, the case a quadratic diff cannot afford.
func BenchmarkDiff10kRewritten(b *testing.B) {
	var x, y strings.Builder
	for i := range 10000 {
		fmt.Fprintf(&x, "old line %d\n", i)
		fmt.Fprintf(&y, "new line %d\n", i)
	}
	b.ReportAllocs()
	for b.Loop() {
		Diff([]byte(x.String()), []byte(y.String()), "a", "b")
	}
}

// BenchmarkDiff10kShuffled diffs two unrelated 10,000-line files drawn
// from the same 50 lines: the worst case left, where every line could
// match and the edit script is long.
func BenchmarkDiff10kShuffled(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 10))
	var x, y strings.Builder
	for range 10000 {
		fmt.Fprintf(&x, "line %d\n", r.IntN(50))
		fmt.Fprintf(&y, "line %d\n", r.IntN(50))
	}
	b.ReportAllocs()
	for b.Loop() {
		Diff([]byte(x.String()), []byte(y.String()), "a", "b")
	}
}
