package app_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/interactionledger/ledger/channels/app"
	"github.com/interactionledger/ledger/channels/internal/chantest"
	"github.com/interactionledger/ledger/domain"
)

// FuzzMultipartPost feeds the app endpoint arbitrary multipart bodies
// (outside input, from any app): it never panics and never answers 500;
// whatever it accepts is recorded as a message. The seeds run as part of
// the ordinary tests.
func FuzzMultipartPost(f *testing.F) {
	const boundary = "fuzzboundary"
	valid := "--fuzzboundary\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\n" +
		`{"messageId": "m-z1", "identity": {"kind": "PHONE", "value": "+8613800000000"}}` +
		"\r\n--fuzzboundary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhello\r\n--fuzzboundary--\r\n"
	for _, seed := range []string{
		valid,
		strings.Replace(valid, `name="message"`, `name="other"`, 1),
		strings.Replace(valid, `; filename="a.txt"`, "", 1),
		valid[:len(valid)/2],
		"--fuzzboundary--\r\n",
		"",
		"--fuzzboundary\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\n{}\r\n--fuzzboundary--\r\n",
		strings.Replace(valid, `filename="a.txt"`, `filename="../../etc/passwd"`, 1),
	} {
		f.Add(seed)
	}
	l := chantest.NewLedger(f)
	h, err := app.NewHandler(app.Config{Receiver: l.Handler, ServerKey: serverKey, MaxBodyBytes: 4 << 10, MaxFileBytes: 4 << 10})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "/channels/app", strings.NewReader(body))
		req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		req.Header.Set(app.KeyHeader, serverKey)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("answered %d %s", rec.Code, rec.Body)
		}
		if rec.Code != http.StatusOK {
			return
		}
		var accepted app.Accepted
		if err := json.Unmarshal(rec.Body.Bytes(), &accepted); err != nil {
			t.Fatal(err)
		}
		for _, m := range chantest.Of[domain.MessageReceived](t, l) {
			if m.InteractionID == accepted.InteractionID {
				return
			}
		}
		t.Fatalf("200 without a message recorded in %s", accepted.InteractionID)
	})
}
