package survivor

import "context"

func leak(parent context.Context) {
	ctx, _ := context.WithCancel(parent)
	_ = ctx
}
