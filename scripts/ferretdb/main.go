// Command ferretdb runs FerretDB v1 on its PostgreSQL backend for the local stack.
//
// It embeds github.com/FerretDB/FerretDB/ferretdb because `go install` of the upstream
// cmd/ferretdb panics at start when built outside its own repository.
package main

import (
	"context"
	"flag"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	postgresURL := flag.String("postgresql-url", "", "PostgreSQL URL of the backend (pool_max_conns may be set in it)")
	flag.Parse()
	if *postgresURL == "" {
		log.Fatal("--postgresql-url is required")
	}

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	db, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: *listen},
		Handler:       "postgresql",
		PostgreSQLURL: *postgresURL,
		Logger:        logger,
	})
	if err != nil {
		log.Fatal(err)
	}

	// SIGTERM/SIGINT cancel the context so FerretDB closes its listener and backend pool.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := db.Run(ctx); err != nil && ctx.Err() == nil {
		log.Fatal(err)
	}
}
