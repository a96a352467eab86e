// Command orders is a small HTTP service that sits behind Traefik (see
// ../traefik and ../docker-compose.yml).  It is the golint-traefik example:
// most of it is correct, and a few marked lines hold the leaks the linter
// reports.
package main

import (
	"context"
	"errors"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	// Correct: the stop function of NotifyContext is deferred.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	orders := newStore()
	go refreshPrices(ctx, orders, 30*time.Second)
	go reportMetrics(ctx, orders)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mux.Handle("GET /orders/{id}", &orderHandler{store: orders})
	mux.Handle("GET /orders/{id}/quote", &quoteHandler{store: orders})

	srv := &http.Server{
		Addr:              ":8080",
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		// Bug (XS104 timeout-inversion): Traefik keeps idle connections to
		// this service for 90s (the default idleConnTimeout), longer than
		// this; a request sent on a connection the server is closing gets a
		// 502.  Use 120 * time.Second.
		IdleTimeout:       60 * time.Second,
	}
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Fatalf("listen: %v", err)
		}
	}()

	<-ctx.Done()
	// Correct: the shutdown context is cancelled on every path.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Printf("shutdown: %v", err)
	}
}
