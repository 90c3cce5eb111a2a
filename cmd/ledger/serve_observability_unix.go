//go:build unix

package main

import (
	"fmt"

	"golang.org/x/sys/unix"
)

func statDisk(dir string) (diskSpace, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return diskSpace{}, fmt.Errorf("statfs %s: %w", dir, err)
	}
	bsize := uint64(st.Bsize)
	return diskSpace{free: uint64(st.Bavail) * bsize, size: uint64(st.Blocks) * bsize}, nil
}
