package main

import "flag"

// webChannelsComponent wires the HTTP channels: web chat, SMS, WeChat, app, and outbound delivery into `ledger serve`.
// Not built yet: it adds no flags and starts nothing.
type webChannelsComponent struct{}

func newWebChannelsComponent() serveComponent { return &webChannelsComponent{} }

func (*webChannelsComponent) addFlags(*flag.FlagSet) {}

func (*webChannelsComponent) start(*serveDeps) error { return nil }
