package artifacts

import (
	"runtime/debug"
	"testing"
)

// boundMemory lowers the memory limit for the length of an upload and
// puts back what was there; it never raises a lower limit.
func TestBoundMemory(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)

	debug.SetMemoryLimit(1 << 40)
	restore := boundMemory(32 << 20)
	during := debug.SetMemoryLimit(-1)
	if during >= 1<<40 || during < 32<<20 {
		t.Errorf("limit during an upload = %d, want the memory in use plus 32 MiB", during)
	}
	restore()
	if got := debug.SetMemoryLimit(-1); got != 1<<40 {
		t.Errorf("limit after = %d, want %d back", got, int64(1<<40))
	}

	debug.SetMemoryLimit(1 << 20) // lower than anything in use
	boundMemory(32 << 20)()
	if got := debug.SetMemoryLimit(-1); got != 1<<20 {
		t.Errorf("a lower limit became %d", got)
	}
}
