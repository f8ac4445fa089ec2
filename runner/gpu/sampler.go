package gpu

import (
	"context"
	"strconv"
	"sync"
	"time"
)

// SampleFields are what the sampler asks nvidia-smi for.
const SampleFields = "index,uuid,utilization.gpu,memory.used"

// Sampler polls nvidia-smi while any trial watches its GPUs. One sampler
// serves every trial of a batch, so a machine with eight GPUs runs one
// nvidia-smi per interval, not eight.
type Sampler struct {
	smi      string
	interval time.Duration

	mu      sync.Mutex
	watches map[*Watch]bool
}

// NewSampler returns a sampler that runs smi every interval. A nil
// sampler is valid and samples nothing (no nvidia-smi on this machine).
func NewSampler(smi string, interval time.Duration) *Sampler {
	if smi == "" {
		return nil
	}
	return &Sampler{smi: smi, interval: interval, watches: map[*Watch]bool{}}
}

// Run polls until ctx is done; it idles while nothing is watched.
func (s *Sampler) Run(ctx context.Context) {
	if s == nil {
		return
	}
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.mu.Lock()
		n := len(s.watches)
		s.mu.Unlock()
		if n == 0 {
			continue
		}
		rows, err := query(ctx, s.smi, SampleFields)
		if err != nil {
			continue
		}
		s.mu.Lock()
		for _, r := range rows {
			if len(r) < 4 {
				continue
			}
			util, uerr := strconv.ParseFloat(r[2], 64)
			mem, merr := strconv.ParseFloat(r[3], 64)
			for w := range s.watches {
				if w.ids[r[0]] || w.ids[r[1]] {
					w.add(util, uerr == nil, mem, merr == nil)
				}
			}
		}
		for w := range s.watches {
			w.endSample()
		}
		s.mu.Unlock()
	}
}

// Watch starts collecting samples of the given devices.
func (s *Sampler) Watch(ids []string) *Watch {
	w := &Watch{s: s, ids: map[string]bool{}}
	for _, id := range ids {
		w.ids[id] = true
	}
	if s != nil && len(ids) > 0 {
		s.mu.Lock()
		s.watches[w] = true
		s.mu.Unlock()
	}
	return w
}

// Watch accumulates one trial's samples.
type Watch struct {
	s   *Sampler
	ids map[string]bool

	utilSum   float64
	utilN     int
	memNow    float64
	memPeak   float64
	memSample bool
	samples   int
}

// Stats are what a watch saw.
type Stats struct {
	// Samples is how many polls saw the trial's GPUs; 0 means nothing
	// was measured (a short trial, or no nvidia-smi).
	Samples int
	// PeakMemoryMiB is the most memory the trial's GPUs held together.
	PeakMemoryMiB float64
	// UtilMean is the mean utilisation, in percent, over samples and GPUs.
	UtilMean float64
}

func (w *Watch) add(util float64, utilOK bool, mem float64, memOK bool) {
	if utilOK {
		w.utilSum += util
		w.utilN++
	}
	if memOK {
		w.memNow += mem
		w.memSample = true
	}
}

func (w *Watch) endSample() {
	if w.memSample {
		w.memPeak = max(w.memPeak, w.memNow)
		w.samples++
	} else if w.utilN > 0 {
		w.samples++
	}
	w.memNow, w.memSample = 0, false
}

// Stop ends the watch and returns its statistics.
func (w *Watch) Stop() Stats {
	if w.s != nil {
		w.s.mu.Lock()
		defer w.s.mu.Unlock()
		delete(w.s.watches, w)
	}
	st := Stats{Samples: w.samples, PeakMemoryMiB: w.memPeak}
	if w.utilN > 0 {
		st.UtilMean = w.utilSum / float64(w.utilN)
	}
	return st
}
