package main

import (
	"flag"
	"fmt"
	"log/slog"

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

func (c *graphQLComponent) start(deps *serveDeps) error {
	secret, err := jwtSecret(c.secret, deps.dataDir)
	if err != nil {
		return err
	}
	authn, err := auth.NewAuthenticator(secret)
	if err != nil {
		return err
	}
	api, err := graphql.New(graphql.Config{
		Store: deps.store, ReadDB: deps.readDB, Runner: deps.runner, Commands: deps.handler,
		Reporter: deps.reporter, Auth: authn, Logger: slog.Default(), Registerer: deps.registry,
		Contacts: deps.contacts(),
	})
	if err != nil {
		return fmt.Errorf("graphql: %w", err)
	}
	deps.mux.Handle("/graphql", api)
	deps.goRun(func() { api.Run(deps.ctx) })
	return nil
}
