package metrics

import (
	"bufio"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/assaylab/assay/spec"
)

// MaxSourceFiles bounds the files one trial's metrics_from globs may
// bring in; a glob that matches more is almost surely too wide.
const MaxSourceFiles = 1000

// watcher follows the files a trial's metrics_from block names.
type watcher struct {
	c       *Collector
	workdir string
	fsys    fs.FS
	sources []spec.MetricSource
	// before holds what the globs matched before the trial started: such
	// a file is read only if it changes, and then only what is new.
	before map[string]fileMark
	files  map[string]*sourceFile
	order  []*sourceFile
	// stale are files that were there before and have not changed.
	stale map[string]bool
	// byTag maps a declared metric's tag to its name.
	byTag map[string]string
	// tbDirs is the directory where each TensorBoard tag was first seen;
	// the same tag in another directory is named apart (see tagName).
	tbDirs map[string]string
	// stateSeen holds the log_history entries already read, so the
	// trainer_state.json of each checkpoint adds only what is new.
	stateSeen map[stateEntry]bool
	matched   map[string]bool // per glob: did it ever match a file?
	lastScan  time.Time
	scanCost  time.Duration
	tooMany   bool
	points    int
	br        *bufio.Reader
	// mark is told each metric that gets a point during a poll, once per
	// poll and file.
	mark  func(name string)
	polls int
}

type fileMark struct {
	size int64
	mod  time.Time
}

// sourceFile is one file a metrics_from glob found.
type sourceFile struct {
	rel    string // slash-separated, relative to the workdir
	abs    string
	format string
	reader formatReader
	info   os.FileInfo // as last read; nil before the first read
	// names caches the metric name of each raw name the file uses.
	names map[string]*rawName
	// last is the raw name of the last point; files log their names in
	// the same order step after step, so its next is most often right.
	last *rawName
}

type rawName struct {
	raw  string
	next *rawName // the raw name that followed this one last time
	name string
	poll int // the last poll that marked it
	// series is the collector's series of name once it has one: adding
	// to it directly spares a map lookup per point, most of the cost of
	// a large event file.
	series *Series
}

// formatReader reads one file of one format, a little more each time.
type formatReader interface {
	// read takes what is new in f (whose current state is info). final
	// is set once the trial has ended: what is still incomplete then is
	// reported rather than waited for.
	read(w *watcher, sf *sourceFile, f *os.File, info os.FileInfo, final bool)
}

// claims records, across every collector of this process, which trial
// reads which file, so two trials running at once in one workdir never
// both count the same points.
var claims = struct {
	sync.Mutex
	owner map[string]*Collector
	// contested marks files another trial also matched, for their owner
	// to report.
	contested map[string]bool
}{owner: map[string]*Collector{}, contested: map[string]bool{}}

// Watch adds the files a metrics_from block names, for trial t running in
// workdir, to what the collector reads. Call it before the trial starts:
// a file already there, and unchanged since, belongs to an earlier run
// and is not read. from may be nil.
func (c *Collector) Watch(from *spec.MetricsFrom, t *spec.Trial, workdir string) {
	if from == nil {
		return
	}
	sources, diags := from.Sources(t)
	c.mu.Lock()
	defer c.mu.Unlock()
	if diags.HasErrors() {
		c.note("metrics_from:eval", "", func(*problem) string {
			return fmt.Sprintf("metrics_from: %s; no files were read", diags.Error())
		})
		return
	}
	w := &watcher{
		c: c, workdir: workdir, fsys: os.DirFS(workdir), sources: sources,
		before: map[string]fileMark{}, files: map[string]*sourceFile{}, stale: map[string]bool{},
		byTag: map[string]string{}, tbDirs: map[string]string{}, stateSeen: map[stateEntry]bool{},
		matched: map[string]bool{}, br: bufio.NewReaderSize(nil, 256<<10),
	}
	for _, m := range c.declared {
		if m.Tag != "" {
			w.byTag[m.Tag] = m.Name
		}
	}
	for rel := range w.candidates() {
		if info, err := os.Stat(filepath.Join(workdir, filepath.FromSlash(rel))); err == nil {
			w.before[rel] = fileMark{size: info.Size(), mod: info.ModTime()}
		}
	}
	c.watch = w
}

// Watching reports whether the collector reads metrics_from files. It
// does so as the trial runs, so poll it even when nobody watches progress.
func (c *Collector) Watching() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.watch != nil
}

