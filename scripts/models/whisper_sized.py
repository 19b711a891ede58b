"""Whisper-sized encoder/decoder pairs with generated weights, for honest speed measurements.

Architecture (openai/whisper model.py dims; MODEL_CONTRACTS.md section 3a): encoder = Conv1d(n_mels,
d, 3, pad 1) + GELU, Conv1d(d, d, 3, stride 2, pad 1) + GELU, sinusoidal positions (1500), n_layer
pre-norm blocks (multi-head self attention with bias-free keys, MLP d -> 4d -> d with GELU),
final LayerNorm; then, as sherpa-onnx's export does, every decoder layer's cross-attention key
and value projections of the audio features, stacked into n_layer_cross_k/v. Decoder = token
embedding + learned positions (448) from `offset`, n_layer blocks (causal self attention over
the self caches, where the new keys/values are written at offset.., cross attention over the
cross K/V, MLP), final LayerNorm, logits = x @ embedding^T. Inputs, outputs and metadata follow
the sherpa-onnx contract, so parley's Whisper engine runs these files unchanged.

Weights are PyTorch's default initialisation (seeded): the text is meaningless, and greedy
decoding of random logits never emits eot, so every run decodes up to the engine's token limit
(6 per second of audio) -- an upper bound on the decoder's share. The cost per encoder run and
per decoder step is the real one. Int8 graphs (<name>-encoder.int8.onnx, ...) are made by
quantize_matmuls, the dynamic MatMul quantisation sherpa-onnx applies. tiny: d 384, 6 heads, 4+4 layers (~39 M parameters); base:
d 512, 8 heads, 6+6 layers (~74 M).
"""

import base64
import math
import os
import time

import numpy as np
import onnx
import torch
from onnx import TensorProto as TP
from onnx import helper as oh
from onnx import numpy_helper
from torch import nn

DIMS = {  # n_mels, d, heads, layers, n_vocab
    "tiny.en": (80, 384, 6, 4, 51864), "tiny": (80, 384, 6, 4, 51865),
    "base.en": (80, 512, 8, 6, 51864), "base": (80, 512, 8, 6, 51865),
}
CTX, AUDIO_CTX = 448, 1500


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.query, self.key, self.value = nn.Linear(d, d), nn.Linear(d, d, bias=False), nn.Linear(d, d)
        self.out = nn.Linear(d, d)

    def attend(self, q, k, v, mask=None):
        n, tq, d = q.shape
        split = lambda z: z.reshape(n, z.shape[1], self.heads, d // self.heads).transpose(1, 2)
        scale = (d // self.heads) ** -0.25
        w = (split(q) * scale) @ (split(k) * scale).transpose(-1, -2)
        if mask is not None:
            w = w + mask
        return self.out((torch.softmax(w, dim=-1) @ split(v)).transpose(1, 2).reshape(n, tq, d))


class Block(nn.Module):
    def __init__(self, d, heads, cross):
        super().__init__()
        self.attn, self.attn_ln = Attention(d, heads), nn.LayerNorm(d)
        self.cross_attn = Attention(d, heads) if cross else None
        self.cross_attn_ln = nn.LayerNorm(d) if cross else None
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))
        self.mlp_ln = nn.LayerNorm(d)

    def encode(self, x):
        h = self.attn_ln(x)
        x = x + self.attn.attend(self.attn.query(h), self.attn.key(h), self.attn.value(h))
        return x + self.mlp(self.mlp_ln(x))


