#!/usr/bin/python3
"""Reference Smart Turn v3 features for parley's turn detector (pipeline/turn).

Smart Turn v3 (MODEL_CONTRACTS.md section 9) reads Hugging Face's WhisperFeatureExtractor output
for an 8 s window: the last 128,000 samples (zero-padded at the front), normalised to zero mean
and unit variance over all of them (population variance, eps 1e-7), then Whisper's log-mel
spectrogram: torch.stft (400-point periodic Hann, hop 160, centred, reflect padding; the last of
the 801 frames dropped), torchaudio's Slaney mel filters (melscale_fbanks(norm="slaney",
mel_scale="slaney"), 80 bins, 0-8000 Hz), log10(max(x, 1e-10)), the floor at max - 8 and
(x + 4) / 4. Library code only; runs on real speech from Debian's pocketsphinx-testdata.

Regenerate (from the repository root, with Debian's python3-torch and python3-torchaudio 0.13;
use /usr/bin/python3, not a pyenv one):

    /usr/bin/python3 scripts/reference/smart_turn_features.py

Output files (little-endian) in pipeline/turn/testdata/: <name>.feat.f32 = uint32 rows, uint32
stride, then rows*80 float32: row i holds the 80 mel values of frame i*stride.
"""

import os
import struct
import sys

import numpy as np
import torch
import torchaudio

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fbank_reference import read_audio  # noqa: E402

DATA = "/usr/share/pocketsphinx/test/data"
OUT = os.path.join("pipeline", "turn", "testdata")
SR, N_FFT, HOP, N_SAMPLES, N_MELS = 16000, 400, 160, 128000, 80
LIBRIVOX = ["librivox/sense_and_sensibility_01_austen_64kb-%04d.wav" % i for i in (870, 880, 890)]
STRIDE = 13

# name, audio files (concatenated, relative to DATA): one shorter than 8 s (front padding), one
# longer (only its last 8 s count).
CASES = [("goforward", ["goforward.raw"]), ("librivox-long", LIBRIVOX)]


def features(audio):
    """The [80, 800] features of audio's last 8 s, in float64."""
    x = np.zeros(N_SAMPLES, dtype=np.float64)
    tail = audio[-N_SAMPLES:].astype(np.float64)
    x[N_SAMPLES - len(tail):] = tail
    x = (x - x.mean()) / np.sqrt(x.var() + 1e-7)
    spec = torch.stft(torch.from_numpy(x), N_FFT, HOP, window=torch.hann_window(N_FFT, dtype=torch.float64),
                      center=True, pad_mode="reflect", return_complex=True)
    power = spec.abs() ** 2
    power = power[:, :-1]
    fb = torchaudio.functional.melscale_fbanks(N_FFT // 2 + 1, 0.0, SR / 2, N_MELS, SR, norm="slaney",
                                               mel_scale="slaney").to(torch.float64)
    mel = fb.T @ power
    log = torch.clamp(mel, min=1e-10).log10()
    log = torch.maximum(log, log.max() - 8.0)
    return ((log + 4.0) / 4.0).numpy()


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, files in CASES:
        audio = np.concatenate([read_audio(os.path.join(DATA, f)) for f in files])
        feats = features(audio)
        rows = feats[:, ::STRIDE].T.astype("<f4")
        path = os.path.join(OUT, name + ".feat.f32")
        with open(path, "wb") as f:
            f.write(struct.pack("<II", rows.shape[0], STRIDE))
            f.write(rows.tobytes())
        print("%s: %.2f s of audio, %d rows, %d bytes" % (path, len(audio) / SR, rows.shape[0], os.path.getsize(path)))


if __name__ == "__main__":
    main()
