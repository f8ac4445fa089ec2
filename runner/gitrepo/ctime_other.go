//go:build !linux

package gitrepo

import (
	"io/fs"
	"time"
)

// changeTime is unknown off Linux; size and mtime decide alone there.
func changeTime(fs.FileInfo) (time.Time, bool) { return time.Time{}, false }
