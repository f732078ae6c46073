// Command ipassan-connector is HelloID's target connector for IPassan: one
// command per lifecycle action, the HelloID context on standard input, the
// outputContext on standard output. See docs in README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/ipassan-connector/ipassan-connector/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.System())
	stop()
	os.Exit(code)
}
