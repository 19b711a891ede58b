"""A Kokoro-82M-sized model with generated weights, for honest speed measurements.

Architecture (hexgrad/kokoro kokoro/{model.py, modules.py, istftnet.py} and the
Kokoro-82M config.json: n_token 178, hidden_dim 512, style_dim 128, n_layer 3,
max_dur 50, text_encoder_kernel_size 5, plbert = ALBERT hidden 768, 12 heads,
intermediate 2048, 12 layers sharing one set of weights, embedding 128, 512
positions; istftnet: upsample rates 10,6 with kernels 20,12, 512 initial
channels, resblock kernels 3,7,11 with dilations 1,3,5, n_fft 20, hop 5):

  ALBERT -> Linear 768->512 -> duration encoder (3 x [BiLSTM 640->2x256,
  AdaLayerNorm]) -> BiLSTM -> Linear 512->50, sigmoid, sum / speed, round,
  at least 1 frame per token -> alignment -> shared BiLSTM -> F0 and N branches
  (3 AdaIN residual blocks each, one upsampling x2) ; text encoder (embedding
  512, 3 x Conv1d k5 + LayerNorm + LeakyReLU, BiLSTM) -> alignment ; decoder:
  AdaIN residual blocks 514->1024, 3 x 1090->1024, 1090->512 (x2), then the
  iSTFTNet generator (harmonic-plus-noise source from F0 with 8 harmonics,
  conv STFT of the source, 2 upsampling stages with AdaIN Snake resblocks,
  conv_post to 11 magnitudes + 11 phases, conv-transpose inverse STFT).
  One predicted frame is 600 samples (25 ms at 24 kHz).

Weight norm is folded (plain convolutions: same cost at inference), the
attention mask is omitted (batch 1, nothing padded), and the alignment is
built from cumulative durations instead of repeat_interleave; STFT and iSTFT
are convolutions, as in Kokoro's own ONNX-exportable CustomSTFT. Weights are
PyTorch's default random init (seeded), except the duration projection, set
so that each token lasts 3 frames (75 ms, ~13 tokens/s; real Kokoro tokens
include spaces and stress marks, so this is near the pace of English speech,
but it is an assumption: the benchmark reports audio seconds beside the RTF).
The output is meaningless; its length and its cost are the real ones. About
81 M parameters (kokoro-v1.0.onnx holds ~82 M).
"""

import math

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

N_TOKEN, HIDDEN, STYLE_HALF, MAX_DUR = 178, 512, 128, 50
FRAMES_PER_TOKEN = 3.0


