// Package blobs owns the contents of attachments: the files customers
// send and agents attach. The ledger's events keep a reference (hash,
// name, sniffed type, size); the bytes are here.
//
// A blob is addressed by its customer and the SHA-256 of its content, so
// a file sent twice is stored once. It is sealed with the customer's data
// key (package datakeys) in age's streaming format, so erasing the
// customer makes their files unreadable with the rest of their personal
// data, and contents are streamed both ways in 64 KiB chunks: no file is
// ever held whole in memory. Where the sealed objects live is a Backend: a
// directory under the data directory, or an S3-compatible object store.
// A Store given a Scanner (clamd) scans each content in the same pass and
// keeps nothing of what is infected.
package blobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"regexp"

	"filippo.io/age"

	"github.com/interactionledger/ledger/eventstore/datakeys"
)

// Ref is what an event keeps of a blob.
type Ref struct {
	SHA256      string // hex, of the content
	Size        int64  // bytes of content
	ContentType string // sniffed from the content, never taken from the sender
	// Infected names the malware signature the content matched: it was
	// not stored, and the file is quarantined. Empty when clean.
	Infected string
	// Scanned: the content went through the Store's scanner. False when
	// the Store has none.
	Scanned bool
}

// Backend keeps sealed objects. Put and Open name an object by key
// (ObjectKey); Put must be atomic (a reader finds the whole object or
// none) and keeps an object that exists already, whose content is the
// same by construction.
type Backend interface {
	// Stage writes r to a new staging object and returns its name.
	Stage(ctx context.Context, r io.Reader) (string, error)
	// Commit makes a staged object the object key; when key exists, the
	// staged one is discarded instead.
	Commit(ctx context.Context, staged, key string) error
	// Discard removes a staged object.
	Discard(ctx context.Context, staged string) error
	// Open reads an object: ErrNotFound when there is none.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// DeleteCustomer removes every object of a customer (erasure).
	DeleteCustomer(ctx context.Context, customerID string) error
}

// Keys gives customers' data keys (datakeys.Store).
type Keys interface {
	KeyFor(ctx context.Context, customerID string) (datakeys.Key, error)
	Lookup(ctx context.Context, customerID string) (datakeys.Key, error)
}

// Errors callers branch on. A blob of an erased customer fails with
// datakeys.ErrErased.
var (
	ErrNotFound = errors.New("blob not found")
	ErrInvalid  = errors.New("invalid blob reference")
	// ErrScanUnavailable: the malware scanner could not scan the content,
	// which was not stored. The put can be tried again later.
	ErrScanUnavailable = errors.New("malware scan unavailable")
)

// TooLargeError is the error for content over the limit Put was given.
type TooLargeError struct{ Limit int64 }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("attachment larger than the limit of %d bytes", e.Limit)
}

// Store seals contents into a Backend and opens them again.
type Store struct {
	backend Backend
	keys    Keys
	scanner Scanner
}

// Option configures a Store.
type Option func(*Store)

// WithScanner has every Put scan its content with sc.
func WithScanner(sc Scanner) Option { return func(s *Store) { s.scanner = sc } }

// New returns a Store over backend, sealing with keys.
func New(backend Backend, keys Keys, opts ...Option) *Store {
	s := &Store{backend: backend, keys: keys}
	for _, o := range opts {
		o(s)
	}
	return s
}

