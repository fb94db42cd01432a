"""Reference fit for tests/core/training/test_cross_validation.cpp: scikit-learn's L2 logistic regression on the same
standardised features, weights and strength.

Usage: logistic_sklearn.py ROWS_CSV LAMBDA
  ROWS_CSV: label,weight,x1,...,xd  (features already standardised by the C++ side, 17 digits)
RingMiner minimises (1/W) sum_i w_i loss_i + lambda/2 |beta|^2 with W = sum_i w_i and the bias unpenalised;
scikit-learn minimises C sum_i w_i loss_i + 1/2 |beta|^2, the same optimum for C = 1 / (lambda W).
Prints {"coef": [...], "intercept": b} on stdout.
"""
import csv
import json
import sys

try:
    import numpy as np
    from sklearn.linear_model import LogisticRegression
except ImportError as e:
    sys.stderr.write("python3-sklearn (and numpy) are required for this test: %s\n" % e)
    sys.exit(3)

rows = list(csv.reader(open(sys.argv[1])))
lam = float(sys.argv[2])
y = np.array([int(r[0]) for r in rows])
w = np.array([float(r[1]) for r in rows])
x = np.array([[float(v) for v in r[2:]] for r in rows])
model = LogisticRegression(C=1.0 / (lam * w.sum()), solver="lbfgs", tol=1e-12, max_iter=100000)
model.fit(x, y, sample_weight=w)
print(json.dumps({"coef": model.coef_[0].tolist(), "intercept": float(model.intercept_[0])}))
