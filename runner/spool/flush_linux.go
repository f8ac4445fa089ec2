package spool

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// flushDir makes every write under dir durable with one syncfs(2) of its
// filesystem: the files, the folders and the renames of a whole group of
// runs for the cost of one journal commit.
func flushDir(dir string) func([]string) error {
	return func([]string) error {
		d, err := os.Open(dir)
		if err != nil {
			return fmt.Errorf("spool: %w", err)
		}
		defer d.Close()
		if err := unix.Syncfs(int(d.Fd())); err != nil {
			return fmt.Errorf("spool: syncfs %s: %w", dir, err)
		}
		return nil
	}
}
