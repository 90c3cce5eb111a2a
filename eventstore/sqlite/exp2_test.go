package sqlite

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"fmt"
	"github.com/google/uuid"
	"github.com/interactionledger/ledger/eventstore"
	"math/rand/v2"
)

func TestExp2(t *testing.T) {
	if os.Getenv("EXP2") == "" {
		t.Skip()
	}
	tweak()
	bs, _ := strconv.Atoi(os.Getenv("BS"))
	n, _ := strconv.Atoi(os.Getenv("N"))
	path := filepath.Join(t.TempDir(), "x.db")
	s, err := Open(context.Background(), path, WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w := s.w
	rng := rand.New(rand.NewPCG(1, 2))
	// stop the real writer from interfering: we call process directly; the run goroutine is blocked on an empty queue.
	start := time.Now()
	data := []byte(`{"body":"` + string(make([]byte, 0)) + `abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"}`)
	for done := 0; done < n; done += bs {
		reqs := make([]*request, bs)
		for i := range reqs {
			reqs[i] = newRequest(context.Background(), fmt.Sprintf("bench-%d", rng.IntN(10000)), eventstore.Any,
				[]eventstore.EventData{{ID: uuid.New(), Type: "X", Schema: 1, Data: data, Metadata: []byte(`{}`)}})
		}
		w.process(reqs)
	}
	el := time.Since(start)
	st, _ := os.Stat(path + "-wal")
	t.Logf("%d events batch %d: %v, %.0f ev/s %v walbytes/event=%d", n, bs, el, float64(n)/el.Seconds(), expStats, st.Size()/int64(n))
}
