#!/usr/bin/python3
"""The scikit-learn side of bench/learners/mlp.ts (run it through that script).

  /usr/bin/python3 bench/learners/mlp.py DATA.csv ROWS OUT_DIR THREADS EPOCHS HIDDEN[,HIDDEN...] REPEATS

Takes the first ROWS rows of DATA.csv (synth_clf: 28 features + `label`; make_classification shuffles
its rows, so the first ROWS are a random sample), splits them 80/20 (seeded, stratified), standardises
with the training part's statistics and writes the exact float64 arrays both sides fit on
(OUT_DIR/{Xtrain,ytrain,Xtest,ytest}.f64, row-major, plus shape.json). Then it times
MLPClassifier(hidden, relu, adam, lr 1e-3, alpha 1e-4, batch 200) for exactly EPOCHS epochs
(tol 0 and n_iter_no_change = EPOCHS, so it never stops early), REPEATS times with random_state 0, 1, …,
and reports wall and CPU seconds per fit and the test accuracy. Prints one JSON line.
"""
import json, os, sys, time, warnings
data, rows, out, threads, epochs, hidden, repeats = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], int(sys.argv[7])
for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[v] = str(threads)
import numpy as np, pandas as pd
from threadpoolctl import threadpool_limits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

df = pd.read_csv(data, nrows=rows)
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

sizes = tuple(int(h) for h in hidden.split(","))
fits = []
with threadpool_limits(limits=threads), warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for seed in range(repeats):
        model = MLPClassifier(hidden_layer_sizes=sizes, activation="relu", solver="adam", alpha=1e-4, batch_size=200,
                              learning_rate_init=1e-3, max_iter=epochs, tol=0.0, n_iter_no_change=epochs, random_state=seed)
        wall, cpu = time.perf_counter(), time.process_time()
        model.fit(Xtr, ytr)
        fits.append({"seed": seed, "wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu,
                     "epochs": int(model.n_iter_), "accuracy": float((model.predict(Xte) == yte).mean())})
print(json.dumps({"threads": threads, "n_train": len(ytr), "n_test": len(yte), "fits": fits}))
