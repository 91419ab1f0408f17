package merge

import "bytes"

// splitLines cuts data after each '\n' and keeps the terminator with its
// line, so that joining the lines gives data back byte for byte. Keeping
// "\r\n" and a missing final newline inside the line is what lets a merge
// preserve a file's line endings without knowing about them: a line only
// matches a line with the same ending.
func splitLines(data []byte) [][]byte {
	if len(data) == 0 {
		return nil
	}
	lines := make([][]byte, 0, bytes.Count(data, []byte{'\n'})+1)
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			lines = append(lines, data)
			break
		}
		lines = append(lines, data[:i+1:i+1])
		data = data[i+1:]
	}
	return lines
}

// interner gives each distinct line a small number. The diff then compares
// ints instead of byte strings, and lines of base, ours and theirs that are
// equal get the same number, which the merge uses to compare regions.
type interner map[string]int

func (in interner) ids(lines [][]byte) []int {
	ids := make([]int, len(lines))
	for i, l := range lines {
		id, ok := in[string(l)]
		if !ok {
			id = len(in)
			in[string(l)] = id
		}
		ids[i] = id
	}
	return ids
}

// hunk says that a[a0:a1] was replaced by b[b0:b1]. Either range may be
// empty (a pure insertion or deletion), not both.
type hunk struct {
	a0, a1, b0, b1 int
}

// diffIDs returns the hunks of an edit script from a to b: a shortest one
// unless the files differ by thousands of lines (see maxCost). The hunks
// are in order and separated by at least one unchanged line.
func diffIDs(a, b []int, nIDs int) []hunk {
	ca, cb := changed(a, b, nIDs)
	var hs []hunk
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		if i < len(a) && j < len(b) && !ca[i] && !cb[j] {
			i++
			j++
			continue
		}
		h := hunk{a0: i, b0: j}
		for i < len(a) && ca[i] {
			i++
		}
		for j < len(b) && cb[j] {
			j++
		}
		if i == h.a0 && j == h.b0 {
			// The unchanged lines of a and b did not pair up: a bug in
			// changed, not something the input can cause.
			panic("merge: inconsistent line diff")
		}
		h.a1, h.b1 = i, j
		hs = append(hs, h)
	}
	return slide(a, b, hs)
}

// slide moves each pure insertion or deletion down past the lines equal
// to its own first line, as git and GNU diff do. Where a run of equal
// lines grew, a shortest script may add or remove any line of the run;
// always taking the last one puts the change in the same place in
// base-to-ours and base-to-theirs, so that it does not collide with the
// other side's change at the start of the run ("b" inserted next to "b",
// "}" next to "}"). A hunk that comes to touch the next one joins it.
func slide(a, b []int, hs []hunk) []hunk {
	out := hs[:0]
	for k := 0; k < len(hs); k++ {
		h := hs[k]
		switch {
		case h.a0 == h.a1:
			for h.b1 < len(b) && h.a0 < len(a) && b[h.b0] == b[h.b1] {
				h.a0, h.a1, h.b0, h.b1 = h.a0+1, h.a1+1, h.b0+1, h.b1+1
				if k+1 < len(hs) && hs[k+1].a0 == h.a1 {
					k++
					h.a1, h.b1 = hs[k].a1, hs[k].b1
					break
				}
			}
		case h.b0 == h.b1:
			for h.a1 < len(a) && h.b0 < len(b) && a[h.a0] == a[h.a1] {
				h.a0, h.a1, h.b0, h.b1 = h.a0+1, h.a1+1, h.b0+1, h.b1+1
				if k+1 < len(hs) && hs[k+1].b0 == h.b1 {
					k++
					h.a1, h.b1 = hs[k].a1, hs[k].b1
					break
				}
			}
		}
		out = append(out, h)
	}
	return out
}

