package local

import (
	"os"
	"testing"
)

// TestMain lets the test binary be a trial's supervisor, as assay is: the
// executor under test starts it with SupervisorArg.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == SupervisorArg {
		os.Exit(Supervise(os.Args[2:]))
	}
	os.Exit(m.Run())
}
