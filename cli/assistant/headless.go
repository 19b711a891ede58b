package assistant

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"parley/app"
	"parley/config"
	"parley/pipeline"
)

// runHeadless runs the assistant and prints one line per event. With
// --input it returns once the file's last utterance has been answered and
// spoken; with a microphone, on SIGINT.
func runHeadless(ctx context.Context, cfg config.Config, opts app.Options, asJSON bool, stdout io.Writer) error {
	a, err := app.Open(ctx, cfg, opts)
	if err != nil {
		return err
	}
	defer a.Close()
	errc := make(chan error, 1)
	go func() { errc <- a.Run(ctx) }()
	if err := printEvents(a.Events(), asJSON, stdout); err != nil {
		return err
	}
	return finished(ctx, <-errc, opts)
}

// printEvents writes every event until the stream closes.
func printEvents(events <-chan pipeline.Event, asJSON bool, w io.Writer) error {
	enc := json.NewEncoder(w)
	var werr error
	for ev := range events {
		if werr != nil {
			continue // keep draining so the pipeline can finish
		}
		if asJSON {
			werr = enc.Encode(ev)
			continue
		}
		if line := ev.Line(); line != "" {
			_, werr = fmt.Fprintln(w, line)
		}
	}
	if werr != nil {
		return fmt.Errorf("write events: %w", werr)
	}
	return nil
}
