#!/usr/bin/python3
"""Reference features for parley's ASR front end (pipeline/asr/frontend).

Computes torchaudio's Kaldi-compatible fbank (the SenseVoice/Paraformer
front end of /work/shared/MODEL_CONTRACTS.md section 0) on real speech from
Debian's pocketsphinx-testdata, then FunASR's LFR (m=7, n=6) and a CMVN with
fixed synthetic vectors, and writes them to pipeline/asr/frontend/testdata/.

Regenerate (from the repository root, with Debian's python3-torch and
python3-torchaudio 0.13 installed; use /usr/bin/python3, not a pyenv one):

    /usr/bin/python3 scripts/reference/fbank_reference.py

Output files (all little-endian):
    <name>.fbank.f32      fbank, frames x 80
    <name>.features.f32   fbank -> LFR(7,6) -> CMVN, frames x 560
    cmvn560.am.mvn        the synthetic CMVN, in FunASR's am.mvn format
A .f32 file is uint32 rows, uint32 cols, then rows*cols float32, row-major.
"""

import argparse
import os
import struct
import sys
import wave

import numpy as np
import torch
import torchaudio.compliance.kaldi as kaldi

DATA = "/usr/share/pocketsphinx/test/data"
OUT = os.path.join("pipeline", "asr", "frontend", "testdata")
LFR_M, LFR_N = 7, 6

# name, audio file (relative to DATA), high_freq, snip_edges
CASES = [
    ("goforward", "goforward.raw", 8000.0, True),
    ("goforward-nosnip", "goforward.raw", 8000.0, False),
    ("librivox-0880", "librivox/sense_and_sensibility_01_austen_64kb-0880.wav", 0.0, True),
]


def read_audio(path):
    """Returns float32 samples in [-1, 1) from 16 kHz mono s16le raw or wav."""
    if path.endswith(".wav"):
        with wave.open(path, "rb") as w:
            if (w.getframerate(), w.getnchannels(), w.getsampwidth()) != (16000, 1, 2):
                sys.exit(f"{path}: want 16 kHz mono 16-bit")
            raw = w.readframes(w.getnframes())
    else:
        with open(path, "rb") as f:
            raw = f.read()
    return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0


def fbank(samples, high_freq, snip_edges, dtype):
    wav = torch.from_numpy(samples).to(dtype).unsqueeze(0) * 32768
    return kaldi.fbank(
        wav,
        num_mel_bins=80,
        frame_length=25,
        frame_shift=10,
        dither=0.0,
        energy_floor=0.0,
        window_type="hamming",
        preemphasis_coefficient=0.97,
        remove_dc_offset=True,
        snip_edges=snip_edges,
        low_freq=20,
        high_freq=high_freq,
        use_energy=False,
        sample_frequency=16000,
    ).numpy().astype(np.float32)


def lfr(feats, m, n):
    """FunASR's apply_lfr: (m-1)//2 copies of frame 0 first, ceil(T/n)
    outputs, windows past the end padded with the last frame."""
    t = feats.shape[0]
    out_frames = -(-t // n)
    padded = np.vstack([np.tile(feats[0], ((m - 1) // 2, 1)), feats])
    rows = []
    for i in range(out_frames):
        idx = [min(i * n + j, padded.shape[0] - 1) for j in range(m)]
        rows.append(padded[idx].reshape(-1))
    return np.stack(rows).astype(np.float32)


def synthetic_cmvn(dim):
    k = np.arange(dim, dtype=np.float64)
    neg_mean = (-(8.0 + 4.0 * np.sin(0.1 * k))).astype(np.float32)
    inv_stddev = (0.15 + 0.1 * np.cos(0.07 * k)).astype(np.float32)
    return neg_mean, inv_stddev


def write_am_mvn(path, neg_mean, inv_stddev):
    dim = len(neg_mean)
    fmt = lambda v: " ".join("%.9g" % x for x in v)
    with open(path, "w") as f:
        f.write("<Nnet>\n")
        f.write(f"<Splice> {dim} {dim}\n[ 0 ]\n")
        f.write(f"<AddShift> {dim} {dim}\n<LearnRateCoef> 0 [ {fmt(neg_mean)} ]\n")
        f.write(f"<Rescale> {dim} {dim}\n<LearnRateCoef> 0 [ {fmt(inv_stddev)} ]\n")
        f.write("</Nnet>\n")


def write_f32(path, a):
    a = np.ascontiguousarray(a, dtype="<f4")
    with open(path, "wb") as f:
        f.write(struct.pack("<II", a.shape[0], a.shape[1]))
        f.write(a.tobytes())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=OUT, help="output folder (default %(default)s)")
    ap.add_argument("--dtype", choices=["float32", "float64"], default="float32",
                    help="torch dtype of the stored fbank; float64 shows how much of the "
                    "Go difference is torch's float32 rounding (default %(default)s)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    neg_mean, inv_stddev = synthetic_cmvn(80 * LFR_M)
    write_am_mvn(os.path.join(args.out, "cmvn560.am.mvn"), neg_mean, inv_stddev)
    for name, rel, high, snip in CASES:
        samples = read_audio(os.path.join(DATA, rel))
        fb32 = fbank(samples, high, snip, torch.float32)
        fb64 = fbank(samples, high, snip, torch.float64)
        fb = fb64 if args.dtype == "float64" else fb32
        feats = (lfr(fb, LFR_M, LFR_N) + neg_mean) * inv_stddev
        write_f32(os.path.join(args.out, name + ".fbank.f32"), fb)
        write_f32(os.path.join(args.out, name + ".features.f32"), feats)
        print(f"{name}: {len(samples)} samples, fbank {fb.shape}, features {feats.shape}, "
              f"torch float32 vs float64 max diff {np.abs(fb32 - fb64).max():.3g}")


if __name__ == "__main__":
    main()
