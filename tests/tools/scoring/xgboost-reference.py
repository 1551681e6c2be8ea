"""Trains a small XGBoost model on random data and writes what the scoring tests compare against.

Run with Debian's /usr/bin/python3 (python3-xgboost, python3-numpy). Writes into OUT:
  model.json       the model (Booster.save_model)
  features.f64     the rows' features, row-major little-endian float64, NaN where a value is missing
  margins.f32      Booster.predict(output_margin=True), row-major little-endian float32 (rows x margins)
  predictions.f32  Booster.predict(), row-major little-endian float32 (rows x outputs)
With --predict FILE it trains nothing: it scores FILE's rows (features.f64's layout) with OUT/model.json and writes
OUT/predictions.f32 and OUT/margins.f32.
"""
import argparse
import json
import os

import numpy as np
import xgboost as xgb

parser = argparse.ArgumentParser()
parser.add_argument("out")
parser.add_argument("--objective", default="binary:logistic")
parser.add_argument("--booster", default="gbtree")
parser.add_argument("--rows", type=int, default=2000)
parser.add_argument("--features", type=int, default=6)
parser.add_argument("--depth", type=int, default=4)
parser.add_argument("--rounds", type=int, default=20)
parser.add_argument("--classes", type=int, default=3)
parser.add_argument("--missing", type=float, default=0.1, help="share of feature values left missing")
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--names", action="store_true", help="name the features F0, F1, ... in the model")
parser.add_argument("--feature-names", help="comma-separated feature names (sets --features)")
parser.add_argument("--predict", help="score these rows with OUT/model.json instead of training")
args = parser.parse_args()
names = args.feature_names.split(",") if args.feature_names else (["F%d" % i for i in range(args.features)] if args.names else None)
if names is not None:
    args.features = len(names)

if args.predict:
    booster = xgb.Booster(model_file=os.path.join(args.out, "model.json"))
    rows = np.fromfile(args.predict, dtype="<f8").reshape(-1, args.features)
    scored = xgb.DMatrix(rows, feature_names=names)
    booster.predict(scored).astype("<f4").tofile(os.path.join(args.out, "predictions.f32"))
    booster.predict(scored, output_margin=True).astype("<f4").tofile(os.path.join(args.out, "margins.f32"))
    print(json.dumps({"rows": rows.shape[0], "features": args.features}))
    raise SystemExit(0)

rng = np.random.default_rng(args.seed)
X = rng.normal(size=(args.rows, args.features)) * rng.choice([0.01, 1.0, 100.0], size=args.features)
# Some features take few distinct values (ties at thresholds), one is an integer count.
X[:, 0] = np.round(X[:, 0], 1)
if args.features > 2:
    X[:, 2] = rng.poisson(3.0, size=args.rows)
X[rng.random(X.shape) < args.missing] = np.nan
signal = np.nan_to_num(X[:, 0]) + 0.5 * np.nan_to_num(X[:, 1]) + rng.normal(scale=0.5, size=args.rows)

objective = args.objective
params = {"objective": objective, "booster": args.booster, "nthread": 1, "seed": args.seed}
if args.booster == "gbtree":
    params["max_depth"] = args.depth
if objective.startswith("multi:"):
    params["num_class"] = args.classes
    y = np.digitize(signal, np.quantile(signal, np.linspace(0, 1, args.classes + 1)[1:-1]))
elif objective.startswith("binary:") or objective == "reg:logistic":
    y = (signal > 0).astype(float)
elif objective in ("count:poisson", "reg:gamma", "reg:tweedie"):
    y = rng.poisson(np.exp(np.clip(signal, -3, 3))).astype(float) + (1.0 if objective == "reg:gamma" else 0.0)
else:
    y = signal

train = xgb.DMatrix(X, label=y, feature_names=names)
booster = xgb.train(params, train, args.rounds)
os.makedirs(args.out, exist_ok=True)
booster.save_model(os.path.join(args.out, "model.json"))

# Predict on fresh rows (values the trees were not fitted to), with the same missing pattern.
P = rng.normal(size=(args.rows, args.features)) * rng.choice([0.01, 1.0, 100.0], size=args.features)
P[:, 0] = np.round(P[:, 0], 1)
if args.features > 2:
    P[:, 2] = rng.poisson(3.0, size=args.rows)
P[rng.random(P.shape) < args.missing] = np.nan
test = xgb.DMatrix(P, feature_names=names)
P.astype("<f8").tofile(os.path.join(args.out, "features.f64"))
booster.predict(test, output_margin=True).astype("<f4").tofile(os.path.join(args.out, "margins.f32"))
booster.predict(test).astype("<f4").tofile(os.path.join(args.out, "predictions.f32"))
print(json.dumps({"rows": args.rows, "features": args.features}))
