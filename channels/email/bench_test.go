package email_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/interactionledger/ledger/channels/email"
)

// BenchmarkParse measures MIME parsing alone, per fixture.
func BenchmarkParse(b *testing.B) {
	for _, f := range []string{"gb2312_base64.eml", "multipart_alternative.eml", "html_only_gb2312.eml", "attachments.eml"} {
		raw := fixture(b, f)
		b.Run(f, func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				if _, err := email.Parse(raw, email.Limits{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

// BenchmarkSMTPDelivery measures a message from a real SMTP client to its
// durable append (one connection per message, as MTAs mostly do; each one a
// new thread, so each opens an interaction).
func BenchmarkSMTPDelivery(b *testing.B) {
	l := newLedger(b)
	addr := startServer(b, l, email.ServerConfig{})
	raw := fixture(b, "attachments.eml")
	i := 0
	for b.Loop() {
		i++
		msg := bytes.Replace(raw, []byte("attach-0001@example.cn"), fmt.Appendf(nil, "bench-%d@example.cn", i), 1)
		if err := deliver(b, addr, "", msg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
