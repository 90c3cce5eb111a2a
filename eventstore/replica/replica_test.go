package replica

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/minio/minio-go/v7"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/blobs/s3test"
	"github.com/interactionledger/ledger/eventstore/datakeys"
	"github.com/interactionledger/ledger/eventstore/sqlite"
	"github.com/interactionledger/ledger/eventstore/storetest"
)

var quiet = slog.New(slog.DiscardHandler)

// clock is a settable time for the stores' recorded_at.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Now().UnixNano())
	return c
}
func (c *clock) now() time.Time       { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) add(d time.Duration)  { c.ns.Add(int64(d)) }
func (c *clock) at() func() time.Time { return c.now }
func (c *clock) String() string       { return c.now().Format(time.RFC3339Nano) }
func newStore(t *testing.T, c *clock) *sqlite.Store {
	t.Helper()
	opts := []sqlite.Option{sqlite.WithLogger(quiet)}
	if c != nil {
		opts = append(opts, sqlite.WithClock(c.at()))
	}
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "events.db"), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// appendEvents appends n events spread over a few streams, each with
// data and metadata bytes of their own.
func appendEvents(t *testing.T, s eventstore.Store, c *clock, n int, tag string) {
	t.Helper()
	for i := range n {
		c.add(time.Millisecond)
		data := fmt.Sprintf(`{"n":%d,"tag":%q,"text":"héllo 世界"}`, i, tag)
		var meta []byte
		if i%3 == 0 {
			meta = []byte(`{"correlationId":"c-` + tag + `"}`)
		}
		_, err := s.Append(t.Context(), fmt.Sprintf("Stream-%d", i%5), eventstore.Any,
			[]eventstore.EventData{{ID: uuid.New(), Type: "Noted", Schema: 1 + i%2, Data: []byte(data), Metadata: meta}})
		if err != nil {
			t.Fatal(err)
		}
	}
}

type world struct {
	srv    *s3test.Server
	bucket string
	env    map[string]string
}

func newWorld(t *testing.T) *world {
	srv := s3test.Start(t)
	return &world{srv: srv, bucket: srv.NewBucket(t), env: map[string]string{"AWS_ACCESS_KEY_ID": srv.AccessKey, "AWS_SECRET_ACCESS_KEY": srv.SecretKey}}
}

func (w *world) spec(endpoint, prefix string) string {
	if endpoint == "" {
		endpoint = w.srv.Endpoint
	}
	return fmt.Sprintf("s3://%s/%s?endpoint=%s&secure=false", w.bucket, prefix, endpoint)
}

