// Package replica owns the ledger's continuous replica in an S3-compatible
// bucket and the point-in-time restore from it: logical log shipping of
// the recorded events exactly as stored (ids, streams, versions, types,
// data and metadata bytes, recording times, hashes), so that a restore
// rebuilds the same hash-chained ledger up to any moment, plus the
// customers' data keys as the key store keeps them (wrapped by the master
// key, which is never shipped) and their erasures.
//
// Layout under the spec's prefix:
//
//	segments/<first:020d>-<last:020d>-<first recorded, Unix ns:020d>.jsonl.gz
//	keys/<seq:020d>[-full].jsonl.gz
//
// A segment holds the events of positions first..last, one JSON object a
// line, gzipped; its name lets a restore pick the segments it needs, and
// stop at the first one recorded after the moment asked for, without
// downloading the others. Each object is put whole (an S3 PUT is atomic),
// so no partial segment is ever visible. Key objects hold data key rows
// changed since the previous one; a "-full" one holds them all and makes
// the earlier ones obsolete: it is written when a customer is erased, and
// the earlier ones, which still hold their wrapped key, are then deleted.
package replica

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/interactionledger/ledger/internal/s3spec"
)

// Target is a replica's place: a bucket and a prefix in it.
type Target struct {
	client   *minio.Client
	bucket   string
	prefix   string // "" or ending in "/"
	endpoint string
	spec     string // described, for messages
}

// Open connects to the replica a spec names,
// s3://BUCKET[/PREFIX]?endpoint=HOST:PORT&region=...&secure=false, with
// the credentials of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, and
// checks that the bucket exists (the ledger does not create it).
func Open(ctx context.Context, spec string) (*Target, error) {
	return open(ctx, spec, os.Getenv)
}

func open(ctx context.Context, spec string, getenv func(string) string) (*Target, error) {
	cfg, err := s3spec.Parse(spec, s3spec.WithPrefix)
	if err != nil {
		return nil, fmt.Errorf("replica spec: %w; want s3://BUCKET/PREFIX?endpoint=HOST:PORT&region=REGION&secure=false", err)
	}
	if err := cfg.Credentials(getenv); err != nil {
		return nil, fmt.Errorf("replica %s: %w", s3spec.Describe(spec), err)
	}
	client, err := cfg.Client()
	if err != nil {
		return nil, fmt.Errorf("replica: %w", err)
	}
	t := &Target{client: client, bucket: cfg.Bucket, endpoint: cfg.Endpoint, spec: s3spec.Describe(spec)}
	if cfg.Prefix != "" {
		t.prefix = cfg.Prefix + "/"
	}
	exists, err := client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, t.refused(fmt.Sprintf("check bucket %q", cfg.Bucket), err)
	}
	if !exists {
		return nil, fmt.Errorf("replica at %s: bucket %q does not exist (the ledger does not create it)", cfg.Endpoint, cfg.Bucket)
	}
	return t, nil
}

// String names the replica as it may be logged.
func (t *Target) String() string { return t.spec }

func (t *Target) refused(what string, err error) error {
	return s3spec.Refused("replica", t.endpoint, what, err)
}

const (
	segmentsDir = "segments/"
	keysDir     = "keys/"
	objectExt   = ".jsonl.gz"
)

// segment is a segment object as its name describes it.
type segment struct {
	first, last uint64
	firstAt     time.Time // the first event's recording time
	name        string    // under the prefix
}

func segmentName(first, last uint64, firstAt time.Time) string {
	return fmt.Sprintf("%s%020d-%020d-%020d%s", segmentsDir, first, last, firstAt.UnixNano(), objectExt)
}

// parseSegment reads a segment's name (under the prefix); false for any
// other object.
func parseSegment(name string) (segment, bool) {
	base, ok := strings.CutPrefix(name, segmentsDir)
	if !ok {
		return segment{}, false
	}
	base, ok = strings.CutSuffix(base, objectExt)
	parts := strings.Split(base, "-")
	if !ok || len(parts) != 3 {
		return segment{}, false
	}
	var n [3]uint64
	for i, p := range parts {
		v, err := strconv.ParseUint(p, 10, 64)
		if err != nil || len(p) != 20 {
			return segment{}, false
		}
		n[i] = v
	}
	if n[0] == 0 || n[1] < n[0] {
		return segment{}, false
	}
	return segment{first: n[0], last: n[1], firstAt: time.Unix(0, int64(n[2])).UTC(), name: name}, true
}

