package projections

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
)

//go:embed schema/*.sql
var schemaFiles embed.FS

var checkpointSchema = mustReadSchema("schema/checkpoints.sql")

func mustReadSchema(name string) string {
	b, err := schemaFiles.ReadFile(name)
	if err != nil {
		panic(fmt.Sprintf("projections: embedded schema %s: %v", name, err))
	}
	return string(b)
}

// sqlSchema is a projection's schema, read from the embedded files
// schema/<name>.sql (tables) and schema/<name>.indexes.sql (secondary
// indexes, which a rebuild creates only after loading the tables: building
// an index from sorted data is much cheaper than maintaining it row by row).
// Embedding it in a projection gives it Create, Drop and SchemaVersion.
type sqlSchema struct {
	tables  string
	indexes string
	names   []string // tables, for Drop
	version string
	// indexDDL is the statement of each secondary index, by name.
	indexDDL map[string]string
}

var (
	createTableRE = regexp.MustCompile(`(?i)CREATE\s+(?:VIRTUAL\s+)?TABLE\s+IF\s+NOT\s+EXISTS\s+(\w+)`)
	createIndexRE = regexp.MustCompile(`(?is)CREATE\s+INDEX\s+IF\s+NOT\s+EXISTS\s+(\w+)\s[^;]*;`)
)

func loadSchema(name string) sqlSchema {
	s := sqlSchema{
		tables:  mustReadSchema("schema/" + name + ".sql"),
		indexes: mustReadSchema("schema/" + name + ".indexes.sql"),
	}
	for _, m := range createTableRE.FindAllStringSubmatch(s.tables, -1) {
		s.names = append(s.names, m[1])
	}
	s.indexDDL = make(map[string]string)
	for _, m := range createIndexRE.FindAllStringSubmatch(s.indexes, -1) {
		s.indexDDL[m[1]] = m[0]
	}
	sum := sha256.Sum256([]byte(s.tables + "\x00" + s.indexes))
	s.version = hex.EncodeToString(sum[:8])
	return s
}

// Create implements Projection: it creates the tables and indexes that do
// not exist yet.
func (s sqlSchema) Create(ctx context.Context, tx *sql.Tx) error {
	if err := s.createTables(ctx, tx); err != nil {
		return err
	}
	return s.createIndexes(ctx, tx)
}

func (s sqlSchema) createTables(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, s.tables); err != nil {
		return fmt.Errorf("create tables: %w", err)
	}
	return nil
}

func (s sqlSchema) createIndexes(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, s.indexes); err != nil {
		return fmt.Errorf("create indexes: %w", err)
	}
	return nil
}

// ensureIndexes creates the named secondary indexes if they do not exist
// yet: a rebuild creates them only once the tables are loaded, and a
// statement that needs one in the middle of the load (an erasure, which
// finds a customer's rows by them) would otherwise scan the whole table
// each time. Once they exist this costs a look-up in the schema.
func (s sqlSchema) ensureIndexes(ctx context.Context, tx *Tx, names ...string) error {
	for _, name := range names {
		ddl, ok := s.indexDDL[name]
		if !ok {
			return fmt.Errorf("no index %s in the schema", name)
		}
		if _, err := tx.ExecContext(ctx, ddl); err != nil {
			return fmt.Errorf("create index %s: %w", name, err)
		}
	}
	return nil
}

// Drop implements Projection: it drops every table of the schema (their
// indexes go with them).
func (s sqlSchema) Drop(ctx context.Context, tx *sql.Tx) error {
	for _, name := range s.names {
		if _, err := tx.ExecContext(ctx, "DROP TABLE IF EXISTS "+name); err != nil {
			return fmt.Errorf("drop %s: %w", name, err)
		}
	}
	return nil
}

// SchemaVersion implements Versioned: a digest of the schema files.
func (s sqlSchema) SchemaVersion() string { return s.version }

// deferredIndexer is implemented by projections whose secondary indexes a
// rebuild may create after loading the tables.
type deferredIndexer interface {
	createTables(ctx context.Context, tx *sql.Tx) error
	createIndexes(ctx context.Context, tx *sql.Tx) error
}

func schemaVersion(p Projection) string {
	if v, ok := p.(Versioned); ok {
		return v.SchemaVersion()
	}
	return ""
}

// schemaState is what ensureSchema found and did.
type schemaState struct {
	checkpoints map[string]uint64
	reset       []string // projections dropped because their schema changed
}

// ensureSchema creates the tables of every projection that has none yet,
// and drops and re-creates (checkpoint 0) every projection whose schema
// version changed. It returns the checkpoints.
func (db *ReadDB) ensureSchema(ctx context.Context, projs []Projection) (schemaState, error) {
	st := schemaState{checkpoints: make(map[string]uint64, len(projs))}
	err := db.writeTx(ctx, "ensure schema", func(tx *sql.Tx) error {
		for _, p := range projs {
			pos, reset, err := ensureProjection(ctx, tx, p)
			if err != nil {
				return fmt.Errorf("ensure schema of %s: %w", p.Name(), err)
			}
			st.checkpoints[p.Name()] = pos
			if reset {
				st.reset = append(st.reset, p.Name())
			}
		}
		return nil
	})
	return st, err
}

func ensureProjection(ctx context.Context, tx *sql.Tx, p Projection) (pos uint64, reset bool, err error) {
	want := schemaVersion(p)
	var have string
	err = tx.QueryRowContext(ctx, `SELECT position, schema_version FROM checkpoints WHERE projection = ?`, p.Name()).Scan(&pos, &have)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if err := p.Create(ctx, tx); err != nil {
			return 0, false, err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO checkpoints (projection, position, schema_version) VALUES (?, 0, ?)`, p.Name(), want)
		return 0, false, err
	case err != nil:
		return 0, false, fmt.Errorf("read checkpoint: %w", err)
	case have != want:
		if err := resetProjection(ctx, tx, p, false); err != nil {
			return 0, false, err
		}
		return 0, true, nil
	}
	// Re-running the idempotent DDL restores indexes a rebuild interrupted
	// by a crash had not created yet.
	return pos, false, p.Create(ctx, tx)
}

// resetProjection drops and re-creates p's tables and sets its checkpoint
// to 0; with deferIndexes, secondary indexes are left for later.
func resetProjection(ctx context.Context, tx *sql.Tx, p Projection, deferIndexes bool) error {
	if err := p.Drop(ctx, tx); err != nil {
		return err
	}
	var err error
	if d, ok := p.(deferredIndexer); ok && deferIndexes {
		err = d.createTables(ctx, tx)
	} else {
		err = p.Create(ctx, tx)
	}
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO checkpoints (projection, position, schema_version) VALUES (?, 0, ?)
		ON CONFLICT (projection) DO UPDATE SET position = 0, schema_version = excluded.schema_version`,
		p.Name(), schemaVersion(p))
	if err != nil {
		return fmt.Errorf("reset checkpoint: %w", err)
	}
	return nil
}

// ignoreDone drops sql.ErrTxDone, which Rollback returns after the
// transaction already ended (for instance when its context was cancelled).
func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

// tableNames lists the schema's tables.
func (s sqlSchema) tableNames() []string { return s.names }
