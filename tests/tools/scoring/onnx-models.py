"""Builds ONNX models for the ONNX scoring tests and benchmark with Debian's python3-onnx (/usr/bin/python3).

  onnx-models.py linear OUT.onnx FEATURES SEED   logistic regression: sigmoid(x @ w + b), w and b printed as JSON
  onnx-models.py xgboost MODEL.json OUT.onnx      an XGBoost binary:logistic tree model as ai.onnx.ml TreeEnsembleRegressor
                                                  (base margin, the same trees) followed by Sigmoid
"""
import json
import math
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

def save(graph, path, ml=False):
    opsets = [helper.make_opsetid("", 13)] + ([helper.make_opsetid("ai.onnx.ml", 3)] if ml else [])
    model = helper.make_model(graph, opset_imports=opsets, producer_name="dsl-tests")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def linear(path, features, seed):
    rng = np.random.default_rng(seed)
    w = rng.normal(size=(features, 1)).astype(np.float32)
    b = np.array([0.25], dtype=np.float32)
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["rows", features])
    y = helper.make_tensor_value_info("p", TensorProto.FLOAT, ["rows", 1])
    nodes = [
        helper.make_node("MatMul", ["x", "w"], ["xw"]),
        helper.make_node("Add", ["xw", "b"], ["z"]),
        helper.make_node("Sigmoid", ["z"], ["p"]),
    ]
    inits = [helper.make_tensor("w", TensorProto.FLOAT, w.shape, w.flatten()), helper.make_tensor("b", TensorProto.FLOAT, [1], b)]
    save(helper.make_graph(nodes, "linear", [x], [y], inits), path)
    print(json.dumps({"weights": [float(v) for v in w.flatten()], "bias": float(b[0])}))


def xgboost(model_path, path):
    learner = json.load(open(model_path))["learner"]
    assert learner["objective"]["name"] == "binary:logistic"
    base = float(learner["learner_model_param"]["base_score"])
    features = int(learner["learner_model_param"]["num_feature"])
    a = {k: [] for k in ["tree", "node", "feature", "value", "mode", "true", "false", "missing"]}
    targets = {"tree": [], "node": [], "weight": []}
    for t, tree in enumerate(learner["gradient_booster"]["model"]["trees"]):
        for i, left in enumerate(tree["left_children"]):
            a["tree"].append(t)
            a["node"].append(i)
            leaf = left == -1
            a["feature"].append(0 if leaf else tree["split_indices"][i])
            a["value"].append(0.0 if leaf else tree["split_conditions"][i])
            a["mode"].append("LEAF" if leaf else "BRANCH_LT")
            a["true"].append(0 if leaf else left)
            a["false"].append(0 if leaf else tree["right_children"][i])
            a["missing"].append(0 if leaf else int(tree["default_left"][i]))
            if leaf:
                targets["tree"].append(t)
                targets["node"].append(i)
                targets["weight"].append(tree["split_conditions"][i])
    node = helper.make_node(
        "TreeEnsembleRegressor", ["x"], ["margin"], domain="ai.onnx.ml", n_targets=1, aggregate_function="SUM", post_transform="NONE",
        base_values=[-math.log(1 / base - 1)], nodes_treeids=a["tree"], nodes_nodeids=a["node"], nodes_featureids=a["feature"],
        nodes_values=a["value"], nodes_modes=a["mode"], nodes_truenodeids=a["true"], nodes_falsenodeids=a["false"],
        nodes_missing_value_tracks_true=a["missing"], target_treeids=targets["tree"], target_nodeids=targets["node"],
        target_ids=[0] * len(targets["tree"]), target_weights=targets["weight"])
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["rows", features])
    y = helper.make_tensor_value_info("p", TensorProto.FLOAT, ["rows", 1])
    # ONNX Runtime's regressor leaves post_transform LOGISTIC unapplied: the sigmoid is a node of its own.
    save(helper.make_graph([node, helper.make_node("Sigmoid", ["margin"], ["p"])], "xgboost", [x], [y]), path, ml=True)
    print(json.dumps({"features": features}))


if __name__ == "__main__":
    if sys.argv[1] == "linear":
        linear(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        xgboost(sys.argv[2], sys.argv[3])
