package commands_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/commands/commandstest"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore/blobs"
)

// fakeFiles keeps files in memory; a file holding "EICAR" is infected.
type fakeFiles struct {
	kept   map[string][]byte // customer/sha -> content
	erased []string
}

func (f *fakeFiles) Put(_ context.Context, customerID string, r io.Reader, limit int64) (blobs.Ref, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return blobs.Ref{}, err
	}
	if int64(len(b)) > limit {
		return blobs.Ref{}, &blobs.TooLargeError{Limit: limit}
	}
	ref := blobs.Ref{SHA256: blobs.SHA256Hex(b), Size: int64(len(b)), ContentType: "text/plain; charset=utf-8", Scanned: true}
	if bytes.Contains(b, []byte("EICAR")) {
		ref.Infected = "Eicar-Test-Signature"
		return ref, nil
	}
	f.kept[customerID+"/"+ref.SHA256] = b
	return ref, nil
}

func (f *fakeFiles) Erase(_ context.Context, customerID string) error {
	f.erased = append(f.erased, customerID)
	return nil
}

func filesOf(named map[string]string) commands.InboundFiles {
	return func(each func(string, io.Reader) error) error {
		for _, name := range []string{"a.txt", "b.txt", "virus.com"} {
			if content, ok := named[name]; ok {
				if err := each(name, strings.NewReader(content)); err != nil {
					return err
				}
			}
		}
		return nil
	}
}

