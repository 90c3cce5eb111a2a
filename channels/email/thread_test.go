package email

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/interactionledger/ledger/domain"
)

func TestThreadRoot(t *testing.T) {
	ours := replyMessageID(uuid.MustParse("7d444840-9dc0-11d1-b245-5ffdce74fad2"), "root@customer.example", "support.example")
	cases := []struct {
		name string
		m    Message
		want string
	}{
		{"a new message is its own root", Message{MessageID: "m1@x"}, "m1@x"},
		{"first References entry", Message{MessageID: "m3@x", InReplyTo: "m2@x", References: []string{"m1@x", "m2@x"}}, "m1@x"},
		{"In-Reply-To without References", Message{MessageID: "m2@x", InReplyTo: "m1@x"}, "m1@x"},
		{"unknown root still the first reference", Message{MessageID: "m9@x", References: []string{"never-seen@y", "m8@x"}}, "never-seen@y"},
		{"reply to ours with only In-Reply-To", Message{MessageID: "m4@x", InReplyTo: ours}, "root@customer.example"},
		{"References starting with ours", Message{MessageID: "m5@x", References: []string{ours}}, "root@customer.example"},
		{"ours later in References does not override the root", Message{MessageID: "m6@x", References: []string{"r@x", ours}}, "r@x"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := threadRoot(&tc.m); got != tc.want {
				t.Errorf("threadRoot = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestReplyMessageID(t *testing.T) {
	seed := uuid.MustParse("0194f1a2-0000-7000-8000-000000000001")
	cases := []struct {
		name, root string
		embedded   bool
	}{
		{"ordinary root", "20250106100000.1234@mail.example.cn", true},
		{"root with odd characters", "AbC+/=x$y@[127.0.0.1]", true},
		{"root too long to embed", strings.Repeat("r", maxEmbeddedRoot) + "@x", false},
		{"no root", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := replyMessageID(seed, tc.root, "support.example")
			if id != replyMessageID(seed, tc.root, "support.example") {
				t.Error("not deterministic")
			}
			if !validMsgID(id) || !strings.HasSuffix(id, "@support.example") || strings.ToLower(id) != id {
				t.Errorf("id %q is not a lower-case msg-id at our domain", id)
			}
			got, ok := rootFromReplyID(id)
			if ok != tc.embedded || (ok && got != tc.root) {
				t.Errorf("rootFromReplyID(%q) = %q, %v; want %q, %v", id, got, ok, tc.root, tc.embedded)
			}
			// Case folding by a mailer on the way does not lose the root.
			if got, ok := rootFromReplyID(strings.ToUpper(id[:strings.IndexByte(id, '@')]) + "@SUPPORT.EXAMPLE"); tc.embedded && (!ok || got != tc.root) {
				t.Errorf("upper-cased id lost its root: %q, %v", got, ok)
			}
		})
	}
	if replyMessageID(seed, "r@x", "d") == replyMessageID(uuid.MustParse("0194f1a2-0000-7000-8000-000000000002"), "r@x", "d") {
		t.Error("two replies share a Message-ID")
	}
	for _, id := range []string{"ledger.x.y@z", "ledger.not-a-uuid.abc@z", "other." + uuid.NewString() + ".c5h66p35@z", "no-at-sign"} {
		if root, ok := rootFromReplyID(id); ok {
			t.Errorf("rootFromReplyID(%q) = %q, want none", id, root)
		}
	}
}

func TestConversationKeySeparatesParticipants(t *testing.T) {
	a := domain.Identity{Kind: domain.IdentityEmail, Value: "a@example.com"}
	b := domain.Identity{Kind: domain.IdentityEmail, Value: "b@example.com"}
	if conversationKey("r@x", a) == conversationKey("r@x", b) {
		t.Error("two senders in one thread share a conversation")
	}
	if conversationKey("r@x", a) != conversationKey("r@x", a) {
		t.Error("not deterministic")
	}
}

func TestThreadCorrelation(t *testing.T) {
	root, ok := rootFromCorrelation(threadCorrelation("r@x"))
	if !ok || root != "r@x" {
		t.Errorf("round trip = %q, %v", root, ok)
	}
	for _, c := range []string{"", "email:", "0194f1a2-0000-7000-8000-000000000001", "email:has space"} {
		if r, ok := rootFromCorrelation(c); ok {
			t.Errorf("rootFromCorrelation(%q) = %q", c, r)
		}
	}
}
