//go:build !unix

package main

import "os"

// maxRSS is unknown here (0): the bench measures memory on Unix only.
func maxRSS(*os.ProcessState) int64 { return 0 }
