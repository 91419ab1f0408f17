package merge

import "testing"

func TestFindMarkers(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   string
		want int
	}{
		{"ours, labelled", "a\n<<<<<<< ours (your project)\nx\n||||||| base (template 1.0.0)\ny\n=======\nz\n>>>>>>> theirs (template 2.0.0)\nb\n", 2},
		{"git's plain style", "<<<<<<< HEAD\nx\n=======\ny\n>>>>>>> feature\n", 1},
		{"bare markers", "a\nb\n<<<<<<<\nx\n=======\ny\n>>>>>>>\n", 3},
		{"crlf", "a\r\n<<<<<<< HEAD\r\nx\r\n=======\r\ny\r\n>>>>>>> b\r\n", 2},
		{"no final newline", "<<<<<<< HEAD\nx\n=======\ny\n>>>>>>> b", 1},
		{"the second of two openings", "<<<<<<< stray\nq\n<<<<<<< HEAD\n=======\n>>>>>>> b\n", 3},
		{"markdown underline", "Title\n=======\n\ntext\n", 0},
		{"out of order", "=======\n>>>>>>> x\n<<<<<<< y\n", 0},
		{"no separator", "<<<<<<< HEAD\nx\n>>>>>>> b\n", 0},
		{"not closed", "<<<<<<< HEAD\nx\n=======\ny\n", 0},
		{"longer runs are not markers", "<<<<<<<< x\n=======\n>>>>>>>> y\n", 0},
		{"indented", "  <<<<<<< HEAD\n=======\n  >>>>>>> b\n", 0},
		{"separator with text", "<<<<<<< HEAD\n======= x\n>>>>>>> b\n", 0},
		{"empty", "", 0},
	} {
		if got := FindMarkers([]byte(tt.in)); got != tt.want {
			t.Errorf("%s: FindMarkers = %d, want %d", tt.name, got, tt.want)
		}
	}
	// What Merge writes for a conflict is found, with and without labels.
	for _, l := range []Labels{{}, {Ours: "ours", Base: "base", Theirs: "theirs"}} {
		out, n := Merge([]byte("a\nb\nc\n"), []byte("a\nB\nc\n"), []byte("a\nβ\nc\n"), l)
		if n != 1 || FindMarkers(out) != 2 {
			t.Errorf("labels %+v: %d conflicts, FindMarkers = %d in\n%s", l, n, FindMarkers(out), out)
		}
	}
}