// candidates lists the files the globs match now, with their formats.
func (w *watcher) candidates() map[string]string {
	out := map[string]string{}
	for _, src := range w.sources {
		for _, g := range src.Globs {
			key := src.Format + "\x00" + g
			named := !strings.ContainsAny(path.Base(g), "*?[{")
			add := func(rel string, direct bool) {
				if _, dup := out[rel]; !dup && accepts(src.Format, rel, direct && named) {
					out[rel] = src.Format
					w.matched[key] = true
				}
			}
			deep := strings.Contains(g, "**")
			matches, err := doublestar.Glob(w.fsys, g)
			if err != nil {
				continue
			}
			for _, m := range matches {
				info, err := fs.Stat(w.fsys, m)
				if err != nil {
					continue
				}
				if !info.IsDir() {
					add(m, true)
					continue
				}
				if deep {
					continue // ** reaches every file below already
				}
				fs.WalkDir(w.fsys, m, func(p string, d fs.DirEntry, err error) error {
					if err == nil && !d.IsDir() {
						add(p, false)
					}
					return nil
				})
			}
		}
	}
	return out
}

// accepts says whether a file the globs found is one of format's files.
// named is set for a file a glob names exactly (no wildcard in its last
// element), which is read whatever its name: Keras' CSVLogger writes
// training.log.
func accepts(format, rel string, named bool) bool {
	base := path.Base(rel)
	switch format {
	case "tensorboard":
		return strings.Contains(base, "tfevents")
	case "csv":
		return named || strings.HasSuffix(base, ".csv")
	case "trainer_state":
		return base == "trainer_state.json" || (named && strings.HasSuffix(base, ".json"))
	case "mlflow":
		return mlflowKey(rel) != ""
	}
	return false
}

// poll reads what is new; c.mu is held.
func (w *watcher) poll(final bool, mark func(string)) {
	w.mark = mark
	w.polls++
	defer func() { w.mark = nil }()
	if final || time.Since(w.lastScan) >= 10*w.scanCost {
		start := time.Now()
		w.scan()
		w.lastScan, w.scanCost = time.Now(), time.Since(start)
	}
	for _, sf := range w.order {
		w.readFile(sf, final)
	}
}

// scan finds files that appeared or changed since the last scan.
func (w *watcher) scan() {
	found := w.candidates()
	rels := make([]string, 0, len(found))
	for rel := range found {
		if w.files[rel] == nil {
			rels = append(rels, rel)
		}
	}
	sort.Strings(rels)
	for _, rel := range rels {
		abs := filepath.Join(w.workdir, filepath.FromSlash(rel))
		info, err := os.Stat(abs)
		if err != nil {
			continue
		}
		start := int64(0)
		if m, ok := w.before[rel]; ok {
			if info.Size() == m.size && info.ModTime().Equal(m.mod) {
				w.stale[rel] = true
				continue
			}
			start = m.size
		}
		delete(w.stale, rel)
		if len(w.files) >= MaxSourceFiles {
			if !w.tooMany {
				w.tooMany = true
				w.c.note("metrics_from:toomany", "", func(*problem) string {
					return fmt.Sprintf("metrics_from: the globs match more than %d files; only the first %d were read: narrow the globs", MaxSourceFiles, MaxSourceFiles)
				})
			}
			return
		}
		sf := &sourceFile{rel: rel, abs: abs, format: found[rel]}
		if !w.claim(sf) {
			continue
		}
		sf.reader = newFormatReader(sf.format, start)
		w.files[rel] = sf
		w.order = append(w.order, sf)
	}
}

func newFormatReader(format string, start int64) formatReader {
	switch format {
	case "tensorboard":
		return &tbReader{off: start}
	case "csv":
		return &csvReader{start: start}
	case "trainer_state":
		return &stateReader{}
	default:
		return &mlflowReader{lines: lineTail{off: start}}
	}
}

// claim takes sf for this trial unless another running trial has it.
func (w *watcher) claim(sf *sourceFile) bool {
	claims.Lock()
	defer claims.Unlock()
	owner := claims.owner[sf.abs]
	if owner == nil || owner == w.c {
		claims.owner[sf.abs] = w.c
		return true
	}
	claims.contested[sf.abs] = true
	w.c.note("metrics_from:shared:"+sf.rel, "", func(*problem) string {
		return fmt.Sprintf("metrics_from: %s is being read for another trial running at the same time, so it was not read for this one; give each trial its own log directory (put ${seed} or a param in the path, in the command and in metrics_from)", sf.rel)
	})
	return false
}

// readFile opens sf and hands it to its reader.
func (w *watcher) readFile(sf *sourceFile, final bool) {
	f, err := os.Open(sf.abs)
	if err != nil {
		return // deleted: what was read is kept
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return
	}
	if sf.info != nil && !os.SameFile(sf.info, info) {
		// Replaced by a new file of the same name: read the new one
		// from its start.
		sf.reader = newFormatReader(sf.format, 0)
	}
	sf.info = info
	sf.reader.read(w, sf, f, info, final)
}

