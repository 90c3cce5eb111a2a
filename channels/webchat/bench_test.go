package webchat_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// BenchmarkMessages measures customers' messages through a real socket to
// an acknowledged append, with 100 customers chatting at once; it reports
// messages/s and the send-to-ack p99.
func BenchmarkMessages(b *testing.B) {
	e := newEnv(b)
	const clients = 100
	conns := make([]*websocket.Conn, clients)
	for i := range conns {
		c, _, err := websocket.DefaultDialer.Dial(e.url, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		if err := c.WriteJSON(hello(fmt.Sprintf("v-bench-%012d", i))); err != nil {
			b.Fatal(err)
		}
		var w map[string]any
		if err := c.ReadJSON(&w); err != nil {
			b.Fatal(err)
		}
		conns[i] = c
	}
	var mu sync.Mutex
	var lat []time.Duration
	b.ResetTimer()
	var wg sync.WaitGroup
	for i, c := range conns {
		n := b.N / clients
		if i < b.N%clients {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for m := range n {
				start := time.Now()
				if err := c.WriteJSON(message(fmt.Sprint("m", m), "benchmark message")); err != nil {
					b.Error(err)
					return
				}
				for {
					var f map[string]any
					if err := c.ReadJSON(&f); err != nil {
						b.Error(err)
						return
					}
					if f["type"] == "ack" {
						break
					}
				}
				mu.Lock()
				lat = append(lat, time.Since(start))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	if len(lat) > 0 {
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	}
}
