package unseal_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/datakeys"
	"github.com/interactionledger/ledger/eventstore/sqlite"
	"github.com/interactionledger/ledger/eventstore/storetest"
	"github.com/interactionledger/ledger/eventstore/unseal"
)

// TestConformance: a ledger read through the wrapper is still an event
// store by the shared suite (events without sealed fields pass as they
// are).
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) eventstore.Store {
		s, _ := open(t)
		return s
	})
}

type fixture struct {
	raw  *sqlite.Store
	keys *datakeys.Store
	dir  string
}

func open(t testing.TB) (eventstore.Store, fixture) {
	t.Helper()
	dir := t.TempDir()
	raw, err := sqlite.Open(context.Background(), filepath.Join(dir, "events.db"))
	if err != nil {
		t.Fatal(err)
	}
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	m, err := datakeys.NewLocalMaster(secret)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := datakeys.Open(context.Background(), filepath.Join(dir, "datakeys.db"), m)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = keys.Close() })
	s := unseal.New(raw, keys, []byte("names"))
	t.Cleanup(func() { _ = s.Close() })
	return s, fixture{raw: raw, keys: keys, dir: dir}
}

type message struct {
	CustomerID string   `json:"customerId"`
	Text       string   `json:"text"`
	Tags       []string `json:"tags,omitempty"`
}

func appendSealed(t *testing.T, s eventstore.Store, stream, customer string, m message) {
	t.Helper()
	sealer := s.(interface {
		Seal(ctx context.Context, customerID, plaintext string) (string, error)
	})
	var err error
	if m.Text, err = sealer.Seal(t.Context(), customer, m.Text); err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(m)
	if _, err := s.Append(t.Context(), stream, eventstore.Any, []eventstore.EventData{{ID: uuid.New(), Type: "MessageReceived", Schema: 1, Data: data}}); err != nil {
		t.Fatal(err)
	}
}

