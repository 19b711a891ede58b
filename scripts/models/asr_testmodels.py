"""Tiny hand-weighted ONNX models with the exact SenseVoice and Paraformer contracts.

How they encode a known token sequence (honestly): they do NOT recognise
speech. The input features are LFR(7,6)+CMVN fbank frames (MODEL_CONTRACTS
section 0). A first MatMul undoes the CMVN on eight chosen dimensions: the
centre frame (LFR slot 3) of Kaldi mel bins TONE_BINS, so that hidden unit k
is the log mel energy of bin TONE_BINS[k]. A blank score is a constant
threshold TAU. Per frame, the argmax over [TAU, bins...] is therefore "blank"
in silence and "tone k" while a sine at TONE_HZ[k] plays. A second MatMul
(the vocabulary head, [d, V]) maps tone k to a fixed piece (SV_TONE_PIECES /
PF_TONE_PIECES). So audio made of tones separated by pauses spells a known
text, and everything between samples and logits (fbank, LFR, CMVN, padding,
lengths, batch) must be right for the text to come out.

SenseVoice: 4 prompt rows are looked up from a [16, d] embedding by
(language, 1, 2, text_norm), as the real model does, and give the tags
<|lang|><|NEUTRAL|><|Speech|><|withitn|>/<|woitn|>; "auto" yields <|en|>.
Frames at or past x_length+4 emit SV_GARBAGE, so a decoder (or batcher) that
ignores lengths produces visible garbage.

Paraformer: per-frame classes are masked by speech_lengths; each onset of a
non-blank class (class differs from the previous frame's) becomes one output
position (a crude stand-in for CIF integrate-and-fire). L = max token_num over
the batch, token_num = onsets + 1 (predictor_bias 1); position token_num-1
predicts </s>, later positions predict PF_GARBAGE; output is log-softmax.
"""

import numpy as np
import onnx
from onnx import TensorProto as TP
from onnx import helper as oh
from onnx import numpy_helper

import asr_vocab as V

TAU = 20.0  # blank threshold in log mel energy (tones ~ 26-28, silence < 12)
SV_D = 18  # SenseVoice hidden: 8 tone units + 10 tag units
SV_TAG_UNITS = ["<|zh|>", "<|en|>", "<|yue|>", "<|ja|>", "<|ko|>", "<|nospeech|>",
                "<|NEUTRAL|>", "<|Speech|>", "<|withitn|>", "<|woitn|>"]
# Embedding row (prompt id) -> tag unit (index into SV_TAG_UNITS).
SV_PROMPT_ROWS = {0: 1, 3: 0, 4: 1, 7: 2, 11: 3, 12: 4, 13: 5, 1: 6, 2: 7, 14: 8, 15: 9}


def tone_dims():
    """LFR feature dimension of tone k: centre frame (slot 3) of its mel bin."""
    return [3 * V.MEL_BINS + b for b in V.TONE_BINS]


def undo_cmvn(d, bias_blank=None):
    """W [560, d], b [d]: unit k = raw log mel of tone k (x = y/inv - neg)."""
    neg, inv = V.cmvn()
    off = 0 if bias_blank is None else 1
    w = np.zeros((V.FEAT_DIM, d), np.float32)
    b = np.zeros(d, np.float32)
    if bias_blank is not None:
        b[0] = bias_blank
    for k, dim in enumerate(tone_dims()):
        w[dim, k + off] = 1.0 / inv[dim]
        b[k + off] = -neg[dim]
    return w, b


def init(name, arr):
    return numpy_helper.from_array(np.asarray(arr), name)


def const_i64(name, vals):
    return init(name, np.array(vals, np.int64))


