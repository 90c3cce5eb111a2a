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
// secret `ledger serve` uses for the same data directory; `token revoke`
// ends every token of a subject minted so far.
func runToken(ctx context.Context, args []string, out io.Writer) error {
	if len(args) > 0 && args[0] == "revoke" {
		return runTokenRevoke(ctx, args[1:], out)
	}
	fs, data := newFlagSet("token", out)
	role := fs.String("role", "", "agent, supervisor, analyst, auditor, admin or integration (required)")
	subject := fs.String("subject", "", "who the token is for; for agents and supervisors their agent id (required)")
	ttl := fs.Duration("ttl", 0, "how long the token is valid; default and most: 12h for agent and supervisor, 8h for analyst and auditor, 1h for admin")
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
	if *ttl == 0 {
		*ttl = auth.MaxTTL(r)
	}
	token, err := authn.Mint(*subject, r, *ttl)
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("token: %w", err)}
	}
	fmt.Fprintln(out, token)
	return nil
}

// runTokenRevoke ends every token of a subject minted up to now: `ledger
// serve` on the same data directory refuses them from its next request on
// (WebSockets included). Tokens minted afterwards are good.
func runTokenRevoke(_ context.Context, args []string, out io.Writer) error {
	fs, data := newFlagSet("token revoke", out)
	subject := fs.String("subject", "", "whose tokens to revoke (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := auth.ValidateSubject(*subject); err != nil {
		return &exitError{code: 2, err: fmt.Errorf("token revoke: --subject: %w", err)}
	}
	if err := os.MkdirAll(*data, 0o750); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	r, err := auth.OpenRevocations(filepath.Join(*data, auth.RevocationsFile))
	if err != nil {
		return err
	}
	now := time.Now()
	if err := r.Revoke(*subject, now); err != nil {
		return err
	}
	fmt.Fprintf(out, "revoked every token of %s minted up to %s\n", *subject, now.UTC().Format(time.RFC3339))
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
