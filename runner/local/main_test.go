package local

import (
	"os"
	"testing"

	"github.com/assaylab/assay/runner/proctest"
)

// TestMain lets the test binary be a trial's supervisor, as assay is: the
// executor under test starts it with SupervisorArg; and a trial, with
// writeThenExitArg. Otherwise it runs the tests, and fails when a trial's
// process outlives them.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == SupervisorArg {
		os.Exit(Supervise(os.Args[2:]))
	}
	if len(os.Args) > 2 && os.Args[1] == writeThenExitArg {
		os.Exit(writeThenExit(os.Args[2]))
	}
	os.Exit(proctest.Main(m))
}
