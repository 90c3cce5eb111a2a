package main

import (
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/interactionledger/ledger/graphql"
	"github.com/interactionledger/ledger/graphql/auth"
)

// graphQLComponent serves the GraphQL API on /graphql: queries and
// mutations over HTTP, subscriptions over WebSocket.
type graphQLComponent struct {
	secret string
}

func newGraphQLComponent() serveComponent { return &graphQLComponent{} }

func (c *graphQLComponent) addFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.secret, "jwt-secret", "", "secret signing the API's bearer tokens, at least 32 bytes (env LEDGER_JWT_SECRET; default: generated into <data>/jwt-secret)")
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
		Contacts: newReadSideContacts(core.readDB, o.senders),
	})
	if err != nil {
		return fmt.Errorf("graphql: %w", err)
	}
	core.mux.Handle("/graphql", api)
	core.goRun(func() { api.Run(core.ctx) })
	return nil
}
