//go:build !windows

package testbin

func underWine() bool { return false }
