"""Generated vocabularies, CMVN statistics and tone tables for parley's ASR test models.

Nothing here comes from a real model except what MODEL_CONTRACTS.md states:
the SenseVoice tag ids (<|zh|> 24884, <|en|> 24885, <|yue|> 24888, <|ja|> 24892,
<|ko|> 24896, <|nospeech|> 24992, emotions 25001..25009), the vocabulary sizes
(25055 and 8404) and Paraformer's 0 <blank>, 1 <s>, 2 </s>, last <unk>. Every
other piece is invented so that decoding rules (SentencePiece "▁", byte
fallback "<0xNN>", "@@" continuation, CJK joining) are exercised.
"""

import math

SV_VOCAB = 25055
PF_VOCAB = 8404
FEAT_DIM = 560
MEL_BINS = 80

# Tone k sits at the centre of Kaldi mel bin TONE_BINS[k] (80 bins, 20-8000 Hz).
TONE_BINS = [22, 30, 38, 46, 54, 62, 70, 76]
# Parley's Go tests use the same table (pipeline/asr/onnxasr_test.go).
TONE_HZ = [761, 1169, 1690, 2357, 3210, 4301, 5696, 6993]

# Pieces the eight tones spell, per model. Both spell "你好 hello world parley"
# for tones 4 5 0 1 2 3.
SV_TONE_PIECES = ["\u2581hello", "\u2581wor", "ld", "\u2581parley", "你", "好", "世", "界"]
PF_TONE_PIECES = ["hello", "wor@@", "ld", "parley", "你", "好", "世", "界"]
# What a model emits on frames (SenseVoice) or positions (Paraformer) past an
# item's length, so that a decoder ignoring lengths produces visible garbage.
SV_GARBAGE = "\u2581GARBAGE"
PF_GARBAGE = "garbage"

SV_TAGS = {
    24884: "<|zh|>", 24885: "<|en|>", 24888: "<|yue|>", 24892: "<|ja|>",
    24896: "<|ko|>", 24992: "<|nospeech|>", 25001: "<|HAPPY|>", 25002: "<|SAD|>",
    25003: "<|ANGRY|>", 25004: "<|NEUTRAL|>", 25009: "<|EMO_UNKNOWN|>",
    # Invented ids (real ones UNCONFIRMED): event and ITN tags.
    25016: "<|Speech|>", 25017: "<|withitn|>", 25018: "<|woitn|>",
}
SV_LANG_IDS = {"auto": 0, "zh": 3, "en": 4, "yue": 7, "ja": 11, "ko": 12, "nospeech": 13}
SV_WITH_ITN, SV_WITHOUT_ITN = 14, 15


def sensevoice_vocab():
    """Return the 25055 SenseVoice pieces (index = id)."""
    v = ["<unk>", "<s>", "</s>"] + ["<0x%02X>" % b for b in range(256)]
    v += SV_TONE_PIECES + [SV_GARBAGE, " ", "\u2581", "\u2581the", "s"]
    v += ["\u2581w%d" % i for i in range(24884 - len(v))]
    for i in range(24884, SV_VOCAB):
        v.append(SV_TAGS.get(i, "<|tag%d|>" % i))
    assert len(v) == SV_VOCAB and len(set(v)) == SV_VOCAB
    return v


def paraformer_vocab():
    """Return the 8404 Paraformer tokens (index = id)."""
    v = ["<blank>", "<s>", "</s>"] + PF_TONE_PIECES + [PF_GARBAGE, "the", "##"]
    cjk = [chr(0x4E00 + i) for i in range(6000)]
    v += [c for c in cjk if c not in v]
    v += ["w%d" % i for i in range(PF_VOCAB - 1 - len(v))]
    v.append("<unk>")
    assert len(v) == PF_VOCAB and len(set(v)) == PF_VOCAB
    return v


def cmvn():
    """Return deterministic (neg_mean, inv_stddev), 560 floats each."""
    neg = [-(10.0 + 2.0 * math.sin(j * 0.37)) for j in range(FEAT_DIM)]
    inv = [0.2 + 0.05 * math.cos(j * 0.11) for j in range(FEAT_DIM)]
    return neg, inv


def tokens_txt(vocab):
    """sherpa-onnx tokens.txt: "piece id" per line."""
    return "".join("%s %d\n" % (p, i) for i, p in enumerate(vocab))


def am_mvn(neg, inv):
    """Kaldi nnet text (FunASR am.mvn)."""
    fmt = lambda xs: " ".join("%.8f" % x for x in xs)
    return (
        "<Nnet>\n<Splice> 560 560\n[ 0 ]\n<AddShift> 560 560\n"
        "<LearnRateCoef> 0 [ %s ]\n<Rescale> 560 560\n<LearnRateCoef> 0 [ %s ]\n</Nnet>\n"
        % (fmt(neg), fmt(inv))
    )
