package domain

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// parcelWeighed is a test-only event type at schema 3. Its history:
// v1 {"grams": 1500}; v2 renamed grams to weightGrams; v3 split the
// carrier's "name/service" into carrier and service.
type parcelWeighed struct {
	ParcelID    string `json:"parcelId"`
	WeightGrams int    `json:"weightGrams"`
	Carrier     string `json:"carrier"`
	Service     string `json:"service"`
}

func (parcelWeighed) EventType() string { return "ParcelWeighed" }

// parcelUpcasters are parcelWeighed's two upcasters, v1→v2 and v2→v3.
func parcelUpcasters() map[upcastKey]Upcaster {
	return map[upcastKey]Upcaster{
		{"ParcelWeighed", 1}: UpcastObject(func(f map[string]json.RawMessage) error {
			f["weightGrams"] = f["grams"]
			delete(f, "grams")
			return nil
		}),
		{"ParcelWeighed", 2}: UpcastObject(func(f map[string]json.RawMessage) error {
			var carrier string
			if raw, ok := f["carrier"]; ok {
				if err := json.Unmarshal(raw, &carrier); err != nil {
					return err
				}
			}
			name, service, _ := strings.Cut(carrier, "/")
			f["carrier"], _ = json.Marshal(name)
			f["service"], _ = json.Marshal(service)
			return nil
		}),
	}
}

func parcelRegistry(ups map[upcastKey]Upcaster) *schemaRegistry {
	r := newSchemaRegistry(map[string]int{"ParcelWeighed": 3}, ups)
	registerIn[parcelWeighed](r)
	return r
}

func TestUpcasterChain(t *testing.T) {
	want := parcelWeighed{ParcelID: "p1", WeightGrams: 1500, Carrier: "dhl", Service: "express"}
	var (
		unknown *UnknownEventTypeError
		newer   *NewerSchemaError
		missing *MissingUpcasterError
		anyErr  = new(error) // no typed error to branch on
	)
	withoutV2 := parcelUpcasters()
	delete(withoutV2, upcastKey{"ParcelWeighed", 2})
	failing := parcelUpcasters()
	failing[upcastKey{"ParcelWeighed", 1}] = func([]byte) ([]byte, error) { return nil, errors.New("boom") }
	cases := []struct {
		name    string
		ups     map[upcastKey]Upcaster
		typ     string
		schema  int
		data    string
		want    Event
		wantErr any // what errors.As must find: a pointer to a typed error, anyErr, or nil for success
	}{
		{"v1 through both upcasters", parcelUpcasters(), "ParcelWeighed", 1, `{"parcelId":"p1","grams":1500,"carrier":"dhl/express"}`, want, nil},
		{"no stored schema reads as v1", parcelUpcasters(), "ParcelWeighed", 0, `{"parcelId":"p1","grams":1500,"carrier":"dhl/express"}`, want, nil},
		{"v2 through the last upcaster", parcelUpcasters(), "ParcelWeighed", 2, `{"parcelId":"p1","weightGrams":1500,"carrier":"dhl/express"}`, want, nil},
		{"v3 is current: no upcaster", parcelUpcasters(), "ParcelWeighed", 3, `{"parcelId":"p1","weightGrams":1500,"carrier":"dhl","service":"express"}`, want, nil},
		{"v1 lacking the optional carrier", parcelUpcasters(), "ParcelWeighed", 1, `{"parcelId":"p1","grams":1500}`, parcelWeighed{ParcelID: "p1", WeightGrams: 1500}, nil},
		{"future schema", parcelUpcasters(), "ParcelWeighed", 4, `{"parcelId":"p1"}`, nil, &newer},
		{"far future schema", parcelUpcasters(), "ParcelWeighed", 1 << 30, `{"parcelId":"p1"}`, nil, &newer},
		{"unknown type", parcelUpcasters(), "ParcelLost", 1, `{"parcelId":"p1"}`, nil, &unknown},
		{"missing upcaster on the way", withoutV2, "ParcelWeighed", 1, `{"parcelId":"p1","grams":1500}`, nil, &missing},
		{"missing upcaster at the last step", withoutV2, "ParcelWeighed", 2, `{"parcelId":"p1","weightGrams":1500}`, nil, &missing},
		{"current schema needs no upcaster", withoutV2, "ParcelWeighed", 3, `{"parcelId":"p1","weightGrams":1500,"carrier":"dhl","service":"express"}`, want, nil},
		{"failing upcaster", failing, "ParcelWeighed", 1, `{"parcelId":"p1","grams":1500}`, nil, anyErr},
		{"old data not an object", parcelUpcasters(), "ParcelWeighed", 1, `[1]`, nil, anyErr},
		{"old data null", parcelUpcasters(), "ParcelWeighed", 2, `null`, nil, anyErr},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stored := []byte(tc.data)
			got, err := parcelRegistry(tc.ups).decode(tc.typ, tc.schema, stored)
			if string(stored) != tc.data {
				t.Errorf("decode modified the stored bytes: %s", stored)
			}
			if tc.wantErr == nil {
				if err != nil || !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("decode = %#v, %v; want %#v", got, err, tc.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("decode = %#v, want an error", got)
			}
			if tc.wantErr == anyErr {
				return
			}
			if !errors.As(err, tc.wantErr) {
				t.Fatalf("decode error %v (%T) is not a %T", err, err, tc.wantErr)
			}
		})
	}
}

