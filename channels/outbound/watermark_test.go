package outbound

import "testing"

func TestWatermark(t *testing.T) {
	type step struct {
		op  string // begin, settle, advance
		pos uint64
	}
	cases := []struct {
		name  string
		start uint64
		steps []step
		want  uint64
	}{
		{"nothing read", 7, nil, 7},
		{"read without replies", 0, []step{{"advance", 5}}, 5},
		{"a reply open holds the mark before it", 0, []step{{"begin", 3}, {"advance", 3}, {"advance", 9}}, 2},
		{"the oldest open reply counts", 0, []step{{"begin", 3}, {"begin", 6}, {"advance", 9}, {"settle", 3}}, 5},
		{"settled out of order", 0, []step{{"begin", 3}, {"begin", 6}, {"advance", 9}, {"settle", 6}}, 2},
		{"all settled", 0, []step{{"begin", 3}, {"begin", 6}, {"advance", 9}, {"settle", 6}, {"settle", 3}}, 9},
		{"never moves back on an old advance", 10, []step{{"advance", 4}}, 10},
		{"a reply at the first position", 0, []step{{"begin", 1}, {"advance", 1}}, 0},
	}
	for _, tc := range cases {
		w := newWatermark(tc.start)
		for _, s := range tc.steps {
			switch s.op {
			case "begin":
				w.begin(s.pos)
			case "settle":
				w.settle(s.pos)
			case "advance":
				w.advance(s.pos)
			}
		}
		if got := w.position(); got != tc.want {
			t.Errorf("%s: position = %d, want %d", tc.name, got, tc.want)
		}
	}
}
