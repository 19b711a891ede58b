package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

// stopSignals are the signals that stop parley cleanly: Ctrl-C, a
// service manager's stop, and a closed terminal or dropped SSH session.
func stopSignals() []os.Signal {
	return []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}
}

// SignalError is the cause of a context cancelled by a stop signal.
type SignalError struct {
	// Signal is the signal that arrived.
	Signal syscall.Signal
}

// Error names the signal.
func (e SignalError) Error() string {
	return "stopped by " + unix.SignalName(e.Signal)
}

// ExitCode is the exit status of a command the signal cut short: 128 plus
// the signal's number, as a shell reports a process the signal ended
// (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP).
func (e SignalError) ExitCode() int {
	return 128 + int(e.Signal)
}

// SignalContext returns a context cancelled by the first SIGINT, SIGTERM
// or SIGHUP, with a SignalError as its cause (see StoppedBy). After that
// first signal the default action is back, so a second one ends parley at
// once. stop releases the signals.
func SignalContext(parent context.Context) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, stopSignals()...)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			signal.Reset(stopSignals()...)
			if sig, ok := s.(syscall.Signal); ok {
				cancel(SignalError{Signal: sig})
			}
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel(nil)
	}
}

// StoppedBy returns the stop signal that cancelled ctx, and whether one did.
func StoppedBy(ctx context.Context) (SignalError, bool) {
	var s SignalError
	ok := errors.As(context.Cause(ctx), &s)
	return s, ok
}

// Interrupted marks err, what a command returned after a stop signal
// cancelled ctx, as cut short: Exit then returns the signal's exit status
// (SignalError.ExitCode). Without a signal, or with no error, err is
// returned as it is.
func Interrupted(ctx context.Context, err error) error {
	s, ok := StoppedBy(ctx)
	if err == nil || !ok {
		return err
	}
	return interruptedError{sig: s, err: err}
}

// interruptedError is a command's error after a stop signal.
type interruptedError struct {
	sig SignalError
	err error
}

func (e interruptedError) Error() string { return fmt.Sprintf("%v before the end: %v", e.sig, e.err) }
func (e interruptedError) Unwrap() error { return e.err }