// TestUpcastData: what a reader that scans JSON itself gets: the current
// shape's bytes, the stored ones untouched when they are current.
func TestUpcastData(t *testing.T) {
	r := parcelRegistry(parcelUpcasters())
	got, err := r.upcast("ParcelWeighed", 1, []byte(`{"parcelId":"p1","grams":1500,"carrier":"dhl/express"}`))
	if want := `{"carrier":"dhl","parcelId":"p1","service":"express","weightGrams":1500}`; err != nil || string(got) != want {
		t.Errorf("upcast v1 = %s, %v; want %s", got, err, want)
	}
	current := []byte(`{"parcelId":"p1", "weightGrams":1500}`)
	if got, err := r.upcast("ParcelWeighed", 3, current); err != nil || &got[0] != &current[0] {
		t.Errorf("upcast of the current shape = %s, %v; want the stored bytes themselves", got, err)
	}
	if _, err := UpcastData("NoSuchEvent", 1, []byte(`{}`)); !errors.As(err, new(*UnknownEventTypeError)) {
		t.Errorf("UpcastData of an unknown type: %v, want an UnknownEventTypeError", err)
	}
}

func TestUpcasterErrorsNameTheStep(t *testing.T) {
	r := parcelRegistry(map[upcastKey]Upcaster{})
	_, err := r.decode("ParcelWeighed", 1, []byte(`{}`))
	var missing *MissingUpcasterError
	if !errors.As(err, &missing) || *missing != (MissingUpcasterError{Type: "ParcelWeighed", From: 1, Current: 3}) {
		t.Fatalf("decode error %v, want the missing v1→v2 upcaster", err)
	}
	_, err = r.decode("ParcelWeighed", 7, []byte(`{}`))
	var newer *NewerSchemaError
	if !errors.As(err, &newer) || *newer != (NewerSchemaError{Type: "ParcelWeighed", Schema: 7, Current: 3}) {
		t.Fatalf("decode error %v, want schema 7 newer than 3", err)
	}
}

// TestUpcasterCheck is the check DecodeEvent runs before its first decode:
// a registry with a hole in a chain, or an upcaster nothing needs, fails
// before any event comes by.
func TestUpcasterCheck(t *testing.T) {
	if err := parcelRegistry(parcelUpcasters()).check(); err != nil {
		t.Fatalf("complete chain: %v", err)
	}
	withoutV1 := parcelUpcasters()
	delete(withoutV1, upcastKey{"ParcelWeighed", 1})
	err := parcelRegistry(withoutV1).check()
	var missing *MissingUpcasterError
	if !errors.As(err, &missing) || missing.From != 1 {
		t.Errorf("chain without v1→v2: check = %v, want a MissingUpcasterError from 1", err)
	}
	for _, stray := range []upcastKey{{"ParcelWeighed", 3}, {"ParcelWeighed", 0}, {"ParcelLost", 1}} {
		ups := parcelUpcasters()
		ups[stray] = UpcastObject(func(map[string]json.RawMessage) error { return nil })
		err := parcelRegistry(ups).check()
		var se *StrayUpcasterError
		if !errors.As(err, &se) || se.Type != stray.eventType || se.From != stray.from {
			t.Errorf("stray upcaster %v: check = %v, want a StrayUpcasterError", stray, err)
		}
	}
}

func TestUpcasterCheckUnknownSchemaType(t *testing.T) {
	r := newSchemaRegistry(map[string]int{"ParcelWeighed": 3, "ParcelLost": 2}, parcelUpcasters())
	registerIn[parcelWeighed](r)
	var unknown *UnknownEventTypeError
	if err := r.check(); !errors.As(err, &unknown) || unknown.Type != "ParcelLost" {
		t.Errorf("a schema bump of an unregistered type: check = %v, want an UnknownEventTypeError", err)
	}
}

// TestIsCurrentShape: a fast decoder written for one shape reads only
// events stored in it, and only while it is the type's current shape.
func TestIsCurrentShape(t *testing.T) {
	r := parcelRegistry(parcelUpcasters()) // ParcelWeighed at 3
	for _, c := range []struct {
		typ           string
		schema, shape int
		want          bool
	}{
		{"ParcelWeighed", 3, 3, true},
		{"ParcelWeighed", 2, 2, false}, // stored in shape 2, which is no longer current
		{"ParcelWeighed", 2, 3, false}, // a shape-3 decoder must not read shape 2's bytes
		{"ParcelWeighed", 0, 1, false},
		{"ParcelLost", 1, 1, false},
	} {
		if got := r.isCurrentShape(c.typ, c.schema, c.shape); got != c.want {
			t.Errorf("isCurrentShape(%s, stored %d, shape %d) = %v, want %v", c.typ, c.schema, c.shape, got, c.want)
		}
	}
	// A type that never changed is at 1, and an event stored without a
	// schema is in shape 1.
	if !IsCurrentShape("MessageReceived", 0, 1) || !IsCurrentShape("MessageReceived", 1, 1) || IsCurrentShape("MessageReceived", 2, 2) {
		t.Error("MessageReceived: schema 0 and 1 are its current shape 1, 2 is none")
	}
}

// TestLedgerUpcastersComplete checks the ledger's own registry: every
// type's chain is whole, so DecodeEvent will decode.
func TestLedgerUpcastersComplete(t *testing.T) {
	if err := CheckUpcasters(); err != nil {
		t.Fatal(err)
	}
	for name := range events.types {
		if got, want := SchemaOf(name), max(schemaChanges[name], 1); got != want {
			t.Errorf("SchemaOf(%s) = %d, want %d", name, got, want)
		}
	}
	for name := range schemaChanges {
		if _, ok := events.types[name]; !ok {
			t.Errorf("schemaChanges names %s, which is not a registered event type", name)
		}
	}
}
