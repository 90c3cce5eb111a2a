package blobs

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/minio/minio-go/v7"

	"github.com/interactionledger/ledger/internal/s3spec"
)

// DefaultPartSize is the part size of an S3 upload. The sealed content's
// size is not known before it is written: up to 1 MiB it is read whole and
// sent in one request, above it goes up as a multipart upload whose parts
// are each held in memory while they are sent. Memory per concurrent
// upload is about one part (8 MiB; the content itself when it is under
// 1 MiB). The largest object is 10,000 parts (about 80 GB at 8 MiB), far
// above any attachment limit.
const DefaultPartSize = 8 << 20

// S3Config says where an S3 back end's bucket is and how to sign for it.
type S3Config struct {
	Endpoint     string // host[:port], without scheme
	Bucket       string
	Region       string // empty: asked of the store
	Secure       bool   // https
	AccessKey    string
	SecretKey    string
	SessionToken string // for temporary credentials; usually empty
	PartSize     uint64 // 0 means DefaultPartSize; at least 5 MiB (S3's minimum)
}

// S3 is the Backend on an S3-compatible object store (AWS S3, MinIO,
// SeaweedFS, ...): an object at its ObjectKey in one bucket, staged
// uploads under staging/ until they are committed by a server-side copy.
type S3 struct {
	client   *minio.Client
	bucket   string
	endpoint string
	partSize uint64
}

// stagingPrefix holds uploads not yet committed. Its names
// ("put-" and base32) can never be a blob's sha256, so even a customer
// named "staging" only ever erases their own objects.
const stagingPrefix = "staging/"

var stagedPattern = regexp.MustCompile(`^staging/put-[A-Z2-7]{26}$`)

// OpenS3 connects to the store and checks that the bucket exists and the
// credentials are accepted, so that a misconfiguration fails at start
// rather than at the first attachment.
func OpenS3(ctx context.Context, cfg S3Config) (*S3, error) {
	if cfg.PartSize == 0 {
		cfg.PartSize = DefaultPartSize
	}
	if cfg.PartSize < 5<<20 {
		return nil, fmt.Errorf("s3 blob store: part size %d is below S3's minimum of 5 MiB", cfg.PartSize)
	}
	client, err := s3spec.Config{Endpoint: cfg.Endpoint, Bucket: cfg.Bucket, Region: cfg.Region, Secure: cfg.Secure,
		AccessKey: cfg.AccessKey, SecretKey: cfg.SecretKey, SessionToken: cfg.SessionToken}.Client()
	if err != nil {
		return nil, fmt.Errorf("s3 blob store: %w", err)
	}
	s := &S3{client: client, bucket: cfg.Bucket, endpoint: cfg.Endpoint, partSize: cfg.PartSize}
	exists, err := client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, s.refused(fmt.Sprintf("check bucket %q", cfg.Bucket), err)
	}
	if !exists {
		return nil, fmt.Errorf("s3 blob store at %s: bucket %q does not exist (the ledger does not create it)", cfg.Endpoint, cfg.Bucket)
	}
	return s, nil
}

// ErrCredentials is what an S3 store refusing our credentials fails with.
var ErrCredentials = s3spec.ErrCredentials

// refused wraps an error of the store, naming a refusal of the
// credentials as such: it is the likeliest misconfiguration.
func (s *S3) refused(what string, err error) error {
	return s3spec.Refused("s3 blob store", s.endpoint, what, err)
}

// singlePutMax is the largest content sent in one request: a smaller one
// is held whole (it is small), a larger one goes up as a multipart upload
// holding a part at a time. Below the part size, so that a large upload
// holds about one part, not this and a part.
const singlePutMax = 1 << 20

// Stage implements Backend.
func (s *S3) Stage(ctx context.Context, r io.Reader) (string, error) {
	name := stagingPrefix + "put-" + rand.Text()
	src := readerWithContext{ctx, r}
	head, err := io.ReadAll(io.LimitReader(src, singlePutMax+1))
	if err != nil {
		return "", fmt.Errorf("stage a blob: %w", err)
	}
	body, size := io.Reader(bytes.NewReader(head)), int64(len(head))
	if size > singlePutMax {
		body, size = io.MultiReader(body, src), -1
	}
	opts := minio.PutObjectOptions{PartSize: s.partSize, ContentType: "application/octet-stream"}
	if _, err := s.client.PutObject(ctx, s.bucket, name, body, size, opts); err != nil {
		// The client aborts a failed multipart upload, even when the
		// failure is ctx ending: no object and no parts are left.
		return "", s.refused("stage a blob", err)
	}
	return name, nil
}

