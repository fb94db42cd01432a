"""Reference values for tests/core/training/test_metrics.cpp, computed with scikit-learn.

Usage: metrics_sklearn.py SAMPLES_CSV THRESHOLDS_CSV [BOOTSTRAP_SET]
  SAMPLES_CSV:    set,label,score   (scores written with 17 significant digits, so they are exact)
  THRESHOLDS_CSV: set,threshold
Prints one JSON object {set: {...}} on stdout; NaN and infinities are written as null / "inf".
With BOOTSTRAP_SET, also that set's bootstrap intervals (its first threshold) under "bootstrap": the same
resamples as rm::bootstrapMetrics (seed 7, 1000 resamples, level 0.95), scored by scikit-learn, cut by numpy.
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


GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def splitmix64_below(seed, n, count):
    """The first `count` draws of rm::SplitMix64(seed).below(n) (core/util/Random.h: SplitMix64's output, then
    Lemire's multiply-shift), vectorised: the k-th output scrambles seed + (k + 1) * golden. Lemire rejects a
    draw only when the low half of x * n is below n, which for n < 2**32 happens with probability n / 2**64:
    never here, and checked."""
    assert 0 < n < 2**32
    with np.errstate(over="ignore"):
        z = np.uint64(seed) + (np.arange(count, dtype=np.uint64) + np.uint64(1)) * GOLDEN
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
        nn = np.uint64(n)
        hi, lo = z >> np.uint64(32), z & np.uint64(0xFFFFFFFF)
        lo_n = lo * nn  # < 2**64
        high = (hi * nn + (lo_n >> np.uint64(32))) >> np.uint64(32)
        low = ((hi * nn) << np.uint64(32)) + lo_n  # x * n mod 2**64
    assert not np.any(low < nn), "a Lemire rejection: draw sequentially"
    return high.astype(np.int64)


def bootstrap(y, s, t, resamples=1000, seed=7, level=0.95):
    """rm::bootstrapMetrics(labels, scores, t, resamples, seed, level) recomputed independently: the same
    resamples (the same SplitMix64 draws, resample b taking draws b*n .. b*n+n-1), each scored by scikit-learn
    (a one-class resample has no AUCs and is skipped for them), and numpy's percentile (linear) at
    (1 - level) / 2 and (1 + level) / 2. The C++ test compares to 1e-9: any change in the percentile index, the
    resampling or the metrics shows."""
    n = len(y)
    idx = splitmix64_below(seed, n, resamples * n).reshape(resamples, n)
    draws = {"roc_auc": [], "pr_auc": [], "accuracy": [], "precision": [], "recall": [], "f1": []}
    for b in range(resamples):
        yy, ss = y[idx[b]], s[idx[b]]
        pred = (ss >= t).astype(int)
        if 0 < yy.sum() < n:
            draws["roc_auc"].append(metrics.roc_auc_score(yy, ss))
            draws["pr_auc"].append(metrics.average_precision_score(yy, ss))
        # Plain numpy for the threshold metrics: sklearn's per-call checks would dominate the run time.
        tp = int(np.sum((pred == 1) & (yy == 1)))
        fp = int(np.sum((pred == 1) & (yy == 0)))
        fn = int(np.sum((pred == 0) & (yy == 1)))
        draws["accuracy"].append(np.mean(pred == yy))
        # An undefined ratio (0 / 0) is no draw, as in the C++.
        if tp + fp > 0:
            draws["precision"].append(tp / (tp + fp))
        if tp + fn > 0:
            draws["recall"].append(tp / (tp + fn))
        if 2 * tp + fp + fn > 0:
            draws["f1"].append(2 * tp / (2 * tp + fp + fn))
    q = [100 * (1 - level) / 2, 100 * (1 + level) / 2]
    return {k: [float(np.percentile(v, q[0])), float(np.percentile(v, q[1]))] for k, v in draws.items()}


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
