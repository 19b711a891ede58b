#!/usr/bin/python3
"""Reference log-mel spectrograms for parley's Whisper front end (pipeline/asr/frontend).

Computes OpenAI Whisper's log_mel_spectrogram (MODEL_CONTRACTS.md section 3a) on real speech
from Debian's pocketsphinx-testdata with library code only: torch.stft (400-point periodic Hann,
hop 160, centred, reflect padding; last frame dropped) and torchaudio's Slaney mel filters
(melscale_fbanks(norm="slaney", mel_scale="slaney"), the filters librosa.filters.mel gives and
whisper's mel_filters.npz holds), then log10(max(x, 1e-10)), the floor at max - 8 and (x + 4) / 4,
on audio padded or trimmed to 30 s (whisper.pad_or_trim). Writes to
pipeline/asr/frontend/testdata/.

Regenerate (from the repository root, with Debian's python3-torch and python3-torchaudio 0.13;
use /usr/bin/python3, not a pyenv one):

    /usr/bin/python3 scripts/reference/whisper_mel_reference.py

Output files (little-endian): <name>.mel.f32, uint32 rows, uint32 cols, then rows*cols float32:
row i is mel frame i*stride (all n_mels values), for the first rows frames of the 3000. Short
clips store every frame up to a few frames past the audio (the rest equal the last row); the
long clip (the librivox clips twice over, 49 s, trimmed to 30 s) stores every 10th frame.
"""

import argparse
import os
import sys

import numpy as np
import torch
import torchaudio

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fbank_reference import DATA, read_audio, write_f32  # noqa: E402

OUT = os.path.join("pipeline", "asr", "frontend", "testdata")
SR, N_FFT, HOP, N_SAMPLES, N_FRAMES = 16000, 400, 160, 480000, 3000
LIBRIVOX = ["librivox/sense_and_sensibility_01_austen_64kb-%04d.wav" % i
            for i in (870, 880, 890, 920, 930)]

# name, audio files (concatenated, relative to DATA), n_mels, stride
CASES = [
    ("goforward-80", ["goforward.raw"], 80, 1),
    ("goforward-128", ["goforward.raw"], 128, 1),
    ("librivox-0880-80", [LIBRIVOX[1]], 80, 1),
    ("librivox-long-80", LIBRIVOX * 2, 80, 10),
]
MARGIN = 8  # padding frames stored after the audio in short clips


def log_mel(samples, n_mels, dtype):
    audio = torch.from_numpy(samples).to(dtype)
    audio = torch.nn.functional.pad(audio, (0, max(0, N_SAMPLES - len(audio))))[:N_SAMPLES]
    window = torch.hann_window(N_FFT, dtype=dtype)
    stft = torch.stft(audio, N_FFT, HOP, window=window, center=True, pad_mode="reflect",
                      return_complex=True)
    power = stft[..., :-1].abs() ** 2
    fb = torchaudio.functional.melscale_fbanks(N_FFT // 2 + 1, 0.0, SR / 2, n_mels, SR,
                                               norm="slaney", mel_scale="slaney").to(dtype)
    mel = fb.T @ power
    log_spec = torch.clamp(mel, min=1e-10).log10()
    log_spec = torch.maximum(log_spec, log_spec.max() - 8.0)
    return ((log_spec + 4.0) / 4.0).numpy()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=OUT, help="output folder (default %(default)s)")
    ap.add_argument("--dtype", choices=["float32", "float64"], default="float32",
                    help="torch dtype (OpenAI computes in float32; float64 shows how much of the "
                    "Go difference is float32 rounding) (default %(default)s)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name, files, n_mels, stride in CASES:
        samples = np.concatenate([read_audio(os.path.join(DATA, f)) for f in files])
        m32 = log_mel(samples, n_mels, torch.float32)
        m64 = log_mel(samples, n_mels, torch.float64)
        m = m64 if args.dtype == "float64" else m32
        assert m.shape == (n_mels, N_FRAMES), m.shape
        frames = np.arange(0, N_FRAMES, stride)
        if stride == 1:
            frames = frames[:min(N_FRAMES, -(-len(samples) // HOP) + MARGIN)]
        write_f32(os.path.join(args.out, name + ".mel.f32"), m[:, frames].T)
        print(f"{name}: {len(samples)} samples, {len(frames)} frames stored, "
              f"float32 vs float64 max diff {np.abs(m32 - m64).max():.3g}")


if __name__ == "__main__":
    main()
