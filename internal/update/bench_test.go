package update

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func BenchmarkUpdate30(b *testing.B)   { benchmarkUpdate(b, 30) }
func BenchmarkUpdate1000(b *testing.B) { benchmarkUpdate(b, 1000) }

// fixture is a generated project of n Go-like files: the template changes
// about a tenth of them, the user about a tenth, and some files are
// changed by both, on separate lines (a clean merge) or on the same line
// (a conflict). The template also adds and removes a few files.
func fixture(n int) (base, theirs, ours tree) {
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	base, theirs, ours = tree{}, tree{}, tree{}
	for i := range n {
		p := fmt.Sprintf("pkg%02d/file%04d.go", i%17, i)
		lines := sourceLines(rng, i, 20+rng.IntN(181))
		base[p] = file(strings.Join(lines, ""))

		tl := append([]string(nil), lines...)
		if i%10 == 0 { // the template changes the package comment
			tl[0] = fmt.Sprintf("// Package pkg%02d is generated, version 2.\n", i%17)
		}
		ol := append([]string(nil), lines...)
		switch i % 10 {
		case 5: // the user edits alone, near the end
			ol[len(ol)-2] = "\t// edited by the user\n"
		case 0:
			if i%20 == 0 {
				ol[len(ol)-2] = "\t// edited by the user\n" // merges cleanly
			} else {
				ol[0] = "// Package mine is my own.\n" // conflicts
			}
		}
		switch {
		case i%50 == 7: // removed by the template
		default:
			theirs[p] = file(strings.Join(tl, ""))
		}
		ours[p] = file(strings.Join(ol, ""))
	}
	for i := range max(n/50, 1) {
		theirs[fmt.Sprintf("added/new%03d.go", i)] = file(strings.Join(sourceLines(rng, i, 40), ""))
	}
	return base, theirs, ours
}

func sourceLines(rng *rand.Rand, file, n int) []string {
	lines := []string{fmt.Sprintf("// Package pkg%02d is generated.\n", file%17), "package pkg\n", "\n"}
	for f := 0; len(lines) < n-1; f++ {
		lines = append(lines,
			fmt.Sprintf("// F%d_%d returns x scaled by %d.\n", file, f, rng.IntN(100)),
			fmt.Sprintf("func F%d_%d(x int) int {\n", file, f),
			fmt.Sprintf("\tif x < %d {\n\t\treturn 0\n\t}\n", rng.IntN(1000)),
			fmt.Sprintf("\treturn x * %d\n", rng.IntN(1000)),
			"}\n", "\n")
	}
	return append(lines, "// end\n")
}

func benchmarkUpdate(b *testing.B, n int) {
	base, theirs, ours := fixture(n)
	baseFiles, theirsFiles := render(base), render(theirs)
	root := b.TempDir()
	written := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := filepath.Join(root, fmt.Sprint(i))
		writeTree(b, dir, ours)
		b.StartTimer()

		plan, err := Compute(dir, baseFiles, theirsFiles, labels)
		if err != nil {
			b.Fatal(err)
		}
		if err := plan.Apply(dir); err != nil {
			b.Fatal(err)
		}

		b.StopTimer()
		written = 0
		for _, c := range plan.Changes {
			if c.Writes() {
				written++
			}
		}
		if err := os.RemoveAll(dir); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(written), "writes/op")
}
