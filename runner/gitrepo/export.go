package gitrepo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// Export writes the files of snap into dir, as a checkout of it would lay
// them out: regular and executable files with their modes, symlinks as
// symlinks, submodules as empty directories. dir must exist and should be
// empty. It never touches the repository's own work tree or index, so a
// commit other than HEAD can be run while the user keeps working.
func Export(ctx context.Context, snap Snapshot, dir string) error {
	return exportDir(ctx, snap, ".", dir)
}

func exportDir(ctx context.Context, snap Snapshot, p, dir string) error {
	entries, err := snap.ReadDir(p)
	if err != nil {
		return fmt.Errorf("reading %s of %s: %w", p, snap, err)
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(e.Path))
		switch e.Mode {
		case filemode.Dir:
			if err := os.MkdirAll(dst, 0o755); err != nil {
				return err
			}
			if err := exportDir(ctx, snap, e.Path, dir); err != nil {
				return err
			}
		case filemode.Submodule:
			if err := os.MkdirAll(dst, 0o755); err != nil {
				return err
			}
		case filemode.Symlink:
			target, err := snap.ReadFile(e.Path)
			if err != nil {
				return fmt.Errorf("reading %s of %s: %w", e.Path, snap, err)
			}
			if err := os.Symlink(string(target), dst); err != nil {
				return err
			}
		default:
			data, err := snap.ReadFile(e.Path)
			if err != nil {
				return fmt.Errorf("reading %s of %s: %w", e.Path, snap, err)
			}
			perm := os.FileMode(0o644)
			if e.Mode == filemode.Executable {
				perm = 0o755
			}
			if err := os.WriteFile(dst, data, perm); err != nil {
				return err
			}
		}
	}
	return nil
}
