#!/usr/bin/python3
"""The scikit-learn side of bench/learners/linear-kmeans.ts (run it through that script).

  /usr/bin/python3 bench/learners/linear-kmeans.py DATA.csv OUT_DIR THREADS KMEANS_N_INIT

Splits DATA.csv (synth_clf: 28 features + `label`) 80/20 with a seeded stratified split, standardises
with the training part's mean and standard deviation, and writes the exact float64 arrays both sides
fit on (OUT_DIR/{Xtrain,ytrain,Xtest,ytest}.f64, row-major, plus shape.json). Then it times:
  - LogisticRegression(lbfgs, tol 1e-4, max_iter 2000): fit time (wall and CPU), test log loss;
  - KMeans(k=8, n_init=KMEANS_N_INIT, lloyd): fit time (wall and CPU) and training inertia.
Prints one JSON line.
"""
import json, os, sys, time
data, out, threads, n_init = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[v] = str(threads)
import numpy as np, pandas as pd
from threadpoolctl import threadpool_limits
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.model_selection import train_test_split

df = pd.read_csv(data)
y = df.pop("label").to_numpy().astype(np.int64)
X = df.to_numpy(dtype=np.float64)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=42, stratify=y)
mean, std = Xtr.mean(axis=0), Xtr.std(axis=0)
Xtr, Xte = (Xtr - mean) / std, (Xte - mean) / std
os.makedirs(out, exist_ok=True)
for name, arr in [("Xtrain", Xtr), ("ytrain", ytr.astype(np.float64)), ("Xtest", Xte), ("ytest", yte.astype(np.float64))]:
    np.ascontiguousarray(arr, dtype=np.float64).tofile(os.path.join(out, f"{name}.f64"))
with open(os.path.join(out, "shape.json"), "w") as f:
    json.dump({"train": len(ytr), "test": len(yte), "cols": X.shape[1]}, f)

result = {"threads": threads, "n_train": len(ytr), "n_test": len(yte)}
with threadpool_limits(limits=threads):
    t, c = time.perf_counter(), time.process_time()
    lr = LogisticRegression(solver="lbfgs", tol=1e-4, max_iter=2000).fit(Xtr, ytr)
    result["logreg_fit_s"] = time.perf_counter() - t
    result["logreg_cpu_s"] = time.process_time() - c
    p = lr.predict_proba(Xte)[:, 1]
    result["logreg_test_logloss"] = float(log_loss(yte, p))
    result["logreg_test_auc"] = float(roc_auc_score(yte, p))
    result["logreg_iterations"] = int(lr.n_iter_[0])

    t, c = time.perf_counter(), time.process_time()
    km = KMeans(n_clusters=8, n_init=n_init, algorithm="lloyd", random_state=0).fit(Xtr)
    result["kmeans_fit_s"] = time.perf_counter() - t
    result["kmeans_cpu_s"] = time.process_time() - c
    result["kmeans_inertia"] = float(km.inertia_)
    result["kmeans_iterations"] = int(km.n_iter_)
print(json.dumps(result))
