package app_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"testing"

	"github.com/interactionledger/ledger/channels/internal/chantest"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore/blobs"
)

// form builds a multipart post: the message part (unless message is
// ""), then each file.
func form(t *testing.T, message string, files ...[2]string) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if message != "" {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="message"`)
		h.Set("Content-Type", "application/json")
		p, _ := w.CreatePart(h)
		p.Write([]byte(message))
	}
	for _, f := range files {
		p, _ := w.CreateFormFile("file", f[0])
		p.Write([]byte(f[1]))
	}
	w.Close()
	return w.FormDataContentType(), buf.String()
}

// TestMultipartPostCarriesFiles: a multipart post's message part is the
// message and its file parts its files, in order, recorded with their
// names, sizes and hashes; a post of files without text is a message; a
// form whose first part is not the message, a file part without a name,
// or attachment descriptions beside file parts are refused with 400 and
// nothing recorded.
func TestMultipartPostCarriesFiles(t *testing.T) {
	l, endpoint := serve(t)
	user := asUser(assertion(t, customer))
	ct, body := form(t, `{"messageId": "m-f1", "identity": {"kind": "PHONE", "value": "+8613800000000"}}`,
		[2]string{"发票.pdf", "%PDF-1.4 invoice"}, [2]string{"photo.png", "\x89PNG\r\n\x1a\nrest"})
	if status, out := post(t, endpoint, user, ct, body); status != http.StatusOK {
		t.Fatalf("%d %v", status, out)
	}
	msgs := chantest.Of[domain.MessageReceived](t, l)
	if len(msgs) != 1 || len(msgs[0].Attachments) != 2 {
		t.Fatalf("messages %+v", msgs)
	}
	for i, want := range []domain.Attachment{
		{Name: "发票.pdf", ContentType: "application/pdf", Size: 16, SHA256: blobs.SHA256Hex([]byte("%PDF-1.4 invoice"))},
		{Name: "photo.png", ContentType: "image/png", Size: 12, SHA256: blobs.SHA256Hex([]byte("\x89PNG\r\n\x1a\nrest"))},
	} {
		if got := msgs[0].Attachments[i]; got != want {
			t.Errorf("attachment %d: %+v, want %+v", i, got, want)
		}
	}
	head := l.Head(t)
	for name, c := range map[string][2]string{
		"message not first": func() [2]string {
			ct, b := form(t, "", [2]string{"a.txt", "x"})
			return [2]string{ct, b}
		}(),
		"attachments beside files": func() [2]string {
			ct, b := form(t, `{"messageId": "m-f2", "identity": {"kind": "PHONE", "value": "+8613800000000"}, "attachments": [{"name": "x", "size": 1}]}`, [2]string{"a.txt", "x"})
			return [2]string{ct, b}
		}(),
	} {
		if status, out := post(t, endpoint, user, c[0], c[1]); status != http.StatusBadRequest {
			t.Errorf("%s: %d %v, want 400", name, status, out)
		}
	}
	if l.Head(t) != head {
		t.Errorf("refused forms appended events")
	}
}
