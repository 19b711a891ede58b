#!/usr/bin/python3
"""Build Piper-contract VITS models with generated weights.

Real Piper voices cannot be downloaded here, so parley's Piper engine is
tested against models that have Piper's exact ONNX interface
(MODEL_CONTRACTS.md section 4) and timed against one with the size and
architecture of a Piper "medium" voice (section 8).

  small (default): two tiny VITS-shaped models plus voice JSON files, written
      to pipeline/tts/testdata/ and committed:
        piper/en_US-test-small.onnx(.json)   one speaker: input, input_lengths, scales
        piper-2spk/en_US-test-2spk.onnx(.json) two speakers: the same plus sid
      Durations are deterministic (no noise on them), so the number of samples
      is a pure function of the phoneme ids and length_scale:
        S = 256 * sum_i ceil(exp(logw_i) * length_scale), logw_i in log(3) +- 0.3.
  --sized PATH: a Piper-medium-sized VITS (text encoder with relative-position
      attention, stochastic duration predictor reverse path, 4 mean-only
      coupling layers with WaveNet, HiFi-GAN with upsample rates 8,8,4) at
      PATH plus PATH.json. About 15.7 M parameters / 63 MB. Not committed; for
      benchmarks only (PARLEY_PIPER_SIZED=PATH).

Run with Debian's interpreter (python3-torch 1.13, python3-onnx 1.12):
  /usr/bin/python3 scripts/models/export_piper_model.py
  /usr/bin/python3 scripts/models/export_piper_model.py --sized /tmp/piper-medium.onnx

phoneme_id_map: ids 0-13 and a=14 are MODEL_CONTRACTS.md's "usual map" (from
piper-phonemize). The rest follows the same construction Piper's default map
uses: lowercase ASCII letters without "g" (espeak writes IPA "ɡ"), then IPA
letters and modifiers in code-point order. Spot-checked against ids quoted from
public en_US voice configs (h 20, k 23, o 27, t 32, ə 59, ɪ 74, ʊ 100, ˈ 120).
Every symbol espeak-ng 1.51 -v en-us --ipa printed for ~60 kB of English text
(the project's docs) is in the map except the combining syllabic mark U+0329
(as in "button" bˈʌʔn̩), which is left out on purpose: the engine must skip
unknown phonemes, and the tests rely on one occurring.
"""

import argparse
import json
import math
import os
import sys

import torch
from torch import nn
from torch.nn import functional as F

HOP = 256
SAMPLE_RATE = 22050
NUM_SYMBOLS = 256

_PUNCT = ["_", "^", "$", " ", "!", "'", "(", ")", ",", "-", ".", ":", ";", "?"]
_ASCII = [c for c in "abcdefghijklmnopqrstuvwxyz" if c != "g"]
_IPA = (
    "æçðøħŋœǀǁǂǃ"
    "ɐɑɒɓɔɕɖɗɘəɚɛɜɞɟɠɡɢɣɤɥɦɧɨɪɫɬɭɮɯɰɱɲɳɴɵɶɸɹɺɻɽɾ"
    "ʀʁʂʃʄʈʉʊʋʌʍʎʏʐʑʒʔʕʘʙʛʜʝʟʡʢʲ"
    "ˈˌːˑ˞βθχᵻⱱ"
)


def phoneme_id_map():
    """Return the en-us phoneme -> [id] map described in the module doc."""
    symbols = _PUNCT + _ASCII + list(_IPA)
    assert len(symbols) == 130, len(symbols)
    return {s: [i] for i, s in enumerate(symbols)}


def voice_json(name, speakers, quality):
    """Return a Piper voice config for an en-us voice."""
    cfg = {
        "dataset": name,
        "audio": {"sample_rate": SAMPLE_RATE, "quality": quality},
        "espeak": {"voice": "en-us"},
        "language": {"code": "en_US"},
        "inference": {"noise_scale": 0.667, "length_scale": 1.0, "noise_w": 0.8},
        "phoneme_type": "espeak",
        "phoneme_map": {},
        "phoneme_id_map": phoneme_id_map(),
        "num_symbols": NUM_SYMBOLS,
        "num_speakers": speakers,
        "speaker_id_map": {},
        "piper_version": "1.0.0",
    }
    if speakers > 1:
        cfg["speaker_id_map"] = {"alice": 0, "bob": 1}
    return cfg