// changed marks the lines of a and of b that the edit script deletes or
// inserts; the unmarked lines of a and b pair up in order and are equal.
// nIDs bounds the ids in a and b.
func changed(a, b []int, nIDs int) (ca, cb []bool) {
	ca, cb = make([]bool, len(a)), make([]bool, len(b))

	// Most files share a long head and tail with their other version;
	// cutting them off first makes the usual small edit cheap.
	lo := 0
	for lo < len(a) && lo < len(b) && a[lo] == b[lo] {
		lo++
	}
	ha, hb := len(a), len(b)
	for ha > lo && hb > lo && a[ha-1] == b[hb-1] {
		ha--
		hb--
	}

	// A line that does not occur at all in the other file can never be
	// matched, so it is marked now and left out of the search. That keeps
	// a rewritten file from costing O(N*D) on lines that cannot match, and
	// it does not change the length of the shortest script.
	inA, inB := make([]bool, nIDs), make([]bool, nIDs)
	for _, id := range a[lo:ha] {
		inA[id] = true
	}
	for _, id := range b[lo:hb] {
		inB[id] = true
	}
	ra, ia := keep(a, lo, ha, inB, ca)
	rb, ib := keep(b, lo, hb, inA, cb)

	s := &searcher{a: ra, b: rb, ca: make([]bool, len(ra)), cb: make([]bool, len(rb))}
	s.compare(0, len(ra), 0, len(rb))
	for k, c := range s.ca {
		ca[ia[k]] = c
	}
	for k, c := range s.cb {
		cb[ib[k]] = c
	}
	return ca, cb
}

// keep returns the lines x[lo:hi] whose ids are in other, with their
// indexes in x, and marks the others changed.
func keep(x []int, lo, hi int, other, mark []bool) (kept, index []int) {
	for i := lo; i < hi; i++ {
		if other[x[i]] {
			kept = append(kept, x[i])
			index = append(index, i)
		} else {
			mark[i] = true
		}
	}
	return kept, index
}

// searcher finds a shortest edit script with Myers' O(ND) algorithm in
// linear space ("An O(ND) Difference Algorithm and Its Variations", 1986):
// it searches from both ends at once for a point on an optimal path, then
// solves the two halves on either side of that point. Past maxCost edits
// it settles for a short script instead.
type searcher struct {
	a, b   []int
	ca, cb []bool
	vf, vb []int // furthest x reached per diagonal, forward and backward
}

func (s *searcher) compare(aLo, aHi, bLo, bHi int) {
	for aLo < aHi && bLo < bHi && s.a[aLo] == s.b[bLo] {
		aLo++
		bLo++
	}
	for aLo < aHi && bLo < bHi && s.a[aHi-1] == s.b[bHi-1] {
		aHi--
		bHi--
	}
	if aLo == aHi || bLo == bHi {
		mark(s.ca[aLo:aHi])
		mark(s.cb[bLo:bHi])
		return
	}
	x, y, ok := s.split(aLo, aHi, bLo, bHi)
	if !ok || x == aLo && y == bLo || x == aHi && y == bHi {
		// Not reachable when split is right (a corner would recurse
		// forever); the fallback is still a valid, if long, script.
		mark(s.ca[aLo:aHi])
		mark(s.cb[bLo:bHi])
		return
	}
	s.compare(aLo, x, bLo, y)
	s.compare(x, aHi, y, bHi)
}

func mark(c []bool) {
	for i := range c {
		c[i] = true
	}
}

