#!/usr/bin/python3
"""Build Kokoro-contract models and voices files with generated weights.

Real Kokoro weights cannot be downloaded here, so parley's Kokoro engine is
tested against models with Kokoro v1.0's exact ONNX interface
(MODEL_CONTRACTS.md section 5) and timed against one with Kokoro-82M's size
and architecture (kokoro_sized.py).

  small (default): written to pipeline/tts/testdata/kokoro/ and committed:
    kokoro-test.onnx      tokens int64 [1,T], style float32 [1,256], speed
                          float32 [1] -> audio float32 [S]; metadata
                          model_type=kokoro, sample_rate=24000 and
                          speaker_names=af_heart,bf_emma (as sherpa-onnx's
                          export names the speakers of its raw voices.bin)
    kokoro-test-new.onnx  the newer export's names: input_ids int64, style,
                          speed int32 -> waveform float32 [S], duration int64
                          [T]; no metadata
    voices-test.bin       NumPy .npz (like voices-v1.0.bin): af_heart, bf_emma,
                          each float32 [510, 1, 256]
    voices-test-raw.bin   sherpa-onnx's raw layout of the same two voices:
                          float32 [2, 510, 1, 256], af_heart first
  --sized DIR: a Kokoro-82M-sized model DIR/kokoro-sized.onnx (tokens, style,
    speed -> audio) and DIR/voices-sized.bin (af_heart, random). Not
    committed; for benchmarks only (default DIR is
    $XDG_CACHE_HOME/parley/bench/kokoro-82m-sized, where the benchmark looks).

The audio of the small models spells out what they were fed, so a test can
check the token ids and the style row the engine chose. One run's audio is
  [T/1024, N/2^20, id_0/256, ..., id_{T-1}/256, style_0, ..., style_255, speech]
with T = L+2 tokens (the two 0s included), N = floor(T * 600 / speed) speech
samples (600 samples = one 25 ms frame per token at speed 1) and speech a
220 Hz tone whose level depends on the ids and the style through a tiny
learned layer. Every value written before the speech is a dyadic fraction,
exact in float32, so it survives ONNX Runtime unchanged.

Voice rows are made so that the row and the voice can be read back from a
single value: for voice k (0 af_heart, 1 bf_emma) and row r,
  style[r][0] = r/1024 + k/8192,   style[r][c] = k/8192 + c/2^21 (c >= 1).
Rows differ only in column 0, so the .npz compresses to a few kB.

Run with Debian's interpreter (python3-torch 1.13, python3-onnx 1.12, numpy):
  /usr/bin/python3 scripts/models/export_kokoro_model.py
  /usr/bin/python3 scripts/models/export_kokoro_model.py --sized DIR
"""

import argparse
import os
import sys

import numpy as np
import onnx
import torch
from torch import nn

N_TOKEN = 178
STYLE = 256
ROWS = 510
HOP = 600
SAMPLE_RATE = 24000
VOICES = ["af_heart", "bf_emma"]


def voice_rows(k):
    """Return voice k's style table, float32 [510, 1, 256] (module doc)."""
    c = np.arange(STYLE, dtype=np.float64)
    table = np.tile(k / 8192 + c / 2**21, (ROWS, 1))
    table[:, 0] = np.arange(ROWS) / 1024 + k / 8192
    return table.astype(np.float32).reshape(ROWS, 1, STYLE)


class ContractKokoro(nn.Module):
    """A tiny model with Kokoro's I/O whose audio spells out its inputs."""

    def __init__(self, newer):
        super().__init__()
        self.newer = newer
        self.emb = nn.Embedding(N_TOKEN, 8)
        self.level = nn.Linear(8 + STYLE, 1)

    def forward(self, tokens, style, speed):
        ids = tokens[0]
        t = torch.ones_like(ids, dtype=torch.float32).sum()
        n = torch.floor(t * HOP / speed.to(torch.float32)[0])
        header = torch.stack([t / 1024, n / 2**20])
        feat = torch.cat([self.emb(ids).mean(0), style[0]])
        level = 0.1 + 0.2 * torch.sigmoid(self.level(feat))
        k = torch.arange(n)
        speech = level * torch.sin(k * (2 * np.pi * 220 / SAMPLE_RATE))
        audio = torch.cat([header, ids.to(torch.float32) / 256, style[0], speech])
        if not self.newer:
            return audio
        # One 25 ms frame per token at speed 1, as the speech part above.
        duration = torch.ones_like(ids) * torch.clamp(torch.round(1 / speed.to(torch.float32)), min=1).to(torch.long)
        return audio, duration


