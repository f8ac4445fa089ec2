//go:build linux

package local

import (
	"os"
	"testing"
)

// BenchmarkScanProcs is what a trial's end costs the supervisor without a
// cgroup: one pass over /proc, reading every process's stat (all) or
// only those of processes younger than the batch (since-batch).
func BenchmarkScanProcs(b *testing.B) {
	b.Run("all", func(b *testing.B) {
		for b.Loop() {
			scanProcs(os.Getpid(), nil, 0).of(1, true, "none")
		}
	})
	b.Run("since-batch", func(b *testing.B) {
		var f pidFloor
		f.started(os.Getpid())
		for b.Loop() {
			scanProcs(os.Getpid(), nil, f.get()).of(1, true, "none")
		}
	})
}
