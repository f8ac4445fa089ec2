package main

import (
	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/runner"
)

// batchOptions say which runs go on the branch and how.
type batchOptions struct {
	start, n, perCommit int
	// recordsOnly leaves out series and logs.
	recordsOnly bool
	// noSegments leaves out the index segments, as an assay before them.
	noSegments bool
}

// batch is one results commit: the files it adds, the index segments it
// removes (compaction), and its message. when is its time, in seconds.
type batch struct {
	when   int64
	msg    string
	files  []results.File
	remove []string
}

// batches makes the runs in commits of perCommit, each as assay's writer
// would commit them: the files of results.RunFiles, the index segment of
// results.SegmentWriter with the compaction it does, and the message and
// trailers assay writes (message.go).
func (g *gen) batches(o batchOptions, emit func(*batch) error) error {
	segs := results.NewSegmentWriter()
	for i := o.start; i < o.start+o.n; i += o.perCommit {
		var files, records []results.File
		var recorded []*runner.Result
		for j := i; j < i+o.perCommit && j < o.start+o.n; j++ {
			run, log := g.run(j, !o.recordsOnly)
			fs, err := results.RunFiles(run)
			if err != nil {
				return err
			}
			if o.recordsOnly {
				fs = fs[:1]
			} else {
				// The log tail as RunFiles cuts it, without a file round trip.
				r := run.Result
				limit := results.LogTailBytes
				if r.Status != runner.StatusSucceeded {
					limit = results.FailedLogTailBytes
				}
				fs = append(fs, results.File{Path: results.LogPath(r.Experiment, r.TrialKey, r.RunID), Data: results.LogTail(log, limit)})
			}
			files = append(files, fs...)
			records = append(records, fs[0])
			recorded = append(recorded, run.Result)
		}
		b := &batch{when: genStart.Unix() + int64(i+len(recorded))*60, files: files}
		var trailer string
		if !o.noSegments {
			var add []results.File
			add, b.remove, trailer = segs.Commit(records)
			b.files = append(b.files, add...)
		}
		b.msg = commitMessage(recorded, trailer)
		if err := emit(b); err != nil {
			return err
		}
	}
	return nil
}
