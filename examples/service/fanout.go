package main

import (
	"context"
	"sync"
)

// quoteTotal prices the items of an order concurrently.
func quoteTotal(ctx context.Context, s *store, items []string) int64 {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int64
	)
	for _, item := range items {
		go func() {
			// Bug (GO201 waitgroup-add-in-goroutine): Add runs inside the
			// new goroutine, so wg.Wait below may run before any Add and
			// return a partial total.  Call wg.Add(1) before the go statement.
			wg.Add(1)
			defer wg.Done()
			if ctx.Err() != nil {
				return
			}
			p := s.Price(item)
			mu.Lock()
			total += p
			mu.Unlock()
		}()
	}
	wg.Wait()
	return total
}

// warmPrices is the same fan-out done right: Add before go, Done deferred.
func warmPrices(s *store, items []string, load func(string) int64) {
	var wg sync.WaitGroup
	for _, item := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.SetPrice(item, load(item))
		}()
	}
	wg.Wait()
}
