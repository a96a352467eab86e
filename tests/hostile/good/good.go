// Package survivor is the well-formed Go file every hostile case runs beside:
// its one finding (GO301 on line 9) must survive whatever the hostile file does.
package survivor

import "context"

func survive(parent context.Context) {
	// the cancel function is discarded: GO301 lost-cancel, column 7
	ctx, _ := context.WithCancel(parent)
	_ = ctx
}
