package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/assaylab/assay/runner"
)

// File is one file a run adds to the results branch.
type File struct {
	Path string
	Data []byte
}

// RunFiles returns the files that record run on the results branch: the
// record, its metric series (downsampled) and its log tail. It reads only
// the tail of the run's log.
func RunFiles(run *runner.Run) ([]File, error) {
	r := run.Result
	if r == nil {
		return nil, fmt.Errorf("run has no record")
	}
	if err := checkPathPart("id", r.RunID); err != nil {
		return nil, err
	}
	if err := checkPathPart("experiment", r.Experiment); err != nil {
		return nil, fmt.Errorf("run %s: %w", r.RunID, err)
	}
	if err := checkPathPart("trial key", r.TrialKey); err != nil {
		return nil, fmt.Errorf("run %s: %w", r.RunID, err)
	}
	if r.Schema != runner.ResultSchema {
		return nil, fmt.Errorf("run %s has schema %q; this assay writes %q", r.RunID, r.Schema, runner.ResultSchema)
	}
	var rec bytes.Buffer
	enc := json.NewEncoder(&rec)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return nil, fmt.Errorf("run %s: encoding record: %w", r.RunID, err)
	}
	files := []File{
		{Path: RecordPath(r.Experiment, r.TrialKey, r.RunID), Data: rec.Bytes()},
		{Path: SeriesPath(r.Experiment, r.TrialKey, r.RunID), Data: encodeSeries(run.Series)},
	}
	if run.LogPath != "" {
		tail, err := readLogTail(run.LogPath, logLimit(r.Status))
		if err != nil {
			return nil, fmt.Errorf("run %s: reading log: %w", r.RunID, err)
		}
		files = append(files, File{Path: LogPath(r.Experiment, r.TrialKey, r.RunID), Data: tail})
	}
	return files, nil
}

func readLogTail(path string, limit int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return readTail(f, info.Size(), limit)
}
