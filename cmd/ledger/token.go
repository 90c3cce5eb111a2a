package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/interactionledger/ledger/graphql/auth"
)

// runToken mints a bearer token for the GraphQL API, signed with the
// secret `ledger serve` uses for the same data directory.
func runToken(_ context.Context, args []string, out io.Writer) error {
	fs, data := newFlagSet("token", out)
	role := fs.String("role", "", "agent, supervisor, analyst, auditor or admin (required)")
	subject := fs.String("subject", "", "who the token is for; for agents and supervisors their agent id (required)")
	ttl := fs.Duration("ttl", 8*time.Hour, "how long the token is valid (at most 720h)")
	secret := fs.String("jwt-secret", "", "signing secret (env LEDGER_JWT_SECRET; default: <data>/jwt-secret, created if absent)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *role == "" || *subject == "" {
		return &exitError{code: 2, err: errors.New("token: --role and --subject are required")}
	}
	r, err := auth.ParseRole(*role)
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("token: %w", err)}
	}
	key, err := jwtSecret(*secret, *data)
	if err != nil {
		return err
	}
	authn, err := auth.NewAuthenticator(key)
	if err != nil {
		return err
	}
	token, err := authn.Mint(*subject, r, *ttl)
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("token: %w", err)}
	}
	fmt.Fprintln(out, token)
	return nil
}

// jwtSecret is the API's signing secret: the flag's value, else
// LEDGER_JWT_SECRET, else the one generated into the data directory on
// first use (and reused after).
func jwtSecret(flagValue, dataDir string) ([]byte, error) {
	if flagValue == "" {
		flagValue = os.Getenv("LEDGER_JWT_SECRET")
	}
	if flagValue != "" {
		if len(flagValue) < auth.MinSecretBytes {
			return nil, fmt.Errorf("the JWT secret must be at least %d bytes", auth.MinSecretBytes)
		}
		return []byte(flagValue), nil
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	return auth.LoadOrCreateSecret(filepath.Join(dataDir, auth.SecretFile))
}
