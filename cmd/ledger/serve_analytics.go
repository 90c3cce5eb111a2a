package main

import "flag"

// analyticsComponent wires the analytics sink (events -> ClickHouse or the embedded back end) into `ledger serve`.
// Not built yet: it adds no flags and starts nothing.
type analyticsComponent struct{}

func newAnalyticsComponent() serveComponent { return &analyticsComponent{} }

func (*analyticsComponent) addFlags(*flag.FlagSet) {}

func (*analyticsComponent) start(*serveDeps) error { return nil }
