package local

import (
	"os"
	"testing"

	"github.com/assaylab/assay/runner/proctest"
)

// TestMain fails the package when a trial's process outlives the tests.
func TestMain(m *testing.M) { os.Exit(proctest.Main(m)) }
