// Package spool keeps finished runs on local disk until they are recorded
// on the results branch.
//
// A spool is a directory (by default .git/assay/spool of the repository).
// Each run is one subdirectory named by its run id holding
//
//	result.json   the runner.Result
//	series.json   the metric series, {"metric": [{"step": 1, "value": 0.5}, ...]}
//	log           the trial's full log (stdout and stderr)
//	artifacts/    the files the run kept, when it kept any
//
// A run appears atomically: it is written into a temporary directory and
// renamed into place, so a reader (or a crash at any moment) never sees
// half a run. Delivery removes a run only after it is recorded.
//
// Put returns only once the run is durable, and that costs flushes shared
// by all the runs finishing at the same time (group commit, see
// groupSync): the files of every run waiting are flushed together, then
// their renames together, so a batch of trials that finish together pays
// for about one flush, not five per run. On Linux a flush is one syncfs(2)
// of the spool's filesystem; elsewhere one goroutine fsyncs each file the
// group wrote. A run whose Put has not returned may be lost in a crash; a
// run whose Put returned is not (TestKilledPutsLoseNoFinishedRun).
//
// Outside a git repository the state lives in <root>/.assay, which gets a
// .gitignore of "*" so that `git init` and `git add -A` never stage it;
// after `git init`, Adopt moves those runs into the repository's spool.
// Claim marks the state directory as used by a running assay and removes
// what runs killed earlier left behind (runs/<run-id>, unfinished spool
// entries) when no other assay is using it.
package spool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/assaylab/assay/runner"
)

// File names inside one spooled run.
const (
	ResultFile   = "result.json"
	SeriesFile   = "series.json"
	LogFile      = "log"
	ArtifactsDir = "artifacts"
)

// Spool is a directory of finished runs.
type Spool struct {
	Dir string

	syncOnce sync.Once
	syncer   *groupSync

	mu sync.Mutex
	// succeeded holds the trial keys with a succeeded run in the spool,
	// read on first use and kept current by Put.
	succeeded map[string]bool
}

// Open returns the spool at dir, creating it if needed. A spool in the
// .assay folder (outside a git repository) gets a .gitignore that keeps
// the folder out of git.
func Open(dir string) (*Spool, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create spool %s: %w", dir, err)
	}
	if err := ignoreStateDir(filepath.Dir(dir)); err != nil {
		return nil, fmt.Errorf("cannot keep %s out of git: %w", filepath.Dir(dir), err)
	}
	return &Spool{Dir: dir}, nil
}

// Put writes run durably. The run's log, when LogPath names a file, is
// linked in as LogFile (copied when a link is impossible, as across
// filesystems), so a large log costs no second copy. Put of a run id
// already spooled is a no-op.
func (s *Spool) Put(run *runner.Run) error {
	id := run.Result.RunID
	if id == "" || strings.ContainsAny(id, `/\`) || strings.HasPrefix(id, ".") {
		return fmt.Errorf("spool: invalid run id %q", id)
	}
	final := filepath.Join(s.Dir, id)
	if _, err := os.Stat(final); err == nil {
		return nil
	}
	tmp, err := os.MkdirTemp(s.Dir, ".tmp-"+id+"-")
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	defer os.RemoveAll(tmp) // no-op after a successful rename
	written := []string{filepath.Join(tmp, ResultFile), filepath.Join(tmp, SeriesFile)}
	if err := writeJSON(written[0], run.Result); err != nil {
		return err
	}
	series := run.Series
	if series == nil {
		series = map[string][]runner.Point{}
	}
	if err := writeJSON(written[1], series); err != nil {
		return err
	}
	if run.LogPath != "" {
		p := filepath.Join(tmp, LogFile)
		if err := LinkOrCopy(run.LogPath, p); err != nil {
			return err
		}
		written = append(written, p)
	}
	if run.ArtifactsDir != "" {
		paths, err := linkTree(run.ArtifactsDir, filepath.Join(tmp, ArtifactsDir))
		if err != nil {
			return err
		}
		written = append(written, paths...)
	}
	// The run's files are durable before its name appears, and its name
	// before Put returns: a crash leaves either no run or a whole one.
	if err := s.group().wait(append(written, tmp)...); err != nil {
		return err
	}
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if err := s.group().wait(s.Dir); err != nil {
		return err
	}
	s.noteSucceeded(run.Result)
	return nil
}

// group is the spool's group commit, made on first use (a Spool may be
// a literal with only Dir set).
func (s *Spool) group() *groupSync {
	s.syncOnce.Do(func() { s.syncer = newGroupSync(flushDir(s.Dir)) })
	return s.syncer
}

// Record implements runner.Sink.
func (s *Spool) Record(_ context.Context, run *runner.Run) error {
	return s.Put(run)
}

// List returns the run ids in the spool, oldest first (run ids sort by
// time).
func (s *Spool) List() ([]string, error) {
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var ids []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			ids = append(ids, e.Name())
		}
	}
	sort.Strings(ids)
	return ids, nil
}

// Get reads one spooled run. Its LogPath points into the spool.
func (s *Spool) Get(id string) (*runner.Run, error) {
	dir := filepath.Join(s.Dir, id)
	run := &runner.Run{Result: &runner.Result{}}
	if err := readJSON(filepath.Join(dir, ResultFile), run.Result); err != nil {
		return nil, err
	}
	if err := readJSON(filepath.Join(dir, SeriesFile), &run.Series); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, LogFile)); err == nil {
		run.LogPath = filepath.Join(dir, LogFile)
	}
	if info, err := os.Stat(filepath.Join(dir, ArtifactsDir)); err == nil && info.IsDir() {
		run.ArtifactsDir = filepath.Join(dir, ArtifactsDir)
	}
	return run, nil
}

// Remove deletes a run from the spool, once it is recorded elsewhere.
func (s *Spool) Remove(id string) error {
	return os.RemoveAll(filepath.Join(s.Dir, id))
}

func writeJSON(path string, v any) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	enc := json.NewEncoder(f)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		f.Close()
		return fmt.Errorf("spool: encoding %s: %w", filepath.Base(path), err)
	}
	return f.Close() // made durable by Put's group flush
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("spool: %s: %w", path, err)
	}
	return nil
}

// linkTree recreates the files under src in dst, each linked or copied,
// and returns the paths it wrote (folders included) for the flush.
func linkTree(src, dst string) ([]string, error) {
	var written []string
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("spool: artifacts: %w", err)
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			written = append(written, target)
			return os.MkdirAll(target, 0o755)
		case d.Type().IsRegular():
			written = append(written, target)
			return LinkOrCopy(p, target)
		default:
			return nil // symlinks and devices are not artifacts
		}
	})
	return written, err
}

// LinkOrCopy makes dst, which must not exist, hold src's bytes: a hard
// link where the filesystem allows one, otherwise (src on another
// filesystem) a copy. It does not fsync; Put's group flush makes what it
// spools durable.
func LinkOrCopy(src, dst string) error {
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	return copyFile(src, dst)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("spool: copying %s: %w", src, err)
	}
	return out.Close()
}

// syncPath fsyncs one file or folder.
func syncPath(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		if info, serr := f.Stat(); serr == nil && info.IsDir() {
			// Some filesystems refuse fsync on directories; the rename is
			// still atomic there, so that is not worth failing a run for.
			return nil
		}
		return fmt.Errorf("spool: %w", err)
	}
	return nil
}
