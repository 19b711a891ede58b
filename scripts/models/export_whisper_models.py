#!/usr/bin/python3
"""Build ONNX encoder/decoder pairs with the sherpa-onnx Whisper contract (MODEL_CONTRACTS.md 3a).

Test models (default; committed under pipeline/asr/testdata/whisper):
    /usr/bin/python3 scripts/models/export_whisper_models.py [--out pipeline/asr/testdata/whisper]
  writes
    en/   English-only, 80 mels: test.en-encoder.onnx, test.en-decoder.onnx, test.en-tokens.txt
    ml/   multilingual (en, de, zh), 128 mels like large-v3: test-encoder.onnx with its weights
          in test-encoder.weights (external data, as sherpa-onnx ships large models),
          test-decoder.onnx, test-tokens.txt
    tones-en.wav   16 kHz speech stand-in: tones 0 1 2 -> "hello world parley"
  See whisper_testmodels.py for how the tiny models turn tones into a known text.

Timing models (never committed; tiny ~200 MB, base ~300 MB):
    /usr/bin/python3 scripts/models/export_whisper_models.py --sized tiny.en OUT_DIR
  writes OUT_DIR/<name>-{encoder,decoder}.onnx and <name>-tokens.txt: Whisper tiny.en- or
  base-sized graphs (names: tiny.en, base.en, tiny, base) with generated weights and the
  contract's inputs, outputs and metadata (see whisper_sized.py).
"""

import argparse
import os
import sys

import numpy as np
import onnx
import torch
import torchaudio

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tone_audio as T  # noqa: E402
import whisper_testmodels as W  # noqa: E402
from tone_audio import SR, write_wav  # noqa: E402

WAV_SEQUENCE = [0, 1, 2]
CHECKS = [[0, 1, 2], [7, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1, 0, 7]]


def tone_audio(seq, seed=1):
    """Tones W.TONE_HZ[k] for k in seq (see tone_audio.py)."""
    return T.tone_audio(seq, W.TONE_HZ, seed)


def log_mel(x, n_mels):
    """OpenAI's front end (as scripts/reference/whisper_mel_reference.py)."""
    audio = torch.nn.functional.pad(torch.tensor(x, dtype=torch.float32), (0, 480000 - len(x)))
    stft = torch.stft(audio, 400, 160, window=torch.hann_window(400), return_complex=True)
    fb = torchaudio.functional.melscale_fbanks(201, 0.0, 8000.0, n_mels, SR, norm="slaney",
                                               mel_scale="slaney")
    mel = torch.clamp(fb.T @ (stft[..., :-1].abs() ** 2), min=1e-10).log10()
    return ((torch.maximum(mel, mel.max() - 8.0) + 4.0) / 4.0).numpy()


def self_check(n_mels):
    """Fail unless the encoder's rule, on the reference front end, finds each sequence."""
    bins = W.tone_bins(n_mels)
    for seq in CHECKS:
        mel = log_mel(tone_audio(seq), n_mels)
        scores = np.vstack([np.full(mel.shape[1], mel.max() - W.THRESH), mel[bins]])
        cls = scores.argmax(0)[::2]
        got = [int(c) - 1 for i, c in enumerate(cls) if c and (i == 0 or cls[i - 1] != c)]
        tone = scores[1:].max(0)
        print("%d mels, tones %s: tone frames min %.2f, other frames max %.2f, threshold %.2f" % (
            n_mels, seq, tone[scores.argmax(0) > 0].min(), tone[scores.argmax(0) == 0].max(),
            mel.max() - W.THRESH))
        if got != seq:
            sys.exit("self-check failed: %d mels: tones %s decode to %s" % (n_mels, seq, got))


def save(model, path, weights=None):
    if weights:
        w = os.path.join(os.path.dirname(path), weights)
        if os.path.exists(w):
            os.remove(w)  # onnx appends to an existing external data file
        onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location=weights, size_threshold=256)
    else:
        onnx.save_model(model, path)
    print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))


def export_variant(out, multilingual):
    name, n_mels = ("test", 128) if multilingual else ("test.en", 80)
    d = os.path.join(out, "ml" if multilingual else "en")
    os.makedirs(d, exist_ok=True)
    self_check(n_mels)
    enc = W.finish(W.encoder_graph(n_mels))
    W.add_metadata(enc, W.encoder_metadata(multilingual, n_mels, name))
    save(enc, os.path.join(d, name + "-encoder.onnx"), name + "-encoder.weights" if multilingual else None)
    save(W.finish(W.decoder_graph(multilingual)), os.path.join(d, name + "-decoder.onnx"))
    with open(os.path.join(d, name + "-tokens.txt"), "w") as f:
        f.write(W.tokens_txt())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="pipeline/asr/testdata/whisper", help="test model folder")
    ap.add_argument("--sized", nargs=2, metavar=("NAME", "DIR"),
                    help="write a size-faithful model (tiny.en, base.en, tiny, base) to DIR instead")
    ap.add_argument("--seed", type=int, default=0, help="weight seed (sized)")
    args = ap.parse_args()
    if args.sized:
        import whisper_sized
        whisper_sized.export(args.sized[0], args.sized[1], args.seed)
        return
    export_variant(args.out, multilingual=False)
    export_variant(args.out, multilingual=True)
    write_wav(os.path.join(args.out, "tones-en.wav"), tone_audio(WAV_SEQUENCE))


if __name__ == "__main__":
    main()
