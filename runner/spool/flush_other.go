//go:build !linux

package spool

// flushDir makes the group's writes durable where there is no syncfs(2):
// each file and folder written since the last flush is fsynced, still
// from one goroutine for the whole group.
func flushDir(string) func([]string) error {
	return func(paths []string) error {
		for _, p := range paths {
			if err := syncPath(p); err != nil {
				return err
			}
		}
		return nil
	}
}