// TestInboundFilesAreKeptBeforeTheirMessage: the files of an inbound
// message are kept under the sender's customer and described by the
// message's attachments (owner, sniffed type, hash); an infected file is
// described as quarantined and not kept; a file over the limit refuses the
// message with EINVALID and records no message; without a file store only
// the channel's descriptions are recorded, or when it has none, the
// files' own (read through, not kept).
func TestInboundFilesAreKeptBeforeTheirMessage(t *testing.T) {
	tests := []struct {
		name      string
		files     map[string]string
		limit     int64
		withStore bool
		declared  bool // the channel describes the files too (as email does)
		code      string
		want      []domain.Attachment // Owner "*" is the sender's customer
	}{
		{name: "kept", withStore: true, files: map[string]string{"a.txt": "serial 42", "b.txt": "receipt"},
			want: []domain.Attachment{
				{Name: "a.txt", ContentType: "text/plain; charset=utf-8", Size: 9, SHA256: blobs.SHA256Hex([]byte("serial 42")), Owner: "*"},
				{Name: "b.txt", ContentType: "text/plain; charset=utf-8", Size: 7, SHA256: blobs.SHA256Hex([]byte("receipt")), Owner: "*"},
			}},
		{name: "infected", withStore: true, files: map[string]string{"a.txt": "fine", "virus.com": "X5O EICAR"},
			want: []domain.Attachment{
				{Name: "a.txt", ContentType: "text/plain; charset=utf-8", Size: 4, SHA256: blobs.SHA256Hex([]byte("fine")), Owner: "*"},
				{Name: "virus.com", ContentType: "text/plain; charset=utf-8", Size: 9, SHA256: blobs.SHA256Hex([]byte("X5O EICAR")), Quarantined: "Eicar-Test-Signature"},
			}},
		{name: "too large", withStore: true, limit: 5, files: map[string]string{"a.txt": "serial 42"}, code: domain.EINVALID},
		{name: "no store, described by the channel", files: map[string]string{"a.txt": "serial 42"}, declared: true,
			want: []domain.Attachment{{Name: "a.txt", Size: 9, SHA256: "declared"}}},
		{name: "no store, described by reading", files: map[string]string{"a.txt": "serial 42"},
			want: []domain.Attachment{{Name: "a.txt", ContentType: "text/plain; charset=utf-8", Size: 9, SHA256: blobs.SHA256Hex([]byte("serial 42"))}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := commandstest.NewStore(t)
			files := &fakeFiles{kept: map[string][]byte{}}
			opts := []commands.Option{commands.WithClock(func() time.Time { return t0 }), commands.WithLogger(slog.New(slog.DiscardHandler))}
			if tt.withStore {
				opts = append(opts, commands.WithFiles(files))
			}
			h := commands.NewHandler(store, opts...)
			msg := inbound(domain.ChannelWebchat, domain.IdentityEmail, "li@example.com", "m-1")
			msg.Text = ""
			msg.Files, msg.MaxFileBytes = filesOf(tt.files), tt.limit
			if tt.declared {
				msg.Attachments = []domain.Attachment{{Name: "a.txt", Size: 9, SHA256: "declared"}}
			}
			res, err := h.ReceiveInbound(t.Context(), msg, commands.Meta{})
			if tt.code != "" {
				_, events := allEvents(t, store)
				if domain.ErrorCode(err) != tt.code || countType[domain.MessageReceived](events) != 0 {
					t.Fatalf("err %v (code %q), %d messages; want %s and no message recorded", err, domain.ErrorCode(err), countType[domain.MessageReceived](events), tt.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []domain.Attachment
			_, events := allEvents(t, store)
			for _, e := range events {
				if m, ok := e.(domain.MessageReceived); ok {
					got = m.Attachments
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("attachments %+v, want %+v", got, tt.want)
			}
			for i, w := range tt.want {
				if w.Owner == "*" {
					w.Owner = res.CustomerID
					if _, ok := files.kept[res.CustomerID+"/"+w.SHA256]; !ok {
						t.Errorf("%s not kept under the customer", w.Name)
					}
				}
				if got[i] != w {
					t.Errorf("attachment %d: %+v, want %+v", i, got[i], w)
				}
			}
			if n := len(files.kept); tt.withStore && n != len(tt.want)-countQuarantined(tt.want) {
				t.Errorf("%d files kept", n)
			}
		})
	}
}

func countQuarantined(as []domain.Attachment) int {
	n := 0
	for _, a := range as {
		if a.Quarantined != "" {
			n++
		}
	}
	return n
}

// TestDeclaredAttachmentsNameNoOwner: a channel's description of a file
// cannot say whose key seals it nor that it was quarantined (an app post
// naming another customer as owner would have agents open that
// customer's file); its name is cleaned like any file's.
func TestDeclaredAttachmentsNameNoOwner(t *testing.T) {
	store := commandstest.NewStore(t)
	h := commands.NewHandler(store, commands.WithClock(func() time.Time { return t0 }), commands.WithLogger(slog.New(slog.DiscardHandler)),
		commands.WithFiles(&fakeFiles{kept: map[string][]byte{}}))
	msg := inbound(domain.ChannelApp, domain.IdentityAccount, "u-7", "m-1")
	msg.Attachments = []domain.Attachment{{Name: "../../contract\u202egnp.pdf", ContentType: "application/pdf", Size: 10, SHA256: "ab",
		Owner: "customer-of-someone-else", Quarantined: "nothing"}}
	if _, err := h.ReceiveInbound(t.Context(), msg, commands.Meta{}); err != nil {
		t.Fatal(err)
	}
	_, events := allEvents(t, store)
	var got []domain.Attachment
	for _, e := range events {
		if m, ok := e.(domain.MessageReceived); ok {
			got = m.Attachments
		}
	}
	want := domain.Attachment{Name: "contractgnp.pdf", ContentType: "application/pdf", Size: 10, SHA256: "ab"}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("recorded %+v, want %+v", got, want)
	}
}

func TestCleanFileName(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"invoice.pdf", "invoice.pdf"},
		{`C:\scans\保修单.txt`, "保修单.txt"},
		{"../../etc/passwd", "passwd"},
		{"a\tb\x00c.txt", "abc.txt"},
		{"exe\u202efdp.pdf", "exefdp.pdf"},
		{"  spaced.txt  ", "spaced.txt"},
		{"/", ""},
		{strings.Repeat("长", 100) + ".txt", strings.Repeat("长", 85)},
		{"bad\xffutf8.txt", "bad\uFFFDutf8.txt"},
	} {
		if got := commands.CleanFileName(tt.in); got != tt.want {
			t.Errorf("CleanFileName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
