"""Tiny hand-weighted encoder/decoder pairs with the sherpa-onnx Whisper contract (MODEL_CONTRACTS.md 3a).

They do NOT recognise speech. How a known audio becomes a known text, and why only a correct
decoding loop gets it out (honestly):

Encoder (mel [N, n_mels, 3000] -> n_layer_cross_k, n_layer_cross_v [2, N, 1500, 16]): picks the
log-mel bins TONE_BINS (those that respond most to the tones TONE_HZ, per filter bank) and, per
frame, the argmax over [g - 0.5, tone bins...] where g is the spectrogram's maximum: class 0 is
"no tone", class k+1 is tone k. Every second frame is kept (1500, as Whisper's stride-2 conv).
cross_k channel 0 = the number of tone onsets so far on tone frames (0 elsewhere): "this frame
belongs to tone #m"; cross_v channels 0..7 = the one-hot tone class. Layers are copies.

Decoder: token features are written into the self caches at slots offset..offset+n-1 (other
slots are kept): K = [is_sot, is_no_timestamps, is_text, is_en, is_de, is_zh, is_transcribe,
is_translate, present, 0...], V = is_no_timestamps * (slot + 1) in channel 0. At position
pos = offset + j it reads the caches up to pos (K of layer 0, V of layer 1):
  p = the slot of no_timestamps (from V), m = pos - p + 1: emit the class of tone #m (cross_k of
  layer 0 selects its frames, cross_v of layer 1 gives the class), as the English piece, or the
  German one when the prompt says <|de|> and <|transcribe|>; eot when there is no tone #m.
  The result is valid only if the caches hold exactly one sot, one no_timestamps, pos - p text
  tokens, every slot 0..pos filled (no gap: offsets must advance by the tokens fed), and the
  prompt's language/task tokens as the variant expects (one each for multilingual, none for
  .en); otherwise the GARBAGE token wins. So a loop that drops or swaps the caches, gets the
  offset wrong, or builds the prompt wrong decodes visible garbage or repeats.
Language tokens score en 1.0, zh 0.5 and de 2.0 when tone 7 occurs anywhere in the audio, so
language detection (decoder on [sot]) finds German exactly when tone 7 is in the audio.
"""

import base64

import numpy as np
import onnx
import torch
import torchaudio
from onnx import TensorProto as TP
from onnx import helper as oh
from onnx import numpy_helper

D, LAYERS, CTX, AUDIO_CTX, FRAMES = 16, 2, 448, 1500, 3000
THRESH = 0.5  # "tone" = within 2 decades (0.5 after the /4) of the spectrogram's maximum
TONE_HZ = [1000, 1300, 1700, 2200, 2850, 3700, 4800, 6200]
# What each tone spells: English (en transcribe, translate, .en) and German (de transcribe).
EN = [" hello", " world", " parley", " green", " is", " nice", "!", " yes"]
DE = [" hallo", " welt", " parley", " gr", b"\xc3", b"\xbc", "n", " ja"]
GARBAGE = " GARBAGE"
LANGS = ["en", "de", "zh"]


def as_bytes(p):
    return p if isinstance(p, bytes) else p.encode("utf-8")


def ordinary_tokens():
    """The ordinary tokens (index = id): EN, the new DE pieces, GARBAGE."""
    out = []
    for p in [as_bytes(x) for x in EN + DE + [GARBAGE]]:
        if p not in out:
            out.append(p)
    return out


def specials(multilingual):
    """Special token ids after the ordinary ones, in openai/whisper's order."""
    n = len(ordinary_tokens())
    names = ["eot", "sot"] + (["lang_" + l for l in LANGS] if multilingual else [])
    names += ["translate", "transcribe", "sot_lm", "sot_prev", "no_speech", "no_timestamps"]
    ids = {name: n + i for i, name in enumerate(names)}
    ids["n_vocab"] = n + len(names) + 4  # four timestamp tokens, never used
    return ids


def tokens_txt():
    return "".join("%s %d\n" % (base64.b64encode(b).decode(), i) for i, b in enumerate(ordinary_tokens()))


def tone_bins(n_mels):
    """The mel bin that responds most to each tone (torchaudio's Slaney filters)."""
    fb = torchaudio.functional.melscale_fbanks(201, 0.0, 8000.0, n_mels, 16000, norm="slaney",
                                               mel_scale="slaney").numpy()  # [201, n_mels]
    bins = []
    for hz in TONE_HZ:
        k = hz / 40.0
        lo, frac = int(k), k - int(k)
        resp = fb[lo] * (1 - frac) + fb[lo + 1] * frac
        bins.append(int(resp.argmax()))
    assert min(np.diff(bins)) >= 3, bins
    return bins


