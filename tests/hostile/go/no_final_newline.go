package survivor

import "context"

func leak(parent context.Context) {
	ctx, _ := context.WithCancel(parent)
	_ = ctx
}

// The file ends without a newline after a type declaration: Go inserts the semicolon itself.
type T struct{}