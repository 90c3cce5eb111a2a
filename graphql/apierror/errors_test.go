package apierror

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		err      error
		code     string
		message  string
		internal bool
	}{
		{domain.Errorf(domain.EINVALID, "bad phone"), CodeBadUserInput, "bad phone", false},
		{fmt.Errorf("load: %w", domain.Errorf(domain.ENOTFOUND, "no ticket")), CodeNotFound, "no ticket", false},
		{fmt.Errorf("%w: %w", domain.Errorf(domain.ECONFLICT, "busy"), errors.New("sqlite: locked at /var/x")), CodeConflict, "busy", false},
		{domain.Errorf(domain.EFORBIDDEN, "not yours"), CodeForbidden, "not yours", false},
		{Forbidden("role %s may not %s", "analyst", "readAuditTrail"), CodeForbidden, "role analyst may not readAuditTrail", false},
		{Unauthenticated("expired"), CodeUnauthenticated, "expired", false},
		{fmt.Errorf("wait: %w", context.DeadlineExceeded), CodeTimeout, "the request ran out of time", false},
		{errors.New("disk I/O error at /data/readmodels.db"), CodeInternal, "internal error", true},
		{fmt.Errorf("append x: %w", eventstore.StorageFull(errors.New("database or disk is full (13)"))), CodeUnavailable, "the ledger's disk is full; try again later", false},
	} {
		code, msg, internal := Classify(c.err)
		if code != c.code || msg != c.message || internal != c.internal {
			t.Errorf("Classify(%v) = %s, %q, %v; want %s, %q, %v", c.err, code, msg, internal, c.code, c.message, c.internal)
		}
	}
}
