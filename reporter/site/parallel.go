package site

import (
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/assaylab/assay/reporter/results"
)

// forEach calls work for 0 … n-1 on as many goroutines as the process
// may run at once, and returns the first error; after an error no new
// item starts. A site's pages are independent of one another, so a
// build renders them on every core it has.
func forEach(n int, work func(i int) error) error {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			if err := work(i); err != nil {
				return err
			}
		}
		return nil
	}
	var (
		next   atomic.Int64
		failed atomic.Bool
		once   sync.Once
		first  error
		wg     sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := work(i); err != nil {
					once.Do(func() { first = err })
					failed.Store(true)
					return
				}
			}
		})
	}
	wg.Wait()
	return first
}

// lockedStore lets the goroutines of a build share one Store: its reads
// go through git's object storage, which is not safe for concurrent
// use, so they take turns while the pages are rendered around them.
type lockedStore struct {
	mu sync.Mutex
	s  Store
}

func (l *lockedStore) Index() (*results.Index, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.s.Index()
}

func (l *lockedStore) Run(prefix string) (*results.RunDetail, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.s.Run(prefix)
}

func (l *lockedStore) Reports() ([]results.ReportFile, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.s.Reports()
}

func (l *lockedStore) ReadReport(f results.ReportFile, w io.Writer) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.s.ReadReport(f, w)
}
