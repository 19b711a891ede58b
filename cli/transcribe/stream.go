package transcribe

import (
	"context"
	"errors"
	"fmt"
	"io"

	"parley/audio"
)

// window is how many utterances wait to be recognised together: --batch
// for each of --parallel workers, so recognition keeps its batches while
// memory holds one window of speech, never the file.
func (t *transcriber) window() int {
	return max(t.opts.batch*t.opts.parallel, 1)
}

// scan reads the stream a frame at a time through the VAD and the
// segmenter, and recognises the utterances a window at a time, keeping
// their texts and offsets but not their samples. report gets the samples
// read so far.
func (t *transcriber) scan(ctx context.Context, s *audio.WAVStream, report func(int64)) ([]utterance, error) {
	seg, err := audio.NewSegmenter(t.segOpts)
	if err != nil {
		return nil, fmt.Errorf("vad: %w", err)
	}
	t.s.VAD.Reset()
	var done, pending []utterance
	frame := make([]float32, audio.FrameSize)
	var read int64
	for {
		n, rerr := readFrame(s, frame)
		if n > 0 {
			evs, err := t.push(ctx, seg, frame, n)
			if err != nil {
				return nil, err
			}
			pending = appendEnded(pending, evs)
			read += int64(n)
			report(read)
		}
		if errors.Is(rerr, io.EOF) {
			return t.recognizeWindow(ctx, done, appendEnded(pending, seg.Flush()))
		}
		if rerr != nil {
			return nil, rerr
		}
		if len(pending) >= t.window() {
			if done, err = t.recognizeWindow(ctx, done, pending); err != nil {
				return nil, err
			}
			pending = nil
		}
	}
}

// push scores the frame's first n samples (zero-padded to a whole frame)
// and hands them to the segmenter.
func (t *transcriber) push(ctx context.Context, seg *audio.Segmenter, frame []float32, n int) ([]audio.Event, error) {
	clear(frame[n:])
	prob, err := t.s.VAD.Prob(ctx, frame)
	if err != nil {
		return nil, fmt.Errorf("vad %s: %w", t.s.VADName(), err)
	}
	return seg.Push(prob, frame[:n]), nil
}

// readFrame fills frame from s and returns how many samples it holds;
// io.EOF once the stream has ended (with n > 0 for a last short frame).
func readFrame(s *audio.WAVStream, frame []float32) (int, error) {
	filled := 0
	for filled < len(frame) {
		n, err := s.Read(frame[filled:])
		filled += n
		if err != nil {
			return filled, err
		}
	}
	return filled, nil
}

// recognizeWindow recognises the utterances of one window (split at
// asr.max_chunk_seconds) and appends them to done without their samples.
func (t *transcriber) recognizeWindow(ctx context.Context, done, window []utterance) ([]utterance, error) {
	utts := splitLong(window, t.s.Config.ASR.MaxChunkSeconds)
	if err := t.recognize(ctx, utts); err != nil {
		return nil, err
	}
	for _, u := range utts {
		u.length, u.samples = int64(len(u.samples)), nil
		done = append(done, u)
	}
	return done, nil
}
