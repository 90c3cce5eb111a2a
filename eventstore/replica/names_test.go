package replica

import (
	"testing"
	"time"
)

func TestSegmentNames(t *testing.T) {
	at := time.Date(2026, 12, 6, 10, 0, 0, 123456789, time.UTC)
	name := segmentName(41, 80, at)
	if name != "segments/00000000000000000041-00000000000000000080-01796551200123456789.jsonl.gz" {
		t.Fatalf("segment name %q", name)
	}
	s, ok := parseSegment(name)
	if !ok || s.first != 41 || s.last != 80 || !s.firstAt.Equal(at) || s.name != name {
		t.Fatalf("parsed %+v, %v", s, ok)
	}
	for _, bad := range []string{
		"segments/00000000000000000041-00000000000000000080.jsonl.gz",
		"segments/00000000000000000080-00000000000000000041-01796551200123456789.jsonl.gz", // last before first
		"segments/00000000000000000000-00000000000000000001-01796551200123456789.jsonl.gz", // position 0
		"segments/41-80-1796551200123456789.jsonl.gz",
		"segments/00000000000000000041-00000000000000000080-01796551200123456789.jsonl",
		"keys/00000000000000000001.jsonl.gz",
		"segments/0000000000000000004x-00000000000000000080-01796551200123456789.jsonl.gz",
	} {
		if s, ok := parseSegment(bad); ok {
			t.Errorf("%s parsed as a segment: %+v", bad, s)
		}
	}
}

func TestKeyObjectNames(t *testing.T) {
	for _, c := range []struct {
		seq  uint64
		full bool
		name string
	}{
		{1, false, "keys/00000000000000000001.jsonl.gz"},
		{65, true, "keys/00000000000000000065-full.jsonl.gz"},
	} {
		if got := keyObjectName(c.seq, c.full); got != c.name {
			t.Errorf("keyObjectName(%d, %v) = %q, want %q", c.seq, c.full, got, c.name)
		}
		k, ok := parseKeyObject(c.name)
		if !ok || k.seq != c.seq || k.full != c.full {
			t.Errorf("parseKeyObject(%q) = %+v, %v", c.name, k, ok)
		}
	}
	if _, ok := parseKeyObject("keys/1.jsonl.gz"); ok {
		t.Error("a short sequence number parsed")
	}
}

// TestLiveKeyObjects: a restore reads from the last "-full" object on;
// the objects before it are obsolete.
func TestLiveKeyObjects(t *testing.T) {
	objs := []keyObject{{seq: 1}, {seq: 2, full: true}, {seq: 3}, {seq: 4, full: true}, {seq: 5}}
	live, stale := liveKeyObjects(objs)
	if len(live) != 2 || live[0].seq != 4 || len(stale) != 3 {
		t.Fatalf("live %v, stale %v", live, stale)
	}
	live, stale = liveKeyObjects(objs[:1])
	if len(live) != 1 || len(stale) != 0 {
		t.Fatalf("without a full object: live %v, stale %v", live, stale)
	}
}
