package main

import (
	"context"
	"log"
	"time"
)

// refreshPrices reloads the price list periodically until ctx is cancelled.
// Correct: the ticker is stopped when the function returns.
func refreshPrices(ctx context.Context, s *store, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			warmPrices(s, []string{"book", "pen"}, func(item string) int64 {
				return int64(len(item)) * 100
			})
		}
	}
}

// reportMetrics logs the number of orders every minute until ctx is cancelled.
func reportMetrics(ctx context.Context, s *store) {
	// Bug (GO302 unstopped-ticker): the ticker is never stopped.  Before
	// Go 1.23 (this module says go 1.22) an unstopped ticker is never
	// garbage-collected, so it keeps firing after the function returns.
	// Add `defer ticker.Stop()`.
	ticker := time.NewTicker(time.Minute)
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			log.Printf("orders in store: %d", s.Count())
		}
	}
}
