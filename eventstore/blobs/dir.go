package blobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/interactionledger/ledger/internal/atomicfile"
)

// Dir is the embedded Backend: a directory (blobs/ under the data
// directory) holding objects/CUSTOMER/SHA256 and a staging directory on
// the same file system, so that committing is a rename.
type Dir struct {
	objects, staging string
}

// OpenDir opens (creating if needed) the directory backend at root.
func OpenDir(root string) (*Dir, error) {
	d := &Dir{objects: filepath.Join(root, "objects"), staging: filepath.Join(root, "staging")}
	for _, p := range []string{d.objects, d.staging} {
		if err := os.MkdirAll(p, 0o700); err != nil {
			return nil, fmt.Errorf("blob directory: %w", err)
		}
	}
	return d, nil
}

// Stage implements Backend: the object is written and fsynced before it is
// named, so a crash leaves at worst an orphan in staging.
func (d *Dir) Stage(ctx context.Context, r io.Reader) (string, error) {
	f, err := os.CreateTemp(d.staging, "put-*")
	if err != nil {
		return "", fmt.Errorf("stage a blob: %w", err)
	}
	_, err = io.Copy(f, readerWithContext{ctx, r})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return "", fmt.Errorf("stage a blob: %w", err)
	}
	return filepath.Base(f.Name()), nil
}

// Commit implements Backend.
func (d *Dir) Commit(_ context.Context, staged, key string) error {
	from, err := d.stagedPath(staged)
	if err != nil {
		return err
	}
	to, err := d.objectPath(key)
	if err != nil {
		return err
	}
	if _, err := os.Stat(to); err == nil {
		return os.Remove(from) // the same content is there already
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		return fmt.Errorf("commit blob %s: %w", key, err)
	}
	if err := os.Rename(from, to); err != nil {
		return fmt.Errorf("commit blob %s: %w", key, err)
	}
	return atomicfile.SyncDir(filepath.Dir(to))
}

// Discard implements Backend.
func (d *Dir) Discard(_ context.Context, staged string) error {
	p, err := d.stagedPath(staged)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("discard staged blob: %w", err)
	}
	return nil
}

// Open implements Backend.
func (d *Dir) Open(_ context.Context, key string) (io.ReadCloser, error) {
	p, err := d.objectPath(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	return f, err
}

// DeleteCustomer implements Backend.
func (d *Dir) DeleteCustomer(_ context.Context, customerID string) error {
	if !customerIDPattern.MatchString(customerID) {
		return fmt.Errorf("%w: customer %q", ErrInvalid, customerID)
	}
	return os.RemoveAll(filepath.Join(d.objects, customerID))
}

func (d *Dir) objectPath(key string) (string, error) {
	customer, sha, ok := strings.Cut(key, "/")
	if _, err := ObjectKey(customer, sha); !ok || err != nil {
		return "", fmt.Errorf("%w: object key %q", ErrInvalid, key)
	}
	return filepath.Join(d.objects, customer, sha), nil
}

func (d *Dir) stagedPath(name string) (string, error) {
	if !strings.HasPrefix(name, "put-") || strings.ContainsAny(name, `/\`) || name != filepath.Base(name) {
		return "", fmt.Errorf("%w: staged object %q", ErrInvalid, name)
	}
	return filepath.Join(d.staging, name), nil
}

// readerWithContext stops a copy when its context ends.
type readerWithContext struct {
	ctx context.Context
	r   io.Reader
}

func (r readerWithContext) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}
