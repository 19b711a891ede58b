package assistant

import (
	"context"
	"errors"
	"fmt"

	"parley/app"
	"parley/cli"
	"parley/pipeline"
)

// finished maps the end of a conversation to the command's result: a
// failure stays one, a clean stop is success, except that an --input file
// a stop signal cut short before its end is an error (parley then exits
// 128+N, see cli.ExitStatusHelp).
func finished(ctx context.Context, err error, opts app.Options) error {
	if !app.Stopped(err) {
		return err
	}
	if _, signalled := cli.StoppedBy(ctx); signalled && opts.Input != "" && errors.Is(err, pipeline.ErrStopped) {
		return fmt.Errorf("--input %s: stopped before the end of the file", opts.Input)
	}
	return nil
}

// drain reads events until the stream closes, once the UI reads no more:
// the pipeline hands every event to a reader before it stops, and would
// otherwise wait for one that has gone.
func drain(events <-chan pipeline.Event) {
	for range events {
	}
}
