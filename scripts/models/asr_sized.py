"""A SenseVoice-small-sized model with generated weights, for honest speed measurements.

Architecture (MODEL_CONTRACTS.md section 8; FunASR SenseVoiceEncoderSmall): input scaled by
sqrt(512) plus sinusoidal positions (FunASR SinusoidalPositionEncoder), SAN-M encoder with
d_model 512, 4 heads, FFN 2048 (ReLU), FSMN depthwise Conv1d kernel 11 (pad 5/5), fused q/k/v
Linear, pre-norm LayerNorm eps 1e-12; encoders0 (1 block 560->512), encoders (blocks-1), after_norm,
tp_encoders (tp_blocks), tp_norm; CTC head Linear 512->25055. Prompt: Embedding(16, 560) rows
(language, 1, 2, text_norm) prepended, lengths + 4, as sherpa-onnx's export does. Padded frames
are masked in attention and FSMN. Weights are PyTorch's default random init (seeded): the
output is meaningless, the cost is the real one. About 234 M parameters at 50+20 blocks.
"""

import math
import os
import time

import torch
from torch import nn

import asr_testmodels as M
import asr_vocab as V

D, HEADS, FFN, KERNEL = 512, 4, 2048, 11


class SANMAttention(nn.Module):
    def __init__(self, in_feat):
        super().__init__()
        self.linear_q_k_v = nn.Linear(in_feat, 3 * D)
        self.fsmn_block = nn.Conv1d(D, D, KERNEL, padding=KERNEL // 2, groups=D, bias=False)
        self.linear_out = nn.Linear(D, D)

    def forward(self, x, mask):
        n, t, _ = x.shape
        q, k, v = torch.split(self.linear_q_k_v(x), D, dim=-1)
        vm = v * mask.unsqueeze(-1)
        fsmn = (self.fsmn_block(vm.transpose(1, 2)).transpose(1, 2) + vm) * mask.unsqueeze(-1)
        heads = lambda z: z.reshape(n, t, HEADS, D // HEADS).transpose(1, 2)
        scores = torch.matmul(heads(q) * (D // HEADS) ** -0.5, heads(k).transpose(-2, -1))
        scores = scores + (1.0 - mask)[:, None, None, :] * -10000.0
        att = torch.matmul(torch.softmax(scores, dim=-1), heads(v))
        att = att.transpose(1, 2).reshape(n, t, D)
        return self.linear_out(att) + fsmn


class SANMLayer(nn.Module):
    def __init__(self, in_feat):
        super().__init__()
        self.residual = in_feat == D
        self.norm1 = nn.LayerNorm(in_feat, eps=1e-12)
        self.self_attn = SANMAttention(in_feat)
        self.norm2 = nn.LayerNorm(D, eps=1e-12)
        self.w_1, self.w_2 = nn.Linear(D, FFN), nn.Linear(FFN, D)

    def forward(self, x, mask):
        a = self.self_attn(self.norm1(x), mask)
        x = x + a if self.residual else a
        return x + self.w_2(torch.relu(self.w_1(self.norm2(x))))


class SenseVoiceSized(nn.Module):
    def __init__(self, blocks, tp_blocks):
        super().__init__()
        self.embed = nn.Embedding(16, V.FEAT_DIM)
        self.encoders0 = SANMLayer(V.FEAT_DIM)
        self.encoders = nn.ModuleList(SANMLayer(D) for _ in range(blocks - 1))
        self.after_norm = nn.LayerNorm(D, eps=1e-12)
        self.tp_encoders = nn.ModuleList(SANMLayer(D) for _ in range(tp_blocks))
        self.tp_norm = nn.LayerNorm(D, eps=1e-12)
        self.ctc_lo = nn.Linear(D, V.SV_VOCAB)

    def positions(self, x):
        t, depth = x.shape[1], x.shape[2]
        pos = torch.arange(1, t + 1, dtype=torch.float32)
        inc = math.log(10000.0) / (depth / 2 - 1)
        inv = torch.exp(torch.arange(depth // 2, dtype=torch.float32) * -inc)
        st = pos[:, None] * inv[None, :]
        return torch.cat([torch.sin(st), torch.cos(st)], dim=1)[None]

    def forward(self, x, x_length, language, text_norm):
        n = x.shape[0]
        emo = self.embed(torch.tensor([[1, 2]], dtype=torch.long)).expand(n, -1, -1)
        prompt = [self.embed(language.long()).unsqueeze(1), emo, self.embed(text_norm.long()).unsqueeze(1)]
        x = torch.cat(prompt + [x], dim=1)
        lengths = x_length.long() + 4
        mask = (torch.arange(x.shape[1])[None, :] < lengths[:, None]).float()
        x = x * D ** 0.5 + self.positions(x)
        x = self.encoders0(x, mask)
        for layer in self.encoders:
            x = layer(x, mask)
        x = self.after_norm(x)
        for layer in self.tp_encoders:
            x = layer(x, mask)
        return self.ctc_lo(self.tp_norm(x))


def export(out_dir, blocks, tp_blocks, seed):
    """Write out_dir/model.onnx (sherpa contract + metadata) and out_dir/tokens.txt."""
    import onnx

    torch.manual_seed(seed)
    os.makedirs(out_dir, exist_ok=True)
    model = SenseVoiceSized(blocks, tp_blocks).eval()
    params = sum(p.numel() for p in model.parameters())
    print("SenseVoice-sized: %d+%d blocks, %.1f M parameters" % (blocks, tp_blocks, params / 1e6))
    args = (torch.randn(2, 30, V.FEAT_DIM), torch.tensor([30, 20], dtype=torch.int32),
            torch.tensor([0, 4], dtype=torch.int32), torch.tensor([15, 14], dtype=torch.int32))
    path = os.path.join(out_dir, "model.onnx")
    start = time.time()
    with torch.no_grad():
        torch.onnx.export(
            model, args, path, opset_version=13, do_constant_folding=True,
            input_names=["x", "x_length", "language", "text_norm"], output_names=["logits"],
            dynamic_axes={"x": {0: "N", 1: "T"}, "x_length": {0: "N"}, "language": {0: "N"},
                          "text_norm": {0: "N"}, "logits": {0: "N", 1: "T_out"}})
    m = onnx.load(path)
    meta = M.sensevoice_metadata()
    meta["comment"] = "parley sized benchmark model: generated weights, %d+%d blocks" % (blocks, tp_blocks)
    M.add_metadata(m, meta)
    onnx.save(m, path)
    with open(os.path.join(out_dir, "tokens.txt"), "w", encoding="utf-8") as f:
        f.write(V.tokens_txt(V.sensevoice_vocab()))
    print("wrote %s (%d bytes) in %.0f s" % (path, os.path.getsize(path), time.time() - start))
