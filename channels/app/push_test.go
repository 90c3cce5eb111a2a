package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/interactionledger/ledger/channels/app"
	"github.com/interactionledger/ledger/channels/outbound"
	"github.com/interactionledger/ledger/domain"
)

func TestPusherSignsTheReply(t *testing.T) {
	var got app.Push
	var sigOK bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		sigOK = r.Header.Get(app.SignatureHeader) == app.Sign([]byte(pushSecret), body)
		_ = json.Unmarshal(body, &got)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	p, err := app.NewPusher(srv.URL, pushSecret, nil)
	if err != nil {
		t.Fatal(err)
	}
	d := outbound.Delivery{SourceEventID: "e1", InteractionID: "i1", CustomerID: "c1", Channel: domain.ChannelApp,
		To: domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800000000"}, AgentID: "a1", Text: "已为您修改", SentAt: time.Unix(1767312000, 0).UTC(), Attempt: 1}
	if _, err := p.Send(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if !sigOK {
		t.Error("the push's signature does not verify")
	}
	if got.DeliveryID != "e1" || got.Text != "已为您修改" || got.Identity != d.To || got.InteractionID != "i1" {
		t.Errorf("push %+v", got)
	}
}

func TestPusherClassifiesFailures(t *testing.T) {
	cases := []struct {
		status    int
		permanent bool
	}{{http.StatusBadRequest, true}, {http.StatusGone, true}, {http.StatusTooManyRequests, false}, {http.StatusBadGateway, false}}
	for _, tc := range cases {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(tc.status) }))
		p, _ := app.NewPusher(srv.URL, pushSecret, nil)
		_, err := p.Send(context.Background(), outbound.Delivery{SourceEventID: "e1"})
		srv.Close()
		if err == nil || outbound.IsPermanent(err) != tc.permanent {
			t.Errorf("status %d: err = %v, want permanent=%t", tc.status, err, tc.permanent)
		}
	}
	if _, err := app.NewPusher("http://x", "", nil); err == nil {
		t.Error("a pusher without a key was built")
	}
}
