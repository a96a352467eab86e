package survivor

import "context"

func leak(parent context.Context) {
	/* héllo wörld — 日本語 🙂 */ ctx, _ := context.WithCancel(parent)
	_ = ctx
}
