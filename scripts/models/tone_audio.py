"""The tone "speech" every ASR contract test model hears, and a 16-bit WAV writer.

Audio: 0.2 s of silence, then per tone 0.24 s of a sine at hz[k] (5 ms ramps, amplitude 0.3)
and 0.15 s of silence, then 0.2 s of silence, all over faint uniform noise. Parley's Go tests
render the same audio (pipeline/asr/onnxasr_test.go tonesAt).
"""

import math
import struct

import numpy as np

SR = 16000
TONE_S, GAP_S, EDGE_S, RAMP_S, AMP = 0.24, 0.15, 0.2, 0.005, 0.3


def tone_audio(seq, hz, seed=1):
    """Tones hz[k] for k in seq, separated by pauses, over faint noise."""
    rng = np.random.default_rng(seed)
    parts = [np.zeros(int(EDGE_S * SR))]
    n = int(TONE_S * SR)
    ramp = np.minimum(1.0, np.minimum(np.arange(n), n - 1 - np.arange(n)) / (RAMP_S * SR))
    for k in seq:
        t = np.arange(n) / SR
        parts.append(AMP * ramp * np.sin(2 * math.pi * hz[k] * t))
        parts.append(np.zeros(int(GAP_S * SR)))
    parts.append(np.zeros(int(EDGE_S * SR)))
    x = np.concatenate(parts)
    return x + rng.uniform(-1e-4, 1e-4, len(x))


def write_wav(path, x):
    """Writes x as 16 kHz mono 16-bit PCM and returns the samples as written."""
    pcm = np.clip(np.round(x * 32767), -32768, 32767).astype("<i2").tobytes()
    hdr = b"RIFF" + struct.pack("<I", 36 + len(pcm)) + b"WAVE"
    hdr += b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, SR, SR * 2, 2, 16)
    hdr += b"data" + struct.pack("<I", len(pcm))
    with open(path, "wb") as f:
        f.write(hdr + pcm)
    return np.frombuffer(pcm, "<i2").astype(np.float32) / 32768
