package eventstore_test

import (
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/interactionledger/ledger/eventstore"
)

func TestValidateAppendDefaultsMetadata(t *testing.T) {
	in := []eventstore.EventData{{ID: uuid.New(), Type: "Noted", Data: []byte(`{}`)}}
	out, err := eventstore.ValidateAppend("s", eventstore.Any, in)
	if err != nil {
		t.Fatal(err)
	}
	if string(out[0].Metadata) != "{}" {
		t.Fatalf("metadata %q, want {}", out[0].Metadata)
	}
	if in[0].Metadata != nil {
		t.Fatal("ValidateAppend modified its input")
	}
}

func TestValidateAppendRejects(t *testing.T) {
	ok := func() eventstore.EventData {
		return eventstore.EventData{ID: uuid.New(), Type: "Noted", Data: []byte(`{"a":1}`)}
	}
	id := uuid.New()
	cases := map[string]struct {
		stream   string
		expected eventstore.ExpectedVersion
		events   []eventstore.EventData
	}{
		"empty stream":    {"", eventstore.Any, []eventstore.EventData{ok()}},
		"$ stream":        {"$all", eventstore.Any, []eventstore.EventData{ok()}},
		"NUL in stream":   {"a\x00b", eventstore.Any, []eventstore.EventData{ok()}},
		"expected -3":     {"s", -3, []eventstore.EventData{ok()}},
		"no events":       {"s", eventstore.Any, nil},
		"json array tail": {"s", eventstore.Any, []eventstore.EventData{{ID: uuid.New(), Type: "T", Data: []byte(`[1,]`)}}},
		"duplicate id": {"s", eventstore.Any, []eventstore.EventData{
			{ID: id, Type: "T", Data: []byte(`1`)}, {ID: id, Type: "T", Data: []byte(`2`)}}},
	}
	for name, tc := range cases {
		if _, err := eventstore.ValidateAppend(tc.stream, tc.expected, tc.events); !errors.Is(err, eventstore.ErrInvalidAppend) {
			t.Errorf("%s: err = %v, want ErrInvalidAppend", name, err)
		}
	}
}
