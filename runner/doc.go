// Package runner plans and runs trials.
//
// It reads specs at a git commit (or the working tree), fingerprints each
// experiment's inputs, decides which trials a change touches (an
// experiment changed iff its set of trial keys differs between base and
// head), shards them for fan-out, and executes them through an executor.
// Each finished trial becomes a Result handed to a Sink.
//
// runner never imports reporter: where the plan needs to know what is
// already recorded it asks a Recorded, which the results store satisfies
// and cmd wires in.
package runner
