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
	if err := writeJSON(filepath.Join(tmp, ResultFile), run.Result); err != nil {
		return err
	}
	series := run.Series
	if series == nil {
		series = map[string][]runner.Point{}
	}
	if err := writeJSON(filepath.Join(tmp, SeriesFile), series); err != nil {
		return err
	}
	if run.LogPath != "" {
		if err := linkOrCopy(run.LogPath, filepath.Join(tmp, LogFile)); err != nil {
			return err
		}
	}
	if run.ArtifactsDir != "" {
		if err := linkTree(run.ArtifactsDir, filepath.Join(tmp, ArtifactsDir)); err != nil {
			return err
		}
	}
	if err := syncDir(tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if err := syncDir(s.Dir); err != nil {
		return err
	}
	s.noteSucceeded(run.Result)
	return nil
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
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("spool: %w", err)
	}
	return f.Close()
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

// linkTree recreates the files under src in dst, each linked or copied.
func linkTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("spool: artifacts: %w", err)
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type().IsRegular():
			return linkOrCopy(p, target)
		default:
			return nil // symlinks and devices are not artifacts
		}
	})
}

// linkOrCopy makes dst hold src's bytes durably: a hard link where the
// filesystem allows one, otherwise a copy.
func linkOrCopy(src, dst string) error {
	if err := os.Link(src, dst); err == nil {
		f, err := os.Open(dst)
		if err != nil {
			return fmt.Errorf("spool: %w", err)
		}
		defer f.Close()
		if err := f.Sync(); err != nil {
			return fmt.Errorf("spool: %w", err)
		}
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
		return fmt.Errorf("spool: copying log: %w", err)
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	// Some filesystems refuse fsync on directories; the rename is still
	// atomic there, so that is not an error worth failing a run for.
	_ = d.Sync()
	return nil
}
