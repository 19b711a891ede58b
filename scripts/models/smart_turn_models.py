#!/usr/bin/python3
"""Build ONNX models with the Smart Turn v3 contract (MODEL_CONTRACTS.md section 9).

Test models (default; committed under pipeline/turn/testdata, about 1 kB each):
    /usr/bin/python3 scripts/models/smart_turn_models.py [--out pipeline/turn/testdata]
  writes
    smart-turn-contract.onnx  input_features float32 [N, 80, 800] -> logits float32 [N, 1], a
                              probability (sigmoid inside the graph, as in the real export). The
                              graph is a rule a test can check: p = sigmoid(8 * (mean(x) -
                              mean(x[:, :, 760:]))), over the mel values (x in [-1.5, ~1.5]): audio
                              that ends in silence (its last 0.4 s quieter than the whole) is
                              "complete", audio that is loud to its end is "incomplete".
    smart-turn-badshape.onnx  the same graph reading input_features [N, 128, 800] (Whisper
                              large-v3's mel count): a model a loader must refuse.

Timing double (never committed; 32 MB):
    /usr/bin/python3 scripts/models/smart_turn_models.py --sized OUT.onnx
  writes Smart Turn v3's architecture (whisper-tiny encoder: Conv1d 80->384 k3, Conv1d 384->384
  k3 stride 2, 400 positions, 4 pre-LN blocks of 6 heads x 64 with FFN 1536; attention pooling;
  classifier 384->256->64->1, sigmoid) with PyTorch's default random weights (seeded): its output
  is meaningless, its cost per run is the real fp32 model's. The published CPU file is int8
  (ORT static QDQ), which this machine cannot produce (no onnxruntime for Python): it runs
  faster than this double, not slower.
"""

import argparse
import os

import onnx
import torch
from torch import nn

MELS, FRAMES = 80, 800


class Rule(nn.Module):
    """The contract model: the tail of the features against their mean."""

    def forward(self, input_features):
        whole = input_features.mean(dim=(1, 2))
        tail = input_features[:, :, 760:].mean(dim=(1, 2))
        return torch.sigmoid(8.0 * (whole - tail)).unsqueeze(1)


class Block(nn.Module):
    """A whisper encoder layer: pre-LN self-attention (k unbiased) and GELU FFN."""

    def __init__(self, d=384, heads=6, ffn=1536):
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.q, self.k, self.v, self.o = nn.Linear(d, d), nn.Linear(d, d, bias=False), nn.Linear(d, d), nn.Linear(d, d)
        self.fc1, self.fc2 = nn.Linear(d, ffn), nn.Linear(ffn, d)

    def forward(self, x):
        n, t, d = x.shape
        h = self.ln1(x)
        split = lambda z: z.reshape(n, t, self.heads, d // self.heads).transpose(1, 2)
        q, k, v = split(self.q(h)), split(self.k(h)), split(self.v(h))
        att = torch.softmax(q @ k.transpose(-1, -2) * (d // self.heads) ** -0.5, dim=-1) @ v
        x = x + self.o(att.transpose(1, 2).reshape(n, t, d))
        return x + self.fc2(nn.functional.gelu(self.fc1(self.ln2(x))))


class SmartTurnSized(nn.Module):
    """Smart Turn v3's architecture, about 8.0 M parameters."""

    def __init__(self, d=384):
        super().__init__()
        self.conv1 = nn.Conv1d(MELS, d, 3, padding=1)
        self.conv2 = nn.Conv1d(d, d, 3, stride=2, padding=1)
        self.pos = nn.Parameter(torch.randn(FRAMES // 2, d) * 0.02)
        self.blocks = nn.ModuleList(Block(d) for _ in range(4))
        self.ln = nn.LayerNorm(d)
        self.pool = nn.Sequential(nn.Linear(d, 256), nn.Tanh(), nn.Linear(256, 1))
        self.head = nn.Sequential(nn.Linear(d, 256), nn.LayerNorm(256), nn.GELU(), nn.Linear(256, 64), nn.GELU(),
                                  nn.Linear(64, 1))

    def forward(self, input_features):
        x = nn.functional.gelu(self.conv1(input_features))
        x = nn.functional.gelu(self.conv2(x)).transpose(1, 2) + self.pos
        for b in self.blocks:
            x = b(x)
        x = self.ln(x)
        w = torch.softmax(self.pool(x), dim=1)
        return torch.sigmoid(self.head((w * x).sum(dim=1)))


def export(model, path, mels=MELS):
    model.eval()
    with torch.no_grad():
        torch.onnx.export(model, (torch.randn(1, mels, FRAMES),), path, opset_version=17,
                          input_names=["input_features"], output_names=["logits"],
                          dynamic_axes={"input_features": {0: "batch"}, "logits": {0: "batch"}})
    onnx.checker.check_model(onnx.load(path))
    params = sum(p.numel() for p in model.parameters())
    print("wrote %s (%d bytes, %.2f M parameters)" % (path, os.path.getsize(path), params / 1e6))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join("pipeline", "turn", "testdata"))
    ap.add_argument("--sized", metavar="OUT.onnx", help="write the timing double instead")
    args = ap.parse_args()
    torch.manual_seed(12)
    if args.sized:
        export(SmartTurnSized(), args.sized)
        return
    os.makedirs(args.out, exist_ok=True)
    export(Rule(), os.path.join(args.out, "smart-turn-contract.onnx"))
    export(Rule(), os.path.join(args.out, "smart-turn-badshape.onnx"), mels=128)


if __name__ == "__main__":
    main()
