package main

import (
	"flag"
	"log/slog"
	"time"

	"github.com/interactionledger/ledger/eventstore/treehead"
)

// treeHeadComponent signs a Merkle tree head of the ledger every
// --tree-head-every into --data (eventstore/treehead), so that `ledger
// verify` notices events removed from the end of the ledger, whole
// streams removed, or chains rewritten after a head.
type treeHeadComponent struct{ every time.Duration }

func newTreeHeadComponent() serveComponent { return &treeHeadComponent{} }

func (c *treeHeadComponent) addFlags(fs *flag.FlagSet) {
	fs.DurationVar(&c.every, "tree-head-every", time.Minute, "how often to sign a Merkle tree head of the ledger (0: never; `ledger tree-head` signs one on demand)")
}

func (c *treeHeadComponent) start(core *serveCore, _ offers) error {
	if c.every <= 0 {
		return nil
	}
	log, err := treehead.OpenLog(core.ctx, core.dataDir, treehead.SigningOnly())
	if err != nil {
		return err
	}
	core.goRun(func() {
		defer log.Close()
		tick := time.NewTicker(c.every)
		defer tick.Stop()
		for {
			select {
			case <-core.ctx.Done():
				return
			case <-tick.C:
			}
			if err := log.CatchUp(core.ctx, core.rawStore); err != nil {
				if core.ctx.Err() == nil {
					slog.Warn("tree head not signed; trying again", "err", err)
				}
				continue
			}
			if _, err := log.SignHead(core.ctx, time.Now()); err != nil {
				slog.Warn("tree head not signed; trying again", "err", err)
			}
		}
	})
	return nil
}
