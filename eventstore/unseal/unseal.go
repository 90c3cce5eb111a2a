// Package unseal owns the read side of crypto-shredding: Store wraps an
// event store so that every event read from it (ReadStream, ReadAll,
// SubscribeAll and the bulk and tail reads) has its sealed personal
// fields opened with the customer's data key, or replaced by "[erased]"
// once that key was destroyed. Appends pass through unchanged; the
// command layer seals before it appends (Store.Seal). What is stored, and
// what the hash chains and tree heads cover, is the ciphertext: verify,
// sign and serve the ledger to other nodes from the store underneath.
package unseal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/datakeys"
)

// ErasedText replaces a field whose customer was erased (the same text
// as domain.ErasedText, which this package does not import).
const ErasedText = "[erased]"

// Keys finds customers' data keys: datakeys.Store.
type Keys interface {
	KeyFor(ctx context.Context, customerID string) (datakeys.Key, error)
	Lookup(ctx context.Context, customerID string) (datakeys.Key, error)
	Forget(customerID string)
	Erase(ctx context.Context, customerID string, at time.Time) error
}

// Store is an event store whose reads come back opened.
type Store struct {
	eventstore.Store
	keys    Keys
	nameKey []byte
}

// fastStore is a Store over a store with tail and bulk reads, which it
// offers too (opened).
type fastStore struct {
	*Store
	tail eventstore.TailReader
	bulk eventstore.BulkReader
}

// New wraps store; nameKey keys the HMAC of identity and conversation
// stream names (see domain.StreamNames). The result is a *Store, or one
// that also implements eventstore.TailReader and eventstore.BulkReader
// when store does.
func New(store eventstore.Store, keys Keys, nameKey []byte) eventstore.Store {
	s := &Store{Store: store, keys: keys, nameKey: nameKey}
	tail, okTail := store.(eventstore.TailReader)
	bulk, okBulk := store.(eventstore.BulkReader)
	if okTail && okBulk {
		return &fastStore{Store: s, tail: tail, bulk: bulk}
	}
	return s
}

// Close closes the wrapped store and the key store (when it is an
// io.Closer).
func (s *Store) Close() error {
	err := s.Store.Close()
	if c, ok := s.keys.(io.Closer); ok {
		err = errors.Join(err, c.Close())
	}
	return err
}

// Underlying returns the wrapped store: the ciphertext as stored.
func (s *Store) Underlying() eventstore.Store { return s.Store }

// Stored returns the store under s when s is a Store (the ciphertext as
// stored: what verification checks), else s itself.
func Stored(s eventstore.Store) eventstore.Store {
	if u, ok := s.(interface{ Underlying() eventstore.Store }); ok {
		return u.Underlying()
	}
	return s
}

// StreamNameKey is the key of the HMAC that names identity and
// conversation streams.
func (s *Store) StreamNameKey() []byte { return s.nameKey }

// Seal seals one personal field for customerID (the command layer's
// side of the bargain).
func (s *Store) Seal(ctx context.Context, customerID, plaintext string) (string, error) {
	k, err := s.keys.KeyFor(ctx, customerID)
	if err != nil {
		return "", fmt.Errorf("seal a field of customer %s: %w", customerID, err)
	}
	return k.Seal(plaintext), nil
}

// EraseKey destroys a customer's data key for good (the command layer's
// erasure, commands.EraseCustomer).
func (s *Store) EraseKey(ctx context.Context, customerID string, at time.Time) error {
	return s.keys.Erase(ctx, customerID, at)
}

// ReadStream implements eventstore.Store.
func (s *Store) ReadStream(ctx context.Context, stream string, from int64, max int) ([]eventstore.RecordedEvent, error) {
	events, err := s.Store.ReadStream(ctx, stream, from, max)
	if err != nil {
		return nil, err
	}
	return s.openAll(ctx, events)
}

// ReadAll implements eventstore.Store.
func (s *Store) ReadAll(ctx context.Context, after uint64, max int) ([]eventstore.RecordedEvent, error) {
	events, err := s.Store.ReadAll(ctx, after, max)
	if err != nil {
		return nil, err
	}
	return s.openAll(ctx, events)
}

// SubscribeAll implements eventstore.Store.
func (s *Store) SubscribeAll(ctx context.Context, after uint64) eventstore.Subscription {
	return &subscription{Subscription: s.Store.SubscribeAll(ctx, after), s: s}
}

// ReadStreamTail implements eventstore.TailReader.
func (s *fastStore) ReadStreamTail(ctx context.Context, stream string, max int) ([]eventstore.RecordedEvent, error) {
	events, err := s.tail.ReadStreamTail(ctx, stream, max)
	if err != nil {
		return nil, err
	}
	return s.openAll(ctx, events)
}

// ReadAllLean implements eventstore.BulkReader.
func (s *fastStore) ReadAllLean(ctx context.Context, after uint64, max int, buf []eventstore.LeanEvent) ([]eventstore.LeanEvent, error) {
	events, err := s.bulk.ReadAllLean(ctx, after, max, buf)
	if err != nil {
		return nil, err
	}
	for i := range events {
		if events[i].Data, _, err = s.open(ctx, events[i].Type, events[i].Data); err != nil {
			return nil, fmt.Errorf("event %d: %w", events[i].Position, err)
		}
	}
	return events, nil
}

type subscription struct {
	eventstore.Subscription
	s *Store
}

