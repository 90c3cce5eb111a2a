//go:build !linux

package main

import "errors"

// pinProcess needs Linux's sched_setaffinity.
func pinProcess(int, string) error {
	return errors.New("pinning to CPUs (--cpus, --server-cpus) needs Linux")
}
