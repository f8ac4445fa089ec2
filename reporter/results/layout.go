package results

import (
	"fmt"
	"path"
	"strings"
)

// RunsDir is the top folder of every run on the results branch.
const RunsDir = "runs"

// File name suffixes beside a run's record, all named by its run id.
const (
	RecordSuffix = ".json"
	SeriesSuffix = ".series.json"
	LogSuffix    = ".log"
)

// RunDir is the folder of a trial's runs:
// runs/<experiment>/<key[0:2]>/<key>.
func RunDir(experiment, key string) string {
	prefix := key
	if len(prefix) > 2 {
		prefix = prefix[:2]
	}
	return path.Join(RunsDir, experiment, prefix, key)
}

// RecordPath is where a run's record lives on the results branch.
func RecordPath(experiment, key, runID string) string {
	return path.Join(RunDir(experiment, key), runID+RecordSuffix)
}

// SeriesPath is where a run's metric series lives, beside its record.
func SeriesPath(experiment, key, runID string) string {
	return path.Join(RunDir(experiment, key), runID+SeriesSuffix)
}

// LogPath is where a run's log tail lives, beside its record.
func LogPath(experiment, key, runID string) string {
	return path.Join(RunDir(experiment, key), runID+LogSuffix)
}

// RecordLocation is what a record's path says about the run.
type RecordLocation struct {
	Experiment string
	Key        string
	RunID      string
}

// ParseRecordPath reports whether p is the path of a run record and, if so,
// the experiment, trial key and run id it names. Series and log files, and
// files that do not follow the layout, are not records.
func ParseRecordPath(p string) (RecordLocation, bool) {
	if !strings.HasPrefix(p, RunsDir+"/") || !strings.HasSuffix(p, RecordSuffix) || strings.HasSuffix(p, SeriesSuffix) {
		return RecordLocation{}, false
	}
	parts := strings.Split(p, "/")
	if len(parts) != 5 {
		return RecordLocation{}, false
	}
	exp, prefix, key, file := parts[1], parts[2], parts[3], parts[4]
	runID := strings.TrimSuffix(file, RecordSuffix)
	if exp == "" || key == "" || runID == "" || !strings.HasPrefix(key, prefix) {
		return RecordLocation{}, false
	}
	return RecordLocation{Experiment: exp, Key: key, RunID: runID}, true
}

// checkPathPart rejects a name that would escape or break the layout.
func checkPathPart(what, s string) error {
	switch {
	case s == "":
		return fmt.Errorf("run has no %s", what)
	case s == "." || s == ".." || strings.ContainsAny(s, "/\\\x00") || strings.HasPrefix(s, "."):
		return fmt.Errorf("run %s %q cannot be a file name on the results branch", what, s)
	}
	return nil
}
