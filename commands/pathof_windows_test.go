package commands

import "testing"

// Without the drive fix, file:///C:/ws/dox.http became \C:\ws\dox.http,
// which no workspace folder holds and no file system opens.
func TestPathOfWindowsDrive(t *testing.T) {
	for in, want := range map[string]string{
		"file:///C:/ws/dox.http":   `C:\ws\dox.http`,
		"file:///c%3A/ws/dox.http": `C:\ws\dox.http`, // the drive letter as Windows writes it
		`C:\ws\dox.http`:           `C:\ws\dox.http`,
	} {
		if got, err := PathOf(in); err != nil || got != want {
			t.Errorf("PathOf(%s) = %q, %v; want %q", in, got, err, want)
		}
	}
}