// Commit implements Backend: a server-side copy to the key unless it
// exists (the same key holds the same content), then the staged object
// is removed.
func (s *S3) Commit(ctx context.Context, staged, key string) error {
	if err := checkStaged(staged); err != nil {
		return err
	}
	if err := checkObjectKey(key); err != nil {
		return err
	}
	_, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	switch {
	case isNotFound(err):
		_, err = s.client.CopyObject(ctx,
			minio.CopyDestOptions{Bucket: s.bucket, Object: key},
			minio.CopySrcOptions{Bucket: s.bucket, Object: staged})
		if err != nil {
			return s.refused("commit blob "+key, err)
		}
	case err != nil:
		return s.refused("commit blob "+key, err)
	}
	return s.Discard(ctx, staged)
}

// Discard implements Backend.
func (s *S3) Discard(ctx context.Context, staged string) error {
	if err := checkStaged(staged); err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, staged, minio.RemoveObjectOptions{}); err != nil && !isNotFound(err) {
		return s.refused("discard staged blob", err)
	}
	return nil
}

// Open implements Backend. GetObject sends nothing until the object is
// first used, so Stat sends the request here: a missing key is
// ErrNotFound from Open, not from the first Read.
func (s *S3) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := checkObjectKey(key); err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err == nil {
		_, err = obj.Stat()
	}
	if err != nil {
		if obj != nil {
			_ = obj.Close()
		}
		if isNotFound(err) {
			return nil, ErrNotFound
		}
		return nil, s.refused("open blob "+key, err)
	}
	return obj, nil
}

// DeleteCustomer implements Backend: every blob under the customer's
// prefix is listed and removed, in batches of the store's multi-delete.
func (s *S3) DeleteCustomer(ctx context.Context, customerID string) error {
	if !customerIDPattern.MatchString(customerID) {
		return fmt.Errorf("%w: customer %q", ErrInvalid, customerID)
	}
	prefix := customerID + "/"
	toRemove := make(chan minio.ObjectInfo)
	listed := make(chan error, 1)
	go func() {
		defer close(toRemove)
		listed <- s.listBlobs(ctx, prefix, toRemove)
	}()
	var removeErr error
	for rerr := range s.client.RemoveObjects(ctx, s.bucket, toRemove, minio.RemoveObjectsOptions{}) {
		if removeErr == nil && !isNotFound(rerr.Err) {
			removeErr = fmt.Errorf("remove %s: %w", rerr.ObjectName, rerr.Err)
		}
	}
	// The remover stops reading when ctx ends, and the lister then stops
	// too: it always returns.
	err := errors.Join(<-listed, removeErr)
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return s.refused("delete the blobs of "+customerID, err)
	}
	return nil
}

// listBlobs sends the blobs under prefix to out until the listing ends or
// ctx does. Only blob keys are sent: whatever else a shared bucket holds
// there is left alone.
func (s *S3) listBlobs(ctx context.Context, prefix string, out chan<- minio.ObjectInfo) error {
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if obj.Err != nil {
			return obj.Err
		}
		if !sha256Pattern.MatchString(strings.TrimPrefix(obj.Key, prefix)) {
			continue
		}
		select {
		case out <- obj:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func isNotFound(err error) bool { return s3spec.IsNotFound(err) }

func checkStaged(name string) error {
	if !stagedPattern.MatchString(name) {
		return fmt.Errorf("%w: staged object %q", ErrInvalid, name)
	}
	return nil
}

func checkObjectKey(key string) error {
	customer, sha, ok := strings.Cut(key, "/")
	if _, err := ObjectKey(customer, sha); !ok || err != nil {
		return fmt.Errorf("%w: object key %q", ErrInvalid, key)
	}
	return nil
}
