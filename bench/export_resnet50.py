"""Exports ResNet-50 (torchvision's definition, random weights: no download) to ONNX with a dynamic batch
dimension, as a model-repository folder for bench/inference.sh and bench/e2e.sh. Never committed: it is ~100 MB.
An existing model.onnx is kept; config.json (with the ImageNet preprocessing the workers apply) is always rewritten.

usage: /usr/bin/python3 bench/export_resnet50.py OUT_DIR [MAX_BATCH]   (needs Debian python3-torch + python3-torchvision)
MAX_BATCH (default 32) is the config's max_batch_size; the preferred batch sizes are it, its half and its quarter.
"""
import json
import os
import sys

import torch
import torchvision

out = sys.argv[1]
max_batch_text = sys.argv[2] if len(sys.argv) > 2 else "32"
if not max_batch_text.isdigit() or not 1 <= int(max_batch_text) <= 4096:
    sys.exit(f"MAX_BATCH must be a whole number between 1 and 4096, not '{max_batch_text}'")
max_batch = int(max_batch_text)
preferred = sorted({size for size in (max_batch // 4, max_batch // 2, max_batch) if size >= 2})
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
    "max_batch_size": max_batch,
    "input": [{"name": "input", "data_type": "TYPE_FP32", "dims": [3, 224, 224]}],
    "output": [{"name": "logits", "data_type": "TYPE_FP32", "dims": [1000]}],
    # No delay: a request runs as soon as an execution is free, and batches form from what queued while every
    # execution was busy (on a CPU a batch costs about the sum of its images, so waiting for company never pays).
    "dynamic_batching": {"max_queue_delay_us": 0, "preferred_batch_sizes": preferred, "max_queue_size": 1024},
    "execution_provider": "cpu",
    # No instance_count and no onnxruntime section: the service's automatic plan, one execution per core, each run
    # free to use every core (README, model repository).
    "preprocessing": {
        "width": 224, "height": 224, "channels": 3, "layout": "NCHW", "resize": "bilinear",
        "scale": 1 / 255, "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225],
    },
}
with open(os.path.join(out, "config.json"), "w") as f:
    json.dump(config, f, indent=2)
print("wrote", out)
