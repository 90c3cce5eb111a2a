package main

import "flag"

// emailComponent wires the email channel (--smtp, --smtp-relay) into `ledger serve`.
// Not built yet: it adds no flags and starts nothing.
type emailComponent struct{}

func newEmailComponent() serveComponent { return &emailComponent{} }

func (*emailComponent) addFlags(*flag.FlagSet) {}

func (*emailComponent) start(*serveDeps) error { return nil }
