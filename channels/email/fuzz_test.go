package email

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/uuid"
)

// addFixtures seeds f with every message under testdata/, so `go test`
// runs the corpus as ordinary tests and `go test -fuzz` starts from
// real-world-like mail (GB2312, GBK, Big5, multipart/alternative,
// attachments, broken boundaries).
func addFixtures(f *testing.F) {
	paths, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no fixtures: %v", err)
	}
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
}

// FuzzParse: any input either parses into a message the ledger can store
// (valid UTF-8, bounded, a usable Message-ID, well-formed attachment
// metadata), the same every time, or is refused with a *ParseError.
func FuzzParse(f *testing.F) {
	addFixtures(f)
	f.Add([]byte("From: a@b\r\n\r\n"))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n"))
	f.Add([]byte("Subject: =?GB2312?Q?=C4=E3=BA=C3?=\r\nContent-Type: text/html; charset=gb2312\r\n\r\n<p>\xc4\xe3\xba\xc3</p>"))
	lim := Limits{MaxTextBytes: 2048, MaxParts: 20, MaxDepth: 4}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(raw, lim)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse error %v is not a *ParseError", err)
			}
			return
		}
		if !validMsgID(m.MessageID) {
			t.Errorf("MessageID %q is not storable", m.MessageID)
		}
		if !utf8.ValidString(m.Text) || len(m.Text) > lim.MaxTextBytes {
			t.Errorf("Text (%d bytes) is not valid UTF-8 within %d bytes", len(m.Text), lim.MaxTextBytes)
		}
		for _, s := range []string{m.Subject, m.FromName} {
			if !utf8.ValidString(s) || strings.ContainsAny(s, "\r\n\x00") || len(s) > maxSubjectBytes {
				t.Errorf("header text %q is not one clean line", s)
			}
		}
		for _, id := range append([]string{m.InReplyTo}, m.References...) {
			if id != "" && !validMsgID(id) {
				t.Errorf("thread id %q is not storable", id)
			}
		}
		if len(m.References) > maxReferences {
			t.Errorf("%d References kept", len(m.References))
		}
		for _, a := range m.Attachments {
			if a.Size < 0 || len(a.SHA256) != 64 || !utf8.ValidString(a.Name) || !utf8.ValidString(a.ContentType) {
				t.Errorf("attachment %+v is malformed", a)
			}
		}
		again, err := Parse(raw, lim)
		if err != nil || !reflect.DeepEqual(m, again) {
			t.Errorf("Parse is not deterministic: %+v then %+v, %v", m, again, err)
		}
	})
}

// FuzzParseMsgIDs: whatever a References field holds, only storable ids
// come out.
func FuzzParseMsgIDs(f *testing.F) {
	for _, s := range []string{"<a@b> <c@d>", "<a@b> (comment)", "bare@id", "<<a@b>>", "<a b@c>", "<\xff@x>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, field string) {
		for _, id := range parseMsgIDs(field) {
			if !validMsgID(id) {
				t.Errorf("parseMsgIDs(%q) returned %q", field, id)
			}
		}
	})
}

// FuzzHTMLToText: any HTML yields valid UTF-8 text without markup from
// script or style elements' closing tags leaking through.
func FuzzHTMLToText(f *testing.F) {
	for _, s := range []string{"<p>a</p>", "<pre>x\n y</pre>", "<a href='https://x'>y</a>", "<script>x</script>z", "&#0;&#xD800;&amp", "<li><li><br/>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		out := htmlToText(src)
		if utf8.ValidString(src) && !utf8.ValidString(out) {
			t.Errorf("htmlToText(%q) = %q, not valid UTF-8", src, out)
		}
		if out != strings.TrimSpace(out) {
			t.Errorf("htmlToText(%q) = %q, not trimmed", src, out)
		}
	})
}

// FuzzReplyMessageID: the root carried in a reply's Message-ID comes back
// unchanged, and the id is always a storable msg-id.
func FuzzReplyMessageID(f *testing.F) {
	f.Add("20250106100000.1234@mail.example.cn", "example.com")
	f.Add("a@[127.0.0.1]", "support.example")
	f.Fuzz(func(t *testing.T, root, domainName string) {
		if !validMsgID(root) || !validMsgID(domainName) || strings.Contains(domainName, "@") {
			t.Skip()
		}
		id := replyMessageID(uuid.NameSpaceOID, root, domainName)
		if !validMsgID(id) {
			t.Fatalf("replyMessageID = %q, not storable", id)
		}
		got, ok := rootFromReplyID(id)
		if len(root) <= maxEmbeddedRoot && (!ok || got != root) {
			t.Errorf("root %q came back as %q, %v", root, got, ok)
		}
	})
}
