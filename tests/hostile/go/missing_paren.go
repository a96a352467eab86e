package survivor

import "context"

func call() {
	x := min(1, 2
	_ = x
}
