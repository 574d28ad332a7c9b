"""The bench's mlp50 training step in PyTorch, for a comparison on the same GPU.

The network of `npm run bench`'s mlp50 case: input x (50) and tau's Fourier
features (8 frequencies, 16 features), three SiLU layers of 256, output 50;
batch 512, Adam 1e-3, the noise-prediction loss on VP-noised standard
Gaussian data. Prints one JSON object: median and minimum ms per step.
"""
import json
import math
import statistics
import sys
import time

try:
    import torch
except Exception as err:  # no PyTorch on this host
    print(json.dumps({"available": False, "reason": f"torch not importable: {err}"}))
    sys.exit(0)

if not torch.cuda.is_available():
    print(json.dumps({"available": False, "reason": f"torch {torch.__version__} sees no CUDA device"}))
    sys.exit(0)

DIM, WIDTH, DEPTH, BATCH, FREQS = 50, 256, 3, 512, 8
device = torch.device("cuda")
torch.manual_seed(0)
omega = torch.linspace(1.0, 16.0, FREQS, device=device)[None, :]
layers, fan_in = [], DIM + 2 * FREQS
for _ in range(DEPTH):
    layers += [torch.nn.Linear(fan_in, WIDTH), torch.nn.SiLU()]
    fan_in = WIDTH
layers.append(torch.nn.Linear(fan_in, DIM))
net = torch.nn.Sequential(*layers).to(device)
opt = torch.optim.Adam(net.parameters(), lr=1e-3)


def step():
    x0 = torch.randn(BATCH, DIM, device=device)
    tau = torch.rand(BATCH, 1, device=device) * (1 - 1e-3) + 1e-3
    log_a = -0.25 * tau**2 * 19.9 - 0.5 * tau * 0.1
    a, b = torch.exp(log_a), torch.sqrt(1 - torch.exp(2 * log_a))
    z = torch.randn_like(x0)
    feats = torch.cat([torch.sin(2 * math.pi * tau * omega), torch.cos(2 * math.pi * tau * omega)], 1)
    loss = ((net(torch.cat([a * x0 + b * z, feats], 1)) - z) ** 2).mean()
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
    opt.step()


for _ in range(50):
    step()
torch.cuda.synchronize()
times = []
for _ in range(20):
    start = time.perf_counter()
    for _ in range(10):
        step()
    torch.cuda.synchronize()
    times.append((time.perf_counter() - start) * 1000 / 10)
print(json.dumps({
    "available": True,
    "torch": torch.__version__,
    "device": torch.cuda.get_device_name(0),
    "case": "mlp50 (50-D MLP 3 x 256, batch 512, Adam)",
    "ms": statistics.median(times),
    "min_ms": min(times),
    "repeats": len(times),
}))
