// Package filecheckpoint keeps a ledger follower's position in a small
// text file, replaced atomically (write, sync, rename) so that a crash
// leaves the old or the new position, never a torn one.
package filecheckpoint

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Read returns the position stored at path; found is false when the file
// does not exist yet (a first start).
func Read(path string) (pos uint64, found bool, err error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("read checkpoint: %w", err)
	}
	pos, err = strconv.ParseUint(strings.TrimSpace(string(raw)), 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return pos, true, nil
}

// Write replaces the position stored at path.
func Write(path string, pos uint64) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write checkpoint: %w", err)
	}
	_, werr := f.WriteString(strconv.FormatUint(pos, 10) + "\n")
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		return fmt.Errorf("write checkpoint %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write checkpoint %s: %w", path, err)
	}
	return nil
}
