"""PyTorch counterpart of nn4j's JMH suite: the same networks, data sizes and steps, one thread.

Prints one JSON object: {name: median microseconds}. Run with Debian's python3-torch:
    /usr/bin/python3 bench/pytorch_bench.py
"""
import json
import statistics
import sys
import time

import torch
from torch import nn
from torch.nn import functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

SIZES = {
    "tiny": (2, [20, 256, 10]),
    "mid": (64, [784, 256, 10]),
    "big": (256, [1024, 1024, 1024, 10]),
}


def mlp(dims):
    layers = []
    for i in range(len(dims) - 1):
        layers.append(nn.Linear(dims[i], dims[i + 1]))
        if i < len(dims) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def lenet_bn():
    """d2l's LeNet with batch normalization, 1x28x28 input."""
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.BatchNorm2d(6), nn.Sigmoid(), nn.AvgPool2d(2, 2),
        nn.Conv2d(6, 16, kernel_size=5), nn.BatchNorm2d(16), nn.Sigmoid(), nn.AvgPool2d(2, 2),
        nn.Flatten(), nn.Linear(400, 120), nn.BatchNorm1d(120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.BatchNorm1d(84), nn.Sigmoid(), nn.Linear(84, 10))


class Residual(nn.Module):
    """d2l's residual block with an identity shortcut."""

    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(y)) + x)


def resnet(in_channels=3, c=32, blocks=3, classes=10):
    """A stem, `blocks` residual blocks of `c` channels, global average pooling, a linear classifier."""
    layers = [nn.Conv2d(in_channels, c, 3, padding=1), nn.BatchNorm2d(c), nn.ReLU()]
    layers += [Residual(c) for _ in range(blocks)]
    layers += [nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(c, classes)]
    return nn.Sequential(*layers)


VOCAB = 1000


class LstmLm(nn.Module):
    """Embedding 128, LSTM 256 (batch first), linear read-out: the sequence issue's language model."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, 128)
        self.lstm = nn.LSTM(128, 256, batch_first=True)
        self.out = nn.Linear(256, VOCAB)

    def forward(self, x):
        return self.out(self.lstm(self.embed(x))[0])


class TransformerLm(nn.Module):
    """Embedding 128, two encoder layers (4 heads, feed-forward 512, batch first), linear read-out."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, 128)
        self.layers = nn.ModuleList([nn.TransformerEncoderLayer(128, 4, dim_feedforward=512, batch_first=True)
                                     for _ in range(2)])
        self.out = nn.Linear(128, VOCAB)

    def forward(self, x):
        h = self.embed(x)
        for layer in self.layers:
            h = layer(h)
        return self.out(h)


# the sequence steps: batch, sequence length, model; Adam, next-token cross entropy
SEQS = {
    "lstm": (32, 35, LstmLm),
    "transformer": (16, 64, TransformerLm),
}

# the CNN steps: batch, input shape, model; SGD with momentum 0.9, cross entropy
CNNS = {
    "lenet": (64, (1, 28, 28), lenet_bn),
    "resnet": (32, (3, 32, 32), resnet),
}


def median_us(fn, min_time=1.0, batches=15):
    """Median microseconds per call, like JMH's sample mode: for calls of 5 us or more, the median of every
    call's own time over min_time seconds (a mean would fold in PyTorch's occasional slow steps, whose allocator
    returns large buffers to the OS and faults them back in); for shorter calls, where the timer's own cost would
    count, the median over `batches` batches of the mean time per call."""
    fn()
    t0 = time.perf_counter()
    n = 0
    while time.perf_counter() - t0 < 0.2:
        fn()
        n += 1
    if 0.2 / n >= 5e-6:
        samples = []
        end = time.perf_counter() + min_time
        while time.perf_counter() < end:
            t = time.perf_counter_ns()
            fn()
            samples.append((time.perf_counter_ns() - t) / 1e3)
        return statistics.median(samples)
    per = max(1, int(n * (min_time / batches) / 0.2))
    samples = []
    for _ in range(batches):
        t = time.perf_counter()
        for _ in range(per):
            fn()
        samples.append((time.perf_counter() - t) / per * 1e6)
    return statistics.median(samples)


def blas_library():
    """The BLAS shared library this process mapped (Debian's torch links whichever libblas.so.3 is selected)."""
    torch.rand(8, 8) @ torch.rand(8, 8)
    with open("/proc/self/maps") as maps:
        libs = sorted({line.split()[-1].rsplit("/", 1)[-1] for line in maps if "blas" in line.lower()})
    return ", ".join(libs)


def main():
    out = {"torch_version": torch.__version__, "threads": torch.get_num_threads(), "blas": blas_library()}
    if "openblas" not in out["blas"].lower():
        # Debian's default libblas.so.3 is the reference BLAS, ~40x slower: the comparison would be meaningless
        sys.exit("PyTorch is using " + out["blas"] + ", not OpenBLAS: apt-get install libopenblas0-pthread")
    for name, (batch, dims) in SIZES.items():
        net = mlp(dims)
        x = torch.rand(batch, dims[0])
        y = torch.rand(batch, dims[-1])
        opt = torch.optim.SGD(net.parameters(), lr=0.01)

        def step():
            opt.zero_grad()
            loss = F.mse_loss(net(x), y)
            loss.backward()
            opt.step()

        def infer():
            with torch.no_grad():
                net(x)

        budget = 6.0 if name == "big" else 3.0
        out[name + "_train"] = median_us(step, budget)
        out[name + "_infer"] = median_us(infer, budget)
    for name, (batch, shape, make) in CNNS.items():
        net = make()
        x = torch.randn(batch, *shape)
        y = torch.randint(0, 10, (batch,))
        opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)

        def cnn_step():
            opt.zero_grad()
            loss = F.cross_entropy(net(x), y)
            loss.backward()
            opt.step()

        out[name + "_train"] = median_us(cnn_step, 6.0)
    for name, (batch, seq, make) in SEQS.items():
        net = make()
        x = torch.randint(0, VOCAB, (batch, seq))
        y = torch.randint(0, VOCAB, (batch * seq,))
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)

        def seq_step():
            opt.zero_grad()
            loss = F.cross_entropy(net(x).reshape(-1, VOCAB), y)
            loss.backward()
            opt.step()

        out[name + "_train"] = median_us(seq_step, 6.0)
    a = torch.rand(2, 20)
    b = torch.rand(2, 20)
    out["op_add_2x20"] = median_us(lambda: a + b)
    w = torch.rand(20, 256)
    out["op_matmul_2x20x256"] = median_us(lambda: a @ w)
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
