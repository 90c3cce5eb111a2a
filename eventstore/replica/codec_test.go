package replica

import (
	"bytes"
	"testing"
)

// TestReadLinesRefusesDamagedObjects: a segment body cut short, even at a
// line's end, or with a wrong gzip checksum is an error, never a shorter
// segment read as whole.
func TestReadLinesRefusesDamagedObjects(t *testing.T) {
	g := newGzipLines()
	for i := range 10 {
		if err := g.add(map[string]int{"n": i}); err != nil {
			t.Fatal(err)
		}
	}
	whole, err := g.bytes()
	if err != nil {
		t.Fatal(err)
	}
	read := func(b []byte) (int, error) {
		n := 0
		err := readLines(bytes.NewReader(b), func(map[string]int) (bool, error) { n++; return true, nil })
		return n, err
	}
	if n, err := read(whole); err != nil || n != 10 {
		t.Fatalf("whole object: %d lines, %v", n, err)
	}
	badSum := bytes.Clone(whole)
	badSum[len(badSum)-8] ^= 0xff // the CRC-32 of gzip's trailer
	for name, b := range map[string][]byte{
		"cut in half":       whole[:len(whole)/2],
		"trailer cut off":   whole[:len(whole)-8],
		"checksum mismatch": badSum,
	} {
		if n, err := read(b); err == nil {
			t.Errorf("%s: %d lines and no error", name, n)
		}
	}
}