def init(name, arr):
    return numpy_helper.from_array(np.asarray(arr), name)


def i64(name, vals):
    return init(name, np.array(vals, np.int64))


def f32(name, vals):
    return init(name, np.array(vals, np.float32))


def encoder_graph(n_mels):
    mk = oh.make_node
    sel = np.zeros((n_mels, 8), np.float32)
    for k, b in enumerate(tone_bins(n_mels)):
        sel[b, k] = 1.0
    emb_v = np.zeros((8, D), np.float32)
    emb_v[np.arange(8), np.arange(8)] = 1.0
    e0 = np.zeros(D, np.float32)
    e0[0] = 1.0
    nodes = [
        mk("Transpose", ["mel"], ["melT"], perm=[0, 2, 1]),
        mk("MatMul", ["melT", "Sel"], ["tones"]),                       # [N, 3000, 8]
        mk("ReduceMax", ["mel"], ["g"], axes=[1, 2], keepdims=1),       # [N, 1, 1]
        mk("Sub", ["g", "thresh"], ["tau"]),
        mk("Shape", ["tones"], ["tshape"]),
        mk("Slice", ["tshape", "zero1", "two1"], ["nt"]),
        mk("Concat", ["nt", "one1"], ["taushape"], axis=0),
        mk("Expand", ["tau", "taushape"], ["taucol"]),                  # [N, 3000, 1]
        mk("Concat", ["taucol", "tones"], ["scores"], axis=2),
        mk("ArgMax", ["scores"], ["cls_full"], axis=2, keepdims=0),     # [N, 3000]
        mk("Slice", ["cls_full", "zero1", "frames1", "one1", "two1"], ["cls"]),  # every 2nd
        mk("Shape", ["cls"], ["cshape"]),
        mk("Slice", ["cshape", "zero1", "one1"], ["n1"]),
        mk("Concat", ["n1", "one1"], ["zshape"], axis=0),
        mk("ConstantOfShape", ["zshape"], ["zcol"], value=oh.make_tensor("z", TP.INT64, [1], [0])),
        mk("Slice", ["cls", "zero1", "minus1", "one1"], ["head"]),
        mk("Concat", ["zcol", "head"], ["prev"], axis=1),
        mk("Equal", ["cls", "zero"], ["silent"]), mk("Not", ["silent"], ["tone"]),
        mk("Equal", ["cls", "prev"], ["same"]), mk("Not", ["same"], ["changed"]),
        mk("And", ["tone", "changed"], ["onset"]),
        mk("Cast", ["onset"], ["onset64"], to=TP.INT64),
        mk("CumSum", ["onset64", "one"], ["count"]),
        mk("Cast", ["tone"], ["tone64"], to=TP.INT64),
        mk("Mul", ["count", "tone64"], ["num64"]),
        mk("Cast", ["num64"], ["num"], to=TP.FLOAT),
        mk("Unsqueeze", ["num", "ax2"], ["num_u"]),
        mk("Mul", ["num_u", "E0"], ["k1"]),                             # [N, 1500, D]
        mk("OneHot", ["cls", "depth9", "ohvals"], ["oh9"], axis=-1),
        mk("Slice", ["oh9", "one1", "nine1", "ax2"], ["oh8"]),
        mk("MatMul", ["oh8", "EmbV"], ["v1"]),
        mk("Unsqueeze", ["k1", "ax0"], ["k1u"]), mk("Unsqueeze", ["v1", "ax0"], ["v1u"]),
        mk("Expand", ["k1u", "layers4"], ["n_layer_cross_k"]),
        mk("Expand", ["v1u", "layers4"], ["n_layer_cross_v"]),
    ]
    inits = [
        f32("Sel", sel), f32("thresh", [THRESH]), f32("E0", e0), f32("EmbV", emb_v),
        f32("ohvals", [0, 1]), i64("depth9", [9]), i64("zero1", [0]), i64("one1", [1]),
        i64("two1", [2]), i64("nine1", [9]), i64("minus1", [-1]), i64("frames1", [FRAMES]),
        i64("ax0", [0]), i64("ax2", [2]), i64("layers4", [LAYERS, 1, 1, 1]),
        init("zero", np.array(0, np.int64)), init("one", np.array(1, np.int64)),
    ]
    inputs = [oh.make_tensor_value_info("mel", TP.FLOAT, ["n_audio", n_mels, FRAMES])]
    outputs = [oh.make_tensor_value_info(n, TP.FLOAT, [LAYERS, "n_audio", AUDIO_CTX, D])
               for n in ["n_layer_cross_k", "n_layer_cross_v"]]
    return oh.make_graph(nodes, "whisper_test_encoder", inputs, outputs, inits)


