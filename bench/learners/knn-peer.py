#!/usr/bin/python3
"""The scikit-learn side of bench/learners/knn.ts (run it through that script).

  /usr/bin/python3 bench/learners/knn-peer.py DIR K REPEATS

Reads the float64 arrays knn.ts wrote (DIR/Xtrain.f64, Xtest.f64, shape.json) and times
NearestNeighbors(algorithm="brute").kneighbors for the held-out rows and for the training rows, one
thread, median of REPEATS, and the share of held-out rows whose k neighbours are the same set as Kiln's
(DIR/neighbours.i32). Prints one JSON line.
"""
import json, os, sys, time
d, k, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[v] = "1"
import numpy as np
from threadpoolctl import threadpool_limits
from sklearn.neighbors import NearestNeighbors

shape = json.load(open(os.path.join(d, "shape.json")))
Xtr = np.fromfile(os.path.join(d, "Xtrain.f64"), dtype=np.float64).reshape(shape["train"], shape["cols"])
Xte = np.fromfile(os.path.join(d, "Xtest.f64"), dtype=np.float64).reshape(shape["test"], shape["cols"])

def median_time(queries):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter(); nn.kneighbors(queries); times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2]

with threadpool_limits(limits=1):
    nn = NearestNeighbors(n_neighbors=k, algorithm="brute", n_jobs=1).fit(Xtr)
    test_s, train_s = median_time(Xte), median_time(Xtr)
    # held-out rows whose k neighbours are the same set as Kiln's (the order among equal distances may differ)
    theirs = nn.kneighbors(Xte, return_distance=False)
    ours = np.fromfile(os.path.join(d, "neighbours.i32"), dtype=np.int32).reshape(shape["test"], k)
    agree = float(np.mean([set(a) == set(b) for a, b in zip(theirs.tolist(), ours.tolist())]))
print(json.dumps({"test_s": test_s, "train_s": train_s, "agree": agree}))
