package ring

import (
	"sync/atomic"
	"time"
)

// Clock ties a sample count to the wall clock: a device callback
// marks how many samples its stream has produced and when. It is a seqlock
// over atomics, so the writer never waits and a reader retries the rare
// read that overlaps a write.
type Clock struct {
	seq   atomic.Uint64 // odd while a mark is being written
	index atomic.Uint64
	nanos atomic.Int64
}

// Mark records that the stream had produced index samples at time at.
func (c *Clock) Mark(index uint64, at time.Time) {
	c.seq.Add(1)
	c.index.Store(index)
	c.nanos.Store(at.UnixNano())
	c.seq.Add(1)
}

// Read returns the latest mark; ok is false before the first one (or, very
// rarely, when writes kept overlapping the read).
func (c *Clock) Read() (index uint64, nanos int64, ok bool) {
	for range 16 {
		s := c.seq.Load()
		if s&1 == 1 {
			continue
		}
		index, nanos = c.index.Load(), c.nanos.Load()
		if c.seq.Load() == s {
			return index, nanos, s > 0
		}
	}
	return 0, 0, false
}