// split returns a point (x, y) of the box, not one of its corners,
// through which a shortest edit script from a[aLo:aHi] to b[bLo:bHi]
// passes, or, once the search passes maxCost edits, a point on some
// script. The first and last lines of the box must differ.
//
// Coordinates are relative to the box: x counts lines of a, y lines of b,
// a diagonal k holds the points with x-y == k. The forward search keeps in
// vf[k] the largest x reachable from (0,0) with d edits; the backward
// search keeps in vb[k] the same for the reversed sequences, from (n,m).
//
// Only the diagonals -m..n that cross the box are searched. Paths may run
// past the box's far edges along them, which is harmless because of two
// facts: along one diagonal, the cost from the start never falls as x
// grows backwards, and the cost to the end never rises as x grows. So when
// the forward reach xf on a diagonal passes the backward reach xb, every
// point of that diagonal inside the box with xb <= x <= xf costs at most
// d forward plus d-1 (or d) backward; the first d where such a point
// exists gives the optimum, and we return the furthest such point.
func (s *searcher) split(aLo, aHi, bLo, bHi int) (x, y int, ok bool) {
	a, b := s.a[aLo:aHi], s.b[bLo:bHi]
	n, m := len(a), len(b)
	delta := n - m
	odd := delta&1 != 0
	maxD := (n + m + 1) / 2
	off := maxD + 1
	size := 2*maxD + 3
	if cap(s.vf) < size {
		s.vf, s.vb = make([]int, size), make([]int, size)
	}
	vf, vb := s.vf[:size], s.vb[:size]

	// meet returns the point to split at if forward reach xf and backward
	// reach (as a forward x) xb on diagonal k overlap inside the box.
	meet := func(k, xf, xb int) (int, int, bool) {
		lo := max(xb, k, 0)
		hi := min(xf, n, m+k)
		if lo > hi {
			return 0, 0, false
		}
		return aLo + hi, bLo + hi - k, true
	}

	bmin, bmax := 1, 0 // backward diagonals of the last round: none yet
	for d := 0; d <= maxD; d++ {
		fmin, fmax := band(d, n, m)
		sentinels(vf, off, d, fmin, fmax, n, m)
		for k := fmin; k <= fmax; k += 2 {
			var x int
			if vf[off+k-1] < vf[off+k+1] {
				x = vf[off+k+1] // down: insert b[y]
			} else {
				x = vf[off+k-1] + 1 // right: delete a[x]
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			vf[off+k] = x
			if kb := delta - k; odd && kb >= bmin && kb <= bmax {
				if px, py, ok := meet(k, x, n-vb[off+kb]); ok {
					return px, py, true
				}
			}
		}

		bmin, bmax = band(d, n, m)
		sentinels(vb, off, d, bmin, bmax, n, m)
		for k := bmin; k <= bmax; k += 2 {
			var x int
			if vb[off+k-1] < vb[off+k+1] {
				x = vb[off+k+1]
			} else {
				x = vb[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[n-1-x] == b[m-1-y] {
				x++
				y++
			}
			vb[off+k] = x
			if kf := delta - k; !odd && kf >= fmin && kf <= fmax {
				if px, py, ok := meet(kf, vf[off+kf], n-x); ok {
					return px, py, true
				}
			}
		}

		if d >= maxCost {
			x, y, ok := furthest(vf, vb, off, fmin, fmax, bmin, bmax, n, m)
			return aLo + x, bLo + y, ok
		}
	}
	return 0, 0, false
}

// maxCost bounds the edits split searches from each end before it gives
// up on the shortest script. Past it, two files are so different that a
// shortest script buys little, while the search grows with the number of
// lines times the edits: unbounded, two unrelated 64,000-line files made
// of a few repeated lines took seconds. The bound keeps every script of
// up to 2*maxCost edits (after unmatched lines are set aside) shortest.
// It is a variable only so that tests can reach the cut-off with small
// inputs.
var maxCost = 1024

// furthest returns the point of the last round's frontiers, forward or
// backward, that is furthest from its own end: a split that is on some
// script, if not a shortest one, and that leaves at least maxCost edits
// of progress behind, so the work stays near (n+m)*maxCost. Corners are
// left out, as they would not split anything.
func furthest(vf, vb []int, off, fmin, fmax, bmin, bmax, n, m int) (x, y int, ok bool) {
	best := -1
	try := func(px, py, progress int) {
		if progress > best && !(px == 0 && py == 0) && !(px == n && py == m) {
			best, x, y, ok = progress, px, py, true
		}
	}
	for k := fmin; k <= fmax; k += 2 {
		px := min(vf[off+k], n, m+k)
		try(px, px-k, px+px-k)
	}
	for k := bmin; k <= bmax; k += 2 {
		rx := min(vb[off+k], n, m+k)
		try(n-rx, m-(rx-k), rx+rx-k)
	}
	return x, y, ok
}

// band returns the diagonals a search reaches after d edits, limited to
// those that cross an n-by-m box and of the same parity as d.
func band(d, n, m int) (lo, hi int) {
	lo, hi = -d, d
	if lo < -m {
		lo = -m + (d-m)&1
	}
	if hi > n {
		hi = n - (d-n)&1
	}
	return lo, hi
}

// sentinels puts -1 on the diagonals just outside this round's band that
// the last round did not fill, so that the step rule takes the only move
// that stays on the searched diagonals.
func sentinels(v []int, off, d, lo, hi, n, m int) {
	if lo == -d || lo == -m {
		v[off+lo-1] = -1
	}
	if hi == d || hi == n {
		v[off+hi+1] = -1
	}
}
