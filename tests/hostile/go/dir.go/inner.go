package survivor

import "context"

// A file inside a directory named like a Go file: the directory is walked.
func leak(parent context.Context) {
	ctx, _ := context.WithCancel(parent)
	_ = ctx
}