def decoder_tables(multilingual):
    """Token feature tables for the caches, and the pieces per tone class."""
    sp, toks = specials(multilingual), ordinary_tokens()
    nv = sp["n_vocab"]
    ek, ev = np.zeros((nv, D), np.float32), np.zeros((nv, D), np.float32)
    ek[:, 8] = 1.0  # present
    ek[sp["sot"], 0] = 1.0
    ek[sp["no_timestamps"], 1] = 1.0
    ek[: len(toks), 2] = 1.0
    for i, l in enumerate(LANGS if multilingual else []):
        ek[sp["lang_" + l], 3 + i] = 1.0
    ek[sp["transcribe"], 6] = 1.0
    ek[sp["translate"], 7] = 1.0
    ev[sp["no_timestamps"], 0] = 1.0
    pen, pde = np.zeros((8, nv), np.float32), np.zeros((8, nv), np.float32)
    for k in range(8):
        pen[k, toks.index(as_bytes(EN[k]))] = 10.0
        pde[k, toks.index(as_bytes(DE[k]))] = 10.0
    onehot = lambda i: np.eye(nv, dtype=np.float32)[i]
    lang_bias = np.zeros(nv, np.float32)
    lang_de = np.zeros(nv, np.float32)
    if multilingual:
        lang_bias[sp["lang_en"]], lang_bias[sp["lang_zh"]] = 1.0, 0.5
        lang_de[sp["lang_de"]] = 2.0
    return dict(Ek=ek, Ev=ev, Pen=pen, Pde=pde, EotVec=10.0 * onehot(sp["eot"]),
                GarbageVec=100.0 * onehot(toks.index(as_bytes(GARBAGE))),
                LangBias=lang_bias, LangDe=lang_de)


def eq_nodes(a, b, out):
    """out = float(|a - b| < 0.5)."""
    mk = oh.make_node
    return [mk("Sub", [a, b], [out + "_d"]), mk("Abs", [out + "_d"], [out + "_a"]),
            mk("Less", [out + "_a", "half"], [out + "_b"]), mk("Cast", [out + "_b"], [out], to=TP.FLOAT)]


def channel(src, c, out):
    """out = src[..., c] of an [N, n, D] tensor."""
    return [oh.make_node("Gather", [src, "c%d" % c], [out], axis=2)]


def cache_update_nodes(kind):
    """kout = kin * keep + scattered new rows (for K or V)."""
    mk = oh.make_node
    return [
        mk("MatMul", ["SelT", "new_" + kind], ["scat_" + kind]),        # [N, 448, D]
        mk("Unsqueeze", ["scat_" + kind, "ax0"], ["scat_%s_u" % kind]),
        mk("Mul", ["in_n_layer_self_%s_cache" % kind, "keep4"], ["kept_" + kind]),
        mk("Add", ["kept_" + kind, "scat_%s_u" % kind], ["out_n_layer_self_%s_cache" % kind]),
    ]


def decoder_positions_nodes():
    mk = oh.make_node
    return [
        mk("Shape", ["tokens"], ["tshape"]), mk("Gather", ["tshape", "one"], ["n"], axis=0),
        mk("Gather", ["offset", "zero"], ["off"], axis=0),
        mk("Add", ["off", "n"], ["end"]),
        mk("Range", ["off", "end", "one"], ["pos"]),                    # [n]
        mk("Range", ["zero", "ctx", "one"], ["slots"]),                 # [448]
        mk("Unsqueeze", ["pos", "ax1"], ["pos_c"]), mk("Unsqueeze", ["slots", "ax0"], ["slots_r"]),
        mk("Equal", ["slots_r", "pos_c"], ["sel_b"]), mk("Cast", ["sel_b"], ["Sel"], to=TP.FLOAT),
        mk("Transpose", ["Sel"], ["SelT"], perm=[1, 0]),                # [448, n]
        mk("ReduceSum", ["Sel", "ax0"], ["written"], keepdims=0),       # [448]
        mk("Sub", ["onef", "written"], ["keep"]),
        mk("Unsqueeze", ["keep", "ax1"], ["keep4"]),                    # [448, 1]
        mk("Add", ["pos_c", "one"], ["pos1_c"]),
        mk("Less", ["slots_r", "pos1_c"], ["upto_b"]), mk("Cast", ["upto_b"], ["Upto"], to=TP.FLOAT),
        mk("Cast", ["pos"], ["posf"], to=TP.FLOAT),
        mk("Gather", ["Ek", "tokens"], ["new_k"]),                      # [N, n, D]
        mk("Gather", ["Ev", "tokens"], ["ev"]),
        mk("Add", ["posf", "onef"], ["posf1"]),
        mk("Unsqueeze", ["posf1", "ax1"], ["posf1_c"]),
        mk("Mul", ["ev", "posf1_c"], ["new_v"]),
    ]


