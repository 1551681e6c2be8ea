"""The libraries' side of compare-scoring.sh: trains the benchmark's models and times their own predict.

Run with Debian's /usr/bin/python3 (python3-xgboost, python3-numpy). LightGBM is its own C library (lib_lightgbm from
the LightGBM NuGet package, path in $LIB_LIGHTGBM), called through ctypes as its Python package does.

  libraries.py train WORK MODELS   random data: WORK/train.f64 and WORK/rows.f64 (ROWS x 30), models MODELS/xgb.json, MODELS/lgb.txt
  libraries.py time WORK THREADS   prints one JSON line per library: seconds of one predict over WORK/rows.f64; writes WORK/<lib>.f32/.f64
"""
import ctypes
import json
import os
import sys
import time

import numpy as np
import xgboost as xgb

FEATURES = 30
TREES = 200
DEPTH = 6
NAMES = ["F%d" % i for i in range(FEATURES)]


def lightgbm():
    lib = ctypes.CDLL(os.environ["LIB_LIGHTGBM"])
    lib.LGBM_GetLastError.restype = ctypes.c_char_p
    return lib


def check(lib, code):
    if code != 0:
        raise RuntimeError(lib.LGBM_GetLastError().decode())


def data(rows, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, FEATURES)) * rng.choice([0.1, 1.0, 10.0], size=FEATURES)
    x[rng.random(x.shape) < 0.05] = np.nan
    signal = np.nansum(x[:, :10] * np.linspace(1, -1, 10), axis=1) + np.sin(np.nan_to_num(x[:, 10])) * 3
    y = (signal + rng.normal(size=rows) > 0).astype(np.float32)
    return x, y


def train(work, models, rows):
    x, y = data(200_000, 1)
    booster = xgb.train({"objective": "binary:logistic", "max_depth": DEPTH, "tree_method": "hist", "nthread": 2, "seed": 1},
                        xgb.DMatrix(x, label=y, feature_names=NAMES), TREES)
    booster.save_model(os.path.join(models, "xgb.json"))

    lib = lightgbm()
    handle = ctypes.c_void_p()
    xc = np.ascontiguousarray(x, np.float64)
    params = b"max_bin=255 verbose=-1 num_threads=2"
    check(lib, lib.LGBM_DatasetCreateFromMat(xc.ctypes.data_as(ctypes.c_void_p), 1, ctypes.c_int32(xc.shape[0]), ctypes.c_int32(FEATURES), 1, params, None, ctypes.byref(handle)))
    names = (ctypes.c_char_p * FEATURES)(*[n.encode() for n in NAMES])
    check(lib, lib.LGBM_DatasetSetFeatureNames(handle, names, FEATURES))
    labels = np.ascontiguousarray(y, np.float32)
    check(lib, lib.LGBM_DatasetSetField(handle, b"label", labels.ctypes.data_as(ctypes.c_void_p), len(labels), 0))
    model = ctypes.c_void_p()
    booster_params = ("objective=binary num_leaves=63 max_depth=%d verbose=-1 num_threads=2 seed=1 deterministic=true" % DEPTH).encode()
    check(lib, lib.LGBM_BoosterCreate(handle, booster_params, ctypes.byref(model)))
    finished = ctypes.c_int()
    for _ in range(TREES):
        check(lib, lib.LGBM_BoosterUpdateOneIter(model, ctypes.byref(finished)))
    check(lib, lib.LGBM_BoosterSaveModel(model, 0, -1, 0, os.path.join(models, "lgb.txt").encode()))
    lib.LGBM_BoosterFree(model)
    lib.LGBM_DatasetFree(handle)

    test, _ = data(rows, 2)
    test.astype("<f8").tofile(os.path.join(work, "rows.f64"))


def time_predict(work, threads):
    rows = np.fromfile(os.path.join(work, "rows.f64"), dtype="<f8").reshape(-1, FEATURES)
    models = os.environ["MODELS"]
    booster = xgb.Booster(model_file=os.path.join(models, "xgb.json"))
    booster.set_param({"nthread": threads})
    # inplace_predict is XGBoost's fastest path from a NumPy array (no DMatrix); one warm-up call first.
    booster.inplace_predict(rows[:1000])
    start = time.perf_counter()
    p = booster.inplace_predict(rows)
    seconds = time.perf_counter() - start
    p.astype("<f4").tofile(os.path.join(work, "xgb.f32"))
    print(json.dumps({"library": "xgboost", "threads": threads, "rows": len(rows), "seconds": seconds}))

    lib = lightgbm()
    model = ctypes.c_void_p()
    iterations = ctypes.c_int()
    check(lib, lib.LGBM_BoosterCreateFromModelfile(os.path.join(models, "lgb.txt").encode(), ctypes.byref(iterations), ctypes.byref(model)))
    out = np.zeros(len(rows), np.float64)
    written = ctypes.c_int64()
    xc = np.ascontiguousarray(rows, np.float64)
    parameter = ("num_threads=%d" % threads).encode()

    def predict(n):
        check(lib, lib.LGBM_BoosterPredictForMat(model, xc.ctypes.data_as(ctypes.c_void_p), 1, ctypes.c_int32(n), ctypes.c_int32(FEATURES), 1, 0, 0, -1,
                                                 parameter, ctypes.byref(written), out.ctypes.data_as(ctypes.POINTER(ctypes.c_double))))

    predict(1000)
    start = time.perf_counter()
    predict(len(rows))
    seconds = time.perf_counter() - start
    out.astype("<f8").tofile(os.path.join(work, "lgb.f64"))
    lib.LGBM_BoosterFree(model)
    print(json.dumps({"library": "lightgbm", "threads": threads, "rows": len(rows), "seconds": seconds}))


if __name__ == "__main__":
    if sys.argv[1] == "train":
        train(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 1_000_000)
    else:
        time_predict(sys.argv[2], int(sys.argv[3]))
