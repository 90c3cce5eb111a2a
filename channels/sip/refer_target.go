package sip

import (
	"errors"
	"fmt"
	"strings"

	siplib "github.com/emiago/sipgo/sip"
)

// errAttendedTransfer marks a Refer-To carrying Replaces (RFC 3891): an
// attended transfer, which this B2BUA does not offer.
var errAttendedTransfer = errors.New("attended transfer (Replaces) is not supported")

// ReferTarget is where an agent's REFER sends the call: exactly one of an
// agent or a queue.
type ReferTarget struct {
	AgentID string
	Queue   string
}

// ParseReferTo reads a Refer-To header value (RFC 3515). The target is a
// sip: or sips: URI whose user part is the agent id the call goes to
// (<sip:agent-007@ledger.example>), or, with a "queue" URI parameter, the
// queue it goes back to (<sip:ledger.example;queue=billing>; a user part
// is then ignored). Refer-To with an embedded Replaces header is an
// attended transfer and is refused; other schemes (tel:, transfers to
// outside numbers) are refused too: the ledger only routes within its
// contact centre.
func ParseReferTo(value string) (ReferTarget, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return ReferTarget{}, errors.New("empty Refer-To")
	}
	if len(value) > maxHeaderValue {
		return ReferTarget{}, fmt.Errorf("Refer-To is longer than %d bytes", maxHeaderValue)
	}
	var uri siplib.Uri
	if _, err := siplib.ParseAddressValue(value, &uri, nil); err != nil {
		return ReferTarget{}, fmt.Errorf("Refer-To: %w", err)
	}
	if uri.Scheme != "sip" && uri.Scheme != "sips" {
		return ReferTarget{}, fmt.Errorf("Refer-To scheme %q: only sip: targets inside the contact centre", uri.Scheme)
	}
	if uri.Headers != nil && uri.Headers.Has("Replaces") || strings.Contains(strings.ToLower(value), "replaces=") {
		return ReferTarget{}, errAttendedTransfer
	}
	if uri.UriParams != nil {
		if q, ok := uri.UriParams.Get("queue"); ok {
			q = strings.TrimSpace(q)
			if q == "" || len(q) > 128 || strings.ContainsAny(q, " \t\r\n\"<>") {
				return ReferTarget{}, fmt.Errorf("Refer-To queue %q is not a queue name", truncate(q, 64))
			}
			return ReferTarget{Queue: q}, nil
		}
	}
	if err := ValidAgentID(uri.User); err != nil {
		return ReferTarget{}, fmt.Errorf("Refer-To: %w", err)
	}
	return ReferTarget{AgentID: uri.User}, nil
}