def decoder_read_nodes(multilingual):
    mk = oh.make_node
    nodes = [
        mk("Gather", ["out_n_layer_self_k_cache", "zero"], ["K0"], axis=0),   # [N, 448, D]
        mk("Gather", ["out_n_layer_self_v_cache", "one"], ["V1"], axis=0),
        mk("MatMul", ["Upto", "K0"], ["agg"]),                                # [N, n, D]
        mk("MatMul", ["Upto", "V1"], ["aggv"]),
    ]
    for c, name in enumerate(["a_sot", "a_nt", "a_text", "a_en", "a_de", "a_zh", "a_tr", "a_tl", "a_pres"]):
        nodes += channel("agg", c, name)
    nodes += channel("aggv", 0, "pnt1")
    nodes += [
        mk("Sub", ["posf", "pnt1"], ["m0"]), mk("Add", ["m0", "twof"], ["m"]),   # pos - p + 1
        mk("Sub", ["m", "onef"], ["want_text"]), mk("Add", ["posf", "onef"], ["want_pres"]),
        mk("Add", ["a_en", "a_de"], ["l2"]), mk("Add", ["l2", "a_zh"], ["a_lang"]),
        mk("Add", ["a_tr", "a_tl"], ["a_task"]),
    ]
    want = "onef" if multilingual else "zerof"
    for a, b, out in [("a_sot", "onef", "v1"), ("a_nt", "onef", "v2"), ("a_text", "want_text", "v3"),
                      ("a_pres", "want_pres", "v4"), ("a_lang", want, "v5"), ("a_task", want, "v6")]:
        nodes += eq_nodes(a, b, out)
    nodes += [mk("Mul", ["v1", "v2"], ["w12"]), mk("Mul", ["w12", "v3"], ["w3"]),
              mk("Mul", ["w3", "v4"], ["w4"]), mk("Mul", ["w4", "v5"], ["w5"]),
              mk("Mul", ["w5", "v6"], ["valid"])]
    return nodes


def decoder_logit_nodes():
    mk = oh.make_node
    return [
        mk("Gather", ["n_layer_cross_k", "zero"], ["ck0"], axis=0),           # [N, T, D]
        mk("Gather", ["ck0", "zero"], ["num"], axis=2),                       # [N, T]
        mk("Gather", ["n_layer_cross_v", "one"], ["cv1"], axis=0),
        mk("Slice", ["cv1", "zero1", "eight1", "ax2"], ["cls"]),              # [N, T, 8]
        mk("Unsqueeze", ["num", "ax1"], ["num_r"]),                           # [N, 1, T]
        mk("Unsqueeze", ["m", "ax2"], ["m_c"]),                               # [N, n, 1]
        *eq_nodes("num_r", "m_c", "hit"),                                     # [N, n, T]
        mk("MatMul", ["hit", "cls"], ["frames_per_cls"]),                     # [N, n, 8]
        mk("Greater", ["frames_per_cls", "half"], ["clsb_b"]), mk("Cast", ["clsb_b"], ["clsb"], to=TP.FLOAT),
        mk("ReduceMax", ["clsb"], ["present"], axes=[2], keepdims=1),         # [N, n, 1]
        mk("Mul", ["a_de", "a_tr"], ["is_de0"]), mk("Unsqueeze", ["is_de0", "ax2"], ["is_de"]),
        mk("MatMul", ["clsb", "Pen"], ["le"]), mk("MatMul", ["clsb", "Pde"], ["ld"]),
        mk("Sub", ["ld", "le"], ["dd"]), mk("Mul", ["dd", "is_de"], ["dde"]),
        mk("Add", ["le", "dde"], ["text"]),
        mk("Sub", ["onef", "present"], ["absent"]), mk("Mul", ["absent", "EotVec"], ["eotl"]),
        mk("Sub", ["onef", "valid"], ["invalid0"]), mk("Unsqueeze", ["invalid0", "ax2"], ["invalid"]),
        mk("Mul", ["invalid", "GarbageVec"], ["garb"]),
        mk("Gather", ["cls", "c7"], ["t7"], axis=2),                          # [N, T]
        mk("ReduceMax", ["t7"], ["has7"], axes=[1], keepdims=1),              # [N, 1]
        mk("Unsqueeze", ["has7", "ax2"], ["has7_u"]),                         # [N, 1, 1]
        mk("Mul", ["has7_u", "LangDe"], ["langde"]), mk("Add", ["langde", "LangBias"], ["lang"]),
        mk("Add", ["text", "eotl"], ["s1"]), mk("Add", ["s1", "garb"], ["s2"]),
        mk("Add", ["s2", "lang"], ["logits"]),
    ]


