package survivor

import "context"

// café written in Latin-1: the compiler rejects the file
func leak(parent context.Context) {
	ctx, _ := context.WithCancel(parent)
	_ = ctx
}
