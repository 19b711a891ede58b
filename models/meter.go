package models

import "io"

// meter turns bytes written into progress calls that never go backwards
// (after a download restarts from zero it holds until the new one passes).
type meter struct {
	total, base, shown int64
	report             func(done, total int64)
}

// at reports that the current file has n bytes.
func (m *meter) at(n int64) { m.show(m.base + n) }

// finish closes the current file of size n.
func (m *meter) finish(n int64) {
	m.base += n
	m.show(m.base)
}

func (m *meter) show(v int64) {
	if v < m.shown {
		return
	}
	m.shown = v
	if m.report != nil {
		m.report(v, m.total)
	}
}

// from returns a writer that advances the current file from byte start.
func (m *meter) from(start int64) io.Writer {
	return &meterWriter{m: m, n: start}
}

type meterWriter struct {
	m *meter
	n int64
}

// Write implements io.Writer.
func (w *meterWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	w.m.at(w.n)
	return len(p), nil
}
