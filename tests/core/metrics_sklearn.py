"""Reference values for tests/core/training/test_metrics.cpp, computed with scikit-learn.

Usage: metrics_sklearn.py SAMPLES_CSV THRESHOLDS_CSV [BOOTSTRAP_SET]
  SAMPLES_CSV:    set,label,score   (scores written with 17 significant digits, so they are exact)
  THRESHOLDS_CSV: set,threshold
Prints one JSON object {set: {...}} on stdout; NaN and infinities are written as null / "inf".
With BOOTSTRAP_SET, also a plain numpy percentile bootstrap of that set (its first threshold) under
"bootstrap".
"""
import csv
import json
import math
import sys
import warnings

try:
    import numpy as np
    import sklearn
    from sklearn import metrics
except ImportError as e:  # the C++ test turns this into a failure with the message
    sys.stderr.write("python3-sklearn (and numpy) are required for this test: %s\n" % e)
    sys.exit(3)

warnings.simplefilter("ignore")


def clean(x):
    if isinstance(x, (list, tuple, np.ndarray)):
        return [clean(v) for v in x]
    x = float(x)
    if math.isnan(x):
        return None
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def at_threshold(y, s, t):
    pred = (s >= t).astype(int)
    tn, fp, fn, tp = metrics.confusion_matrix(y, pred, labels=[0, 1]).ravel()
    return {
        "threshold": t,
        "tp": int(tp), "fp": int(fp), "tn": int(tn), "fn": int(fn),
        "accuracy": clean(metrics.accuracy_score(y, pred)),
        "precision": clean(metrics.precision_score(y, pred, zero_division=0)),
        "recall": clean(metrics.recall_score(y, pred, zero_division=0)),
        "f1": clean(metrics.f1_score(y, pred, zero_division=0)),
    }


def one_set(y, s, thresholds):
    out = {"n": int(len(y))}
    try:
        out["roc_auc"] = clean(metrics.roc_auc_score(y, s))
    except ValueError:
        out["roc_auc"] = None
    out["average_precision"] = clean(metrics.average_precision_score(y, s))
    fpr, tpr, thr = metrics.roc_curve(y, s, drop_intermediate=False)
    out["roc"] = {"x": clean(fpr), "y": clean(tpr), "thresholds": clean(thr)}
    precision, recall, thr = metrics.precision_recall_curve(y, s)
    out["pr"] = {"x": clean(recall), "y": clean(precision), "thresholds": clean(thr)}
    out["at"] = [at_threshold(y, s, t) for t in thresholds]
    return out


def bootstrap(y, s, t, resamples=500, seed=12345):
    rng = np.random.default_rng(seed)
    n = len(y)
    draws = {"roc_auc": [], "pr_auc": [], "accuracy": [], "f1": []}
    for _ in range(resamples):
        idx = rng.integers(0, n, n)
        yy, ss = y[idx], s[idx]
        pred = ss >= t
        if 0 < yy.sum() < n:
            draws["roc_auc"].append(metrics.roc_auc_score(yy, ss))
            draws["pr_auc"].append(metrics.average_precision_score(yy, ss))
        # Plain numpy for the threshold metrics: sklearn's per-call checks would dominate the run time.
        tp = np.sum(pred & (yy == 1))
        draws["accuracy"].append(np.mean(pred == (yy == 1)))
        draws["f1"].append(2 * tp / (np.sum(pred) + np.sum(yy == 1)))
    return {k: [float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5))] for k, v in draws.items()}


def main():
    samples, thresholds = {}, {}
    with open(sys.argv[1], newline="") as f:
        for row in csv.DictReader(f):
            labels, scores = samples.setdefault(row["set"], ([], []))
            labels.append(int(row["label"]))
            scores.append(float(row["score"]))
    with open(sys.argv[2], newline="") as f:
        for row in csv.DictReader(f):
            thresholds.setdefault(row["set"], []).append(float(row["threshold"]))
    result = {"sklearn_version": sklearn.__version__, "sets": {}}
    arrays = {}
    for name, (labels, scores) in samples.items():
        y, s = np.array(labels, dtype=int), np.array(scores, dtype=np.float64)
        arrays[name] = (y, s)
        result["sets"][name] = one_set(y, s, thresholds.get(name, []))
    if len(sys.argv) > 3:
        name = sys.argv[3]
        y, s = arrays[name]
        result["bootstrap"] = bootstrap(y, s, thresholds[name][0])
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
