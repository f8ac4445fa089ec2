package spec

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// onAllCores calls fn(0) … fn(n-1) on as many goroutines as there are
// cores. Callers write each result to its own index, so what they build
// comes out in the same order every time.
func onAllCores(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}
