# Exports a PyTorch LSTM, its inputs, outputs and backward() gradients as an rnnverify-case/1 file (float32).
# Run: python3 docs/pytorch_export.py > examples/cases/lstm_pytorch_exported.json   (PyTorch 1.13, CPU)
import json, torch
torch.manual_seed(0)
T, B, I, H, L = 4, 2, 3, 5, 2
lstm = torch.nn.LSTM(I, H, num_layers=L, bidirectional=True)            # sequence-first, like the case format
x = torch.randn(T, B, I, requires_grad=True)
h0 = torch.randn(2 * L, B, H, requires_grad=True); c0 = torch.randn(2 * L, B, H, requires_grad=True)
y, (hn, cn) = lstm(x, (h0, c0))
dy = torch.randn_like(y); dhn = torch.randn_like(hn)
torch.autograd.backward([y, hn], [dy, dhn])                            # vector–Jacobian product, dc_n = 0
t = lambda v: v.detach().double().tolist()                               # float32 → double is exact
print(json.dumps({
    "format": "rnnverify-case/1", "cell": "lstm", "layout": "pytorch", "generator": "docs/pytorch_export.py, torch " + torch.__version__,
    "input_size": I, "hidden_size": H, "num_layers": L, "bidirectional": True, "dtype": "float32",
    "weights": {k: t(v) for k, v in lstm.state_dict().items()},
    "x": t(x), "h0": t(h0), "c0": t(c0),
    "claimed": {"y": t(y), "h_n": t(hn), "c_n": t(cn),
                "grad": {"dy": t(dy), "dh_n": t(dhn), "x": t(x.grad), "h0": t(h0.grad), "c0": t(c0.grad),
                         "weights": {k: t(p.grad) for k, p in lstm.named_parameters()}}}}))
