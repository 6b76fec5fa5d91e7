//go:build unix

package natsjs

import (
	"os"
	"syscall"
)

// inode tells a file replaced under the same name (a block compacted into a
// new file) from the one synced before.
func inode(info os.FileInfo) uint64 {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino)
	}
	return 0
}

// fsyncDir puts a folder's entries on disk.
func fsyncDir(path string) error { return fsyncPath(path) }
