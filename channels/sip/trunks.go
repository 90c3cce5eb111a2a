package sip

import (
	"errors"
	"net/netip"

	siplib "github.com/emiago/sipgo/sip"
)

// fromTrunk reports whether a request came from one of the configured
// trunks.
func (s *Server) fromTrunk(req *siplib.Request) bool {
	ap, err := netip.ParseAddrPort(req.Source())
	if err != nil {
		return false
	}
	addr := ap.Addr().Unmap()
	for _, p := range s.cfg.Trunks {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// authenticDevice checks the digest credentials of an INVITE from outside
// the trunks: an agent's device may place calls, anyone else is
// challenged (401) or refused (403). It answers the request when it
// returns false.
func (s *Server) authenticDevice(req *siplib.Request, tx siplib.ServerTransaction) bool {
	var authz string
	if h := req.GetHeader("Authorization"); h != nil {
		authz = h.Value()
	}
	from := req.From()
	_, err := s.registrar.auth.verify(digestRequest{
		header: authz, method: string(siplib.INVITE), requestURI: req.Recipient,
		source: req.Source(), aorUser: from.Address.User,
	})
	switch {
	case err == nil:
		return true
	case errors.Is(err, errNoCredentials), errors.Is(err, errStaleNonce), errors.Is(err, errForgedNonce), errors.Is(err, errReplayed):
		s.registrar.challenge(req, tx, errors.Is(err, errStaleNonce))
	case errors.Is(err, errBadCredentials):
		reply(tx, req, 400, "Bad Authorization Header")
	default:
		s.log.Info("sip: INVITE from outside the trunks refused", "source", req.Source(), "err", err)
		reply(tx, req, 403, "Forbidden")
	}
	return false
}