func (w *world) target(t *testing.T, endpoint, prefix string) *Target {
	t.Helper()
	tg, err := open(t.Context(), w.spec(endpoint, prefix), func(k string) string { return w.env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// sameEvents fails unless got is exactly want: ids, streams, versions,
// positions, types, schemas, bytes, times and hashes.
func sameEvents(t *testing.T, got, want []eventstore.RecordedEvent) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("restored %d events, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.ID != w.ID || g.Stream != w.Stream || g.Version != w.Version || g.Position != w.Position || g.Type != w.Type ||
			g.Schema != w.Schema || string(g.Data) != string(w.Data) || string(g.Metadata) != string(w.Metadata) ||
			!g.RecordedAt.Equal(w.RecordedAt) || g.PrevHash != w.PrevHash || g.Hash != w.Hash {
			t.Fatalf("event %d restored as\n%+v\nwant\n%+v", i, g, w)
		}
	}
}

func restoreInto(t *testing.T, tg *Target, asOf time.Time) (*sqlite.Store, Restored) {
	t.Helper()
	dst := newStore(t, nil)
	res, err := tg.Restore(t.Context(), asOf, dst, nil)
	if err != nil {
		t.Fatal(err)
	}
	return dst, res
}

func verifies(t *testing.T, s eventstore.Store) {
	t.Helper()
	rep, err := eventstore.Verify(t.Context(), s, nil)
	if err != nil || !rep.OK {
		t.Fatalf("verify the restored ledger: %+v, %v", rep, err)
	}
}

// segmentsOf lists the target's segments and fails unless they tile
// 1..last without gaps or overlaps.
func segmentsOf(t *testing.T, tg *Target, last uint64) []segment {
	t.Helper()
	segs, err := tg.segments(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	next := uint64(1)
	for _, s := range segs {
		if s.first != next {
			t.Fatalf("segment %s: want it to start at %d (segments %v)", s.name, next, segs)
		}
		next = s.last + 1
	}
	if next-1 != last {
		t.Fatalf("segments end at %d, want %d", next-1, last)
	}
	return segs
}

// TestReplicateAndRestore: what Sync ships restores to the same events
// and hashes, and the copy verifies.
func TestReplicateAndRestore(t *testing.T) {
	w := newWorld(t)
	c := newClock()
	src := newStore(t, c)
	tg := w.target(t, "", "ledger/replica")
	r, err := New(src, tg, Options{MaxEvents: 40, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	appendEvents(t, src, c, 100, "a")
	if err := r.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	appendEvents(t, src, c, 7, "b")
	if err := r.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	if r.Position() != 107 {
		t.Fatalf("position %d after Sync, want 107", r.Position())
	}
	if segs := segmentsOf(t, tg, 107); len(segs) != 4 { // 40, 40, 20, then 7
		t.Fatalf("%d segments, want 4 (the size bound cuts them)", len(segs))
	}
	dst, res := restoreInto(t, tg, time.Time{})
	if res.Events != 107 || res.Available != 107 {
		t.Fatalf("restored %+v, want 107 events", res)
	}
	sameEvents(t, storetest.ReadAll(t, dst), storetest.ReadAll(t, src))
	verifies(t, dst)
	// A replica missing a segment is refused, naming what is missing.
	segs := segmentsOf(t, tg, 107)
	if err := tg.remove(t.Context(), segs[1].name); err != nil {
		t.Fatal(err)
	}
	_, err = tg.Restore(t.Context(), time.Time{}, newStore(t, nil), nil)
	if !errors.Is(err, ErrIncomplete) || !strings.Contains(err.Error(), "positions 41 to 80 are missing") {
		t.Fatalf("restore without segment 41-80: %v, want ErrIncomplete naming them", err)
	}
	// Nothing of the replica lies outside its prefix.
	for obj := range w.srv.Client().ListObjects(t.Context(), w.bucket, minio.ListObjectsOptions{Recursive: true}) {
		if !strings.HasPrefix(obj.Key, "ledger/replica/segments/") {
			t.Errorf("object %s outside the replica's segments", obj.Key)
		}
	}
}

// TestRestoreAsOf: a restore to T holds exactly the events recorded up to
// T, and reads no segment recorded wholly after it.
func TestRestoreAsOf(t *testing.T) {
	w := newWorld(t)
	c := newClock()
	src := newStore(t, c)
	tg := w.target(t, "", "pitr")
	r, err := New(src, tg, Options{MaxEvents: 10, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	appendEvents(t, src, c, 25, "before")
	beforeT := storetest.ReadAll(t, src)
	asOf := c.now().Add(time.Second)
	c.add(2 * time.Second)
	appendEvents(t, src, c, 30, "after")
	if err := r.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	dst, res := restoreInto(t, tg, asOf)
	sameEvents(t, storetest.ReadAll(t, dst), beforeT)
	verifies(t, dst)
	if res.Events != 25 || res.Available != 55 || !res.LastAt.Equal(beforeT[24].RecordedAt) {
		t.Fatalf("restored %+v, want 25 of 55 events, the last recorded %s", res, beforeT[24].RecordedAt)
	}
	// Segments 1-10, 11-20, 21-30 (read, then cut at 25); 31-40 and on
	// start after T and are not read.
	if res.Segments != 3 {
		t.Fatalf("read %d segments, want 3", res.Segments)
	}
	// At the recording time of an event itself, that event is in.
	dst, _ = restoreInto(t, tg, beforeT[9].RecordedAt)
	sameEvents(t, storetest.ReadAll(t, dst), beforeT[:10])
	// Before the first event: an empty ledger.
	if _, res := restoreInto(t, tg, beforeT[0].RecordedAt.Add(-time.Nanosecond)); res.Events != 0 {
		t.Fatalf("restored %d events from before the first", res.Events)
	}
}

// TestRestartResumes: a new replicator on the same replica carries on
// from its last segment, without gaps or duplicates, and one pointed at a
// replica of another ledger refuses.
func TestRestartResumes(t *testing.T) {
	w := newWorld(t)
	c := newClock()
	src := newStore(t, c)
	tg := w.target(t, "", "resume")
	for round := range 3 {
		appendEvents(t, src, c, 15+round, fmt.Sprint(round))
		r, err := New(src, tg, Options{Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Sync(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	segmentsOf(t, tg, 15+16+17)
	dst, _ := restoreInto(t, tg, time.Time{})
	sameEvents(t, storetest.ReadAll(t, dst), storetest.ReadAll(t, src))

	oc := newClock()
	other := newStore(t, oc)
	appendEvents(t, other, oc, 60, "other")
	r, err := New(other, tg, Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Sync(t.Context()); !errors.Is(err, ErrDiverged) {
		t.Fatalf("replicating another ledger to the replica: %v, want ErrDiverged", err)
	}
}

// proxy forwards TCP to an address until it is taken down: then it cuts
// every connection and refuses new ones (they are closed at once).
type proxy struct {
	ln    net.Listener
	to    string
	down  atomic.Bool
	mu    sync.Mutex
	conns map[net.Conn]bool
}

func startProxy(t *testing.T, to string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, to: to, conns: map[net.Conn]bool{}}
	t.Cleanup(func() { _ = ln.Close(); p.cut() })
	go p.serve()
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if p.down.Load() {
			_ = c.Close()
			continue
		}
		go p.forward(c)
	}
}

func (p *proxy) forward(c net.Conn) {
	up, err := net.Dial("tcp", p.to)
	if err != nil {
		_ = c.Close()
		return
	}
	p.mu.Lock()
	p.conns[c], p.conns[up] = true, true
	p.mu.Unlock()
	go func() { _, _ = io.Copy(up, c); _ = up.Close() }()
	_, _ = io.Copy(c, up)
	_ = c.Close()
}

func (p *proxy) setDown(down bool) {
	p.down.Store(down)
	if down {
		p.cut()
	}
}

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		_ = c.Close()
		delete(p.conns, c)
	}
}

// TestCatchesUpAfterTheStoreWasDown: while S3 cannot be reached the
// replicator counts its failures and retries; once it is back, it ships
// everything recorded meanwhile, without gaps or duplicates.
func TestCatchesUpAfterTheStoreWasDown(t *testing.T) {
	w := newWorld(t)
	p := startProxy(t, w.srv.Endpoint)
	c := newClock()
	src := newStore(t, c)
	tg := w.target(t, p.addr(), "outage")
	reg := prometheus.NewRegistry()
	r, err := New(src, tg, Options{Every: 20 * time.Millisecond, MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, MaxEvents: 50, Registerer: reg, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	defer func() { cancel(); <-done }()

	appendEvents(t, src, c, 30, "up")
	waitPosition(t, r, 30)
	p.setDown(true)
	appendEvents(t, src, c, 120, "down")
	deadline := time.Now().Add(20 * time.Second)
	for value(t, r.metrics.errors) < 3 {
		if time.Now().After(deadline) {
			t.Fatal("no failed attempts counted while S3 was down")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if r.Position() != 30 {
		t.Fatalf("position %d while S3 was down, want 30", r.Position())
	}
	if lag := value(t, r.metrics.lag); lag != 120 {
		t.Fatalf("ledger_replica_lag_events %v while S3 was down, want 120", lag)
	}
	p.setDown(false)
	waitPosition(t, r, 150)
	if got := value(t, r.metrics.position); got != 150 {
		t.Fatalf("ledger_replica_position %v, want 150", got)
	}
	for deadline := time.Now().Add(10 * time.Second); value(t, r.metrics.lag) != 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("ledger_replica_lag_events %v once caught up, want 0", value(t, r.metrics.lag))
		}
	}
	segmentsOf(t, tg, 150)
	dst, _ := restoreInto(t, w.target(t, "", "outage"), time.Time{})
	sameEvents(t, storetest.ReadAll(t, dst), storetest.ReadAll(t, src))
	verifies(t, dst)
}

func waitPosition(t *testing.T, r *Replicator, want uint64) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for r.Position() < want {
		if time.Now().After(deadline) {
			t.Fatalf("the replicator reached %d in a minute, want %d", r.Position(), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestDataKeysAndErasures: the replica of an encrypted ledger carries its
// wrapped data keys and erasures; a restore to T opens what was sealed
// with a key made by then, keeps an erasure made before T, and an erased
// customer's wrapped key is gone from the replica once the erasure is
// shipped.
func TestDataKeysAndErasures(t *testing.T) {
	w := newWorld(t)
	c := newClock()
	src := newStore(t, c)
	secret := make([]byte, 32)
	secret[0] = 7
	master, err := datakeys.NewLocalMaster(secret)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := datakeys.Open(t.Context(), filepath.Join(t.TempDir(), "datakeys.db"), master)
	if err != nil {
		t.Fatal(err)
	}
	defer keys.Close()
	seal := func(customer, text string) {
		sealed, err := keys.Seal(t.Context(), customer, text)
		if err != nil {
			t.Fatal(err)
		}
		data := fmt.Sprintf(`{"customerId":%q,"name":%q}`, customer, sealed)
		if _, err := src.Append(t.Context(), "Customer-"+customer, eventstore.Any, []eventstore.EventData{{ID: uuid.New(), Type: "CustomerRegistered", Schema: 1, Data: []byte(data)}}); err != nil {
			t.Fatal(err)
		}
	}
	tg := w.target(t, "", "keys")
	r, err := New(src, tg, Options{Keys: keys, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	seal("kept", "Ada")
	seal("erased", "Bob")
	if err := r.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	// The key store stamps keys and erasures with the wall clock.
	if err := keys.Erase(t.Context(), "erased", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := r.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond)
	asOf := time.Now()
	time.Sleep(2 * time.Millisecond)
	c.ns.Store(time.Now().UnixNano())
	seal("later", "Cy")
	if err := r.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}

	// No key object of the replica still holds the erased customer's key.
	objs, err := tg.keyObjects(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	byCustomer, err := tg.readKeyObjects(t.Context(), objs)
	if err != nil {
		t.Fatal(err)
	}
	if k := byCustomer["erased"]; k.Wrapped != nil || k.ErasedAt == 0 {
		t.Fatalf("the replica keeps %+v for the erased customer", k)
	}
	for _, o := range objs {
		body, err := tg.get(t.Context(), o.name)
		if err != nil {
			t.Fatal(err)
		}
		err = readLines(body, func(k wireKey) (bool, error) {
			if k.Customer == "erased" && k.Wrapped != nil {
				return false, fmt.Errorf("%s still holds the erased customer's wrapped key", o.name)
			}
			return true, nil
		})
		body.Close()
		if err != nil {
			t.Fatal(err)
		}
	}

	rows, err := tg.KeyRows(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	restoredKeys, err := datakeys.Open(t.Context(), filepath.Join(t.TempDir(), "datakeys.db"), master)
	if err != nil {
		t.Fatal(err)
	}
	defer restoredKeys.Close()
	if err := restoredKeys.PutRows(t.Context(), rows); err != nil {
		t.Fatal(err)
	}
	dst, res := restoreInto(t, tg, asOf)
	if res.Events != 2 {
		t.Fatalf("restored %d events to T, want 2", res.Events)
	}
	verifies(t, dst)
	events := storetest.ReadAll(t, dst)
	name := func(e eventstore.RecordedEvent) string {
		_, sealed, _ := strings.Cut(string(e.Data), `"name":"`)
		return strings.TrimSuffix(sealed, `"}`)
	}
	k, err := restoredKeys.Lookup(t.Context(), "kept")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := k.Open(name(events[0])); err != nil || got != "Ada" {
		t.Fatalf("the restored ledger reads %q, %v; want Ada", got, err)
	}
	if _, err := restoredKeys.Lookup(t.Context(), "erased"); !errors.Is(err, datakeys.ErrErased) {
		t.Fatalf("the customer erased before T: %v, want ErrErased", err)
	}
	// A key made after T is kept (see KeyRows): no restored event uses it.
	if _, err := restoredKeys.Lookup(t.Context(), "later"); err != nil {
		t.Fatalf("the key made after T: %v, want it kept", err)
	}
}

func value(t *testing.T, m prometheus.Metric) float64 {
	t.Helper()
	var out dto.Metric
	if err := m.Write(&out); err != nil {
		t.Fatal(err)
	}
	if out.Counter != nil {
		return out.Counter.GetValue()
	}
	return out.Gauge.GetValue()
}

// TestShipsSoonerWhenASegmentIsFull: with a long interval, a full
// segment's worth of new events is shipped without waiting for it.
func TestShipsSoonerWhenASegmentIsFull(t *testing.T) {
	w := newWorld(t)
	c := newClock()
	src := newStore(t, c)
	r, err := New(src, w.target(t, "", "sooner"), Options{Every: time.Hour, MaxEvents: 20, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	defer func() { cancel(); <-done }()
	time.Sleep(time.Second) // Run's first Sync, of the empty ledger
	appendEvents(t, src, c, 19, "short")
	time.Sleep(500 * time.Millisecond)
	if r.Position() != 0 {
		t.Fatalf("shipped %d events of a segment not yet full", r.Position())
	}
	// The 20th event fills a segment, which ships without waiting for
	// Every. The events are appended one by one, so the replicator may
	// wake on the 20th and leave the last 5 for the next full segment or
	// Every: the full segment is what must ship now.
	appendEvents(t, src, c, 6, "full")
	waitPosition(t, r, 20)
}

// TestEncryptedBeforeTheFirstKey: the replica of an encrypted ledger that
// has made no data key yet says it is encrypted (so a restore makes the
// key store and the ledger goes on sealing); one of a ledger in clear
// does not.
func TestEncryptedBeforeTheFirstKey(t *testing.T) {
	w := newWorld(t)
	c := newClock()
	master, err := datakeys.NewLocalMaster(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := datakeys.Open(t.Context(), filepath.Join(t.TempDir(), "datakeys.db"), master)
	if err != nil {
		t.Fatal(err)
	}
	defer keys.Close()
	for _, tc := range []struct {
		prefix string
		keys   *datakeys.Store
		want   bool
	}{{"young", keys, true}, {"clear", nil, false}} {
		src := newStore(t, c)
		appendEvents(t, src, c, 3, tc.prefix)
		tg := w.target(t, "", tc.prefix)
		opts := Options{Logger: quiet}
		if tc.keys != nil {
			opts.Keys = tc.keys
		}
		r, err := New(src, tg, opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Sync(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got, err := tg.Encrypted(t.Context()); err != nil || got != tc.want {
			t.Errorf("%s: Encrypted = %v, %v; want %v", tc.prefix, got, err, tc.want)
		}
	}
}

// TestLastAttemptOnlyWhenStopping: when Run's context ends because the
// process stops, it ships what is left; when a lease ended it (another
// node ships now), it ships nothing more.
func TestLastAttemptOnlyWhenStopping(t *testing.T) {
	w := newWorld(t)
	c := newClock()
	for _, tc := range []struct {
		name     string
		stopping bool
	}{{"stopping", true}, {"lease-lost", false}} {
		src := newStore(t, c)
		appendEvents(t, src, c, 3, tc.name)
		r, err := New(src, w.target(t, "", tc.name), Options{Logger: quiet, Stopping: func() bool { return tc.stopping }})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Sync(t.Context()); err != nil {
			t.Fatal(err)
		}
		shipped := r.Position()
		appendEvents(t, src, c, 4, tc.name+"-late")
		ended, cancel := context.WithCancel(t.Context())
		cancel()
		if err := r.Run(ended); err != nil {
			t.Fatal(err)
		}
		head, err := src.HeadPosition(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		want := shipped
		if tc.stopping {
			want = head
		}
		if r.Position() != want {
			t.Errorf("%s: shipped up to %d after Run ended, want %d (head %d)", tc.name, r.Position(), want, head)
		}
	}
}
