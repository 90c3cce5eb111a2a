package main

import "flag"

// sIPComponent wires the SIP phone channel (--sip) into `ledger serve`.
// Not built yet: it adds no flags and starts nothing.
type sIPComponent struct{}

func newSIPComponent() serveComponent { return &sIPComponent{} }

func (*sIPComponent) addFlags(*flag.FlagSet) {}

func (*sIPComponent) start(*serveDeps) error { return nil }
