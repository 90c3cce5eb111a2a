package email

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
)

func TestComposeRoundTrip(t *testing.T) {
	r := Reply{
		From:       &gomail.Address{Name: "客服", Address: "support@example.com"},
		To:         &gomail.Address{Address: "lilei@example.cn"},
		Subject:    "Re: 关于订单的问题",
		Text:       "您好，已为您催促发货。\n" + strings.Repeat("很长的一行，", 40) + "\n=== 客服 ===",
		MessageID:  "ledger.x@example.com",
		InReplyTo:  "m2@example.cn",
		References: []string{"m1@example.cn", "m2@example.cn"},
		Date:       time.Date(2025, 1, 6, 12, 0, 0, 0, time.UTC),
	}
	var buf bytes.Buffer
	if err := compose(&buf, r); err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	for _, line := range bytes.Split(raw, []byte("\r\n")) {
		if len(line) > 78 {
			t.Errorf("line longer than 78 bytes: %q", line)
		}
		for _, c := range line {
			if c >= 0x80 {
				t.Fatalf("raw message is not 7-bit: %q", line)
			}
		}
	}
	mr, err := gomail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	h := mr.Header
	subject, _ := h.Subject()
	id, _ := h.MessageID()
	irt, _ := h.MsgIDList("In-Reply-To")
	refs, _ := h.MsgIDList("References")
	from, _ := h.AddressList("From")
	date, _ := h.Date()
	checks := []struct{ field, got, want string }{
		{"Subject", subject, r.Subject},
		{"Message-ID", id, r.MessageID},
		{"In-Reply-To", strings.Join(irt, " "), "m2@example.cn"},
		{"References", strings.Join(refs, " "), "m1@example.cn m2@example.cn"},
		{"From", from[0].String(), r.From.String()},
		{"Date", date.UTC().String(), r.Date.String()},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
	p, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(p.Body)
	if got := strings.ReplaceAll(string(body), "\r\n", "\n"); got != r.Text+"\n" {
		t.Errorf("body = %q, want %q", got, r.Text)
	}
	if ct, params, _ := p.Header.(*gomail.InlineHeader).ContentType(); ct != "text/plain" || params["charset"] != "utf-8" {
		t.Errorf("Content-Type = %s %v", ct, params)
	}
	var _ message.Header // the reader decoded the quoted-printable above
}

func TestReplySubject(t *testing.T) {
	cases := map[string]string{
		"关于订单":        "Re: 关于订单",
		"Re: 关于订单":    "Re: 关于订单",
		"RE: order":   "RE: order",
		"回复：关于订单":     "回复：关于订单",
		"  ":          "Re: your message",
		"Refund plan": "Re: Refund plan",
	}
	for in, want := range cases {
		if got := replySubject(in); got != want {
			t.Errorf("replySubject(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestComposeWithFiles: a reply with files is a multipart/mixed of the
// text and each file, named (RFC 2231 for Chinese names) and typed as
// sniffed, the files' bytes identical once decoded.
func TestComposeWithFiles(t *testing.T) {
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{0, 1, 2, 0xff}, 50_000)...)
	files := map[string][]byte{"报价单.pdf": pdf, "notes.txt": []byte("line 1\nline 2\n")}
	r := Reply{
		From: &gomail.Address{Address: "support@example.com"}, To: &gomail.Address{Address: "lilei@example.cn"},
		Subject: "Re: quote", Text: "Attached.", MessageID: "ledger.y@example.com", Date: time.Date(2025, 1, 6, 12, 0, 0, 0, time.UTC),
		Files: []ReplyFile{
			{Name: "报价单.pdf", ContentType: "application/pdf", Content: bytes.NewReader(pdf)},
			{Name: "notes.txt", ContentType: "text/plain; charset=utf-8", Content: bytes.NewReader(files["notes.txt"])},
		},
	}
	var buf bytes.Buffer
	if err := compose(&buf, r); err != nil {
		t.Fatal(err)
	}
	mr, err := gomail.CreateReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var text string
	got := map[string][]byte{}
	types := map[string]string{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p.Body)
		switch h := p.Header.(type) {
		case *gomail.InlineHeader:
			text = string(b)
		case *gomail.AttachmentHeader:
			name, _ := h.Filename()
			got[name] = b
			types[name], _, _ = h.ContentType()
		}
	}
	if strings.TrimSpace(text) != "Attached." {
		t.Errorf("text %q", text)
	}
	for name, want := range files {
		if !bytes.Equal(got[name], want) {
			t.Errorf("%s: %d bytes, want %d identical", name, len(got[name]), len(want))
		}
	}
	if types["报价单.pdf"] != "application/pdf" || types["notes.txt"] != "text/plain" {
		t.Errorf("types %v", types)
	}
	failing := r
	failing.Files = []ReplyFile{{Name: "cut.pdf", Content: iotest.ErrReader(errors.New("connection reset"))}}
	if err := compose(io.Discard, failing); err == nil || !strings.Contains(err.Error(), "cut.pdf") {
		t.Errorf("compose with a file that cannot be read: %v", err)
	}
}
