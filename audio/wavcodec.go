package audio

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// decodeInto converts little-endian sample bytes to float32 in [-1, 1];
// out holds at least len(b)/width samples.
func decodeInto(out []float32, b []byte, tag uint16, width int) {
	out = out[:len(b)/width]
	if tag == formatFloat {
		decodeFloat(out, b, width)
		return
	}
	switch width {
	case 1:
		for i := range out {
			out[i] = (float32(b[i]) - 128) / 128
		}
	case 2:
		for i := range out {
			out[i] = float32(int16(binary.LittleEndian.Uint16(b[2*i:]))) / (1 << 15)
		}
	case 3:
		for i := range out {
			v := int32(uint32(b[3*i])<<8|uint32(b[3*i+1])<<16|uint32(b[3*i+2])<<24) >> 8
			out[i] = float32(v) / (1 << 23)
		}
	case 4:
		for i := range out {
			out[i] = float32(float64(int32(binary.LittleEndian.Uint32(b[4*i:]))) / (1 << 31))
		}
	}
}

func decodeFloat(out []float32, b []byte, width int) {
	if width == 4 {
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
		return
	}
	for i := range out {
		out[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:])))
	}
}

// WriteWAV writes mono samples as a 16-bit PCM WAV at rate; samples outside
// [-1, 1] are clipped.
func WriteWAV(w io.Writer, samples []float32, rate int) error {
	if rate <= 0 {
		return fmt.Errorf("write WAV at %d Hz: %w", rate, ErrInvalidAudio)
	}
	data := len(samples) * 2
	b := make([]byte, 44+data)
	copy(b[0:], "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+data))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], formatPCM)
	binary.LittleEndian.PutUint16(b[22:], 1)
	binary.LittleEndian.PutUint32(b[24:], uint32(rate))
	binary.LittleEndian.PutUint32(b[28:], uint32(rate*2))
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(data))
	for i, s := range samples {
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(toInt16(s)))
	}
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write WAV: %w", err)
	}
	return nil
}

func toInt16(s float32) int16 {
	v := math.Round(float64(s) * 32767)
	return int16(max(-32768, min(32767, v)))
}

// ToMono16k downmixes a to one channel (the mean of the channels) and
// resamples it to 16 kHz, the rate of everything the pipeline hears.
func ToMono16k(a Audio) ([]float32, error) {
	if a.Rate <= 0 || a.Channels <= 0 {
		return nil, fmt.Errorf("%d channels at %d Hz: %w", a.Channels, a.Rate, ErrInvalidAudio)
	}
	return Resample(Downmix(a.Samples, a.Channels), a.Rate, SampleRate)
}

// Downmix averages interleaved channels into one.
func Downmix(samples []float32, channels int) []float32 {
	if channels <= 1 {
		return append([]float32(nil), samples...)
	}
	return downmixInto(make([]float32, len(samples)/channels), samples, channels)
}

// downmixInto averages interleaved channels into dst (len(src)/channels
// long at least) and returns that part of dst.
func downmixInto(dst, src []float32, channels int) []float32 {
	dst = dst[:len(src)/channels]
	if channels == 1 {
		copy(dst, src)
		return dst
	}
	scale := 1 / float32(channels)
	for i := range dst {
		var sum float32
		for _, s := range src[i*channels : (i+1)*channels] {
			sum += s
		}
		dst[i] = sum * scale
	}
	return dst
}
