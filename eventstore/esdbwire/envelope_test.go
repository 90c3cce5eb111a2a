package esdbwire

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestEnvelopeKeepsMetadataByteForByte(t *testing.T) {
	at := time.Date(2026, 12, 5, 8, 0, 0, 123456789, time.UTC)
	cases := []struct {
		name     string
		chain    Chain
		metadata []byte
		want     []byte
	}{
		{"chained", Chain{Schema: 2, RecordedAt: at, PrevHash: "", Hash: "ab"}, []byte(`{ "actor" : "agent:a<b>&c", "x":1.50 }`), nil},
		{"schema only", Chain{Schema: 1}, []byte(`{"correlationId":"c-1"}`), nil},
		{"empty metadata", Chain{Schema: 0}, nil, []byte(`{}`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			chain, meta, err := Unwrap(Wrap(tc.chain, tc.metadata))
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			if want == nil {
				want = tc.metadata
			}
			if !bytes.Equal(meta, want) {
				t.Fatalf("metadata %q, want %q", meta, want)
			}
			if chain.Schema != tc.chain.Schema || !chain.RecordedAt.Equal(tc.chain.RecordedAt) || chain.Hash != tc.chain.Hash || chain.PrevHash != tc.chain.PrevHash {
				t.Fatalf("chain %+v, want %+v", chain, tc.chain)
			}
		})
	}
}

func TestUnwrapForeignMetadata(t *testing.T) {
	for _, custom := range [][]byte{nil, []byte(`{"actor":"x"}`), []byte("not json")} {
		chain, meta, err := Unwrap(custom)
		if err != nil || chain != (Chain{}) || !bytes.Equal(meta, custom) {
			t.Fatalf("Unwrap(%q) = %+v, %q, %v; want it unchanged", custom, chain, meta, err)
		}
	}
}

func TestUnwrapRefusesBrokenEnvelopes(t *testing.T) {
	for _, custom := range []string{`{"$ledger":{"schema":1}}`, `{"$ledger":{"schema":-1},"metadata":{}}`, `{"$ledger":{"schema":"x"},"metadata":{}}`, `{"$ledger":`} {
		if _, _, err := Unwrap([]byte(custom)); err == nil {
			t.Errorf("Unwrap(%s) accepted it", custom)
		}
	}
}

func TestUUIDForms(t *testing.T) {
	id := uuid.New()
	for _, asString := range []bool{false, true} {
		got, err := FromUUID(ToUUID(id, asString))
		if err != nil || got != id {
			t.Fatalf("round trip (string %v) = %s, %v; want %s", asString, got, err, id)
		}
	}
}

func FuzzUnwrap(f *testing.F) {
	f.Add([]byte(`{"$ledger":{"schema":1,"hash":"ab"},"metadata":{"a":1}}`))
	f.Add([]byte(`{"actor":"x"}`))
	f.Add([]byte(`{"$ledger":null,"metadata":{}}`))
	f.Fuzz(func(t *testing.T, custom []byte) {
		chain, meta, err := Unwrap(custom)
		if err != nil {
			return
		}
		if chain == (Chain{}) && bytes.Equal(meta, custom) {
			return
		}
		again, meta2, err := Unwrap(Wrap(chain, meta))
		if err != nil || !bytes.Equal(meta2, meta) || again.Hash != chain.Hash || again.Schema != chain.Schema {
			t.Fatalf("re-wrapped envelope of %q decodes to %+v %q %v", custom, again, meta2, err)
		}
	})
}
