package auth

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/interactionledger/ledger/graphql/apierror"
)

func TestAuthorize(t *testing.T) {
	as := func(role Role) context.Context {
		return WithViewer(context.Background(), Viewer{Subject: "x-1", Role: role})
	}
	for _, c := range []struct {
		name    string
		ctx     context.Context
		op      Operation
		access  Access
		code    string // "" when allowed
		message string
	}{
		{"full", as(RoleAgent), OpReadTickets, Full, "", ""},
		{"masked", as(RoleAnalyst), OpReadCustomers, Masked, "", ""},
		{"denied", as(RoleAnalyst), OpReadAuditTrail, Denied, apierror.CodeForbidden, "role analyst may not readAuditTrail"},
		{"no caller", context.Background(), OpReadTickets, Denied, apierror.CodeUnauthenticated, "no bearer token"},
	} {
		a, err := Authorize(c.ctx, c.op)
		code, msg, _ := apierror.Classify(err)
		if a != c.access || c.code == "" && err != nil || c.code != "" && (code != c.code || msg != c.message) {
			t.Errorf("%s: Authorize = %v, %v (code %s); want %v, code %q %q", c.name, a, err, code, c.access, c.code, c.message)
		}
	}
	if ops := OperationsOf(RoleAuditor); !slices.IsSorted(ops) || !slices.Contains(ops, string(OpVerifyLedger)) || slices.Contains(ops, string(OpReadQueues)) {
		t.Errorf("OperationsOf(auditor) = %v", ops)
	}
}

func TestAuthenticate(t *testing.T) {
	auth, err := NewAuthenticator(testSecret)
	must(t, err, "authenticator")
	tok, err := auth.Mint("a-001", RoleAgent, time.Minute)
	must(t, err, "mint")
	if v, err := auth.Authenticate("Bearer " + tok); err != nil || v.Actor() != "agent:a-001" {
		t.Errorf("Authenticate = %+v, %v", v, err)
	}
	for _, header := range []string{"", "Basic abc", "Bearer nope"} {
		_, err := auth.Authenticate(header)
		if code, _, _ := apierror.Classify(err); code != apierror.CodeUnauthenticated {
			t.Errorf("Authenticate(%q): code %s, want UNAUTHENTICATED", header, code)
		}
	}
}
