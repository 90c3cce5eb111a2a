package main

import (
	"testing"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/projections"
)

func TestChooseContact(t *testing.T) {
	phone := domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800000001"}
	mail := domain.Identity{Kind: domain.IdentityEmail, Value: "li@example.com"}
	openid := domain.Identity{Kind: domain.IdentityWeChat, Value: "oAbc"}
	calls := projections.Interaction{Channel: domain.ChannelPhone, Identity: phone}
	wechat := projections.Interaction{Channel: domain.ChannelWeChat, Identity: openid}
	email := projections.Interaction{Channel: domain.ChannelEmail, Identity: mail}
	all := []domain.Channel{domain.ChannelSMS, domain.ChannelEmail, domain.ChannelWeChat, domain.ChannelWebchat, domain.ChannelApp}
	cases := []struct {
		name        string
		customer    projections.Customer
		recent      []projections.Interaction
		deliverable []domain.Channel
		want        commands.Contact
		notFound    bool
	}{
		{"the preferred written channel", projections.Customer{PreferredChannel: domain.ChannelEmail}, []projections.Interaction{wechat, email}, all,
			commands.Contact{Channel: domain.ChannelEmail, Identity: mail}, false},
		{"preferred is the phone: the last written channel", projections.Customer{PreferredChannel: domain.ChannelPhone}, []projections.Interaction{calls, wechat, email}, all,
			commands.Contact{Channel: domain.ChannelWeChat, Identity: openid}, false},
		{"a channel without a sender is skipped", projections.Customer{PreferredChannel: domain.ChannelWeChat}, []projections.Interaction{wechat, email}, []domain.Channel{domain.ChannelEmail},
			commands.Contact{Channel: domain.ChannelEmail, Identity: mail}, false},
		{"only ever phoned: SMS to the number", projections.Customer{PreferredChannel: domain.ChannelPhone, Identities: []domain.Identity{phone}}, []projections.Interaction{calls}, all,
			commands.Contact{Channel: domain.ChannelSMS, Identity: phone}, false},
		{"an erased customer's addresses are skipped", projections.Customer{ID: "c1", PreferredChannel: domain.ChannelSMS, Identities: []domain.Identity{{Kind: domain.IdentityPhone, Value: domain.ErasedText}}},
			[]projections.Interaction{{Channel: domain.ChannelSMS, Identity: domain.Identity{Kind: domain.IdentityPhone, Value: domain.ErasedText}}}, all,
			commands.Contact{}, true},
		{"an erased address is passed over for the next channel", projections.Customer{PreferredChannel: domain.ChannelSMS},
			[]projections.Interaction{{Channel: domain.ChannelSMS, Identity: domain.Identity{Kind: domain.IdentityPhone, Value: domain.ErasedText}}, email}, all,
			commands.Contact{Channel: domain.ChannelEmail, Identity: mail}, false},
		{"nothing to write to", projections.Customer{ID: "c1", PreferredChannel: domain.ChannelPhone, Identities: []domain.Identity{phone}}, []projections.Interaction{calls}, []domain.Channel{domain.ChannelEmail},
			commands.Contact{}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := chooseContact(tc.customer, tc.recent, tc.deliverable)
			if tc.notFound {
				if domain.ErrorCode(err) != domain.ENOTFOUND {
					t.Fatalf("err %v, want ENOTFOUND", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("chooseContact = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}