func TestReadsOpenSealedFieldsAndErasedOnesReadErased(t *testing.T) {
	s, f := open(t)
	const text = `你好 "quoted" \ <b>+8613800138000</b>`
	appendSealed(t, s, "interaction-1", "c1", message{CustomerID: "c1", Text: text})
	appendSealed(t, s, "interaction-2", "c2", message{CustomerID: "c2", Text: "keep me"})
	// A plaintext field that merely looks sealed stays as typed.
	forged := message{CustomerID: "c2", Text: "x", Tags: []string{"enc:v1:AAAA:c2", "enc:v1:AAAA:nobody"}}
	appendSealed(t, s, "interaction-2", "c2", forged)

	raw, err := f.raw.ReadAll(t.Context(), 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw[0].Data), "8613800138000") {
		t.Fatalf("the stored data holds the plaintext: %s", raw[0].Data)
	}
	want := map[string]string{"interaction-1": text, "interaction-2": "keep me"}
	check := func(label string, events []eventstore.RecordedEvent) {
		t.Helper()
		for _, e := range events {
			var m message
			if err := json.Unmarshal(e.Data, &m); err != nil {
				t.Fatalf("%s: %v in %s", label, err, e.Data)
			}
			if e.Version == 0 && m.Text != want[e.Stream] {
				t.Errorf("%s: %s text = %q, want %q", label, e.Stream, m.Text, want[e.Stream])
			}
			if e.Version == 1 && (len(m.Tags) != 2 || m.Tags[0] != forged.Tags[0] || m.Tags[1] != forged.Tags[1]) {
				t.Errorf("%s: tags that look sealed were changed to %q", label, m.Tags)
			}
		}
	}
	readAll := func(label string) {
		all, err := s.ReadAll(t.Context(), 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		check(label+" ReadAll", all)
		one, err := s.ReadStream(t.Context(), "interaction-1", 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		check(label+" ReadStream", one)
		tail, err := s.(eventstore.TailReader).ReadStreamTail(t.Context(), "interaction-1", 1)
		if err != nil {
			t.Fatal(err)
		}
		check(label+" ReadStreamTail", tail)
		lean, err := s.(eventstore.BulkReader).ReadAllLean(t.Context(), 0, 10, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range lean {
			check(label+" ReadAllLean", []eventstore.RecordedEvent{{Stream: e.Stream, Version: e.Version, Data: e.Data}})
		}
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		sub := s.SubscribeAll(ctx, 0)
		defer sub.Close()
		got, err := sub.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		check(label+" SubscribeAll", got)
	}
	readAll("before the erasure")

	if err := f.keys.Erase(t.Context(), "c1", time.Now()); err != nil {
		t.Fatal(err)
	}
	want["interaction-1"] = unseal.ErasedText
	readAll("after the erasure")
}

// TestCustomerErasedMakesOtherProcessesForget: an erasure done elsewhere
// (another process with its own key cache) takes effect once its event
// is read.
func TestCustomerErasedMakesOtherProcessesForget(t *testing.T) {
	s, f := open(t)
	appendSealed(t, s, "interaction-1", "c1", message{CustomerID: "c1", Text: "secret"})
	if _, err := s.ReadAll(t.Context(), 0, 10); err != nil { // caches the key
		t.Fatal(err)
	}
	// Another process erases: a second key store on the same file.
	other, err := datakeys.Open(t.Context(), filepath.Join(f.dir, "datakeys.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Erase(t.Context(), "c1", time.Now()); err != nil {
		t.Fatal(err)
	}
	other.Close()
	data, _ := json.Marshal(map[string]any{"customerId": "c1"})
	if _, err := s.Append(t.Context(), "customer-c1", eventstore.Any, []eventstore.EventData{{ID: uuid.New(), Type: "CustomerErased", Schema: 1, Data: data}}); err != nil {
		t.Fatal(err)
	}
	all, err := s.ReadAll(t.Context(), 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.ReadStream(t.Context(), "interaction-1", 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || !strings.Contains(string(again[0].Data), unseal.ErasedText) {
		t.Fatalf("after reading CustomerErased the text reads %s", again[0].Data)
	}
}

// FuzzOpen: event data is outside input to every reader; opening it never
// panics, and what it returns for valid JSON is valid JSON.
func FuzzOpen(f *testing.F) {
	s, _ := open(f)
	u := s.(interface {
		Open(ctx context.Context, eventType string, data []byte) ([]byte, error)
	})
	sealed, _ := s.(interface {
		Seal(ctx context.Context, customerID, plaintext string) (string, error)
	}).Seal(context.Background(), "c1", "hi")
	seed, _ := json.Marshal(message{CustomerID: "c1", Text: sealed, Tags: []string{sealed, "enc:v1:x"}})
	f.Add(seed)
	f.Add([]byte(`{"a":"enc:v1:`))
	f.Add([]byte(`{"a":"\"enc:v1:AAAA:c1"}`))
	f.Add([]byte(`["enc:v1:AAAA:c1\u0022"]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := u.Open(context.Background(), "MessageReceived", data)
		if err != nil || !json.Valid(data) {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("valid %s opened to invalid %s", data, out)
		}
	})
}

// TestOpenedStringsAreWrittenAsEncodingJSONWritesThem: opened data reads
// byte for byte as the same event never sealed.
func TestOpenedStringsAreWrittenAsEncodingJSONWritesThem(t *testing.T) {
	s, _ := open(t)
	sealer := s.(interface {
		Seal(ctx context.Context, customerID, plaintext string) (string, error)
	})
	opener := s.(interface {
		Open(ctx context.Context, eventType string, data []byte) ([]byte, error)
	})
	for _, text := range []string{"", "plain", `"quoted" \ back`, "tab\tnew\nline\rcr", "<b>&amp;</b>", "\u2028\u2029 \x00\x1f\x7f",
		"你好 😀", "bad \xff utf-8", "é\u0301"} {
		want, _ := json.Marshal(message{CustomerID: "c1", Text: text})
		sealed, err := sealer.Seal(t.Context(), "c1", text)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := json.Marshal(message{CustomerID: "c1", Text: sealed})
		got, err := opener.Open(t.Context(), "MessageReceived", data)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%q opened to %s, want %s", text, got, want)
		}
	}
}
