package domain_test

import (
	"slices"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

func TestConversationStreams(t *testing.T) {
	clear := domain.StreamNames{}
	keyed := domain.KeyedStreamNames([]byte("0123456789abcdef0123456789abcdef"))
	const key = "<root@mail.example.cn>"
	if keyed.Conversation(domain.ChannelEmail, key) == clear.Conversation(domain.ChannelEmail, key) {
		t.Fatal("a keyed name equals the clear one")
	}
	cases := []struct {
		name  string
		names domain.StreamNames
		want  []string
	}{
		{"a ledger in clear", clear, []string{clear.Conversation(domain.ChannelEmail, key)}},
		{"an encrypted ledger", keyed, []string{keyed.Conversation(domain.ChannelEmail, key)}},
		{"a migrated ledger looks under the clear name second", keyed.WithClearConversations(),
			[]string{keyed.Conversation(domain.ChannelEmail, key), clear.Conversation(domain.ChannelEmail, key)}},
		{"a ledger in clear has nothing to migrate from", clear.WithClearConversations(), []string{clear.Conversation(domain.ChannelEmail, key)}},
	}
	for _, tc := range cases {
		if got := tc.names.ConversationStreams(domain.ChannelEmail, key); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
