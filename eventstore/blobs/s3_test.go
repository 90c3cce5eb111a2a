package blobs_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"

	"github.com/interactionledger/ledger/eventstore/blobs"
	"github.com/interactionledger/ledger/eventstore/blobs/blobstest"
	"github.com/interactionledger/ledger/eventstore/blobs/s3test"
)

// TestS3 runs the S3 back end against a real SeaweedFS: one server, a
// new bucket for each test that needs an empty store.
func TestS3(t *testing.T) {
	srv := s3test.Start(t)
	t.Setenv(blobs.EnvAccessKey, srv.AccessKey)
	t.Setenv(blobs.EnvSecretKey, srv.SecretKey)
	open := func(t *testing.T) blobs.Backend {
		b, err := blobs.OpenBackend(t.Context(), srv.Spec(srv.NewBucket(t)), "")
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	t.Run("Conformance", func(t *testing.T) { blobstest.Run(t, open) })
	t.Run("EraseRemovesEveryObjectOfTheCustomer", func(t *testing.T) { s3Erase(t, srv) })
	t.Run("NothingLeftInStaging", func(t *testing.T) { s3NothingStaged(t, srv) })
	t.Run("RoundTripAroundTheSinglePutLimit", func(t *testing.T) { s3AroundSinglePut(t, srv) })
	t.Run("StreamsWithoutBuffering", func(t *testing.T) { s3Streams(t, open(t)) })
	t.Run("WrongCredentialsFailClearly", func(t *testing.T) { s3WrongCredentials(t, srv) })
	t.Run("MissingBucketFailsClearly", func(t *testing.T) { s3MissingBucket(t, srv) })
}

// keys lists every object in a bucket.
func keys(t *testing.T, srv *s3test.Server, bucket, prefix string) []string {
	t.Helper()
	var names []string
	for obj := range srv.Client().ListObjects(t.Context(), bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if obj.Err != nil {
			t.Fatalf("list %s: %v", bucket, obj.Err)
		}
		names = append(names, obj.Key)
	}
	return names
}

// s3Erase: Erase removes every object of the customer and nothing else,
// not another customer whose name starts with theirs, nor a staged
// upload when the customer is called "staging".
func s3Erase(t *testing.T, srv *s3test.Server) {
	bucket := srv.NewBucket(t)
	b, err := blobs.OpenBackend(t.Context(), srv.Spec(bucket), "")
	if err != nil {
		t.Fatal(err)
	}
	s := blobs.New(b, blobstest.Keys(t))
	put := func(customer, content string) blobs.Ref {
		t.Helper()
		ref, err := s.Put(t.Context(), customer, strings.NewReader(content), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		return ref
	}
	for _, c := range []string{"one", "two", "three"} {
		put("customer-1", c)
	}
	kept := map[string]blobs.Ref{"customer-10": put("customer-10", "one"), "customer-2": put("customer-2", "two")}
	put("staging", "a customer named staging")
	staged := "staging/put-AAAAAAAAAAAAAAAAAAAAAAAAAA"
	if _, err := srv.Client().PutObject(t.Context(), bucket, staged, strings.NewReader("upload in flight"), 16, minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := len(keys(t, srv, bucket, "customer-1/")); n != 3 {
		t.Fatalf("customer-1 has %d objects before the erasure, want 3", n)
	}

	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.Erase(cancelled, "customer-1"); !errors.Is(err, context.Canceled) {
		t.Errorf("an erasure whose context had ended: %v, want context.Canceled", err)
	}
	for _, customer := range []string{"customer-1", "staging"} {
		if err := s.Erase(t.Context(), customer); err != nil {
			t.Fatal(err)
		}
	}
	if left := keys(t, srv, bucket, "customer-1/"); len(left) != 0 {
		t.Errorf("after the erasure customer-1 still has %v", left)
	}
	if left := keys(t, srv, bucket, "staging/"); len(left) != 1 || left[0] != staged {
		t.Errorf("after erasing the customer named staging, staging/ holds %v, want only the upload in flight %s", left, staged)
	}
	for customer, ref := range kept {
		if got := blobstest.ReadAll(t, s, customer, ref.SHA256); len(got) == 0 {
			t.Errorf("%s's blob read back empty after another customer's erasure", customer)
		}
	}
}

// s3NothingStaged: committed, refused and cancelled puts leave no staged
// object and no unfinished upload behind.
func s3NothingStaged(t *testing.T, srv *s3test.Server) {
	bucket := srv.NewBucket(t)
	b, err := blobs.OpenBackend(t.Context(), srv.Spec(bucket), "")
	if err != nil {
		t.Fatal(err)
	}
	s := blobs.New(b, blobstest.Keys(t))
	big := bytes.Repeat([]byte("x"), blobs.DefaultPartSize+2<<20) // two parts
	for range 2 {                                                 // the second finds the object there
		if _, err := s.Put(t.Context(), "customer-1", bytes.NewReader(big), 1<<30); err != nil {
			t.Fatal(err)
		}
	}
	var tl *blobs.TooLargeError
	if _, err := s.Put(t.Context(), "customer-1", bytes.NewReader(big), blobs.DefaultPartSize+1<<20); !errors.As(err, &tl) {
		t.Fatalf("put over the limit in its second part: %v, want a TooLargeError", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	r := &cancelAt{r: bytes.NewReader(big), at: blobs.DefaultPartSize + 1<<20, cancel: cancel}
	if _, err := s.Put(ctx, "customer-1", r, 1<<30); err == nil {
		t.Fatal("a put cancelled in its second part succeeded")
	}
	if left := keys(t, srv, bucket, "staging/"); len(left) != 0 {
		t.Errorf("staging/ holds %v after the puts ended", left)
	}
	for upload := range srv.Client().ListIncompleteUploads(t.Context(), bucket, "", true) {
		if upload.Err != nil {
			t.Fatal(upload.Err)
		}
		t.Errorf("an unfinished upload is left: %s (%s)", upload.Key, upload.UploadID)
	}
	if n := len(keys(t, srv, bucket, "customer-1/")); n != 1 {
		t.Errorf("customer-1 has %d objects, want the 1 put twice", n)
	}
}

// s3AroundSinglePut: sealed objects of exactly 1 MiB (one request) and 1
// MiB and a byte (a multipart upload) read back. Sealing adds a fixed
// overhead for contents of the same number of age chunks, measured first.
func s3AroundSinglePut(t *testing.T, srv *s3test.Server) {
	bucket := srv.NewBucket(t)
	b, err := blobs.OpenBackend(t.Context(), srv.Spec(bucket), "")
	if err != nil {
		t.Fatal(err)
	}
	s := blobs.New(b, blobstest.Keys(t))
	put := func(n int) (blobs.Ref, []byte, int64) {
		t.Helper()
		content := bytes.Repeat([]byte{byte(n)}, n)
		ref, err := s.Put(t.Context(), "customer-1", bytes.NewReader(content), 1<<30)
		if err != nil {
			t.Fatalf("put %d bytes: %v", n, err)
		}
		key, _ := blobs.ObjectKey("customer-1", ref.SHA256)
		info, err := srv.Client().StatObject(t.Context(), bucket, key, minio.StatObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return ref, content, info.Size
	}
	const limit = 1 << 20
	_, _, sealed := put(limit - 4096)
	overhead := sealed - (limit - 4096)
	for _, want := range []int64{limit, limit + 1} {
		ref, content, got := put(int(want - overhead))
		if got != want {
			t.Fatalf("sealed %d bytes, want %d: the overhead is not %d", got, want, overhead)
		}
		if back := blobstest.ReadAll(t, s, "customer-1", ref.SHA256); !bytes.Equal(back, content) {
			t.Errorf("a sealed object of %d bytes did not read back", want)
		}
	}
}

// cancelAt cancels its context once at bytes were read.
type cancelAt struct {
	r      io.Reader
	at     int
	read   int
	cancel context.CancelFunc
}

func (c *cancelAt) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += n
	if c.read >= c.at {
		c.cancel()
	}
	return n, err
}

// s3Streams: as TestDirStreamsWithoutBuffering, 64 MiB through Put and
// Open with the heap never more than the upload's one part and a few
// chunks above where it started.
func s3Streams(t *testing.T, b blobs.Backend) {
	const size = 64 << 20
	_, above := heapOfRoundTrip(t, blobs.New(b, blobstest.Keys(t)), size)
	if above > blobs.DefaultPartSize+16<<20 {
		t.Errorf("storing and reading %d MiB took the heap %d MiB above its start: more than one part was buffered", size>>20, above>>20)
	}
}

// s3WrongCredentials: a wrong secret or an unknown access key fails at
// open, saying the credentials were refused and where they come from.
func s3WrongCredentials(t *testing.T, srv *s3test.Server) {
	for _, c := range []struct{ name, access, secret string }{
		{"wrong secret", srv.AccessKey, srv.SecretKey + "x"},
		{"unknown access key", "someone-else", srv.SecretKey},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(blobs.EnvAccessKey, c.access)
			t.Setenv(blobs.EnvSecretKey, c.secret)
			_, err := blobs.OpenBackend(t.Context(), srv.Spec(srv.Bucket), "")
			if !errors.Is(err, blobs.ErrCredentials) {
				t.Fatalf("open with a %s: %v, want ErrCredentials", c.name, err)
			}
			if !strings.Contains(err.Error(), blobs.EnvSecretKey) {
				t.Errorf("the error does not say where the credentials come from: %v", err)
			}
			t.Log(err)
			if strings.Contains(err.Error(), c.secret) {
				t.Errorf("the error repeats the secret: %v", err)
			}
		})
	}
}

func s3MissingBucket(t *testing.T, srv *s3test.Server) {
	_, err := blobs.OpenBackend(t.Context(), srv.Spec("no-such-bucket"), "")
	if err == nil || !strings.Contains(err.Error(), `bucket "no-such-bucket" does not exist`) {
		t.Fatalf("open a missing bucket: %v, want an error naming it", err)
	}
}
