package projections

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func BenchmarkInsertFloor(b *testing.B) {
	ctx := context.Background()
	for _, rowsPer := range []int{1, 64} {
		b.Run("", func(b *testing.B) {
			db, err := sql.Open("sqlite", dsn(filepath.Join(b.TempDir(), "x.db"), "_pragma=page_size(65536)", "_pragma=journal_mode(WAL)", "_pragma=synchronous(NORMAL)", "_pragma=cache_size(-4096)"))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			db.SetMaxOpenConns(1)
			db.Exec(`CREATE TABLE messages (position INTEGER PRIMARY KEY, interaction_id TEXT, message_id TEXT, direction TEXT, agent_id TEXT, text TEXT, attachments TEXT, sent_at INTEGER, at INTEGER)`)
			q := "INSERT INTO messages VALUES " + strings.Repeat("(?,?,?,?,?,?,?,?,?),", rowsPer-1) + "(?,?,?,?,?,?,?,?,?)"
			text := strings.Repeat("您好，我的订单还没有到 ", 6)
			n := 0
			pos := int64(0)
			for b.Loop() {
				tx, _ := db.BeginTx(ctx, nil)
				st, _ := tx.Prepare(q)
				args := make([]any, 0, 9*rowsPer)
				for i := 0; i < 100000/rowsPer; i++ {
					args = args[:0]
					for j := 0; j < rowsPer; j++ {
						pos++
						args = append(args, pos, "6f1c2a4e-1111-4222-8333-944445555666", "7f1c2a4e-1111-4222-8333-944445555666", "IN", "", text, "", int64(0), time.Now().UnixNano())
					}
					if _, err := st.ExecContext(ctx, args...); err != nil {
						b.Fatal(err)
					}
					n += rowsPer
				}
				tx.Commit()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/row")
		})
	}
}
