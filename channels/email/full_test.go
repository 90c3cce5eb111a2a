package email

import (
	"errors"
	"fmt"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/interactionledger/ledger/eventstore"
)

// TestFullDiskIsTransientSMTPReply: a message the ledger could not record
// for a full disk gets 452 4.3.1, a temporary refusal, so the sending MTA
// keeps it and retries.
func TestFullDiskIsTransientSMTPReply(t *testing.T) {
	err := (&Server{}).smtpReply(fmt.Errorf("receive: %w", eventstore.StorageFull(errors.New("database or disk is full (13)"))))
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code != 452 || se.EnhancedCode != (smtp.EnhancedCode{4, 3, 1}) || !se.Temporary() {
		t.Fatalf("smtpReply = %v, want 452 4.3.1", err)
	}
}
