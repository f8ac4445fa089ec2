package artifacts

import (
	"math"
	"runtime/debug"
	"runtime/metrics"
)

// uploadHeadroom is how much the Go runtime's memory may grow while one
// file streams to the store: the parts in flight (uploadConcurrency ×
// uploadPartSize) and what the store's SDK allocates beside them, with
// room for the collector to work in.
const uploadHeadroom = 32 << 20

// boundMemory caps the Go runtime's memory at what it uses now plus
// headroom, unless a lower cap is set, and returns the function that
// restores the cap before. Streaming a file leaves garbage at the pace
// of the network; the default pacing lets the heap reach twice what is
// live before collecting, and on a busy machine the collector falls
// behind further. A memory limit makes allocation itself pay for
// collection near the cap, so a 2 GiB upload stays under 100 MB however
// loaded the machine is. Uploads run one at a time, so the caps nest.
func boundMemory(headroom uint64) (restore func()) {
	samples := []metrics.Sample{
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
	}
	metrics.Read(samples)
	used := samples[0].Value.Uint64() - samples[1].Value.Uint64()
	limit := used + headroom
	if limit > math.MaxInt64 {
		return func() {}
	}
	old := debug.SetMemoryLimit(-1)
	if int64(limit) >= old {
		return func() {}
	}
	debug.SetMemoryLimit(int64(limit))
	return func() { debug.SetMemoryLimit(old) }
}
