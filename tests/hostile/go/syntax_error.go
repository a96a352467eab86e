package survivor

import "context"

// This function would be reported (GO301), but the file does not parse,
// so no Go rule runs on it.
func leak(parent context.Context) {
	ctx, _ := context.WithCancel(parent)
	_ = ctx
}

func broken( {
