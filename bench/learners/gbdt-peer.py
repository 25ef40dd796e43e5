#!/usr/bin/python3
"""The scikit-learn side of bench/learners/gbdt.ts (run it through that script).

  /usr/bin/python3 bench/learners/gbdt-peer.py ARRAYS_DIR THREADS

Fits HistGradientBoostingClassifier with ../shared/bench/peers.py's settings (100 trees, 31 leaves,
learning rate 0.1, 255 bins, min_samples_leaf 20, no early stopping, random_state 42) on exactly the
arrays Kiln fits on (ARRAYS_DIR/{Xtrain,ytrain,Xtest,ytest}.f64, written by bench/learners/split-arrays.ts),
so both processes do the same work: read binary arrays, fit, predict. Prints one JSON line with the fit's
wall and CPU seconds (time.process_time: this process's user + system time) and the test AUC.
"""
import json, os, sys, time
arrays, threads = sys.argv[1], int(sys.argv[2])
for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[v] = str(threads)
import numpy as np
from threadpoolctl import threadpool_limits
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

shape = json.load(open(os.path.join(arrays, "shape.json")))
read = lambda name, rows: np.fromfile(os.path.join(arrays, name + ".f64"), dtype=np.float64).reshape(rows, -1)
Xtr, ytr = read("Xtrain", shape["train"]), read("ytrain", shape["train"]).ravel().astype(np.int64)
Xte, yte = read("Xtest", shape["test"]), read("ytest", shape["test"]).ravel().astype(np.int64)
model = HistGradientBoostingClassifier(max_iter=100, learning_rate=0.1, max_leaf_nodes=31, max_bins=255,
                                       min_samples_leaf=20, early_stopping=False, random_state=42)
with threadpool_limits(limits=threads):
    t, c = time.perf_counter(), time.process_time()
    model.fit(Xtr, ytr)
    fit_s, fit_cpu_s = time.perf_counter() - t, time.process_time() - c
    auc = roc_auc_score(yte, model.predict_proba(Xte)[:, 1])
print(json.dumps({"fit_s": fit_s, "fit_cpu_s": fit_cpu_s, "auc": float(auc), "trees": int(model.n_iter_)}))
