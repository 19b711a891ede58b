// Package bench measures parley's speech models on each device and checks
// that the devices agree: the engine-agnostic core of `parley bench`.
//
// A Target is one model on one device; Open gives a RunFunc over a batch of
// inputs. Run times every target over the same workloads (warm-up excluded,
// several repetitions, within a time budget) at each batch size and
// parallelism, samples the process's resident and GPU memory while it runs,
// and compares each device's outputs with the CPU's (identical text, max
// absolute difference of logits or probabilities, correlation of audio).
// Soak runs targets continuously with live switches and fits the memory
// trend. The renderers turn a Report into a terminal table with bar charts,
// JSON, or Markdown for docs/benchmarks.md.
//
// Nothing here writes to the terminal by itself: every renderer takes an
// io.Writer, which the command chooses.
package bench