def sensevoice_weights():
    vocab = V.sensevoice_vocab()
    idx = {p: i for i, p in enumerate(vocab)}
    w1, b1 = undo_cmvn(SV_D)
    emb = np.zeros((16, SV_D), np.float32)
    for row, unit in SV_PROMPT_ROWS.items():
        emb[row, 8 + unit] = 100.0
    w2 = np.zeros((SV_D, V.SV_VOCAB), np.float32)
    b2 = np.full(V.SV_VOCAB, -50.0, np.float32)
    b2[0] = TAU
    for k, piece in enumerate(V.SV_TONE_PIECES):
        w2[k, idx[piece]] = 1.0
        b2[idx[piece]] = 0.0
    for u, tag in enumerate(SV_TAG_UNITS):
        w2[8 + u, idx[tag]] = 1.0
    garbage = np.zeros(V.SV_VOCAB, np.float32)
    garbage[idx[V.SV_GARBAGE]] = 1000.0
    return dict(W1=w1, b1=b1, Emb=emb, W2=w2, b2=b2, Garbage=garbage)


def sensevoice_graph(names):
    """names: x, x_length, language, text_norm, logits, lens (None = no lens output)."""
    n = names
    nodes = [
        oh.make_node("MatMul", [n["x"], "W1"], ["xa"]),
        oh.make_node("Add", ["xa", "b1"], ["h_audio"]),
        oh.make_node("Cast", [n["language"]], ["lang64"], to=TP.INT64),
        oh.make_node("Cast", [n["text_norm"]], ["tn64"], to=TP.INT64),
        oh.make_node("Unsqueeze", ["lang64", "ax1"], ["lang_u"]),
        oh.make_node("Unsqueeze", ["tn64", "ax1"], ["tn_u"]),
        oh.make_node("Shape", [n["language"]], ["nshape"]),
        oh.make_node("Concat", ["nshape", "two"], ["n2"], axis=0),
        oh.make_node("Expand", ["evemo", "n2"], ["evemo_n"]),
        oh.make_node("Concat", ["lang_u", "evemo_n", "tn_u"], ["prompt_ids"], axis=1),
        oh.make_node("Gather", ["Emb", "prompt_ids"], ["prompt"]),
        oh.make_node("Concat", ["prompt", "h_audio"], ["h"], axis=1),
        oh.make_node("MatMul", ["h", "W2"], ["hl"]),
        oh.make_node("Add", ["hl", "b2"], ["raw"]),
        # Garbage past x_length + 4.
        oh.make_node("Shape", ["h"], ["hshape"]),
        oh.make_node("Gather", ["hshape", "one"], ["t4"], axis=0),
        oh.make_node("Range", ["zero", "t4", "one"], ["frames"]),
        oh.make_node("Cast", [n["x_length"]], ["len64"], to=TP.INT64),
        oh.make_node("Add", ["len64", "four"], ["len4"]),
        oh.make_node("Unsqueeze", ["len4", "ax1"], ["len4_u"]),
        oh.make_node("Unsqueeze", ["frames", "ax0"], ["frames_u"]),
        oh.make_node("Less", ["frames_u", "len4_u"], ["valid"]),
        oh.make_node("Not", ["valid"], ["pad"]),
        oh.make_node("Cast", ["pad"], ["padf"], to=TP.FLOAT),
        oh.make_node("Unsqueeze", ["padf", "ax2"], ["padf_u"]),
        oh.make_node("Mul", ["padf_u", "Garbage"], ["gadd"]),
        oh.make_node("Add", ["raw", "gadd"], [n["logits"]]),
    ]
    if n.get("lens"):
        nodes.append(oh.make_node("Cast", ["len4"], [n["lens"]], to=TP.INT32))
    return nodes


def common_consts():
    return [
        const_i64("ax0", [0]), const_i64("ax1", [1]), const_i64("ax2", [2]),
        const_i64("two", [2]), const_i64("evemo", [[1, 2]]),
        init("zero", np.array(0, np.int64)), init("one", np.array(1, np.int64)),
        init("four", np.array(4, np.int64)),
    ]