def sequence_mask(lengths, max_len):
    """[B] lengths -> [B, max_len] bool mask."""
    return torch.arange(max_len, device=lengths.device)[None, :] < lengths[:, None]


def expand_by_durations(x, w_ceil, x_mask):
    """Repeat each column of x [B,C,P] w_ceil [B,1,P] times (VITS alignment path)."""
    y_lengths = torch.clamp_min(torch.sum(w_ceil, [1, 2]), 1).long()
    y_max = y_lengths.max()
    cum = torch.cumsum(w_ceil, -1)  # [B,1,P]
    t = torch.arange(y_max, device=x.device).to(x.dtype)[None, :, None]  # [1,T,1]
    path = ((t < cum) & (t >= cum - w_ceil)).to(x.dtype) * x_mask  # [B,T,P]
    return torch.matmul(path, x.transpose(1, 2)).transpose(1, 2)  # [B,C,T]


class SmallVits(nn.Module):
    """A tiny model with Piper's I/O contract and deterministic durations."""

    def __init__(self, speakers=1, hidden=16):
        super().__init__()
        self.emb = nn.Embedding(NUM_SYMBOLS, hidden)
        self.enc = nn.Conv1d(hidden, hidden, 3, padding=1)
        self.dur = nn.Conv1d(hidden, 1, 1)
        self.spk = nn.Embedding(speakers, hidden) if speakers > 1 else None
        self.pre = nn.Conv1d(hidden, 8, 3, padding=1)
        self.ups = nn.ModuleList([
            nn.ConvTranspose1d(8, 8, 16, 8, padding=4),
            nn.ConvTranspose1d(8, 4, 16, 8, padding=4),
            nn.ConvTranspose1d(4, 4, 8, 4, padding=2),
        ])
        self.post = nn.Conv1d(4, 1, 7, padding=3)

    def forward(self, input, input_lengths, scales, sid=None):
        noise_scale, length_scale = scales[0], scales[1]
        x = self.emb(input).transpose(1, 2)
        x_mask = sequence_mask(input_lengths, x.size(2)).unsqueeze(1).to(x.dtype)
        x = torch.tanh(self.enc(x)) * x_mask
        if self.spk is not None:
            x = x + self.spk(sid).unsqueeze(-1)
        logw = math.log(3.0) + 0.3 * torch.tanh(self.dur(x))
        w_ceil = torch.ceil(torch.exp(logw) * x_mask * length_scale)
        h = expand_by_durations(x, w_ceil, x_mask)
        h = h + torch.randn_like(h) * noise_scale * 0.1
        h = self.pre(h)
        for up in self.ups:
            h = up(F.leaky_relu(h, 0.1))
        audio = torch.tanh(self.post(F.leaky_relu(h, 0.1)))
        return audio.unsqueeze(1)  # [1,1,1,S]


# ---- Piper medium (section 8) -------------------------------------------

class LayerNorm(nn.Module):
    """LayerNorm over the channel axis of [B,C,T]."""

    def __init__(self, ch):
        super().__init__()
        self.ln = nn.LayerNorm(ch)

    def forward(self, x):
        return self.ln(x.transpose(1, -1)).transpose(1, -1)


class RelAttention(nn.Module):
    """Multi-head self-attention with relative position keys/values (window 4)."""

    def __init__(self, ch=192, heads=2, window=4):
        super().__init__()
        self.h, self.k, self.window = heads, ch // heads, window
        self.q, self.kk, self.v, self.o = (nn.Conv1d(ch, ch, 1) for _ in range(4))
        std = self.k ** -0.5
        self.rel_k = nn.Parameter(torch.randn(2 * window + 1, self.k) * std)
        self.rel_v = nn.Parameter(torch.randn(2 * window + 1, self.k) * std)

    def forward(self, x, attn_mask):
        b, c, t = x.shape
        q = self.q(x).view(b, self.h, self.k, t).transpose(2, 3) / math.sqrt(self.k)
        k = self.kk(x).view(b, self.h, self.k, t).transpose(2, 3)
        v = self.v(x).view(b, self.h, self.k, t).transpose(2, 3)
        pos = torch.arange(t, device=x.device)
        rel = pos[None, :] - pos[:, None]  # j - i
        near = (rel.abs() <= self.window)
        idx = torch.clamp(rel + self.window, 0, 2 * self.window)
        onehot = F.one_hot(idx, 2 * self.window + 1).to(x.dtype) * near.unsqueeze(-1).to(x.dtype)
        scores = torch.matmul(q, k.transpose(2, 3))
        rel_logits = torch.matmul(q, self.rel_k.t())  # [B,H,T,9]
        scores = scores + torch.einsum("bhir,ijr->bhij", rel_logits, onehot)
        scores = scores.masked_fill(attn_mask == 0, -1e4)
        p = torch.softmax(scores, -1)
        out = torch.matmul(p, v)
        p_rel = torch.einsum("bhij,ijr->bhir", p, onehot)
        out = out + torch.matmul(p_rel, self.rel_v)
        return self.o(out.transpose(2, 3).reshape(b, c, t))


