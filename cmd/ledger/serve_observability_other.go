//go:build !unix

package main

import "errors"

func statDisk(string) (diskSpace, error) {
	return diskSpace{}, errors.New("free space is measured on unix systems only")
}
