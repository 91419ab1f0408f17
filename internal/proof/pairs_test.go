package proof

import (
	"flag"
	"math/rand/v2"
	"reflect"
	"testing"
)

var seed = flag.Uint64("proof.seed", 0, "seed of the random factor lists (0 picks one; the test logs it)")

// randomSizes returns lists of 0 to 7 factor sizes of 1 to 5 values.
func randomSizes(t *testing.T, count int) [][]int {
	s := *seed
	if s == 0 {
		s = rand.Uint64()
	}
	t.Logf("seed %d (repeat with -args -proof.seed=%d)", s, s)
	r := rand.New(rand.NewPCG(s, 0))
	out := make([][]int, count)
	for i := range out {
		out[i] = make([]int, r.IntN(8))
		for f := range out[i] {
			out[i][f] = 1 + r.IntN(5)
		}
	}
	return out
}

// checkCover fails t unless rows are a valid all-pairs cover of sizes:
// every cell a value of its factor, and no gap. It returns the lower
// bound on any cover, the product of the two largest sizes.
func checkCover(t *testing.T, sizes []int, rows [][]int) (least int) {
	t.Helper()
	for r, row := range rows {
		if len(row) != len(sizes) {
			t.Fatalf("sizes %v: row %d has %d cells, want %d", sizes, r, len(row), len(sizes))
		}
		for f, v := range row {
			if v < 0 || v >= sizes[f] {
				t.Fatalf("sizes %v: row %d holds %d for factor %d of %d values", sizes, r, v, f, sizes[f])
			}
		}
	}
	if gaps := Gaps(sizes, rows); len(gaps) > 0 {
		t.Fatalf("sizes %v: rows %v leave out %d values or pairs, first %+v", sizes, rows, len(gaps), gaps[0])
	}
	product, first, second := 1, 1, 1
	for _, n := range sizes {
		product *= n
		if n > first {
			first, second = n, first
		} else if n > second {
			second = n
		}
	}
	if len(rows) > product {
		t.Errorf("sizes %v: %d rows, more than all %d combinations", sizes, len(rows), product)
	}
	return first * second
}

func TestPairsCoverRandomFactors(t *testing.T) {
	worst := 0.0
	for _, sizes := range randomSizes(t, 2000) {
		rows := Pairs(sizes)
		least := checkCover(t, sizes, rows)
		// The greedy cover stays near the bound: for up to 7 factors of
		// up to 5 values, it needs at most twice the largest pair table.
		if len(rows) > 2*least {
			t.Errorf("sizes %v: %d rows, more than twice the %d any cover needs", sizes, len(rows), least)
		}
		worst = max(worst, float64(len(rows))/float64(least))
	}
	t.Logf("at worst %.2f times the rows any cover needs", worst)
}

func TestPairsIsDeterministic(t *testing.T) {
	for _, sizes := range randomSizes(t, 200) {
		if a, b := Pairs(sizes), Pairs(sizes); !reflect.DeepEqual(a, b) {
			t.Fatalf("sizes %v: two runs differ:\n%v\n%v", sizes, a, b)
		}
	}
}

func TestPairsSmall(t *testing.T) {
	for _, tc := range []struct {
		sizes []int
		most  int
	}{
		// The best covers hold 6, 6, 4, 9 and 6 rows; the greedy one is
		// best where the templates are (a select of three beside bools).
		{[]int{2, 2, 2, 3}, 6}, // docker, ci, edition, license
		{[]int{2, 2, 3}, 6},
		{[]int{2, 2, 2}, 4},
		{[]int{3, 3, 3, 3}, 12},
		{[]int{2, 2, 2, 2, 2, 2, 2, 2, 2, 2}, 10},
	} {
		rows := Pairs(tc.sizes)
		checkCover(t, tc.sizes, rows)
		if len(rows) > tc.most {
			t.Errorf("sizes %v: %d rows, want at most %d:\n%v", tc.sizes, len(rows), tc.most, rows)
		}
	}
}

func TestPairsEdges(t *testing.T) {
	for _, tc := range []struct {
		name  string
		sizes []int
		want  [][]int
	}{
		{"no factor: one row of nothing", nil, [][]int{{}}},
		{"one factor: each value", []int{3}, [][]int{{0}, {1}, {2}}},
		{"two factors: the product", []int{2, 3}, [][]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}, {0, 2}, {1, 2}}},
		{"single values: one row", []int{1, 1, 1}, [][]int{{0, 0, 0}}},
		{"a factor of one value beside others", []int{1, 2}, [][]int{{0, 0}, {0, 1}}},
		{"a factor with no values: no row", []int{2, 0, 3}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Pairs(tc.sizes); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Pairs(%v) = %v, want %v", tc.sizes, got, tc.want)
			}
		})
	}
}

func TestGaps(t *testing.T) {
	for _, tc := range []struct {
		name  string
		sizes []int
		rows  [][]int
		want  []Gap
	}{
		{"a value in no row", []int{3}, [][]int{{0}, {2}},
			[]Gap{{Factor: 0, Value: 1, Other: -1}}},
		{"pairs in no row", []int{2, 2}, [][]int{{0, 0}, {1, 1}},
			[]Gap{{0, 0, 1, 1}, {0, 1, 1, 0}}},
		{"a cell left to its default covers nothing", []int{2, 2}, [][]int{{0, 0}, {0, 1}, {1, 0}, {1, -1}},
			[]Gap{{0, 1, 1, 1}}},
		{"a short row covers what it holds", []int{1, 1}, [][]int{{0}},
			[]Gap{{Factor: 1, Value: 0, Other: -1}, {0, 0, 1, 0}}},
		{"all covered", []int{2, 1}, [][]int{{0, 0}, {1, 0}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Gaps(tc.sizes, tc.rows); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Gaps(%v, %v) = %+v, want %+v", tc.sizes, tc.rows, got, tc.want)
			}
		})
	}
}
