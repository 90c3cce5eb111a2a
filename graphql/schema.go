package graphql

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"
	"strings"

	gql "github.com/graph-gophers/graphql-go"
	gqlerrors "github.com/graph-gophers/graphql-go/errors"
)

//go:embed schema/*.graphql
var schemaFiles embed.FS

// Schema returns the API's schema document: every file of schema/,
// in name order.
func Schema() string {
	names, err := fs.Glob(schemaFiles, "schema/*.graphql")
	if err != nil {
		panic(err) // the pattern is a constant
	}
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		data, err := schemaFiles.ReadFile(name)
		if err != nil {
			panic(err) // embedded: cannot fail
		}
		b.Write(data)
		b.WriteByte('\n')
	}
	return b.String()
}

// parseSchema binds the schema to the root resolver with the API's limits.
func parseSchema(r *resolver, limits Limits, log *slog.Logger) (*gql.Schema, error) {
	s, err := gql.ParseSchema(Schema(), r,
		gql.UseStringDescriptions(),
		gql.MaxDepth(limits.MaxDepth),
		gql.MaxQueryLength(limits.MaxQueryBytes),
		gql.MaxParallelism(limits.MaxParallelism),
		gql.SubscribeResolverTimeout(limits.SubscriptionUpdateTimeout),
		gql.PanicHandler(panicHandler{}),
		gql.Logger(panicLogger{log: log}),
	)
	if err != nil {
		return nil, fmt.Errorf("graphql schema: %w", err)
	}
	return s, nil
}

// panicHandler turns a resolver's panic into an error the edge maps to
// INTERNAL (and logs), instead of graphql-go's message quoting the panic.
type panicHandler struct{}

func (panicHandler) MakePanicError(_ context.Context, value any) *gqlerrors.QueryError {
	err := fmt.Errorf("panic in resolver: %v", value)
	return &gqlerrors.QueryError{Message: "internal error", ResolverError: err}
}

// panicLogger logs resolver panics with slog.
type panicLogger struct{ log *slog.Logger }

func (l panicLogger) LogPanic(ctx context.Context, value any) {
	l.log.ErrorContext(ctx, "graphql resolver panicked", "panic", value)
}
