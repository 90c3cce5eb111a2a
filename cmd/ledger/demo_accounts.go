package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/graphql/auth/accounts"
)

// demoAccounts are the accounts `serve --demo` creates, one per role. The
// agent is the first agent the demo traffic registers (makeDemoAgents
// numbers them from agent-001), so it gets interactions assigned.
var demoAccounts = []accounts.Account{
	{Subject: "agent-001", Role: auth.RoleAgent, DisplayName: "Demo agent"},
	{Subject: "supervisor", Role: auth.RoleSupervisor, DisplayName: "Demo supervisor"},
	{Subject: "analyst", Role: auth.RoleAnalyst, DisplayName: "Demo analyst"},
	{Subject: "auditor", Role: auth.RoleAuditor, DisplayName: "Demo auditor"},
	{Subject: "admin", Role: auth.RoleAdmin, DisplayName: "Demo admin"},
}

// ensureDemoAccounts creates the demo accounts missing from data's
// accounts file, with random passwords, and prints each new one's
// subject, role and password, this once; the ones that exist keep their
// passwords.
func ensureDemoAccounts(data string, out io.Writer) error {
	store, err := openAccounts(data)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "demo accounts (sign in at /):")
	for _, a := range demoAccounts {
		password, err := accounts.GeneratePassword()
		if err != nil {
			return err
		}
		err = store.Add(a, password)
		switch {
		case errors.Is(err, accounts.ErrExists):
			fmt.Fprintf(out, "  %-10s %-12s exists already: its password is unchanged (ledger users set-password --subject %s)\n", a.Role, a.Subject, a.Subject)
		case err != nil:
			return fmt.Errorf("demo account %s: %w", a.Subject, err)
		default:
			fmt.Fprintf(out, "  %-10s %-12s password %s\n", a.Role, a.Subject, password)
		}
	}
	return nil
}
