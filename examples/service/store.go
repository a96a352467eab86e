package main

import (
	"context"
	"sync"
)

type Order struct {
	ID     string
	Amount int64
	Items  []string
}

// store is an in-memory order store guarded by a mutex.
type store struct {
	mu     sync.RWMutex
	orders map[string]Order
	prices map[string]int64
}

func newStore() *store {
	return &store{orders: map[string]Order{}, prices: map[string]int64{}}
}

func (s *store) Get(ctx context.Context, id string) (Order, error) {
	if err := ctx.Err(); err != nil {
		return Order{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, ok := s.orders[id]
	if !ok {
		return Order{}, errNotFound
	}
	return o, nil
}

func (s *store) Price(item string) int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.prices[item]
}

func (s *store) SetPrice(item string, cents int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prices[item] = cents
}

func (s *store) Count() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.orders)
}
