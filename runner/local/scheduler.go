package local

import (
	"slices"

	"github.com/assaylab/assay/runner"
)

// pending is a queued attempt.
type pending struct {
	job     *runner.Job
	attempt int
}

// slots are what this machine has free.
type slots struct {
	gpus    []string // every device id, in inventory order
	free    map[string]bool
	cpuFree int
}

func newSlots(gpus []string, parallel int) *slots {
	s := &slots{gpus: gpus, free: map[string]bool{}, cpuFree: parallel}
	for _, id := range gpus {
		s.free[id] = true
	}
	return s
}

// take reserves what j needs and returns its GPUs; ok is false when it
// does not fit now.
func (s *slots) take(j *runner.Job) (gpus []string, ok bool) {
	n := j.Trial.Runner.GPUs
	if n == 0 {
		if s.cpuFree == 0 {
			return nil, false
		}
		s.cpuFree--
		return []string{}, true
	}
	for _, id := range s.gpus {
		if s.free[id] {
			gpus = append(gpus, id)
			if len(gpus) == n {
				break
			}
		}
	}
	if len(gpus) < n {
		return nil, false
	}
	for _, id := range gpus {
		s.free[id] = false
	}
	return gpus, true
}

// release returns what take reserved.
func (s *slots) release(gpus []string) {
	if len(gpus) == 0 {
		s.cpuFree++
		return
	}
	for _, id := range gpus {
		s.free[id] = true
	}
}

// queue holds attempts waiting for slots.
type queue struct{ items []*pending }

// newQueue orders jobs largest GPU need first, keeping plan order among
// equals.
func newQueue(jobs []*runner.Job) *queue {
	q := &queue{}
	for _, j := range jobs {
		q.items = append(q.items, &pending{job: j, attempt: 1})
	}
	slices.SortStableFunc(q.items, func(a, b *pending) int {
		return b.job.Trial.Runner.GPUs - a.job.Trial.Runner.GPUs
	})
	return q
}

func (q *queue) len() int { return len(q.items) }

// pushFront queues a retry ahead of everything else.
func (q *queue) pushFront(p *pending) { q.items = slices.Insert(q.items, 0, p) }

// next removes and returns the first attempt that fits s, with its GPUs.
func (q *queue) next(s *slots) (*pending, []string) {
	for i, p := range q.items {
		if gpus, ok := s.take(p.job); ok {
			q.items = slices.Delete(q.items, i, i+1)
			return p, gpus
		}
	}
	return nil, nil
}
