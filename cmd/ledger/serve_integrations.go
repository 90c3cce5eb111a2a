package main

import (
	"flag"
	"fmt"
	"log/slog"

	"github.com/interactionledger/ledger/integrations"
)

// integrationsComponent serves POST /integrations/facts, where CRMs and
// order systems without GraphQL record business facts with requests
// signed by the secret in --integration-secret-file.
type integrationsComponent struct {
	secretFile string
}

func newIntegrationsComponent() serveComponent { return &integrationsComponent{} }

func (c *integrationsComponent) addFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.secretFile, "integration-secret-file", envOr("LEDGER_INTEGRATION_SECRET_FILE", ""),
		"file (mode 600) holding the shared secret, 32+ bytes, that CRMs and order systems sign POST /integrations/facts with (env LEDGER_INTEGRATION_SECRET_FILE); empty: the endpoint is off")
}

func (c *integrationsComponent) start(core *serveCore, _ offers) error {
	logger := slog.Default().With("component", "integrations")
	if c.secretFile == "" {
		logger.Info("/integrations/facts is disabled: no --integration-secret-file")
		return nil
	}
	secret, err := integrations.LoadSecret(c.secretFile)
	if err != nil {
		return fmt.Errorf("--integration-secret-file: %w", err)
	}
	h, err := integrations.NewHandler(integrations.Config{Recorder: core.handler, Secret: secret,
		Limits: core.limits.guard(providerRate), Logger: logger})
	if err != nil {
		return err
	}
	core.mux.Handle("POST /integrations/facts", h)
	return nil
}