// keyObject is a key object as its name describes it.
type keyObject struct {
	seq  uint64
	full bool
	name string
}

func keyObjectName(seq uint64, full bool) string {
	suffix := ""
	if full {
		suffix = "-full"
	}
	return fmt.Sprintf("%s%020d%s%s", keysDir, seq, suffix, objectExt)
}

func parseKeyObject(name string) (keyObject, bool) {
	base, ok := strings.CutPrefix(name, keysDir)
	if !ok {
		return keyObject{}, false
	}
	base, ok = strings.CutSuffix(base, objectExt)
	if !ok {
		return keyObject{}, false
	}
	base, full := strings.CutSuffix(base, "-full")
	seq, err := strconv.ParseUint(base, 10, 64)
	if err != nil || len(base) != 20 {
		return keyObject{}, false
	}
	return keyObject{seq: seq, full: full, name: name}, true
}

// segments lists the replica's segments in position order (by first,
// then by last).
func (t *Target) segments(ctx context.Context) ([]segment, error) {
	var out []segment
	err := t.list(ctx, segmentsDir, func(name string) {
		if s, ok := parseSegment(name); ok {
			out = append(out, s)
		}
	})
	slices.SortFunc(out, func(a, b segment) int {
		if a.first != b.first {
			return compare(a.first, b.first)
		}
		return compare(a.last, b.last)
	})
	return out, err
}

// encryptedMarker says that the replica is of an encrypted ledger, even
// before its first data key is made: a restore then makes the key store,
// so the restored ledger goes on sealing personal data (a ledger without
// one is a ledger in clear).
const encryptedMarker = keysDir + "encrypted"

// Encrypted reports whether the replica is of an encrypted ledger: it
// holds the marker or any key object.
func (t *Target) Encrypted(ctx context.Context) (bool, error) {
	found := false
	err := t.list(ctx, keysDir, func(string) { found = true })
	return found, err
}

// keyObjects lists the replica's key objects in sequence order.
func (t *Target) keyObjects(ctx context.Context) ([]keyObject, error) {
	var out []keyObject
	err := t.list(ctx, keysDir, func(name string) {
		if k, ok := parseKeyObject(name); ok {
			out = append(out, k)
		}
	})
	slices.SortFunc(out, func(a, b keyObject) int { return compare(a.seq, b.seq) })
	return out, err
}

func compare(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// list calls found with the name (under the prefix) of each object under
// dir.
func (t *Target) list(ctx context.Context, dir string, found func(name string)) error {
	for obj := range t.client.ListObjects(ctx, t.bucket, minio.ListObjectsOptions{Prefix: t.prefix + dir, Recursive: true}) {
		if obj.Err != nil {
			return t.refused("list "+t.prefix+dir, obj.Err)
		}
		found(strings.TrimPrefix(obj.Key, t.prefix))
	}
	return nil
}

// put writes an object whole.
func (t *Target) put(ctx context.Context, name string, body []byte) error {
	_, err := t.client.PutObject(ctx, t.bucket, t.prefix+name, bytes.NewReader(body), int64(len(body)),
		minio.PutObjectOptions{ContentType: "application/gzip"})
	if err != nil {
		return t.refused("put "+path.Join(t.prefix, name), err)
	}
	return nil
}

// get opens an object to read.
func (t *Target) get(ctx context.Context, name string) (io.ReadCloser, error) {
	obj, err := t.client.GetObject(ctx, t.bucket, t.prefix+name, minio.GetObjectOptions{})
	if err == nil {
		_, err = obj.Stat()
	}
	if err != nil {
		if obj != nil {
			_ = obj.Close()
		}
		return nil, t.refused("get "+path.Join(t.prefix, name), err)
	}
	return obj, nil
}

// remove deletes an object; one already gone is fine.
func (t *Target) remove(ctx context.Context, name string) error {
	err := t.client.RemoveObject(ctx, t.bucket, t.prefix+name, minio.RemoveObjectOptions{})
	if err != nil && !s3spec.IsNotFound(err) {
		return t.refused("remove "+path.Join(t.prefix, name), err)
	}
	return nil
}

// ErrDiverged is the error of a replicator whose replica holds events the
// ledger does not: another ledger's replica, or the replica of this one
// before it was restored to an earlier moment.
var ErrDiverged = errors.New("the replica holds events this ledger does not")

// ErrIncomplete is the error of a restore from a replica that misses
// positions (segments deleted, or never a replica there).
var ErrIncomplete = errors.New("the replica is incomplete")
