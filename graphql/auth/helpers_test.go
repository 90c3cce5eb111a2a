package auth

import (
	"fmt"
	"testing"
)

// testSecret signs the tests' tokens.
var testSecret = []byte("0123456789abcdef0123456789abcdef")

// must is a compact fatal check.
func must(t testing.TB, err error, what string, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", fmt.Sprintf(what, args...), err)
	}
}