def sinusoids(length, channels):
    inc = math.log(10000) / (channels // 2 - 1)
    inv = torch.exp(-inc * torch.arange(channels // 2))
    t = torch.arange(length)[:, None] * inv[None, :]
    return torch.cat([torch.sin(t), torch.cos(t)], dim=1)


class Encoder(nn.Module):
    """mel -> n_layer_cross_k, n_layer_cross_v (the decoder's cross projections)."""

    def __init__(self, n_mels, d, heads, layers, decoder):
        super().__init__()
        self.conv1 = nn.Conv1d(n_mels, d, 3, padding=1)
        self.conv2 = nn.Conv1d(d, d, 3, stride=2, padding=1)
        self.register_buffer("pos", sinusoids(AUDIO_CTX, d))
        self.blocks = nn.ModuleList(Block(d, heads, False) for _ in range(layers))
        self.ln_post = nn.LayerNorm(d)
        self.decoder = decoder

    def forward(self, mel):
        x = nn.functional.gelu(self.conv2(nn.functional.gelu(self.conv1(mel)))).permute(0, 2, 1)
        x = x + self.pos
        for b in self.blocks:
            x = b.encode(x)
        x = self.ln_post(x)
        ks = [b.cross_attn.key(x) for b in self.decoder.blocks]
        vs = [b.cross_attn.value(x) for b in self.decoder.blocks]
        return torch.stack(ks), torch.stack(vs)


class Decoder(nn.Module):
    """tokens, self caches, cross K/V, offset -> logits, updated self caches."""

    def __init__(self, n_vocab, d, heads, layers):
        super().__init__()
        self.token_embedding = nn.Embedding(n_vocab, d)
        self.positional_embedding = nn.Parameter(torch.randn(CTX, d) * 0.01)
        self.blocks = nn.ModuleList(Block(d, heads, True) for _ in range(layers))
        self.ln = nn.LayerNorm(d)

    def forward(self, tokens, k_cache, v_cache, cross_k, cross_v, offset):
        n = tokens.shape[1]
        start = offset[0]
        end = start + n
        x = self.token_embedding(tokens) + self.positional_embedding[start:end]
        keys = torch.arange(CTX)[None, :]
        rows = (start + torch.arange(n))[:, None]
        mask = (keys > rows).float() * -1e9  # causal, over all 448 slots (unwritten ones masked)
        k_out, v_out = [], []
        for i, b in enumerate(self.blocks):
            h = b.attn_ln(x)
            k = torch.cat([k_cache[i, :, :start], b.attn.key(h), k_cache[i, :, end:]], dim=1)
            v = torch.cat([v_cache[i, :, :start], b.attn.value(h), v_cache[i, :, end:]], dim=1)
            k_out.append(k)
            v_out.append(v)
            x = x + b.attn.attend(b.attn.query(h), k, v, mask)
            x = x + b.cross_attn.attend(b.cross_attn.query(b.cross_attn_ln(x)), cross_k[i], cross_v[i])
            x = x + b.mlp(b.mlp_ln(x))
        logits = self.ln(x) @ self.token_embedding.weight.T
        return logits, torch.stack(k_out), torch.stack(v_out)


def specials(name, n_vocab):
    """Special token ids (openai/whisper's tokenizer order; MODEL_CONTRACTS.md 3a)."""
    if name.endswith(".en"):
        eot = 50256
        return dict(eot=eot, sot=eot + 1, translate=eot + 101, transcribe=eot + 102, sot_lm=eot + 103,
                    sot_prev=eot + 104, no_speech=eot + 105, no_timestamps=eot + 106, langs=[])
    eot, langs = 50257, list(range(50259, 50259 + 99))
    return dict(eot=eot, sot=eot + 1, translate=50358, transcribe=50359, sot_lm=50360, sot_prev=50361,
                no_speech=50362, no_timestamps=50363, langs=langs)


def metadata(name, n_mels, d, heads, layers, n_vocab):
    sp = specials(name, n_vocab)
    ml = bool(sp["langs"])
    codes = ["en"] + ["l%02d" % i for i in range(1, len(sp["langs"]))]
    meta = dict(model_type="whisper-" + name, version="1", maintainer="parley sized model (generated weights)",
                n_mels=n_mels, n_audio_ctx=AUDIO_CTX, n_audio_state=d, n_audio_head=heads,
                n_audio_layer=layers, n_vocab=n_vocab, n_text_ctx=CTX, n_text_state=d, n_text_head=heads,
                n_text_layer=layers, sot=sp["sot"], sot_index=0, eot=sp["eot"], blank_id=220,
                is_multilingual=int(ml), no_speech=sp["no_speech"], non_speech_tokens="",
                transcribe=sp["transcribe"], translate=sp["translate"], sot_prev=sp["sot_prev"],
                sot_lm=sp["sot_lm"], no_timestamps=sp["no_timestamps"])
    if ml:
        meta["sot_sequence"] = "%d,%d,%d" % (sp["sot"], sp["langs"][0], sp["transcribe"])
        meta["all_language_tokens"] = ",".join(map(str, sp["langs"]))
        meta["all_language_codes"] = ",".join(codes)
    else:
        meta["sot_sequence"] = str(sp["sot"])
    return meta, sp["eot"]


def add_metadata(path, meta):
    m = onnx.load(path)
    for k, v in meta.items():
        p = m.metadata_props.add()
        p.key, p.value = k, str(v)
    onnx.save(m, path)


def quantize_matmuls(src, dst):
    """Dynamic int8 quantisation of every MatMul with a constant [K, M] weight, as
    onnxruntime.quantization.quantize_dynamic(op_types_to_quantize=["MatMul"],
    weight_type=QInt8) does for sherpa-onnx's int8 graphs (no onnxruntime Python package here):
    the activation goes through DynamicQuantizeLinear (uint8), the weight is stored int8 with one
    symmetric scale, MatMulInteger multiplies, and the product is scaled back to float."""
    m = onnx.load(src)
    inits = {i.name: i for i in m.graph.initializer}
    nodes, count = [], 0
    for n in m.graph.node:
        w = inits.get(n.input[1]) if n.op_type == "MatMul" else None
        if w is None or len(w.dims) != 2:
            nodes.append(n)
            continue
        arr = numpy_helper.to_array(w)
        scale = max(float(np.abs(arr).max()), 1e-8) / 127.0
        q, p = n.input[1] + "_q", n.output[0] + "_dq"
        m.graph.initializer.extend([
            numpy_helper.from_array(np.clip(np.round(arr / scale), -127, 127).astype(np.int8), q),
            numpy_helper.from_array(np.array(scale, np.float32), q + "_scale"),
            numpy_helper.from_array(np.array(0, np.int8), q + "_zp")])
        nodes += [oh.make_node("DynamicQuantizeLinear", [n.input[0]], [p + "_a", p + "_as", p + "_az"]),
                  oh.make_node("MatMulInteger", [p + "_a", q, p + "_az", q + "_zp"], [p + "_i"]),
                  oh.make_node("Cast", [p + "_i"], [p + "_f"], to=TP.FLOAT),
                  oh.make_node("Mul", [p + "_as", q + "_scale"], [p + "_s"]),
                  oh.make_node("Mul", [p + "_f", p + "_s"], [n.output[0]])]
        count += 1
    del m.graph.node[:]
    m.graph.node.extend(nodes)
    used = {i for n in m.graph.node for i in n.input}
    keep = [i for i in m.graph.initializer if i.name in used]
    del m.graph.initializer[:]
    m.graph.initializer.extend(keep)
    onnx.save(m, dst)
    print("wrote %s (%d bytes, %d MatMuls quantised)" % (dst, os.path.getsize(dst), count))


@torch.no_grad()
def export(name, out, seed):
    n_mels, d, heads, layers, n_vocab = DIMS[name]
    torch.manual_seed(seed)
    dec = Decoder(n_vocab, d, heads, layers).eval()
    enc = Encoder(n_mels, d, heads, layers, dec).eval()
    print("%s: %.1f M parameters in all" % (name, sum(p.numel() for p in enc.parameters()) / 1e6))
    os.makedirs(out, exist_ok=True)
    mel = torch.randn(1, n_mels, 3000)
    enc_path, dec_path = [os.path.join(out, "%s-%s.onnx" % (name, p)) for p in ("encoder", "decoder")]
    t0 = time.time()
    torch.onnx.export(enc, mel, enc_path, opset_version=17, input_names=["mel"],
                      output_names=["n_layer_cross_k", "n_layer_cross_v"],
                      dynamic_axes={"mel": {0: "n_audio"}, "n_layer_cross_k": {1: "n_audio"},
                                    "n_layer_cross_v": {1: "n_audio"}})
    ck, cv = enc(mel)
    cache = torch.zeros(layers, 1, CTX, d)
    args = (torch.tensor([[1, 2, 3]]), cache, cache.clone(), ck, cv, torch.tensor([0]))
    torch.onnx.export(dec, args, dec_path, opset_version=17,
                      input_names=["tokens", "in_n_layer_self_k_cache", "in_n_layer_self_v_cache",
                                   "n_layer_cross_k", "n_layer_cross_v", "offset"],
                      output_names=["logits", "out_n_layer_self_k_cache", "out_n_layer_self_v_cache"],
                      dynamic_axes={"tokens": {0: "n_audio", 1: "n_tokens"},
                                    "in_n_layer_self_k_cache": {1: "n_audio"},
                                    "in_n_layer_self_v_cache": {1: "n_audio"},
                                    "n_layer_cross_k": {1: "n_audio"}, "n_layer_cross_v": {1: "n_audio"},
                                    "logits": {0: "n_audio", 1: "n_tokens"},
                                    "out_n_layer_self_k_cache": {1: "n_audio"},
                                    "out_n_layer_self_v_cache": {1: "n_audio"}})
    meta, eot = metadata(name, n_mels, d, heads, layers, n_vocab)
    add_metadata(enc_path, meta)
    with open(os.path.join(out, name + "-tokens.txt"), "w") as f:
        for i in range(eot):
            f.write("%s %d\n" % (base64.b64encode((" t%d" % i).encode()).decode(), i))
    for p in (enc_path, dec_path):
        print("wrote %s (%d bytes)" % (p, os.path.getsize(p)))
        quantize_matmuls(p, p.replace(".onnx", ".int8.onnx"))
    print("exported in %.0f s" % (time.time() - t0))
