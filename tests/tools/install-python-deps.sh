#!/usr/bin/env bash
# Installs the reference libraries the statistics, feature and scoring tests compare against (NumPy, SciPy,
# scikit-learn, XGBoost, ONNX and PyTorch for Debian's /usr/bin/python3), and Dask distributed, which the Dask engine's
# tests run a real cluster of, when they are missing. Idempotent and quiet:
# does nothing when all of them import.
set -euo pipefail

if /usr/bin/python3 -c 'import numpy, scipy, sklearn, xgboost, onnx, torch, distributed' >/dev/null 2>&1; then
    exit 0
fi
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
    sudo_cmd=(sudo)
fi
echo "install-python-deps: installing python3-numpy, python3-scipy, python3-sklearn, python3-xgboost, python3-onnx, python3-torch and python3-distributed with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq >/dev/null
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends python3-numpy python3-scipy python3-sklearn python3-xgboost python3-onnx python3-torch python3-distributed >/dev/null
/usr/bin/python3 -c 'import numpy, scipy, sklearn, xgboost, onnx, torch, distributed'
