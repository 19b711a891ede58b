#!/usr/bin/python3
"""Build ONNX models with the exact SenseVoice and Paraformer contracts (MODEL_CONTRACTS.md 1, 2).

Test models (default; committed under pipeline/asr/testdata/asr):
    /usr/bin/python3 scripts/models/export_asr_models.py [--out pipeline/asr/testdata/asr]
  writes
    sensevoice/         sherpa-onnx export: model.onnx (x, x_length, language, text_norm -> logits,
                        full metadata) + tokens.txt
    sensevoice-funasr/  FunASR export: model.onnx (speech, speech_lengths, language, textnorm ->
                        ctc_logits, encoder_out_lens; no metadata) + tokens.json + am.mvn
    paraformer/         FunASR export: model.onnx (speech, speech_lengths -> logits (log-softmax),
                        token_num int32) + tokens.json + am.mvn
    paraformer-sherpa/  sherpa repackage: same graph with metadata, token_num int64 (the older
                        export's type, to exercise it) + tokens.txt
    tones.wav           16 kHz speech stand-in: tones 4 5 0 1 2 3 -> "你好 hello world parley"
  See asr_testmodels.py for how the tiny models turn tones into a known token sequence.

Benchmark model (never committed; ~940 MB):
    /usr/bin/python3 scripts/models/export_asr_models.py --sized OUT_DIR [--blocks 50 --tp-blocks 20]
  writes OUT_DIR/model.onnx + OUT_DIR/tokens.txt: a SenseVoice-small-sized SAN-M encoder with
  generated weights and the sherpa-onnx contract (see asr_sized.py).
"""

import argparse
import json
import math
import os
import sys

import numpy as np
import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import asr_testmodels as M  # noqa: E402
import asr_vocab as V  # noqa: E402
import tone_audio as T  # noqa: E402
from tone_audio import SR, write_wav  # noqa: E402

TEST_SEQUENCE = [4, 5, 0, 1, 2, 3]


def tone_audio(seq, seed=1):
    """Tones TONE_HZ[k] for k in seq (see tone_audio.py)."""
    return T.tone_audio(seq, V.TONE_HZ, seed)


def features(x):
    """Reference front end: torchaudio Kaldi fbank, FunASR LFR(7,6), CMVN."""
    import torch
    import torchaudio.compliance.kaldi as kaldi

    w = torch.tensor(x * 32768, dtype=torch.float32).unsqueeze(0)
    fb = kaldi.fbank(w, num_mel_bins=80, frame_length=25, frame_shift=10, dither=0.0,
                     window_type="hamming", sample_frequency=SR, snip_edges=True).numpy()
    pad = np.concatenate([np.repeat(fb[:1], 3, 0), fb])
    out = []
    for i in range(math.ceil(len(fb) / 6)):
        win = pad[6 * i: 6 * i + 7]
        if len(win) < 7:
            win = np.concatenate([win, np.repeat(pad[-1:], 7 - len(win), 0)])
        out.append(win.reshape(-1))
    neg, inv = V.cmvn()
    return (np.array(out) + np.array(neg)) * np.array(inv)


def frame_classes(feats):
    """Mirror of the models' first layer: 0 = blank, k+1 = tone k."""
    w, b = M.undo_cmvn(9, bias_blank=M.TAU)
    scores = feats @ w + b
    return scores.argmax(1), scores


def self_check(x):
    """Fail unless the reference front end turns x into TEST_SEQUENCE."""
    cls, scores = frame_classes(features(x))
    got = [int(c) - 1 for i, c in enumerate(cls) if c and (i == 0 or cls[i - 1] != c)]
    tones = scores[:, 1:].max(1)
    print("tone frames: min peak %.1f; silent frames: max %.1f; TAU %.1f" % (
        tones[cls > 0].min(), tones[cls == 0].max(), M.TAU))
    if got != TEST_SEQUENCE:
        sys.exit("self-check failed: tones decode to %s, want %s" % (got, TEST_SEQUENCE))


def save(model, path):
    onnx.save(model, path)
    print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))


def write_text(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def export_tests(out):
    sv, pf = V.sensevoice_vocab(), V.paraformer_vocab()
    neg, inv = V.cmvn()
    dirs = {d: os.path.join(out, d) for d in
            ["sensevoice", "sensevoice-funasr", "paraformer", "paraformer-sherpa"]}
    for d in dirs.values():
        os.makedirs(d, exist_ok=True)
    m = M.sensevoice_model(funasr=False)
    M.add_metadata(m, M.sensevoice_metadata())
    save(m, os.path.join(dirs["sensevoice"], "model.onnx"))
    write_text(os.path.join(dirs["sensevoice"], "tokens.txt"), V.tokens_txt(sv))
    save(M.sensevoice_model(funasr=True), os.path.join(dirs["sensevoice-funasr"], "model.onnx"))
    write_text(os.path.join(dirs["sensevoice-funasr"], "tokens.json"), json.dumps(sv, ensure_ascii=False))
    write_text(os.path.join(dirs["sensevoice-funasr"], "am.mvn"), V.am_mvn(neg, inv))
    save(M.paraformer_model(onnx.TensorProto.INT32), os.path.join(dirs["paraformer"], "model.onnx"))
    write_text(os.path.join(dirs["paraformer"], "tokens.json"), json.dumps(pf, ensure_ascii=False))
    write_text(os.path.join(dirs["paraformer"], "am.mvn"), V.am_mvn(neg, inv))
    m = M.paraformer_model(onnx.TensorProto.INT64)
    M.add_metadata(m, M.paraformer_metadata())
    save(m, os.path.join(dirs["paraformer-sherpa"], "model.onnx"))
    write_text(os.path.join(dirs["paraformer-sherpa"], "tokens.txt"), V.tokens_txt(pf))
    x = write_wav(os.path.join(out, "tones.wav"), tone_audio(TEST_SEQUENCE))
    self_check(x)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="pipeline/asr/testdata/asr", help="test model folder")
    ap.add_argument("--sized", metavar="DIR", help="write a SenseVoice-small-sized model here instead")
    ap.add_argument("--blocks", type=int, default=50, help="SAN-M blocks incl. the first (sized)")
    ap.add_argument("--tp-blocks", type=int, default=20, help="tp_encoders blocks (sized)")
    ap.add_argument("--seed", type=int, default=0, help="weight seed (sized)")
    args = ap.parse_args()
    if args.sized:
        import asr_sized
        asr_sized.export(args.sized, args.blocks, args.tp_blocks, args.seed)
        return
    export_tests(args.out)


if __name__ == "__main__":
    main()
