package html

import (
	"os"

	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/spool"
)

// RecordedSeries reads a run's metric series where assay keeps it: on the
// results branch, or, for a run not yet recorded there, in the spool at
// spoolDir ("" for none; a folder that does not exist is not created). It
// is the Source.Series that `assay compare` and `assay report` pass.
func RecordedSeries(store *results.Store, spoolDir string) func(*runner.Result) (map[string][]runner.Point, error) {
	var sp *spool.Spool
	if spoolDir != "" {
		if info, err := os.Stat(spoolDir); err == nil && info.IsDir() {
			sp = &spool.Spool{Dir: spoolDir}
		}
	}
	return func(r *runner.Result) (map[string][]runner.Point, error) {
		d, err := store.Run(r.RunID)
		if err == nil {
			return d.Series, nil
		}
		if sp != nil {
			if run, serr := sp.Get(r.RunID); serr == nil {
				return run.Series, nil
			}
		}
		return nil, err
	}
}
