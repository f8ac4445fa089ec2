// Package reporter holds everything after a trial has run: the results
// branch (reporter/results: record, push, outbox, index, queries),
// comparison and statistics, renderers, and GitHub publishing.
//
// reporter reads the runner's results (runner.Result) and may import spec
// and runner; runner never imports reporter. Where the runner needs to
// know what is recorded it asks a runner.Recorded, which
// results.Store satisfies and cmd/assay wires in.
package reporter