var (
	customerIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$`)
	sha256Pattern     = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// ObjectKey is where a customer's blob lives in a Backend:
// "customerID/sha256". Both parts are checked, so that no reference a
// client sends can name anything else.
func ObjectKey(customerID, sha string) (string, error) {
	if !customerIDPattern.MatchString(customerID) || !sha256Pattern.MatchString(sha) {
		return "", fmt.Errorf("%w: customer %q, sha256 %q", ErrInvalid, customerID, sha)
	}
	return customerID + "/" + sha, nil
}

// Put reads r to its end, at most limit bytes, and stores it sealed for
// the customer: a *TooLargeError past the limit, with nothing stored.
//
// With a scanner (WithScanner), the content goes to it in the same pass
// as it is hashed, sealed and staged, never held whole. Infected content
// is not stored: Put returns its Ref with Infected naming the signature
// and no error, for the caller to record the file as quarantined. A
// scanner that fails (clamd down, its stream limit) fails the Put with an
// error wrapping ErrScanUnavailable, so that the channel does not
// acknowledge the message and its sender tries again later.
func (s *Store) Put(ctx context.Context, customerID string, r io.Reader, limit int64) (Ref, error) {
	if !customerIDPattern.MatchString(customerID) {
		return Ref{}, fmt.Errorf("%w: customer %q", ErrInvalid, customerID)
	}
	key, err := s.keys.KeyFor(ctx, customerID)
	if err != nil {
		return Ref{}, fmt.Errorf("store a blob of %s: %w", customerID, err)
	}
	work, cancel := context.WithCancel(ctx)
	defer cancel()
	fail := &failure{}
	fail.onFirst(func(error) { cancel() })

	sealed, sealing := io.Pipe()
	fail.onFirst(func(err error) { _ = sealed.CloseWithError(err) })
	content := newMeasured(io.LimitReader(r, limit+1))
	var src io.Reader = content
	var scan *scanning
	if s.scanner != nil {
		scan = s.startScan(ctx, work, fail)
		src = io.TeeReader(content, scan.feed)
	}
	sealDone := make(chan struct{})
	go func() {
		defer close(sealDone)
		err := seal(sealing, src, key)
		if err == nil && content.n > limit {
			err = &TooLargeError{Limit: limit}
		}
		if err != nil {
			fail.record(err) // before the others learn of it, so that it is the cause
		}
		_ = sealing.CloseWithError(err) // the stage fails with it, or ends at EOF
		if scan != nil {
			_ = scan.feed.CloseWithError(err)
		}
	}()
	staged, err := s.backend.Stage(work, sealed)
	if err != nil {
		fail.record(err)
	}
	_ = sealed.CloseWithError(io.ErrClosedPipe) // a stage that returned reads no more
	<-sealDone
	ref := Ref{SHA256: hex.EncodeToString(content.hash.Sum(nil)), Size: content.n, ContentType: http.DetectContentType(content.head)}
	if scan != nil {
		ref.Infected, ref.Scanned = <-scan.result, true
	}
	if err := s.settle(ctx, customerID, staged, ref, fail.cause()); err != nil {
		return Ref{}, fmt.Errorf("store a blob of %s: %w", customerID, err)
	}
	return ref, nil
}

// settle ends a Put's pass: the staged object is committed when the pass
// succeeded and the content is clean, and discarded otherwise (infected
// content is quarantined by the caller, from its Ref; nothing is stored).
func (s *Store) settle(ctx context.Context, customerID, staged string, ref Ref, cause error) error {
	if cause == nil && ref.Infected == "" {
		objectKey, _ := ObjectKey(customerID, ref.SHA256)
		if cause = s.backend.Commit(ctx, staged, objectKey); cause == nil {
			return nil
		}
	}
	if staged != "" {
		_ = s.backend.Discard(context.WithoutCancel(ctx), staged)
	}
	return cause
}

// seal writes content to w, sealed for the key's customer.
func seal(w io.Writer, content io.Reader, key datakeys.Key) error {
	enc, err := age.Encrypt(w, recipient{key})
	if err != nil {
		return err
	}
	if _, err := io.Copy(enc, content); err != nil {
		return err
	}
	return enc.Close()
}

// Open returns the content of a customer's blob. It is read and checked as
// it streams: a reader that reaches the end without an error had the
// content whose hash it asked for. datakeys.ErrErased once the customer
// was erased; ErrNotFound when there is no such blob.
func (s *Store) Open(ctx context.Context, customerID, sha string) (io.ReadCloser, error) {
	objectKey, err := ObjectKey(customerID, sha)
	if err != nil {
		return nil, err
	}
	key, err := s.keys.Lookup(ctx, customerID)
	if errors.Is(err, datakeys.ErrNoKey) {
		return nil, fmt.Errorf("blob %s: %w", objectKey, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", objectKey, err)
	}
	obj, err := s.backend.Open(ctx, objectKey)
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", objectKey, err)
	}
	plain, err := age.Decrypt(obj, identity{key})
	if err != nil {
		_ = obj.Close()
		return nil, fmt.Errorf("blob %s: %w", objectKey, err)
	}
	return &checked{r: plain, closer: obj, hash: sha256.New(), want: sha, name: objectKey}, nil
}

// Erase removes every blob of a customer. Their data key is destroyed by
// the erasure itself (datakeys.Store.Erase), which already leaves the
// blobs unreadable; this frees their space.
func (s *Store) Erase(ctx context.Context, customerID string) error {
	if !customerIDPattern.MatchString(customerID) {
		return fmt.Errorf("%w: customer %q", ErrInvalid, customerID)
	}
	if err := s.backend.DeleteCustomer(ctx, customerID); err != nil {
		return fmt.Errorf("erase the blobs of %s: %w", customerID, err)
	}
	return nil
}

// DescribeContent reads content through to its end and returns what an event
// would keep of it, without keeping it (a ledger in clear keeps files'
// descriptions only): a *TooLargeError past limit.
func DescribeContent(r io.Reader, limit int64) (Ref, error) {
	content := newMeasured(io.LimitReader(r, limit+1))
	if _, err := io.Copy(io.Discard, content); err != nil {
		return Ref{}, fmt.Errorf("describe a file: %w", err)
	}
	if content.n > limit {
		return Ref{}, &TooLargeError{Limit: limit}
	}
	return Ref{SHA256: hex.EncodeToString(content.hash.Sum(nil)), Size: content.n, ContentType: http.DetectContentType(content.head)}, nil
}

// sniffBytes is how much of the content http.DetectContentType reads.
const sniffBytes = 512

// measured hashes and counts what is read through it, and keeps the
// first sniffBytes for the type.
type measured struct {
	r    io.Reader
	hash hash.Hash
	n    int64
	head []byte
}

func newMeasured(r io.Reader) *measured {
	return &measured{r: r, hash: sha256.New(), head: make([]byte, 0, sniffBytes)}
}

func (m *measured) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	m.hash.Write(p[:n])
	m.n += int64(n)
	if room := sniffBytes - len(m.head); room > 0 {
		m.head = append(m.head, p[:min(n, room)]...)
	}
	return n, err
}

// checked hashes the content as it is read and fails the read that
// reaches the end when the hash is not the one asked for.
type checked struct {
	r      io.Reader
	closer io.Closer
	hash   hash.Hash
	want   string
	name   string
}

func (c *checked) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.hash.Write(p[:n])
	if errors.Is(err, io.EOF) {
		if got := hex.EncodeToString(c.hash.Sum(nil)); got != c.want {
			return n, fmt.Errorf("blob %s: content hashes to %s: the object is not the blob", c.name, got)
		}
	}
	return n, err
}

func (c *checked) Close() error { return c.closer.Close() }

// SHA256Hex is the hex SHA-256 of b, as a Ref names content.
func SHA256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
