//go:build !unix

package natsjs

import "os"

func inode(os.FileInfo) uint64 { return 0 }

// fsyncDir does nothing where folders cannot be fsynced (Windows).
func fsyncDir(string) error { return nil }
