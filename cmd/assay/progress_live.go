package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/assaylab/assay/runner"
)

// liveProgress redraws a block at the bottom of the terminal: one line
// per running trial with its elapsed time and latest metric, then the
// counts and ETA. Finished trials print once above the block and scroll
// away with it.
type liveProgress struct {
	st     *progressState
	w      io.Writer
	color  bool
	drawn  int // lines of the block now on screen
	stop   chan struct{}
	done   chan struct{}
	maxRun int // running trials listed before "and N more"
}

func newLiveProgress(st *progressState, w io.Writer, color bool) *liveProgress {
	p := &liveProgress{st: st, w: w, color: color, stop: make(chan struct{}), done: make(chan struct{}), maxRun: 12}
	go p.tick()
	return p
}

func (p *liveProgress) tick() {
	defer close(p.done)
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.st.mu.Lock()
			p.redraw(nil)
			p.st.mu.Unlock()
		}
	}
}

func (p *liveProgress) Observe(ev runner.Event) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.apply(ev)
	var above []string
	if ev.Kind == runner.EventFinished || ev.Kind == runner.EventRetrying {
		above = append(above, p.paint(ev, p.st.eventLine(ev)))
	}
	p.redraw(above)
}

// redraw replaces the block, first printing lines that stay; mu is held.
func (p *liveProgress) redraw(above []string) {
	var b strings.Builder
	if p.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA\r\x1b[J", p.drawn)
	}
	for _, l := range above {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	block := p.block()
	for _, l := range block {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	p.drawn = len(block)
	io.WriteString(p.w, b.String())
}

func (p *liveProgress) block() []string {
	now := p.st.now()
	rs := make([]*runningTrial, 0, len(p.st.running))
	for _, r := range p.st.running {
		rs = append(rs, r)
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].since.Before(rs[j].since) })
	var lines []string
	for i, r := range rs {
		if i == p.maxRun {
			lines = append(lines, fmt.Sprintf("  … and %d more running", len(rs)-p.maxRun))
			break
		}
		line := fmt.Sprintf("  %s %s%s", padRight(shortDuration(now.Sub(r.since)), 7), r.job.Name(), attemptText(r.attempt))
		if len(r.gpus) > 0 {
			line += " [GPU " + strings.Join(r.gpus, ",") + "]"
		}
		if r.hasVal {
			line += fmt.Sprintf("  %s=%.4g", r.metric, r.value)
		}
		lines = append(lines, line)
	}
	head := fmt.Sprintf("%s  (%s elapsed)", p.st.counts(), shortDuration(now.Sub(p.st.started)))
	if p.color {
		head = ansiBold + head + ansiReset
	}
	return append(lines, head)
}

func (p *liveProgress) paint(ev runner.Event, line string) string {
	if !p.color || ev.Kind != runner.EventFinished {
		return line
	}
	col := ansiRed
	switch ev.Result.Status {
	case runner.StatusSucceeded:
		col = "\x1b[32m"
	case runner.StatusStopped:
		col = "\x1b[33m"
	}
	first, rest, _ := strings.Cut(line, "\n")
	if rest != "" {
		rest = "\n" + rest
	}
	return col + first + ansiReset + rest
}

// Close stops redrawing and removes the block, leaving the finished lines.
func (p *liveProgress) Close() {
	close(p.stop)
	<-p.done
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	if p.drawn > 0 {
		fmt.Fprintf(p.w, "\x1b[%dA\r\x1b[J", p.drawn)
		p.drawn = 0
	}
}

func padRight(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return s + strings.Repeat(" ", n-len(s))
}
