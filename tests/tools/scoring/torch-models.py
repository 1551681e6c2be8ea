"""Builds TorchScript models for the Dsl.Torch tests and benchmark with Debian's python3-torch 1.13 (/usr/bin/python3),
and scores inputs with torch itself, the reference the tests compare TorchSharp's answers with.

  torch-models.py linear OUT FEATURES             x @ w + b, one output a row as a [rows] tensor
  torch-models.py mlp OUT FEATURES HIDDEN OUTPUTS  two hidden layers of HIDDEN with ReLU, then a sigmoid: [rows, OUTPUTS]
  torch-models.py raises OUT                      x.sum(1), [rows]; raises ValueError when a feature is negative
  torch-models.py inplace OUT                     adds 1 to its input in place, then x.sum(1), [rows]
  torch-models.py pair OUT                        returns a tuple of two tensors (x, x)
  torch-models.py predict MODEL IN ROWS FEATURES OUT
                                                  reads ROWS x FEATURES float32 (row-major, little-endian) from IN, runs
                                                  the model under torch.no_grad() and writes its float32 outputs to OUT

The weights are fixed by a seed (torch.manual_seed(7)); each model is saved with torch.jit.script.
"""
import sys
from typing import Tuple

import numpy as np
import torch
from torch import nn


class Linear(nn.Module):
    def __init__(self, features: int):
        super().__init__()
        self.layer = nn.Linear(features, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layer(x).squeeze(1)


class Mlp(nn.Module):
    def __init__(self, features: int, hidden: int, outputs: int):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(features, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                    nn.Linear(hidden, outputs), nn.Sigmoid())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


class Raises(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if bool((x < 0).any()):
            raise ValueError("negative feature")
        return x.sum(1)


class Inplace(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x.add_(1)
        return x.sum(1)


class Pair(nn.Module):
    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        return x, x


def save(module, path):
    torch.jit.script(module.eval()).save(path)


def predict(model, path, rows, features, out):
    x = torch.from_numpy(np.fromfile(path, dtype="<f4", count=rows * features).reshape(rows, features))
    with torch.no_grad():
        y = torch.jit.load(model)(x)
    y.numpy().astype("<f4").tofile(out)


if __name__ == "__main__":
    torch.manual_seed(7)
    torch.set_num_threads(1)
    kind, args = sys.argv[1], sys.argv[2:]
    if kind == "linear":
        save(Linear(int(args[1])), args[0])
    elif kind == "mlp":
        save(Mlp(int(args[1]), int(args[2]), int(args[3])), args[0])
    elif kind == "raises":
        save(Raises(), args[0])
    elif kind == "inplace":
        save(Inplace(), args[0])
    elif kind == "pair":
        save(Pair(), args[0])
    elif kind == "predict":
        predict(args[0], args[1], int(args[2]), int(args[3]), args[4])
    else:
        sys.exit("unknown kind " + kind)
