package main

import (
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/interactionledger/ledger/graphql"
	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/graphql/auth/accounts"
	"github.com/interactionledger/ledger/graphql/auth/session"
	"github.com/interactionledger/ledger/internal/limit"
)

// graphQLComponent serves the GraphQL API on /graphql: queries and
// mutations over HTTP, subscriptions over WebSocket.
type graphQLComponent struct {
	secret string
	// loginPerAccount and loginPerAddress limit failed sign-ins.
	loginPerAccount, loginPerAddress string
}

func newGraphQLComponent() serveComponent {
	return &graphQLComponent{loginPerAccount: "20/h:5", loginPerAddress: "60/h:20"}
}

func (c *graphQLComponent) addFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.secret, "jwt-secret", "", "secret signing the API's bearer tokens, at least 32 bytes (env LEDGER_JWT_SECRET; default: generated into <data>/jwt-secret)")
	fs.StringVar(&c.loginPerAccount, "login-failures-per-account", c.loginPerAccount, "failed sign-ins allowed per account: <n>/s|m|h[:burst], or off")
	fs.StringVar(&c.loginPerAddress, "login-failures-per-address", c.loginPerAddress, "failed sign-ins allowed per client address (IPv6: per /64): <n>/s|m|h[:burst], or off")
}

func (c *graphQLComponent) start(core *serveCore, o offers) error {
	secret, err := jwtSecret(c.secret, core.dataDir)
	if err != nil {
		return err
	}
	authn, err := auth.NewAuthenticator(secret)
	if err != nil {
		return err
	}
	revoked, err := auth.OpenRevocations(filepath.Join(core.dataDir, auth.RevocationsFile))
	if err != nil {
		return err
	}
	authn.UseRevocations(revoked)
	api, err := graphql.New(graphql.Config{
		Store: core.store, ReadDB: core.readDB, Runner: core.runner, Commands: core.handler,
		Reporter: o.reporter, Auth: authn, Logger: slog.Default(), Registerer: core.registry,
		Contacts: newReadSideContacts(core.readDB, o.senders), Files: filesOf(core),
	})
	if err != nil {
		return fmt.Errorf("graphql: %w", err)
	}
	core.mux.Handle("/graphql", api)
	core.mux.HandleFunc(graphql.FilesPattern, api.ServeFile)
	core.mux.HandleFunc(graphql.UploadPattern, api.ServeUpload)
	if err := c.mountSignIn(core, authn); err != nil {
		return err
	}
	core.goRun(func() { api.Run(core.ctx) })
	return nil
}

// mountSignIn serves /auth/login, /auth/logout and /auth/me on the
// accounts of <data>/users.json (`ledger users`).
func (c *graphQLComponent) mountSignIn(core *serveCore, authn *auth.Authenticator) error {
	perAccount, err := limit.ParseRate(c.loginPerAccount)
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("--login-failures-per-account: %w", err)}
	}
	perAddress, err := limit.ParseRate(c.loginPerAddress)
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("--login-failures-per-address: %w", err)}
	}
	h, err := session.New(session.Config{
		Auth: authn, Accounts: accounts.Open(filepath.Join(core.dataDir, accounts.File)),
		PerAccount: perAccount, PerAddress: perAddress, Logger: slog.Default(),
	})
	if err != nil {
		return err
	}
	h.Register(core.mux)
	return nil
}

// filesOf is the API's view of the server's kept files: none (nil) on a
// ledger in clear, which keeps none.
func filesOf(core *serveCore) graphql.Files {
	if core.files == nil {
		return nil
	}
	return core.files
}
