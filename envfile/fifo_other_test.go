//go:build !unix

package envfile

import "errors"

func mkfifo(string) error { return errors.New("FIFOs are a Unix thing") }
