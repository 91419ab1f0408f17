// Package proof computes the answer sets the end-to-end proof generates
// for a template: few enough to run on every change, and enough that
// every value of every answer that changes what is built, and every pair
// of such values, is generated and verified at least once.
//
// Pairs builds such a set of rows (an all-pairs covering array) over
// factors of given sizes, greedily in the manner of IPOG: the full
// product of the two largest factors first, then each further factor
// added to every row (the value that covers the most pairs not yet
// covered), then rows added, or free cells of added rows filled, for the
// pairs still missing. Gaps checks any rows for what they leave out.
// Sets turns a manifest's questions into factors and the rows into
// answers; Uncovered checks answer sets against the factors.
package proof

import (
	"cmp"
	"slices"
)

// free marks a cell no pair needs yet: Pairs fills it at the end.
const free = -1

// Pairs returns rows of values, one cell a factor (the index of a value,
// 0 to sizes[i]-1), such that every value of every factor is in a row and
// every two values of two different factors are together in a row. The
// same sizes always give the same rows. No factor gives one row with no
// cells; a factor with no values makes a row impossible, so Pairs returns
// none.
func Pairs(sizes []int) [][]int {
	if slices.ContainsFunc(sizes, func(n int) bool { return n < 1 }) {
		return nil
	}
	// Largest first: the product of the first two is the largest table
	// of pairs, which any cover must hold anyway, and the smaller
	// factors fit into its rows.
	order := make([]int, len(sizes))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(sizes[b], sizes[a]) })
	s := make([]int, len(sizes))
	for i, f := range order {
		s[i] = sizes[f]
	}

	rows := cover(s)
	out := make([][]int, len(rows))
	for r, row := range rows {
		out[r] = make([]int, len(sizes))
		for i, f := range order {
			out[r][f] = row[i]
		}
	}
	return out
}

// cover builds the rows over sizes s, largest first.
func cover(s []int) [][]int {
	n := len(s)
	switch n {
	case 0:
		return [][]int{{}}
	case 1:
		rows := make([][]int, s[0])
		for v := range rows {
			rows[v] = []int{v}
		}
		return rows
	}
	seen := newPairTable(s)
	used := make([][]int, n) // used[f][v]: how many rows hold value v of f
	for f := range used {
		used[f] = make([]int, s[f])
	}
	var rows [][]int
	newRow := func() []int {
		row := make([]int, n)
		for i := range row {
			row[i] = free
		}
		rows = append(rows, row)
		return row
	}
	set := func(row []int, f, v, upto int) {
		if row[f] == free {
			used[f][v]++
		}
		row[f] = v
		seen.mark(row, upto)
	}
	for a := range s[0] {
		for b := range s[1] {
			row := newRow()
			set(row, 0, a, 1)
			set(row, 1, b, 1)
		}
	}
	for k := 2; k < n; k++ {
		// Horizontally: each row takes the value of k that covers the
		// most new pairs; a tie goes to the value used least, so the
		// values spread and fewer pairs are left for new rows.
		for _, row := range rows {
			best, bestGain := 0, -1
			for v := range s[k] {
				gain := 0
				for j := range k {
					if row[j] != free && !seen.has(j, row[j], k, v) {
						gain++
					}
				}
				if gain > bestGain || gain == bestGain && used[k][v] < used[k][best] {
					best, bestGain = v, gain
				}
			}
			set(row, k, best, k)
		}
		// Vertically: each pair still missing goes into a row whose two
		// cells hold it or are free, else into a new row.
		for j := range k {
			for a := range s[j] {
				for b := range s[k] {
					if seen.has(j, a, k, b) {
						continue
					}
					// A row holding one of the two already keeps
					// more of its free cells for later pairs.
					i := slices.IndexFunc(rows, func(row []int) bool {
						return row[j] == a && row[k] == free || row[j] == free && row[k] == b
					})
					if i < 0 {
						i = slices.IndexFunc(rows, func(row []int) bool { return row[j] == free && row[k] == free })
					}
					var row []int
					if i < 0 {
						row = newRow()
					} else {
						row = rows[i]
					}
					set(row, j, a, k)
					set(row, k, b, k)
				}
			}
		}
	}
	// Every pair is covered; the cells left free take their factor's
	// least used value, so the rows vary as much as they can.
	for _, row := range rows {
		for f, v := range row {
			if v == free {
				least := 0
				for w := range s[f] {
					if used[f][w] < used[f][least] {
						least = w
					}
				}
				set(row, f, least, n-1)
			}
		}
	}
	return rows
}

// pairTable records which pairs of values rows hold together.
type pairTable struct {
	sizes []int
	seen  [][][]bool // seen[i][j][a*sizes[j]+b] for factors i < j
}

func newPairTable(sizes []int) *pairTable {
	t := &pairTable{sizes: sizes, seen: make([][][]bool, len(sizes))}
	for i := range sizes {
		t.seen[i] = make([][]bool, len(sizes))
		for j := i + 1; j < len(sizes); j++ {
			t.seen[i][j] = make([]bool, max(sizes[i], 0)*max(sizes[j], 0))
		}
	}
	return t
}

// has reports whether value a of factor i and value b of factor j, i < j,
// are together in a row.
func (t *pairTable) has(i, a, j, b int) bool {
	return t.seen[i][j][a*t.sizes[j]+b]
}

// mark records the pairs of row's cells up to factor upto that hold a
// value of their factor.
func (t *pairTable) mark(row []int, upto int) {
	for i := 0; i <= upto && i < len(row); i++ {
		if !t.holds(i, row[i]) {
			continue
		}
		for j := i + 1; j <= upto && j < len(row); j++ {
			if t.holds(j, row[j]) {
				t.seen[i][j][row[i]*t.sizes[j]+row[j]] = true
			}
		}
	}
}

func (t *pairTable) holds(f, v int) bool { return v >= 0 && v < t.sizes[f] }

// Gap is a value, or a pair of values, that no row holds.
type Gap struct {
	Factor, Value int
	// Other and OtherValue are the second factor and its value; Other
	// is -1 when Value is in no row at all.
	Other, OtherValue int
}

// Gaps lists what rows leave out over factors of the given sizes: each
// value no row holds, then each pair of values of two factors that no row
// holds together, in order. A cell outside its factor's values (-1 for
// an answer left to its default) covers nothing, nor does a cell past the
// end of a short row.
func Gaps(sizes []int, rows [][]int) []Gap {
	t := newPairTable(sizes)
	in := make([][]bool, len(sizes))
	for f, n := range sizes {
		in[f] = make([]bool, max(n, 0))
	}
	for _, row := range rows {
		row = row[:min(len(row), len(sizes))]
		t.mark(row, len(row)-1)
		for f, v := range row {
			if t.holds(f, v) {
				in[f][v] = true
			}
		}
	}
	var gaps []Gap
	for f := range sizes {
		for v, ok := range in[f] {
			if !ok {
				gaps = append(gaps, Gap{Factor: f, Value: v, Other: -1})
			}
		}
	}
	for i := range sizes {
		for j := i + 1; j < len(sizes); j++ {
			for a := range max(sizes[i], 0) {
				for b := range max(sizes[j], 0) {
					if !t.has(i, a, j, b) {
						gaps = append(gaps, Gap{Factor: i, Value: a, Other: j, OtherValue: b})
					}
				}
			}
		}
	}
	return gaps
}