class TextEncoder(nn.Module):
    """Embedding 256x192, 6 attention+FFN layers, projection to m and logs."""

    def __init__(self, ch=192, ffn=768, layers=6):
        super().__init__()
        self.emb = nn.Embedding(NUM_SYMBOLS, ch)
        self.attn = nn.ModuleList([RelAttention(ch) for _ in range(layers)])
        self.n1 = nn.ModuleList([LayerNorm(ch) for _ in range(layers)])
        self.f1 = nn.ModuleList([nn.Conv1d(ch, ffn, 3, padding=1) for _ in range(layers)])
        self.f2 = nn.ModuleList([nn.Conv1d(ffn, ch, 3, padding=1) for _ in range(layers)])
        self.n2 = nn.ModuleList([LayerNorm(ch) for _ in range(layers)])
        self.proj = nn.Conv1d(ch, 2 * ch, 1)
        self.ch = ch

    def forward(self, ids, x_mask):
        x = self.emb(ids).transpose(1, 2) * math.sqrt(self.ch) * x_mask
        attn_mask = x_mask.unsqueeze(2) * x_mask.unsqueeze(-1)
        for a, n1, f1, f2, n2 in zip(self.attn, self.n1, self.f1, self.f2, self.n2):
            x = n1(x + a(x, attn_mask))
            y = f2(torch.relu(f1(x * x_mask)) * x_mask) * x_mask
            x = n2(x + y)
        stats = self.proj(x * x_mask) * x_mask
        return x, stats[:, : self.ch], stats[:, self.ch:]