// finish reports what the trial's sources did not deliver and lets go
// of the files; c.mu is held.
func (w *watcher) finish() {
	claims.Lock()
	var contested []string
	for _, sf := range w.order {
		if claims.owner[sf.abs] != w.c {
			continue
		}
		delete(claims.owner, sf.abs)
		if claims.contested[sf.abs] {
			delete(claims.contested, sf.abs)
			contested = append(contested, sf.rel)
		}
	}
	claims.Unlock()
	for _, rel := range contested {
		w.c.note("metrics_from:contested:"+rel, "", func(*problem) string {
			return fmt.Sprintf("metrics_from: %s was also matched by another trial running at the same time; its points went to this trial only, which may not be the one that wrote it: give each trial its own log directory", rel)
		})
	}
	for _, src := range w.sources {
		for _, g := range src.Globs {
			if w.matched[src.Format+"\x00"+g] {
				continue
			}
			w.c.note("metrics_from:nomatch:"+src.Format+g, "", func(*problem) string {
				return fmt.Sprintf("metrics_from: %s %q matched no %s file in the workdir", src.Format, g, formatNoun(src.Format))
			})
		}
	}
	if w.points == 0 && len(w.stale) > 0 {
		stale := make([]string, 0, len(w.stale))
		for rel := range w.stale {
			stale = append(stale, rel)
		}
		sort.Strings(stale)
		w.c.note("metrics_from:stale", "", func(*problem) string {
			return fmt.Sprintf("metrics_from: %s matched but predate the trial and did not change while it ran (first: %s), so they were not read; they are an earlier run's", times(len(stale), "file"), stale[0])
		})
	}
}

func formatNoun(format string) string {
	switch format {
	case "tensorboard":
		return "event (tfevents)"
	case "csv":
		return "CSV"
	case "trainer_state":
		return "trainer_state.json"
	}
	return "MLflow metric"
}

// point hands one value read from sf to the collector; raw is the name
// the file gives it (tag, column, key); c.mu is held.
func (w *watcher) point(sf *sourceFile, raw []byte, step int64, v float64) {
	w.add(sf, w.rawName(sf, raw), step, v)
}

// rawName gives the entry for a name sf gives its values.
func (w *watcher) rawName(sf *sourceFile, raw []byte) *rawName {
	var rn *rawName
	if l := sf.last; l != nil && l.next != nil && l.next.raw == string(raw) {
		rn = l.next
	} else {
		rn = sf.names[string(raw)]
		if rn == nil {
			rn = &rawName{raw: string(raw), name: w.metricName(sf, string(raw))}
			if sf.names == nil {
				sf.names = map[string]*rawName{}
			}
			if len(sf.names) < 1<<16 {
				sf.names[rn.raw] = rn
			}
		}
		if l != nil {
			l.next = rn
		}
	}
	sf.last = rn
	return rn
}

// add hands one value of rn, read from sf, to the collector; c.mu is
// held. The usual value, of a name that has its series and was marked in
// this poll, takes the first branch alone: it runs for every value of a
// large file.
func (w *watcher) add(sf *sourceFile, rn *rawName, step int64, v float64) {
	if s := rn.series; s != nil && rn.poll == w.polls && v-v == 0 && w.c.onPoint == nil { // v-v is 0 for finite v alone
		s.Add(step, v)
		w.points++
		return
	}
	w.addFirst(sf, rn, step, v)
}

// addFirst is add for any value.
func (w *watcher) addFirst(sf *sourceFile, rn *rawName, step int64, v float64) {
	name := rn.name
	if math.IsNaN(v) || math.IsInf(v, 0) {
		w.c.note("metrics_from:nonfinite:"+name, sf.rel, func(p *problem) string {
			return fmt.Sprintf("metrics_from: %q was NaN or infinite %s (first in %s); those points were dropped", name, times(p.count, "time"), p.first)
		})
		return
	}
	if s := rn.series; s != nil {
		s.Add(step, v)
		if w.c.onPoint != nil && name == w.c.onPointName {
			w.c.onPoint(step, v)
		}
	} else {
		w.c.add(name, step, v)
		rn.series = w.c.series[name]
	}
	w.points++
	if rn.poll != w.polls {
		rn.poll = w.polls
		if w.mark != nil {
			w.mark(name)
		}
	}
}

// problemAt notes a problem with one file, once per kind.
func (w *watcher) problemAt(sf *sourceFile, kind, message string) {
	w.c.note("metrics_from:"+kind+":"+sf.rel, "", func(*problem) string {
		return fmt.Sprintf("metrics_from: %s: %s", sf.rel, message)
	})
}