func (sub *subscription) Next(ctx context.Context) ([]eventstore.RecordedEvent, error) {
	events, err := sub.Subscription.Next(ctx)
	if err != nil {
		return nil, err
	}
	return sub.s.openAll(ctx, events)
}

// openAll opens every event, copying only those that change: the store's
// slices may be shared with other readers.
func (s *Store) openAll(ctx context.Context, events []eventstore.RecordedEvent) ([]eventstore.RecordedEvent, error) {
	var out []eventstore.RecordedEvent
	for i, e := range events {
		data, changed, err := s.open(ctx, e.Type, e.Data)
		if err != nil {
			return nil, fmt.Errorf("%s@%d: %w", e.Stream, e.Version, err)
		}
		if !changed {
			continue
		}
		if out == nil {
			out = append(make([]eventstore.RecordedEvent, 0, len(events)), events...)
		}
		out[i].Data = data
	}
	if out == nil {
		return events, nil
	}
	return out, nil
}

// sealedMark starts a sealed JSON string (datakeys' prefix).
var sealedMark = []byte(`"enc:v1:`)

// Open returns event data with every sealed string opened: its plaintext,
// or ErasedText once its customer was erased. A string that only looks
// sealed (no key of that customer here, or one that does not open it) is
// left as it is, so that nobody can make the ledger unreadable by typing
// such a string into a field that is not sealed. Data without sealed
// strings is returned as it is, without a copy.
//
// An event of type CustomerErased makes the key store forget what it
// remembers of the customers it names, so that an erasure done by
// another process takes effect here as soon as its event is read.
func (s *Store) Open(ctx context.Context, eventType string, data []byte) ([]byte, error) {
	out, _, err := s.open(ctx, eventType, data)
	return out, err
}

func (s *Store) open(ctx context.Context, eventType string, data []byte) ([]byte, bool, error) {
	if eventType == "CustomerErased" {
		s.forgetErased(data)
	}
	i := sealedStart(data, 0)
	if i < 0 {
		return data, false, nil
	}
	out := make([]byte, 0, len(data))
	for i >= 0 {
		end := stringEnd(data, i)
		if end < 0 {
			return nil, false, errors.New("event data ends inside a string")
		}
		out = append(out, data[:i]...)
		opened, err := s.openString(ctx, data[i:end])
		if err != nil {
			return nil, false, err
		}
		out = append(out, opened...)
		data = data[end:]
		i = sealedStart(data, 0)
	}
	return append(out, data...), true, nil
}

// sealedStart finds the next sealed string at or after from: one that
// opens a JSON value (after ':', '[' or ','), not text inside a string.
func sealedStart(data []byte, from int) int {
	for {
		j := bytes.Index(data[from:], sealedMark)
		if j < 0 {
			return -1
		}
		i := from + j
		if i > 0 {
			switch data[i-1] {
			case ':', '[', ',', ' ':
				return i
			}
		}
		from = i + 1
	}
}

// stringEnd returns the index just past the JSON string starting at i.
func stringEnd(data []byte, i int) int {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// openString opens one JSON string token. Sealed tokens have no escapes
// (base64 and an id), so the common case needs no JSON decoder; the
// plaintext is written back as encoding/json writes strings.
func (s *Store) openString(ctx context.Context, token []byte) ([]byte, error) {
	v, ok := unquote(token)
	if !ok {
		return token, nil
	}
	customer, ok := datakeys.SealedFor(v)
	if !ok {
		return token, nil
	}
	k, err := s.keys.Lookup(ctx, customer)
	switch {
	case errors.Is(err, datakeys.ErrErased):
		return appendJSONString(nil, ErasedText), nil
	case errors.Is(err, datakeys.ErrNoKey):
		return token, nil
	case err != nil:
		return nil, err
	}
	plain, err := k.Open(v)
	if err != nil {
		return token, nil
	}
	return appendJSONString(make([]byte, 0, len(plain)+8), plain), nil
}

// unquote returns the string a JSON string token holds.
func unquote(token []byte) (string, bool) {
	inner := token[1 : len(token)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner), true
	}
	var v string
	if err := json.Unmarshal(token, &v); err != nil {
		return "", false
	}
	return v, true
}

// appendJSONString appends s as a JSON string, escaped as encoding/json
// escapes it (HTML characters, U+2028 and U+2029 included; invalid UTF-8
// as U+FFFD), so opened data reads the same as data never sealed.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, `\ufffd`...)
		case r == '"' || r == '\\':
			dst = append(dst, '\\', byte(r))
		case r == '\n':
			dst = append(dst, '\\', 'n')
		case r == '\r':
			dst = append(dst, '\\', 'r')
		case r == '\t':
			dst = append(dst, '\\', 't')
		case r < 0x20 || r == '<' || r == '>' || r == '&':
			dst = append(dst, '\\', 'u', '0', '0', hex[r>>4], hex[r&0xf])
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			dst = utf8.AppendRune(dst, r)
		}
	}
	return append(dst, '"')
}

func (s *Store) forgetErased(data []byte) {
	var e struct {
		CustomerID string   `json:"customerId"`
		Sources    []string `json:"sources"`
	}
	if json.Unmarshal(data, &e) != nil {
		return
	}
	for _, id := range append(e.Sources, e.CustomerID) {
		s.keys.Forget(id)
	}
}

// DataKeys returns the customers' data keys the store opens with, for
// what is sealed beside the ledger with the same keys (attachments).
func (s *Store) DataKeys() Keys { return s.keys }
