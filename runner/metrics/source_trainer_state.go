package metrics

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"sort"
	"time"
)

// maxStateFile bounds a trainer_state.json read whole.
const maxStateFile = 64 << 20

// stateReader reads the log_history of a Hugging Face trainer_state.json.
// The Trainer writes the file whole at each checkpoint (and at
// save_state), so the reader takes it whole whenever it changes and hands
// over the entries it has not seen. Each entry's "step" is its step (an
// entry without one takes its position, 1, 2, ...); every other numeric
// member is a point. The trainer_state.json of each checkpoint repeats
// the history before it, so an entry seen in another of the trial's
// files (same position, same bytes) is not counted twice.
type stateReader struct {
	size int64
	mod  time.Time
	used int // entries handed over
	// parsed: size and mod are those of a file read in full.
	parsed bool
}

// stateEntry identifies a log_history entry across files.
type stateEntry struct {
	index int
	sum   uint64
}

func (r *stateReader) read(w *watcher, sf *sourceFile, f *os.File, info os.FileInfo, final bool) {
	if r.parsed && info.Size() == r.size && info.ModTime().Equal(r.mod) {
		return
	}
	if info.Size() > maxStateFile {
		if final {
			w.problemAt(sf, "large", fmt.Sprintf("is %d bytes, more than the %d read whole; not read", info.Size(), maxStateFile))
		}
		return
	}
	data, err := io.ReadAll(io.LimitReader(f, maxStateFile+1))
	if err != nil {
		return
	}
	var state struct {
		LogHistory []json.RawMessage `json:"log_history"`
	}
	quoted := quoteNonFinite(data)
	if err := json.Unmarshal(quoted, &state); err != nil {
		// The Trainer may be half way through writing it: wait, unless
		// the trial has ended.
		if final {
			var se *json.SyntaxError
			where := ""
			if errors.As(err, &se) && len(quoted) == len(data) {
				where = fmt.Sprintf(" at offset %d", se.Offset)
			}
			w.problemAt(sf, "json", fmt.Sprintf("is not a valid trainer state (%v%s); not read", err, where))
		}
		return
	}
	r.parsed, r.size, r.mod = true, info.Size(), info.ModTime()
	if r.used > len(state.LogHistory) {
		r.used = 0 // a new run's state replaced the file
	}
	for i := r.used; i < len(state.LogHistory); i++ {
		raw := state.LogHistory[i]
		h := fnv.New64a()
		h.Write(raw)
		id := stateEntry{index: i, sum: h.Sum64()}
		if w.stateSeen[id] {
			continue
		}
		w.stateSeen[id] = true
		var entry map[string]json.RawMessage
		if json.Unmarshal(raw, &entry) != nil {
			continue
		}
		step := int64(i + 1)
		if v, bad := number(entry["step"]); bad == "" {
			step = int64(v)
		}
		keys := make([]string, 0, len(entry))
		for k := range entry {
			if k != "step" {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			if v, bad := number(entry[k]); bad == "" {
				w.point(sf, []byte(k), step, v)
			}
		}
	}
	r.used = len(state.LogHistory)
}