def sensevoice_model(funasr):
    if funasr:
        names = dict(x="speech", x_length="speech_lengths", language="language",
                     text_norm="textnorm", logits="ctc_logits", lens="encoder_out_lens")
    else:
        names = dict(x="x", x_length="x_length", language="language",
                     text_norm="text_norm", logits="logits", lens=None)
    inputs = [
        oh.make_tensor_value_info(names["x"], TP.FLOAT, ["N", "T", V.FEAT_DIM]),
        oh.make_tensor_value_info(names["x_length"], TP.INT32, ["N"]),
        oh.make_tensor_value_info(names["language"], TP.INT32, ["N"]),
        oh.make_tensor_value_info(names["text_norm"], TP.INT32, ["N"]),
    ]
    outputs = [oh.make_tensor_value_info(names["logits"], TP.FLOAT, ["N", "T_out", V.SV_VOCAB])]
    if names["lens"]:
        outputs.append(oh.make_tensor_value_info(names["lens"], TP.INT32, ["N"]))
    weights = [init(k, v) for k, v in sensevoice_weights().items()]
    graph = oh.make_graph(sensevoice_graph(names), "sensevoice_test", inputs, outputs,
                          weights + common_consts())
    return finish(graph)


def paraformer_weights():
    vocab = V.paraformer_vocab()
    idx = {p: i for i, p in enumerate(vocab)}
    w1, b1 = undo_cmvn(9, bias_blank=TAU)
    w2 = np.zeros((10, V.PF_VOCAB), np.float32)
    for k, piece in enumerate(V.PF_TONE_PIECES):
        w2[k, idx[piece]] = 10.0
    w2[8, 2] = 10.0  # </s>
    w2[9, idx[V.PF_GARBAGE]] = 10.0
    b2 = np.zeros(V.PF_VOCAB, np.float32)
    b2[0] = 1.0
    return dict(W1=w1, b1=b1, W2=w2, b2=b2, ohvals=np.array([0, 1], np.float32),
                depth=np.array([9], np.int64), tone_start=np.array([1], np.int64),
                tone_end=np.array([9], np.int64), ax0_2=np.array([0, 2], np.int64))


def paraformer_graph(count_type):
    mk = oh.make_node
    return [
        mk("MatMul", ["speech", "W1"], ["sa"]), mk("Add", ["sa", "b1"], ["scores"]),
        mk("ArgMax", ["scores"], ["cls_raw"], axis=2, keepdims=0),
        mk("Shape", ["speech"], ["sshape"]), mk("Gather", ["sshape", "one"], ["t"], axis=0),
        mk("Range", ["zero", "t", "one"], ["frames"]),
        mk("Unsqueeze", ["frames", "ax0"], ["frames_u"]),
        mk("Cast", ["speech_lengths"], ["len64"], to=TP.INT64),
        mk("Unsqueeze", ["len64", "ax1"], ["len_u"]),
        mk("Less", ["frames_u", "len_u"], ["valid"]),
        mk("Cast", ["valid"], ["valid64"], to=TP.INT64),
        mk("Mul", ["cls_raw", "valid64"], ["cls"]),
        mk("Slice", ["cls", "zero1", "one1", "ax1"], ["first"]),
        mk("Mul", ["first", "zero"], ["zcol"]),
        mk("Slice", ["cls", "zero1", "minus1", "ax1"], ["head"]),
        mk("Concat", ["zcol", "head"], ["prev"], axis=1),
        mk("Equal", ["cls", "zero"], ["isblank"]), mk("Not", ["isblank"], ["nonblank"]),
        mk("Equal", ["cls", "prev"], ["same"]), mk("Not", ["same"], ["changed"]),
        mk("And", ["nonblank", "changed"], ["onset"]),
        mk("Cast", ["onset"], ["on64"], to=TP.INT64),
        mk("CumSum", ["on64", "one"], ["csum"]), mk("Sub", ["csum", "one"], ["pos"]),
        mk("ReduceSum", ["on64", "ax1"], ["cnt"], keepdims=0),
        mk("Add", ["cnt", "one"], ["tn"]),
        mk("ReduceMax", ["tn"], ["lmax"], keepdims=0),
        mk("Range", ["zero", "lmax", "one"], ["ks"]),
        mk("Unsqueeze", ["pos", "ax1"], ["pos_u"]),
        mk("Unsqueeze", ["ks", "ax0_2"], ["ks_u"]),
        mk("Equal", ["pos_u", "ks_u"], ["atk"]),
        mk("Unsqueeze", ["onset", "ax1"], ["onset_u"]),
        mk("And", ["atk", "onset_u"], ["sel"]), mk("Cast", ["sel"], ["self"], to=TP.FLOAT),
        mk("OneHot", ["cls", "depth", "ohvals"], ["cls_oh"], axis=-1),
        mk("MatMul", ["self", "cls_oh"], ["tokcls"]),
        mk("Slice", ["tokcls", "tone_start", "tone_end", "ax2"], ["toks"]),
        mk("Unsqueeze", ["ks", "ax0"], ["ks_row"]),
        mk("Unsqueeze", ["cnt", "ax1"], ["cnt_u"]),
        mk("Equal", ["ks_row", "cnt_u"], ["iseos"]), mk("Greater", ["ks_row", "cnt_u"], ["ispad"]),
        mk("Cast", ["iseos"], ["eosf"], to=TP.FLOAT), mk("Cast", ["ispad"], ["padf"], to=TP.FLOAT),
        mk("Unsqueeze", ["eosf", "ax2"], ["eos_u"]), mk("Unsqueeze", ["padf", "ax2"], ["pad_u"]),
        mk("Concat", ["toks", "eos_u", "pad_u"], ["feat"], axis=2),
        mk("MatMul", ["feat", "W2"], ["fl"]), mk("Add", ["fl", "b2"], ["fraw"]),
        mk("LogSoftmax", ["fraw"], ["logits"], axis=2),
        mk("Cast", ["tn"], ["token_num"], to=count_type),
    ]


