#!/usr/bin/env bash
# Installs the reference libraries the statistics tests compare against (NumPy and SciPy for Debian's
# /usr/bin/python3) when they are missing. Idempotent and quiet: does nothing when both already import.
set -euo pipefail

if /usr/bin/python3 -c 'import numpy, scipy' >/dev/null 2>&1; then
    exit 0
fi
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
    sudo_cmd=(sudo)
fi
echo "install-python-deps: installing python3-numpy and python3-scipy with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq >/dev/null
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends python3-numpy python3-scipy >/dev/null
/usr/bin/python3 -c 'import numpy, scipy'
