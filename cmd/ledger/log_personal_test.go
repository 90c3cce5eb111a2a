package main

import (
	"bytes"
	"os"
	"testing"
)

// assertLogHoldsNone fails the test if the server log at path holds any of
// values: customers' numbers, addresses, names or words reach the log only
// through a leak, and no erasure reaches a log.
func assertLogHoldsNone(t *testing.T, path string, values ...string) {
	t.Helper()
	log, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range values {
		if i := bytes.Index(log, []byte(v)); i >= 0 {
			lo, hi := max(0, i-120), min(len(log), i+len(v)+80)
			t.Errorf("the server log holds the personal value %q: …%s…", v, log[lo:hi])
		}
	}
}
