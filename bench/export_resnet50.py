"""Exports ResNet-50 (torchvision's definition, random weights: no download) to ONNX with a dynamic batch
dimension, as a model-repository folder for bench/inference.sh and bench/e2e.sh. Never committed: it is ~100 MB.
An existing model.onnx is kept; config.json (with the ImageNet preprocessing the workers apply) is always rewritten.

usage: /usr/bin/python3 bench/export_resnet50.py OUT_DIR     (needs Debian python3-torch + python3-torchvision)
"""
import json
import os
import sys

import torch
import torchvision

out = sys.argv[1]
os.makedirs(os.path.join(out, "1"), exist_ok=True)
onnx_path = os.path.join(out, "1", "model.onnx")
if not os.path.exists(onnx_path):
    torch.manual_seed(0)
    model = torchvision.models.resnet50(weights=None).eval()
    torch.onnx.export(
        model, torch.randn(1, 3, 224, 224), onnx_path,
        input_names=["input"], output_names=["logits"], opset_version=13,
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
config = {
    "name": "resnet50",
    "max_batch_size": 32,
    "input": [{"name": "input", "data_type": "TYPE_FP32", "dims": [3, 224, 224]}],
    "output": [{"name": "logits", "data_type": "TYPE_FP32", "dims": [1000]}],
    "dynamic_batching": {"max_queue_delay_us": 5000, "preferred_batch_sizes": [8, 16, 32], "max_queue_size": 1024},
    "execution_provider": "cpu",
    "preprocessing": {
        "width": 224, "height": 224, "channels": 3, "layout": "NCHW", "resize": "bilinear",
        "scale": 1 / 255, "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225],
    },
}
with open(os.path.join(out, "config.json"), "w") as f:
    json.dump(config, f, indent=2)
print("wrote", out)