class Albert(nn.Module):
    """ALBERT: factorised embedding, 12 passes through one shared layer."""

    def __init__(self, emb=128, hidden=768, heads=12, ffn=2048, layers=12, positions=512):
        super().__init__()
        self.word = nn.Embedding(N_TOKEN, emb)
        self.pos = nn.Embedding(positions, emb)
        self.token_type = nn.Embedding(2, emb)
        self.emb_norm = nn.LayerNorm(emb, eps=1e-12)
        self.proj = nn.Linear(emb, hidden)
        self.q, self.k, self.v, self.o = (nn.Linear(hidden, hidden) for _ in range(4))
        self.attn_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.ffn, self.ffn_out = nn.Linear(hidden, ffn), nn.Linear(ffn, hidden)
        self.ffn_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.heads, self.layers = heads, layers

    def forward(self, ids):
        t = ids.shape[1]
        pos = torch.cumsum(torch.ones_like(ids), 1) - 1
        x = self.word(ids) + self.pos(pos) + self.token_type.weight[0]
        x = self.proj(self.emb_norm(x))
        for _ in range(self.layers):
            x = self.layer(x, t)
        return x

    def layer(self, x, t):
        b, _, d = x.shape
        split = lambda z: z.view(b, t, self.heads, d // self.heads).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        p = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(768 // self.heads), -1)
        a = torch.matmul(p, v).transpose(1, 2).reshape(b, t, d)
        x = self.attn_norm(x + self.o(a))
        h = self.ffn_out(F.gelu(self.ffn(x), approximate="tanh"))
        return self.ffn_norm(x + h)


class ChannelNorm(nn.Module):
    """LayerNorm over the channels of [B, C, T]."""

    def __init__(self, ch):
        super().__init__()
        self.ln = nn.LayerNorm(ch)

    def forward(self, x):
        return self.ln(x.transpose(1, 2)).transpose(1, 2)


class AdaLayerNorm(nn.Module):
    """LayerNorm without affine, scaled and shifted from the style ([B, T, C])."""

    def __init__(self, ch):
        super().__init__()
        self.fc = nn.Linear(STYLE_HALF, 2 * ch)
        # Explicit unit scale: the opset-17 export needs one.
        self.register_buffer("one", torch.ones(ch))
        self.register_buffer("zero", torch.zeros(ch))

    def forward(self, x, s):
        gamma, beta = torch.chunk(self.fc(s).unsqueeze(1), 2, dim=-1)
        return (1 + gamma) * F.layer_norm(x, self.one.shape, self.one, self.zero) + beta


class AdaIN(nn.Module):
    """Instance norm scaled and shifted from the style ([B, C, T])."""

    def __init__(self, ch):
        super().__init__()
        self.norm = nn.InstanceNorm1d(ch, affine=True)
        self.fc = nn.Linear(STYLE_HALF, 2 * ch)

    def forward(self, x, s):
        gamma, beta = torch.chunk(self.fc(s).unsqueeze(-1), 2, dim=1)
        return (1 + gamma) * self.norm(x) + beta


class AdaResBlock(nn.Module):
    """StyleTTS2's AdainResBlk1d, optionally upsampling time by 2."""

    def __init__(self, cin, cout, upsample=False):
        super().__init__()
        self.upsample = upsample
        self.norm1, self.norm2 = AdaIN(cin), AdaIN(cout)
        self.conv1 = nn.Conv1d(cin, cout, 3, padding=1)
        self.conv2 = nn.Conv1d(cout, cout, 3, padding=1)
        self.pool = nn.ConvTranspose1d(cin, cin, 3, 2, padding=1, output_padding=1, groups=cin) if upsample else None
        self.short = nn.Conv1d(cin, cout, 1, bias=False) if cin != cout else None

    def forward(self, x, s):
        r = F.leaky_relu(self.norm1(x, s), 0.2)
        if self.pool is not None:
            r = self.pool(r)
        r = self.conv2(F.leaky_relu(self.norm2(self.conv1(r), s), 0.2))
        if self.upsample:
            x = F.interpolate(x, scale_factor=2.0, mode="nearest")
        if self.short is not None:
            x = self.short(x)
        return (r + x) * (1 / math.sqrt(2))


class SnakeResBlock(nn.Module):
    """iSTFTNet's AdaINResBlock1: three dilated conv pairs with AdaIN and Snake."""

    def __init__(self, ch, kernel, dilations=(1, 3, 5)):
        super().__init__()
        pad = lambda d: (kernel * d - d) // 2
        self.c1 = nn.ModuleList([nn.Conv1d(ch, ch, kernel, dilation=d, padding=pad(d)) for d in dilations])
        self.c2 = nn.ModuleList([nn.Conv1d(ch, ch, kernel, padding=pad(1)) for _ in dilations])
        self.n1 = nn.ModuleList([AdaIN(ch) for _ in dilations])
        self.n2 = nn.ModuleList([AdaIN(ch) for _ in dilations])
        self.a1 = nn.ParameterList([nn.Parameter(torch.ones(1, ch, 1)) for _ in dilations])
        self.a2 = nn.ParameterList([nn.Parameter(torch.ones(1, ch, 1)) for _ in dilations])

    def forward(self, x, s):
        for c1, c2, n1, n2, a1, a2 in zip(self.c1, self.c2, self.n1, self.n2, self.a1, self.a2):
            h = n1(x, s)
            h = c1(h + (1 / a1) * torch.sin(a1 * h) ** 2)
            h = n2(h, s)
            x = x + c2(h + (1 / a2) * torch.sin(a2 * h) ** 2)
        return x


class ConvSTFT(nn.Module):
    """STFT and inverse STFT as (transposed) convolutions with a Hann window."""

    def __init__(self, n_fft=20, hop=5):
        super().__init__()
        bins = n_fft // 2 + 1
        win = torch.hann_window(n_fft, periodic=True, dtype=torch.float64).numpy()
        ang = 2 * np.pi * np.outer(np.arange(bins), np.arange(n_fft)) / n_fft
        t = lambda a: torch.from_numpy(a).float().unsqueeze(1)
        self.register_buffer("fwd_re", t(np.cos(ang) * win))
        self.register_buffer("fwd_im", t(-np.sin(ang) * win))
        self.register_buffer("inv_re", t(np.cos(ang) * win / n_fft))
        self.register_buffer("inv_im", t(np.sin(ang) * win / n_fft))
        self.n_fft, self.hop = n_fft, hop

    def transform(self, x):
        x = F.pad(x.unsqueeze(1), (self.n_fft // 2, self.n_fft // 2), mode="replicate")
        re = F.conv1d(x, self.fwd_re, stride=self.hop)
        im = F.conv1d(x, self.fwd_im, stride=self.hop)
        return torch.sqrt(re * re + im * im + 1e-14), atan2(im, re)

    def inverse(self, mag, phase):
        re = F.conv_transpose1d(mag * torch.cos(phase), self.inv_re, stride=self.hop)
        im = F.conv_transpose1d(mag * torch.sin(phase), self.inv_im, stride=self.hop)
        y = re - im
        return y[..., self.n_fft // 2: -(self.n_fft // 2)]


def atan2(y, x):
    """torch.atan2 from Atan and Where (opset 17 has no atan2)."""
    safe = torch.where(x == 0, torch.full_like(x, 1e-12), x)
    half_turn = torch.where(y >= 0, torch.full_like(y, math.pi), torch.full_like(y, -math.pi))
    return torch.atan(y / safe) + torch.where(x < 0, half_turn, torch.zeros_like(y))


class Source(nn.Module):
    """Harmonic-plus-noise source: F0 (upsampled to samples) with 8 harmonics."""

    def __init__(self, scale=300, harmonics=9, rate=24000):
        super().__init__()
        self.register_buffer("mult", torch.arange(1, harmonics + 1, dtype=torch.float32))
        self.merge = nn.Linear(harmonics, 1)
        self.scale, self.rate = scale, rate

    def forward(self, f0):
        f0 = F.interpolate(f0.unsqueeze(1), scale_factor=float(self.scale), mode="nearest").transpose(1, 2)
        rad = torch.remainder(f0 * self.mult / self.rate, 1.0)
        rad = F.interpolate(rad.transpose(1, 2), scale_factor=1.0 / self.scale, mode="linear")
        phase = torch.cumsum(rad, dim=2) * 2 * math.pi
        phase = F.interpolate(phase * self.scale, scale_factor=float(self.scale), mode="linear")
        uv = (f0 > 10).to(f0.dtype)
        sines = torch.sin(phase).transpose(1, 2) * 0.1
        noise = (uv * 0.003 + (1 - uv) * 0.1 / 3) * torch.randn_like(sines)
        return torch.tanh(self.merge(sines * uv + noise)).transpose(1, 2).squeeze(1)


class Generator(nn.Module):
    """iSTFTNet generator: upsample 10, 6 (kernels 20, 12) from 512 channels."""

    def __init__(self, ch=512, n_fft=20, hop=5):
        super().__init__()
        self.source = Source(scale=10 * 6 * hop)
        self.stft = ConvSTFT(n_fft, hop)
        self.ups = nn.ModuleList([nn.ConvTranspose1d(ch, ch // 2, 20, 10, padding=5),
                                  nn.ConvTranspose1d(ch // 2, ch // 4, 12, 6, padding=3)])
        self.noise_convs = nn.ModuleList([nn.Conv1d(n_fft + 2, ch // 2, 12, 6, padding=3),
                                          nn.Conv1d(n_fft + 2, ch // 4, 1)])
        self.noise_res = nn.ModuleList([SnakeResBlock(ch // 2, 7), SnakeResBlock(ch // 4, 11)])
        self.blocks = nn.ModuleList([SnakeResBlock(ch // 2 ** (i + 1), k) for i in range(2) for k in (3, 7, 11)])
        self.post = nn.Conv1d(ch // 4, n_fft + 2, 7, padding=3)
        self.bins = n_fft // 2 + 1

    def forward(self, x, s, f0):
        mag, phase = self.stft.transform(self.source(f0))
        har = torch.cat([mag, phase], 1)
        for i, up in enumerate(self.ups):
            x = up(F.leaky_relu(x, 0.1))
            if i == 1:
                x = F.pad(x, (1, 0), mode="reflect")
            x = x + self.noise_res[i](self.noise_convs[i](har), s)
            x = sum(b(x, s) for b in self.blocks[3 * i: 3 * i + 3]) / 3
        x = self.post(F.leaky_relu(x, 0.01))
        return self.stft.inverse(torch.exp(x[:, : self.bins]), torch.sin(x[:, self.bins:]))


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.f0_conv = nn.Conv1d(1, 1, 3, 2, padding=1)
        self.n_conv = nn.Conv1d(1, 1, 3, 2, padding=1)
        self.encode = AdaResBlock(HIDDEN + 2, 1024)
        self.asr_res = nn.Conv1d(HIDDEN, 64, 1)
        self.decode = nn.ModuleList([AdaResBlock(1024 + 2 + 64, 1024) for _ in range(3)]
                                    + [AdaResBlock(1024 + 2 + 64, 512, upsample=True)])
        self.generator = Generator()

    def forward(self, asr, f0_curve, n_curve, s):
        f0 = self.f0_conv(f0_curve.unsqueeze(1))
        n = self.n_conv(n_curve.unsqueeze(1))
        x = self.encode(torch.cat([asr, f0, n], 1), s)
        res = self.asr_res(asr)
        for block in self.decode:
            x = block(torch.cat([x, res, f0, n], 1), s)
        return self.generator(x, s, f0_curve)


class Predictor(nn.Module):
    """Duration encoder, duration head and the F0/N branches."""

    def __init__(self):
        super().__init__()
        d = HIDDEN + STYLE_HALF
        self.lstms = nn.ModuleList([nn.LSTM(d, HIDDEN // 2, batch_first=True, bidirectional=True) for _ in range(3)])
        self.norms = nn.ModuleList([AdaLayerNorm(HIDDEN) for _ in range(3)])
        self.lstm = nn.LSTM(d, HIDDEN // 2, batch_first=True, bidirectional=True)
        self.duration = nn.Linear(HIDDEN, MAX_DUR)
        self.shared = nn.LSTM(d, HIDDEN // 2, batch_first=True, bidirectional=True)
        branch = lambda: nn.ModuleList([AdaResBlock(HIDDEN, HIDDEN), AdaResBlock(HIDDEN, HIDDEN // 2, upsample=True),
                                        AdaResBlock(HIDDEN // 2, HIDDEN // 2)])
        self.f0, self.n = branch(), branch()
        self.f0_proj, self.n_proj = nn.Conv1d(HIDDEN // 2, 1, 1), nn.Conv1d(HIDDEN // 2, 1, 1)

    def encode(self, d_en, s):
        st = s.unsqueeze(1).expand(-1, d_en.shape[1], -1)
        x = torch.cat([d_en, st], -1)
        for lstm, norm in zip(self.lstms, self.norms):
            x = torch.cat([norm(lstm(x)[0], s), st], -1)
        return x

    def durations(self, d, speed):
        logits = self.duration(self.lstm(d)[0])
        frames = torch.sigmoid(logits).sum(-1) / speed
        return torch.clamp(torch.round(frames), min=1)[0]

    def f0n(self, en, s):
        x = self.shared(en.transpose(1, 2))[0].transpose(1, 2)
        f0, n = x, x
        for a, b in zip(self.f0, self.n):
            f0, n = a(f0, s), b(n, s)
        return self.f0_proj(f0).squeeze(1), self.n_proj(n).squeeze(1)


def alignment(dur):
    """[T] frame counts -> [1, T, sum] 0/1 matrix (token i covers its frames)."""
    end = torch.cumsum(dur, 0)
    frames = torch.arange(end[-1])
    return ((frames[None, :] >= (end - dur)[:, None]) & (frames[None, :] < end[:, None])).to(torch.float32)[None]


class KokoroSized(nn.Module):
    def __init__(self):
        super().__init__()
        self.bert = Albert()
        self.bert_encoder = nn.Linear(768, HIDDEN)
        self.predictor = Predictor()
        self.emb = nn.Embedding(N_TOKEN, HIDDEN)
        self.convs = nn.ModuleList([nn.Conv1d(HIDDEN, HIDDEN, 5, padding=2) for _ in range(3)])
        self.conv_norms = nn.ModuleList([ChannelNorm(HIDDEN) for _ in range(3)])
        self.text_lstm = nn.LSTM(HIDDEN, HIDDEN // 2, batch_first=True, bidirectional=True)
        self.decoder = Decoder()

    def text(self, tokens):
        x = self.emb(tokens).transpose(1, 2)
        for conv, norm in zip(self.convs, self.conv_norms):
            x = F.leaky_relu(norm(conv(x)), 0.2)
        return self.text_lstm(x.transpose(1, 2))[0].transpose(1, 2)

    def forward(self, tokens, style, speed):
        s_pred, s_dec = style[:, STYLE_HALF:], style[:, :STYLE_HALF]
        d = self.predictor.encode(self.bert_encoder(self.bert(tokens)), s_pred)
        aln = alignment(self.predictor.durations(d, speed))
        f0, n = self.predictor.f0n(torch.matmul(d.transpose(1, 2), aln), s_pred)
        asr = torch.matmul(self.text(tokens), aln)
        return self.decoder(asr, f0, n, s_dec).squeeze()


def init(model):
    """Seeded default init; duration head set to ~FRAMES_PER_TOKEN frames per token."""
    with torch.no_grad():
        model.predictor.duration.weight.normal_(0, 0.002)
        p = FRAMES_PER_TOKEN / MAX_DUR
        model.predictor.duration.bias.fill_(math.log(p / (1 - p)))


def export(path):
    """Export to path with Kokoro v1.0's names; returns the parameter count."""
    torch.manual_seed(0)
    model = KokoroSized().eval()
    init(model)
    tokens = torch.randint(1, N_TOKEN, (1, 60))
    tokens[0, 0] = tokens[0, -1] = 0
    style = torch.randn(1, 256) * 0.2
    speed = torch.ones(1)
    with torch.no_grad():
        audio = model(tokens, style, speed)
        assert torch.isfinite(audio).all(), "generated weights give non-finite audio"
        print(f"check: 60 tokens -> {audio.numel() / 24000:.2f} s, peak {audio.abs().max():.3g}")
        torch.onnx.export(model, (tokens, style, speed), path, input_names=["tokens", "style", "speed"],
                          output_names=["audio"], dynamic_axes={"tokens": {1: "tokens"}, "audio": {0: "samples"}},
                          opset_version=17, do_constant_folding=True)
    return sum(p.numel() for p in model.parameters())
