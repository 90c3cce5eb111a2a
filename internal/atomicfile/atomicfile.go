// Package atomicfile writes small files, secrets above all, so that no
// reader ever sees them half-written and they are never readable by
// anyone but their owner while being written: the data goes to a
// temporary file in the same directory, created with the final mode,
// synced, then renamed (Write) or linked (Create) into place.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// Write replaces path with data, mode perm.
func Write(path string, data []byte, perm os.FileMode) error {
	tmp, err := writeTemp(path, data, perm)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return SyncDir(filepath.Dir(path))
}

// Create writes data to path, mode perm, unless path exists: then it
// returns an error satisfying errors.Is(err, fs.ErrExist) and leaves the
// file as it is, so of two processes creating it at once both end up
// reading the one that won.
func Create(path string, data []byte, perm os.FileMode) error {
	tmp, err := writeTemp(path, data, perm)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	return SyncDir(filepath.Dir(path))
}

func writeTemp(path string, data []byte, perm os.FileMode) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	// CreateTemp makes the file 0600; Chmod sets perm before any byte is
	// written.
	err = f.Chmod(perm)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return f.Name(), nil
}

// SyncDir makes a rename or link in dir durable (best effort: the file
// itself was synced).
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return nil // best effort: the file itself is synced
	}
	defer d.Close()
	_ = d.Sync()
	return nil
}
