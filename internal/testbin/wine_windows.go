package testbin

import "syscall"

// underWine: Wine's ntdll exports wine_get_version, Windows' does not.
func underWine() bool {
	return syscall.NewLazyDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}
