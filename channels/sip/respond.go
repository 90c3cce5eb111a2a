package sip

import (
	"log/slog"

	siplib "github.com/emiago/sipgo/sip"
)

// reply answers req on tx with a body-less response.
func reply(tx siplib.ServerTransaction, req *siplib.Request, code int, reason string) {
	respond(tx, siplib.NewResponseFromRequest(req, code, reason, nil))
}

// respond sends res on tx. A failure means the transaction is gone (the
// peer cancelled or the connection closed): nothing is left to tell it,
// so it is only logged.
func respond(tx siplib.ServerTransaction, res *siplib.Response) {
	if err := tx.Respond(res); err != nil {
		slog.Debug("sip: response not sent", "status", res.StatusCode, "err", err)
	}
}
