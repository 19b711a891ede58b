package bench

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"parley/bench"
	"parley/cli"
)

// soak runs the stability test: VAD and ASR over looped 3 s chunks on the
// first device, moved between the usable devices every --switch-every.
func (e *benchEnv) soak(ctx context.Context, stdout, stderr io.Writer) error {
	loads, sessions, notes, err := e.soakLoads(ctx)
	defer closeAll(sessions)
	if err != nil {
		return err
	}
	switchTo, note := e.soakSwitch(ctx, sessions)
	progress := cli.NewProgress(stderr, "bench", cli.ProgressOptions{Unicode: !e.o.ascii})
	rep, err := bench.Soak(ctx, loads, bench.SoakOptions{Duration: e.o.soak, SwitchEvery: e.o.switchEvery,
		Switch: switchTo, MaxRSSGrowthMiB: e.o.maxGrowthMiB, MaxGPUGrowthMiB: e.o.maxGPUGrowth,
		MaxGoroutineGrowth: e.o.maxGoroutines, Probe: e.probe(), OnProgress: progress.Step})
	progress.Done()
	if err != nil {
		return err
	}
	rep.Machine, rep.Notes = e.machine(ctx), append(notes, note)
	return e.publish(stdout, rep, rep.Verdict, "bench: soak FAIL",
		func(w io.Writer) error { return bench.WriteSoakText(w, rep) },
		func(w io.Writer) error { return bench.WriteSoakMarkdown(w, rep) })
}

// soakLoads opens, on the first device, Silero and the first ONNX ASR
// model (else pocketsphinx), as selected by --models.
func (e *benchEnv) soakLoads(ctx context.Context) ([]bench.SoakLoad, []bench.Loaded, []string, error) {
	chunks := bench.Chunks("3s", bench.Stream(e.utterances), 3).Inputs
	var loads []bench.SoakLoad
	var sessions []bench.Loaded
	var notes []string
	for _, kind := range []string{"vad", "asr"} {
		if !slices.Contains(e.o.kinds, kind) {
			continue
		}
		t := e.selection().SoakTarget(ctx, bench.Kind(kind))
		if t.Missing != "" {
			notes = append(notes, fmt.Sprintf("%s left out: %s", t.Model, t.Missing))
			continue
		}
		sess, err := t.Open(ctx)
		if err != nil {
			return loads, sessions, notes, fmt.Errorf("bench: soak: %w", err)
		}
		sessions = append(sessions, sess)
		loads = append(loads, bench.SoakLoad{Name: t.Model, Run: sess.Run, Inputs: chunks})
	}
	if len(loads) == 0 {
		return nil, sessions, notes, fmt.Errorf("bench: soak: no model to run (%s)", strings.Join(notes, "; "))
	}
	return loads, sessions, notes, nil
}

// soakSwitch returns the live switch (cycling through the usable devices)
// and a note saying what it moves, or why nothing moves.
func (e *benchEnv) soakSwitch(ctx context.Context, sessions []bench.Loaded) (func(context.Context, int) error, string) {
	var usable, why []string
	for _, d := range e.o.devices {
		if w := e.check.Missing(ctx, d); w != "" {
			why = append(why, d+": "+w)
			continue
		}
		usable = append(usable, d)
	}
	if len(usable) < 2 {
		return nil, "no live switches: only " + strings.Join(usable, ", ") + " is usable (" + strings.Join(why, "; ") + ")"
	}
	return bench.CycleSwitch(sessions, usable), "live switches cycle through " + strings.Join(usable, ", ")
}

func closeAll(sessions []bench.Loaded) {
	for _, s := range sessions {
		if s.Close != nil {
			_ = s.Close()
		}
	}
}