class DDSConv(nn.Module):
    """Dilated depthwise-separable convolutions (dilations 1, 3, 9)."""

    def __init__(self, ch, kernel, layers=3):
        super().__init__()
        self.sep = nn.ModuleList()
        self.pw = nn.ModuleList()
        self.n1 = nn.ModuleList()
        self.n2 = nn.ModuleList()
        for i in range(layers):
            d = kernel ** i
            self.sep.append(nn.Conv1d(ch, ch, kernel, groups=ch, dilation=d, padding=(kernel * d - d) // 2))
            self.pw.append(nn.Conv1d(ch, ch, 1))
            self.n1.append(LayerNorm(ch))
            self.n2.append(LayerNorm(ch))

    def forward(self, x, x_mask, g=None):
        if g is not None:
            x = x + g
        for sep, pw, n1, n2 in zip(self.sep, self.pw, self.n1, self.n2):
            y = F.gelu(n1(sep(x * x_mask)))
            y = F.gelu(n2(pw(y)))
            x = x + y
        return x * x_mask


class ConvFlow(nn.Module):
    """A conv flow of the duration predictor. The network is VITS's; the
    rational-quadratic spline at its end (a few ops on [1,1,P]) is replaced by
    a cheap monotone map of the same spline parameters: timing is unchanged."""

    def __init__(self, filt=192, kernel=3, bins=10):
        super().__init__()
        self.pre = nn.Conv1d(1, filt, 1)
        self.convs = DDSConv(filt, kernel, 3)
        self.proj = nn.Conv1d(filt, 3 * bins - 1, 1)
        self.bins = bins

    def reverse(self, x, x_mask, g):
        x0, x1 = x[:, :1], x[:, 1:]
        h = self.proj(self.convs(self.pre(x0), x_mask, g)) * x_mask
        w = torch.softmax(h[:, : self.bins], 1)
        hh = torch.softmax(h[:, self.bins: 2 * self.bins], 1)
        d = F.softplus(h[:, 2 * self.bins:])
        x1 = x1 + 0.1 * torch.tanh((w * hh).sum(1, keepdim=True)) + 0.01 * d.mean(1, keepdim=True)
        return torch.cat([x0, x1 * x_mask], 1)


class DurationPredictor(nn.Module):
    """Stochastic duration predictor, reverse path only (filter 192, 4 flows)."""

    def __init__(self, ch=192, kernel=3, flows=4):
        super().__init__()
        self.pre = nn.Conv1d(ch, ch, 1)
        self.convs = DDSConv(ch, kernel, 3)
        self.proj = nn.Conv1d(ch, ch, 1)
        self.ea_m = nn.Parameter(torch.zeros(2, 1))
        self.ea_logs = nn.Parameter(torch.zeros(2, 1))
        self.flows = nn.ModuleList([ConvFlow(ch, kernel) for _ in range(flows)])

    def forward(self, x, x_mask, noise_w):
        x = self.proj(self.convs(self.pre(x), x_mask)) * x_mask
        z = torch.randn(x.size(0), 2, x.size(2), device=x.device, dtype=x.dtype) * noise_w
        for i, flow in enumerate(reversed(self.flows)):
            if i > 0:
                z = torch.flip(z, [1])
            z = flow.reverse(z, x_mask, x)
        z = torch.flip(z, [1])
        z = (z - self.ea_m) * torch.exp(-self.ea_logs) * x_mask
        return z[:, :1]


class WaveNet(nn.Module):
    """Gated WaveNet: 4 layers, 192 channels, kernel 5."""

    def __init__(self, ch=192, kernel=5, layers=4):
        super().__init__()
        self.ins = nn.ModuleList([nn.Conv1d(ch, 2 * ch, kernel, padding=kernel // 2) for _ in range(layers)])
        self.rs = nn.ModuleList([nn.Conv1d(ch, 2 * ch if i < layers - 1 else ch, 1) for i in range(layers)])
        self.ch = ch

    def forward(self, x, x_mask):
        out = torch.zeros_like(x)
        for i, (a, r) in enumerate(zip(self.ins, self.rs)):
            h = a(x)
            acts = torch.tanh(h[:, : self.ch]) * torch.sigmoid(h[:, self.ch:])
            rs = r(acts)
            if i < len(self.ins) - 1:
                x = (x + rs[:, : self.ch]) * x_mask
                out = out + rs[:, self.ch:]
            else:
                out = out + rs
        return out * x_mask


class Coupling(nn.Module):
    """Mean-only residual coupling layer."""

    def __init__(self, ch=192):
        super().__init__()
        self.half = ch // 2
        self.pre = nn.Conv1d(self.half, ch, 1)
        self.wn = WaveNet(ch)
        self.post = nn.Conv1d(ch, self.half, 1)

    def reverse(self, x, x_mask):
        x0, x1 = x[:, : self.half], x[:, self.half:]
        m = self.post(self.wn(self.pre(x0) * x_mask, x_mask)) * x_mask
        return torch.cat([x0, (x1 - m) * x_mask], 1)


class ResBlock2(nn.Module):
    """HiFi-GAN resblock type 2: one conv per dilation."""

    def __init__(self, ch, kernel, dilations):
        super().__init__()
        self.convs = nn.ModuleList([
            nn.Conv1d(ch, ch, kernel, dilation=d, padding=(kernel * d - d) // 2) for d in dilations
        ])

    def forward(self, x):
        for c in self.convs:
            x = x + c(F.leaky_relu(x, 0.1))
        return x


class Generator(nn.Module):
    """HiFi-GAN: 256 initial channels, upsample 8,8,4 (kernels 16,16,8)."""

    def __init__(self, in_ch=192, ch=256):
        super().__init__()
        self.pre = nn.Conv1d(in_ch, ch, 7, padding=3)
        self.ups = nn.ModuleList()
        self.blocks = nn.ModuleList()
        kernels, dilations = (3, 5, 7), ((1, 2), (2, 6), (3, 12))
        for i, (u, k) in enumerate(zip((8, 8, 4), (16, 16, 8))):
            c_in, c_out = ch // (2 ** i), ch // (2 ** (i + 1))
            self.ups.append(nn.ConvTranspose1d(c_in, c_out, k, u, padding=(k - u) // 2))
            for kk, dd in zip(kernels, dilations):
                self.blocks.append(ResBlock2(c_out, kk, dd))
        self.post = nn.Conv1d(ch // 8, 1, 7, padding=3, bias=False)

    def forward(self, x):
        x = self.pre(x)
        for i, up in enumerate(self.ups):
            x = up(F.leaky_relu(x, 0.1))
            xs = sum(self.blocks[i * 3 + j](x) for j in range(3))
            x = xs / 3
        return torch.tanh(self.post(F.leaky_relu(x)))


class MediumVits(nn.Module):
    """Piper medium VITS inference graph."""

    def __init__(self):
        super().__init__()
        self.enc = TextEncoder()
        self.dp = DurationPredictor()
        self.flows = nn.ModuleList([Coupling() for _ in range(4)])
        self.dec = Generator()

    def forward(self, input, input_lengths, scales):
        noise_scale, length_scale, noise_w = scales[0], scales[1], scales[2]
        x_mask = sequence_mask(input_lengths, input.size(1)).unsqueeze(1).float()
        x, m_p, logs_p = self.enc(input, x_mask)
        logw = self.dp(x, x_mask, noise_w)
        w_ceil = torch.ceil(torch.exp(logw) * x_mask * length_scale)
        m_p = expand_by_durations(m_p, w_ceil, x_mask)
        logs_p = expand_by_durations(logs_p, w_ceil, x_mask)
        z = m_p + torch.randn_like(m_p) * torch.exp(logs_p) * noise_scale
        for flow in reversed(self.flows):
            z = flow.reverse(torch.flip(z, [1]), torch.ones_like(z[:, :1]))
        return self.dec(z).unsqueeze(1)


def init_medium(model):
    """Scale generated weights so durations and audio stay in a sane range."""
    torch.manual_seed(0)
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(0.5)
        for f in model.dp.flows:
            f.proj.weight.zero_()
            f.proj.bias.zero_()
        # logw ~ log(2.5) + noise_w * N(0, 1): ceil gives about 4 frames
        # (46 ms) per id, i.e. ~90 ms per phoneme with its PAD, like speech.
        model.dp.ea_m.fill_(-math.log(2.5))


def export(model, path, speakers):
    """Export with Piper's input/output names and dynamic axes."""
    model.eval()
    ids = torch.randint(14, 130, (1, 40), dtype=torch.long)
    args = [ids, torch.tensor([40], dtype=torch.long), torch.tensor([0.667, 1.0, 0.8])]
    names = ["input", "input_lengths", "scales"]
    axes = {"input": {0: "batch_size", 1: "phonemes"}, "input_lengths": {0: "batch_size"},
            "output": {0: "batch_size", 1: "time", 3: "samples"}}
    if speakers > 1:
        args.append(torch.tensor([0], dtype=torch.long))
        names.append("sid")
    with torch.no_grad():
        torch.onnx.export(model, tuple(args), path, input_names=names, output_names=["output"],
                          dynamic_axes=axes, opset_version=15, do_constant_folding=True)


def write_json(path, cfg):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(cfg, f, ensure_ascii=False, indent=2)
        f.write("\n")


def build_small(out_dir):
    for sub, name, speakers in (("piper", "en_US-test-small", 1), ("piper-2spk", "en_US-test-2spk", 2)):
        torch.manual_seed(1234 + speakers)
        d = os.path.join(out_dir, sub)
        os.makedirs(d, exist_ok=True)
        onnx_path = os.path.join(d, name + ".onnx")
        export(SmallVits(speakers), onnx_path, speakers)
        write_json(onnx_path + ".json", voice_json("test", speakers, "x_low"))
        print(onnx_path, os.path.getsize(onnx_path), "bytes")


def build_sized(path):
    torch.manual_seed(0)
    model = MediumVits()
    init_medium(model)
    n = sum(p.numel() for p in model.parameters())
    export(model, path, 1)
    write_json(path + ".json", voice_json("sized-medium", 1, "medium"))
    print(path, f"{n / 1e6:.2f} M parameters", os.path.getsize(path), "bytes")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out-dir", default=os.path.join(here, "..", "..", "pipeline", "tts", "testdata"),
                    help="where the small test models go (default pipeline/tts/testdata)")
    ap.add_argument("--sized", metavar="PATH", help="write a Piper-medium-sized model to PATH instead")
    args = ap.parse_args()
    torch.set_num_threads(1)
    if args.sized:
        build_sized(args.sized)
    else:
        build_small(os.path.normpath(args.out_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
