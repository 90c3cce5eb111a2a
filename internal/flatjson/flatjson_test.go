package flatjson

import (
	"encoding/json"
	"testing"
)

// FuzzScanStrings: whatever ScanStrings accepts, encoding/json reads as the
// same keys and values.
func FuzzScanStrings(f *testing.F) {
	for _, seed := range []string{
		`{}`, ` { } `, `{"a":"b"}`, `{"a":"b","c":"d"}`, "{\n \"a\" : \"\u4f60\u597d\" }",
		`{"a":"b\"c"}`, `{"a":1}`, `{"a":"b",}`, `{"a":"b"} x`, `["a"]`, `{"a":{"b":"c"}}`, `{"a":"b`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got := map[string]string{}
		if !ScanStrings(data, func(key, val []byte) bool {
			got[string(key)] = string(val)
			return true
		}) {
			return
		}
		var want map[string]string
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("accepted %q, which encoding/json refuses: %v", data, err)
		}
		if len(want) != len(got) {
			t.Fatalf("%q: scanned %v, encoding/json %v", data, got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("%q: key %q scanned %q, encoding/json %q", data, k, got[k], v)
			}
		}
	})
}

// TestScanObjectValues: strings come with str set, other values raw.
func TestScanObjectValues(t *testing.T) {
	type field struct {
		val string
		str bool
	}
	want := map[string]field{"s": {"x", true}, "n": {"-12", false}, "o": {`{"a":["}",1]}`, false}, "t": {"true", false}}
	got := map[string]field{}
	ok := ScanObject([]byte(`{"s":"x","n":-12,"o":{"a":["}",1]},"t":true}`), func(key, val []byte, str bool) bool {
		got[string(key)] = field{string(val), str}
		return true
	})
	if !ok || len(got) != len(want) {
		t.Fatalf("scanned %v (%v), want %v", got, ok, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %+v, want %+v", k, got[k], v)
		}
	}
	if ScanStrings([]byte(`{"s":"x","n":1}`), func(_, _ []byte) bool { return true }) {
		t.Error("ScanStrings accepted a number")
	}
}
