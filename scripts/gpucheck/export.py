#!/usr/bin/env python3
"""Runs one of scripts/models' generators with torch's TorchScript ONNX exporter.

The generators were written against Debian's torch 1.13. Newer torch (2.9 and
later, as on the GPU hosts) exports through dynamo by default, which traces
these models differently; where torch.onnx.export takes a `dynamo` argument,
it is set to False here, so both torches export the same graph.

  python3 scripts/gpucheck/export.py scripts/models/export_asr_models.py --sized DIR
"""

import functools
import inspect
import os
import runpy
import sys

import torch

if "dynamo" in inspect.signature(torch.onnx.export).parameters:
    torch.onnx.export = functools.partial(torch.onnx.export, dynamo=False)

script = os.path.abspath(sys.argv[1])
sys.argv = sys.argv[1:]
sys.path.insert(0, os.path.dirname(script))
runpy.run_path(script, run_name="__main__")
