package filecheckpoint

import (
	"os"
	"path/filepath"
	"testing"
)

func TestReadWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.checkpoint")
	if pos, found, err := Read(path); err != nil || found || pos != 0 {
		t.Fatalf("missing file: %d, %v, %v", pos, found, err)
	}
	for _, want := range []uint64{1, 18446744073709551615, 42} {
		if err := Write(path, want); err != nil {
			t.Fatal(err)
		}
		if pos, found, err := Read(path); err != nil || !found || pos != want {
			t.Fatalf("after writing %d: %d, %v, %v", want, pos, found, err)
		}
	}
	if _, err := os.Stat(path + ".tmp"); !os.IsNotExist(err) {
		t.Fatalf("temporary file left behind: %v", err)
	}
	if err := os.WriteFile(path, []byte("not a number\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Read(path); err == nil {
		t.Fatal("a corrupt checkpoint was accepted")
	}
}