def export_contract(path, newer):
    torch.manual_seed(7 if newer else 5)
    model = ContractKokoro(newer).eval()
    tokens = torch.tensor([[0, 50, 83, 54, 156, 57, 135, 0]], dtype=torch.long)
    style = torch.from_numpy(voice_rows(0)[6])
    if newer:
        speed = torch.tensor([1], dtype=torch.int32)
        names, outs = ["input_ids", "style", "speed"], ["waveform", "duration"]
        axes = {"input_ids": {1: "tokens"}, "waveform": {0: "samples"}, "duration": {0: "tokens"}}
    else:
        speed = torch.tensor([1.0], dtype=torch.float32)
        names, outs = ["tokens", "style", "speed"], ["audio"]
        axes = {"tokens": {1: "tokens"}, "audio": {0: "samples"}}
    with torch.no_grad():
        torch.onnx.export(model, (tokens, style, speed), path, input_names=names, output_names=outs,
                          dynamic_axes=axes, opset_version=17, do_constant_folding=True)
    if not newer:
        add_metadata(path, {"model_type": "kokoro", "sample_rate": str(SAMPLE_RATE),
                            "speaker_names": ",".join(VOICES)})


def add_metadata(path, meta):
    m = onnx.load(path)
    for key, value in meta.items():
        p = m.metadata_props.add()
        p.key, p.value = key, value
    onnx.save(m, path)


def write_npz(path, voices, compressed):
    """Write {name: [510,1,256]} as NumPy .npz at path (np.savez appends .npz otherwise)."""
    with open(path, "wb") as f:
        (np.savez_compressed if compressed else np.savez)(f, **voices)


def build_small(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for name, newer in (("kokoro-test.onnx", False), ("kokoro-test-new.onnx", True)):
        path = os.path.join(out_dir, name)
        export_contract(path, newer)
        print(path, os.path.getsize(path), "bytes")
    voices = {v: voice_rows(k) for k, v in enumerate(VOICES)}
    npz = os.path.join(out_dir, "voices-test.bin")
    write_npz(npz, voices, compressed=True)
    raw = os.path.join(out_dir, "voices-test-raw.bin")
    with open(raw, "wb") as f:
        for v in VOICES:
            f.write(voices[v].astype("<f4").tobytes())
    for p in (npz, raw):
        print(p, os.path.getsize(p), "bytes")


def build_sized(out_dir):
    import kokoro_sized

    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "kokoro-sized.onnx")
    n = kokoro_sized.export(path)
    rng = np.random.default_rng(0)
    voice = (rng.standard_normal((ROWS, 1, STYLE)) * 0.2).astype(np.float32)
    write_npz(os.path.join(out_dir, "voices-sized.bin"), {"af_heart": voice}, compressed=False)
    print(path, f"{n / 1e6:.2f} M parameters", os.path.getsize(path), "bytes")


def default_sized_dir():
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "parley", "bench", "kokoro-82m-sized")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out-dir", default=os.path.join(here, "..", "..", "pipeline", "tts", "testdata", "kokoro"),
                    help="where the small test models go (default pipeline/tts/testdata/kokoro)")
    ap.add_argument("--sized", metavar="DIR", nargs="?", const=default_sized_dir(),
                    help="write the Kokoro-82M-sized model and a voice to DIR instead")
    args = ap.parse_args()
    torch.set_num_threads(1)
    if args.sized:
        sys.path.insert(0, here)
        build_sized(args.sized)
    else:
        build_small(os.path.normpath(args.out_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
