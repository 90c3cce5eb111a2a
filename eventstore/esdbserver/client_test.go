package esdbserver_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/esdbserver"
	"github.com/interactionledger/ledger/eventstore/sqlite"
	"github.com/interactionledger/ledger/internal/testcert"
)

// endpoint starts the protocol endpoint over a fresh SQLite ledger.
func endpoint(t *testing.T, cfg esdbserver.Config, opts ...grpc.ServerOption) (host string, port int, store *sqlite.Store) {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "ledger.db"))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port = ln.Addr().(*net.TCPAddr).Port
	cfg.Store, cfg.AdvertiseHost, cfg.AdvertisePort = store, "127.0.0.1", uint32(port)
	g := esdbserver.New(cfg).NewGRPCServer(opts...)
	go g.Serve(ln)
	t.Cleanup(func() {
		g.Stop()
		store.Close()
	})
	return "127.0.0.1", port, store
}

func connect(t *testing.T, url string) *client.Client {
	t.Helper()
	conf, err := client.ParseConnectionString(url)
	if err != nil {
		t.Fatal(err)
	}
	conf.Logger = func(client.LogLevel, string, ...any) {}
	c, err := client.NewClient(conf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func insecureClient(t *testing.T) (*client.Client, *sqlite.Store) {
	host, port, store := endpoint(t, esdbserver.Config{})
	return connect(t, fmt.Sprintf("esdb://%s:%d?tls=false", host, port)), store
}

func jsonEvent(typ string, n int) client.EventData {
	return client.EventData{EventID: uuid.New(), EventType: typ, ContentType: client.ContentTypeJson,
		Data: []byte(fmt.Sprintf(`{"n":%d}`, n)), Metadata: []byte(`{"actor":"client:test"}`)}
}

func TestOfficialClientAppendsWithEveryExpectedRevision(t *testing.T) {
	c, store := insecureClient(t)
	ctx := t.Context()
	steps := []struct {
		name     string
		expected client.ExpectedRevision
		wantNext uint64
		conflict bool
	}{
		{"no stream on a new stream", client.NoStream{}, 0, false},
		{"no stream again", client.NoStream{}, 0, true},
		{"exact revision 0", client.Revision(0), 1, false},
		{"stale revision 0", client.Revision(0), 0, true},
		{"any", client.Any{}, 2, false},
		{"stream exists", client.StreamExists{}, 3, false},
	}
	for i, st := range steps {
		res, err := c.AppendToStream(ctx, "orders-1", client.AppendToStreamOptions{ExpectedRevision: st.expected}, jsonEvent("Noted", i))
		if st.conflict {
			if code(err) != client.ErrorCodeWrongExpectedVersion {
				t.Fatalf("%s: err = %v, want the client's wrong-expected-version error", st.name, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if res.NextExpectedVersion != st.wantNext {
			t.Fatalf("%s: next expected version %d, want %d", st.name, res.NextExpectedVersion, st.wantNext)
		}
	}
	_, err := c.AppendToStream(ctx, "missing", client.AppendToStreamOptions{ExpectedRevision: client.StreamExists{}}, jsonEvent("Noted", 9))
	if code(err) != client.ErrorCodeWrongExpectedVersion {
		t.Fatalf("stream exists on a missing stream: %v, want wrong expected version", err)
	}
	// What other clients write is chained by the ledger like its own.
	rep, err := eventstore.Verify(ctx, store, nil)
	if err != nil || !rep.OK || rep.CheckedEvents != 4 {
		t.Fatalf("verify = %+v, %v; want 4 good events", rep, err)
	}
}

func readAllOf(t *testing.T, open func() (*client.ReadStream, error)) []*client.RecordedEvent {
	t.Helper()
	rs, err := open()
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var out []*client.RecordedEvent
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev.Event)
	}
}

func TestOfficialClientReadsForwardsAndBackwards(t *testing.T) {
	c, _ := insecureClient(t)
	ctx := t.Context()
	var ids []uuid.UUID
	for i := range 10 {
		ev := jsonEvent("Noted", i)
		ids = append(ids, ev.EventID)
		stream := []string{"a", "b"}[i%2]
		if _, err := c.AppendToStream(ctx, stream, client.AppendToStreamOptions{}, ev); err != nil {
			t.Fatal(err)
		}
	}
	fwd := readAllOf(t, func() (*client.ReadStream, error) {
		return c.ReadStream(ctx, "a", client.ReadStreamOptions{From: client.Revision(1)}, 3)
	})
	if len(fwd) != 3 || fwd[0].EventID != ids[2] || fwd[0].EventNumber != 1 || fwd[2].EventNumber != 3 {
		t.Fatalf("forwards from revision 1: %d events, first %v", len(fwd), fwd)
	}
	back := readAllOf(t, func() (*client.ReadStream, error) {
		return c.ReadStream(ctx, "b", client.ReadStreamOptions{Direction: client.Backwards, From: client.End{}}, 2)
	})
	if len(back) != 2 || back[0].EventID != ids[9] || back[1].EventID != ids[7] {
		t.Fatalf("backwards from the end of b: %v", back)
	}
	all := readAllOf(t, func() (*client.ReadStream, error) {
		return c.ReadAll(ctx, client.ReadAllOptions{From: client.Start{}}, 100)
	})
	if len(all) != 10 || all[0].EventID != ids[0] || all[9].Position.Commit != 10 {
		t.Fatalf("$all forwards: %d events", len(all))
	}
	if string(all[3].UserMetadata) == "" || !strings.Contains(string(all[3].UserMetadata), `"metadata":{"actor":"client:test"}`) {
		t.Fatalf("custom metadata %s does not carry the event's metadata", all[3].UserMetadata)
	}
	if d := time.Since(all[0].CreatedDate); d < 0 || d > time.Minute {
		t.Fatalf("created %v is not the recording time", all[0].CreatedDate)
	}
	allBack := readAllOf(t, func() (*client.ReadStream, error) {
		return c.ReadAll(ctx, client.ReadAllOptions{Direction: client.Backwards, From: client.End{}}, 3)
	})
	if len(allBack) != 3 || allBack[0].EventID != ids[9] || allBack[2].EventID != ids[7] {
		t.Fatalf("$all backwards: %v", allBack)
	}
	from := readAllOf(t, func() (*client.ReadStream, error) {
		return c.ReadAll(ctx, client.ReadAllOptions{From: all[4].Position}, 2)
	})
	if len(from) != 2 || from[0].EventID != ids[4] {
		t.Fatalf("$all forwards from the 5th event's position: %v", from)
	}
	rs, err := c.ReadStream(ctx, "never-written", client.ReadStreamOptions{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rs.Recv(); err == nil {
		t.Fatal("reading a stream never written gave an event")
	} else if code(err) != client.ErrorCodeResourceNotFound {
		t.Fatalf("reading a stream never written: %v, want not found", err)
	}
}

// nextEvent waits for the subscription's next event, skipping checkpoints
// and the caught-up notice.
func nextEvent(t *testing.T, sub *client.Subscription) *client.RecordedEvent {
	t.Helper()
	for {
		ev := sub.Recv()
		if ev.SubscriptionDropped != nil {
			t.Fatalf("subscription dropped: %v", ev.SubscriptionDropped.Error)
		}
		if ev.EventAppeared != nil {
			return ev.EventAppeared.Event
		}
	}
}

func TestOfficialClientCatchUpSubscriptionGoesLive(t *testing.T) {
	c, _ := insecureClient(t)
	ctx := t.Context()
	for i := range 5 {
		if _, err := c.AppendToStream(ctx, fmt.Sprintf("s-%d", i), client.AppendToStreamOptions{}, jsonEvent("Noted", i)); err != nil {
			t.Fatal(err)
		}
	}
	sub, err := c.SubscribeToAll(ctx, client.SubscribeToAllOptions{From: client.Start{}})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	for i := range 5 {
		if ev := nextEvent(t, sub); ev.Position.Commit != uint64(i+1) {
			t.Fatalf("catch-up event %d at position %d", i, ev.Position.Commit)
		}
	}
	live := jsonEvent("Noted", 99)
	if _, err := c.AppendToStream(ctx, "late", client.AppendToStreamOptions{}, live); err != nil {
		t.Fatal(err)
	}
	if ev := nextEvent(t, sub); ev.EventID != live.EventID || ev.Position.Commit != 6 {
		t.Fatalf("live event %s at %d, want %s at 6", ev.EventID, ev.Position.Commit, live.EventID)
	}
}

func TestOfficialClientFilteredSubscriptions(t *testing.T) {
	c, _ := insecureClient(t)
	ctx := t.Context()
	for i := range 50 {
		stream, typ := "ticket-"+fmt.Sprint(i), "TicketOpened"
		if i%10 == 0 {
			stream, typ = "customer-"+fmt.Sprint(i), "CustomerRegistered"
		}
		if _, err := c.AppendToStream(ctx, stream, client.AppendToStreamOptions{}, jsonEvent(typ, i)); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name   string
		filter *client.SubscriptionFilter
	}{
		{"stream prefix", &client.SubscriptionFilter{Type: client.StreamFilterType, Prefixes: []string{"customer-"}}},
		{"event type regex", &client.SubscriptionFilter{Type: client.EventFilterType, Regex: "^Customer"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sub, err := c.SubscribeToAll(ctx, client.SubscribeToAllOptions{From: client.Start{}, Filter: tc.filter})
			if err != nil {
				t.Fatal(err)
			}
			defer sub.Close()
			checkpoints := 0
			for got := 0; got < 5; {
				ev := sub.Recv()
				switch {
				case ev.SubscriptionDropped != nil:
					t.Fatal(ev.SubscriptionDropped.Error)
				case ev.CheckPointReached != nil:
					checkpoints++
				case ev.EventAppeared != nil:
					if e := ev.EventAppeared.Event; e.EventType != "CustomerRegistered" || e.Position.Commit != uint64(got*10+1) {
						t.Fatalf("filtered event %d: %s at %d", got, e.EventType, e.Position.Commit)
					}
					got++
				}
			}
			if checkpoints == 0 {
				t.Fatal("no checkpoint through 45 skipped events")
			}
		})
	}
	// The ledger's own subscription excludes system events the same way.
	sub, err := c.SubscribeToAll(ctx, client.SubscribeToAllOptions{From: client.Start{}, Filter: client.ExcludeSystemEventsFilter()})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if ev := nextEvent(t, sub); ev.Position.Commit != 1 {
		t.Fatalf("exclude-system filter starts at %d", ev.Position.Commit)
	}
}

func TestOfficialClientCannotDelete(t *testing.T) {
	c, store := insecureClient(t)
	ctx := t.Context()
	if _, err := c.AppendToStream(ctx, "kept", client.AppendToStreamOptions{}, jsonEvent("Noted", 1)); err != nil {
		t.Fatal(err)
	}
	_, err := c.DeleteStream(ctx, "kept", client.DeleteStreamOptions{})
	if code(err) != client.ErrorCodeAccessDenied {
		t.Fatalf("delete: %v, want access denied", err)
	}
	_, err = c.TombstoneStream(ctx, "kept", client.TombstoneStreamOptions{})
	if code(err) != client.ErrorCodeAccessDenied {
		t.Fatalf("tombstone: %v, want access denied", err)
	}
	if h, _ := store.HeadPosition(ctx); h != 1 {
		t.Fatalf("head %d after refused deletes, want 1", h)
	}
}

func TestCredentialsAreCheckedOverTLS(t *testing.T) {
	users := map[string]struct {
		password string
		perm     esdbserver.Permission
	}{
		"admin":   {"admin-secret", esdbserver.Permission{Read: true, Append: true}},
		"auditor": {"auditor-secret", esdbserver.Permission{Read: true}},
		"agent":   {"agent-secret", esdbserver.Permission{}},
	}
	check := func(_ context.Context, user, password string) (esdbserver.Permission, error) {
		u, ok := users[user]
		if !ok || u.password != password {
			return esdbserver.Permission{}, esdbserver.ErrBadCredentials
		}
		return u.perm, nil
	}
	host, port, _ := endpoint(t, esdbserver.Config{Check: check}, grpc.Creds(credentials.NewTLS(testcert.SelfSigned(t).ServerConfig())))
	as := func(user, password string) *client.Client {
		return connect(t, fmt.Sprintf("esdb://%s:%s@%s:%d?tls=true&tlsVerifyCert=false", user, password, host, port))
	}
	ctx := t.Context()
	appendAs := func(c *client.Client) error {
		_, err := c.AppendToStream(ctx, "secured", client.AppendToStreamOptions{}, jsonEvent("Noted", 1))
		return err
	}
	readAs := func(c *client.Client) error {
		rs, err := c.ReadAll(ctx, client.ReadAllOptions{}, 10)
		if err != nil {
			return err
		}
		defer rs.Close()
		for {
			if _, err := rs.Recv(); err != nil {
				if errors.Is(err, io.EOF) {
					return nil
				}
				return err
			}
		}
	}
	cases := []struct {
		who              string
		c                *client.Client
		appendErr, readE client.ErrorCode
	}{
		{"admin", as("admin", "admin-secret"), -1, -1},
		{"auditor", as("auditor", "auditor-secret"), client.ErrorCodeAccessDenied, -1},
		{"agent", as("agent", "agent-secret"), client.ErrorCodeAccessDenied, client.ErrorCodeAccessDenied},
		{"wrong password", as("admin", "guess"), client.ErrorCodeUnauthenticated, client.ErrorCodeUnauthenticated},
		{"no credentials", connect(t, fmt.Sprintf("esdb://%s:%d?tls=true&tlsVerifyCert=false", host, port)), client.ErrorCodeUnauthenticated, client.ErrorCodeUnauthenticated},
	}
	for _, tc := range cases {
		if err := appendAs(tc.c); code(err) != tc.appendErr {
			t.Errorf("%s appends: code %d, want %d (%v)", tc.who, code(err), tc.appendErr, err)
		}
		if got := code(readAs(tc.c)); got != tc.readE {
			t.Errorf("%s reads: code %d, want %d", tc.who, got, tc.readE)
		}
	}
}

// code is the client's error code for err, -1 for none.
func code(err error) client.ErrorCode {
	var e *client.Error
	switch {
	case err == nil:
		return -1
	case errors.As(err, &e):
		return e.Code()
	}
	return client.ErrorCodeUnknown
}
