package main

import (
	"context"
	"os"
)

// Factory carries what commands share and tests replace: the streams, the
// environment and the working directory.
type Factory struct {
	IO *IOStreams
	// Getenv and Environ read the environment.
	Getenv  func(string) string
	Environ func() []string
	// Dir is the directory assay was started in (after -C).
	Dir string
	// Context is cancelled when assay is interrupted.
	Context context.Context
}

func newSystemFactory() *Factory {
	dir, err := os.Getwd()
	if err != nil {
		dir = "."
	}
	return &Factory{
		IO:      systemIO(os.Getenv),
		Getenv:  os.Getenv,
		Environ: os.Environ,
		Dir:     dir,
		Context: context.Background(),
	}
}

// InActions reports whether assay runs inside a GitHub Actions job.
func (f *Factory) InActions() bool { return f.Getenv("GITHUB_ACTIONS") == "true" }