def paraformer_model(count_type):
    inputs = [
        oh.make_tensor_value_info("speech", TP.FLOAT, ["N", "T", V.FEAT_DIM]),
        oh.make_tensor_value_info("speech_lengths", TP.INT32, ["N"]),
    ]
    outputs = [
        oh.make_tensor_value_info("logits", TP.FLOAT, ["N", "L", V.PF_VOCAB]),
        oh.make_tensor_value_info("token_num", count_type, ["N"]),
    ]
    consts = common_consts() + [const_i64("zero1", [0]), const_i64("one1", [1]),
                                const_i64("minus1", [-1])]
    weights = [init(k, v) for k, v in paraformer_weights().items()]
    graph = oh.make_graph(paraformer_graph(count_type), "paraformer_test", inputs, outputs,
                          weights + consts)
    return finish(graph)


def finish(graph):
    model = oh.make_model(graph, opset_imports=[oh.make_opsetid("", 13)],
                          producer_name="parley scripts/models/export_asr_models.py")
    model.ir_version = 7
    onnx.checker.check_model(model)
    return model


def add_metadata(model, meta):
    for k, v in meta.items():
        p = model.metadata_props.add()
        p.key, p.value = k, str(v)


def csv(xs):
    return ",".join("%.8g" % x for x in xs)


def sensevoice_metadata():
    neg, inv = V.cmvn()
    meta = dict(model_type="sense_voice_ctc", lfr_window_size=7, lfr_window_shift=6,
                normalize_samples=0, neg_mean=csv(neg), inv_stddev=csv(inv),
                vocab_size=V.SV_VOCAB, with_itn=V.SV_WITH_ITN, without_itn=V.SV_WITHOUT_ITN,
                version=2, comment="parley test model: tones spell text; not a recogniser")
    for lang, i in V.SV_LANG_IDS.items():
        meta["lang_" + lang] = i
    return meta


def paraformer_metadata():
    neg, inv = V.cmvn()
    return dict(vocab_size=V.PF_VOCAB, lfr_window_size=7, lfr_window_shift=6,
                neg_mean=csv(neg), inv_stddev=csv(inv), model_type="paraformer",
                comment="parley test model: tones spell text; not a recogniser")
