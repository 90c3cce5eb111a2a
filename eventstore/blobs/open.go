package blobs

import (
	"context"
	"fmt"
	"path/filepath"
)

// OpenBackend opens the back end spec names: "" is the embedded default,
// a directory "blobs" under dataDir.
func OpenBackend(ctx context.Context, spec, dataDir string) (Backend, error) {
	if spec == "" {
		return OpenDir(filepath.Join(dataDir, "blobs"))
	}
	return nil, fmt.Errorf("blob store %q: unsupported", spec)
}