def decoder_graph(multilingual):
    nv = specials(multilingual)["n_vocab"]
    nodes = decoder_positions_nodes() + cache_update_nodes("k") + cache_update_nodes("v")
    nodes += decoder_read_nodes(multilingual) + decoder_logit_nodes()
    tables = [f32(k, v) for k, v in decoder_tables(multilingual).items()]
    consts = [init("zero", np.array(0, np.int64)), init("one", np.array(1, np.int64)),
              init("ctx", np.array(CTX, np.int64)), i64("ax0", [0]), i64("ax1", [1]), i64("ax2", [2]),
              i64("zero1", [0]), i64("eight1", [8]), f32("half", 0.5), f32("onef", 1.0),
              f32("twof", 2.0), f32("zerof", 0.0)]
    consts += [init("c%d" % c, np.array(c, np.int64)) for c in range(9)]
    cache = lambda n: oh.make_tensor_value_info(n, TP.FLOAT, [LAYERS, "n_audio", CTX, D])
    cross = lambda n: oh.make_tensor_value_info(n, TP.FLOAT, [LAYERS, "n_audio", AUDIO_CTX, D])
    inputs = [oh.make_tensor_value_info("tokens", TP.INT64, ["n_audio", "n_tokens"]),
              cache("in_n_layer_self_k_cache"), cache("in_n_layer_self_v_cache"),
              cross("n_layer_cross_k"), cross("n_layer_cross_v"),
              oh.make_tensor_value_info("offset", TP.INT64, [1])]
    outputs = [oh.make_tensor_value_info("logits", TP.FLOAT, ["n_audio", "n_tokens", nv]),
               cache("out_n_layer_self_k_cache"), cache("out_n_layer_self_v_cache")]
    return oh.make_graph(nodes, "whisper_test_decoder", inputs, outputs, tables + consts)


def finish(graph):
    model = oh.make_model(graph, opset_imports=[oh.make_opsetid("", 17)],
                          producer_name="parley scripts/models/export_whisper_models.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def encoder_metadata(multilingual, n_mels, name):
    sp = specials(multilingual)
    meta = dict(model_type="whisper-" + name, version="1", maintainer="parley test model",
                n_mels=n_mels, n_audio_ctx=AUDIO_CTX, n_audio_state=D, n_audio_head=1,
                n_audio_layer=1, n_vocab=sp["n_vocab"], n_text_ctx=CTX, n_text_state=D,
                n_text_head=1, n_text_layer=LAYERS, sot=sp["sot"], sot_index=0, eot=sp["eot"],
                blank_id=0, is_multilingual=int(multilingual), no_speech=sp["no_speech"],
                non_speech_tokens="", transcribe=sp["transcribe"], translate=sp["translate"],
                sot_prev=sp["sot_prev"], sot_lm=sp["sot_lm"], no_timestamps=sp["no_timestamps"],
                comment="parley test model: tones spell text; not a recogniser")
    if multilingual:
        meta["sot_sequence"] = "%d,%d,%d" % (sp["sot"], sp["lang_en"], sp["transcribe"])
        meta["all_language_tokens"] = ",".join(str(sp["lang_" + l]) for l in LANGS)
        meta["all_language_codes"] = ",".join(LANGS)
    else:
        meta["sot_sequence"] = str(sp["sot"])
    return meta


def add_metadata(model, meta):
    for k, v in meta.items():
        p = model.metadata_props.add()
        p.key, p.value = k, str(v)
