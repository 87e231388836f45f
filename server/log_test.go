package server

import (
	"os"
	"path/filepath"
	"testing"
)

// Goroutines the session cancelled may log after Run closed the log file;
// those lines must not turn into zap's "write error" on stderr, which with
// --log-file is the editor's output panel.
func TestLoggingAfterTheLogFileClosedStaysQuiet(t *testing.T) {
	stderr, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	real := os.Stderr
	os.Stderr = stderr
	// Closed before t.TempDir removes it: Windows removes no open file.
	t.Cleanup(func() { os.Stderr = real; stderr.Close() })

	logFile := filepath.Join(t.TempDir(), "doxls.log")
	log, closeLog, err := newLogger(Options{LogLevel: "debug", LogFile: logFile})
	if err != nil {
		t.Fatal(err)
	}
	log.Info("during the session")
	closeLog()
	log.Warn("after the session")

	if got, _ := os.ReadFile(stderr.Name()); len(got) != 0 {
		t.Errorf("stderr got %q", got)
	}
	if got, _ := os.ReadFile(logFile); len(got) == 0 {
		t.Error("the log file is empty")
	}
}
