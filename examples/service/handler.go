package main

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"time"
)

var errNotFound = errors.New("order not found")

// requestContext derives the per-request context.  Correct: the cancel
// function is returned, so the caller owns it.
func requestContext(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), 2*time.Second)
}

type orderHandler struct{ store *store }

func (h *orderHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := requestContext(r)
	defer cancel()
	o, err := h.store.Get(ctx, r.PathValue("id"))
	if errors.Is(err, errNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, o)
}

type quoteHandler struct{ store *store }

func (h *quoteHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Bug (GO301 lost-cancel): the cancel function is discarded, so the
	// context and its timer stay alive for the full 3 s after every request
	// returns; under load they pile up.  Keep cancel and defer it.
	ctx, _ := context.WithTimeout(r.Context(), 3*time.Second)
	o, err := h.store.Get(ctx, r.PathValue("id"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	writeJSON(w, map[string]any{"id": o.ID, "total": quoteTotal(ctx, h.store, o.Items)})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("encode response: %v", err)
	}
}
