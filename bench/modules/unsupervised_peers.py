"""scikit-learn peers of the segments and anomalies modules (called by bench/modules/segments.ts and anomalies.ts).

    /usr/bin/python3 bench/modules/unsupervised_peers.py segments CSV K SEED
    /usr/bin/python3 bench/modules/unsupervised_peers.py anomalies CSV CONTAMINATION SEED

The same preprocessing as Kiln's default (median imputation + standardisation of numbers, most-frequent
imputation + one-hot of categories), then KMeans(n_clusters=K, n_init=10) or
IsolationForest(contamination=...), fitted on every row. Prints one JSON line: the quality
(adjusted Rand index against true_segment; precision@k at k = the planted anomalies, ROC AUC) and the fit seconds.
"""
import json
import sys
import time

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import IsolationForest
from sklearn.impute import SimpleImputer
from sklearn.metrics import adjusted_rand_score, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def preprocessing(numeric, categorical):
    return ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")), categorical),
    ])


def segments(path, k, seed):
    df = pd.read_csv(path)
    started = time.perf_counter()
    X = preprocessing(["age", "spend", "visits"], ["channel"]).fit_transform(df)
    labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(X)
    seconds = time.perf_counter() - started
    return {"ari": adjusted_rand_score(df["true_segment"], labels), "fit_s": seconds, "rows": len(df)}


def anomalies(path, contamination, seed):
    df = pd.read_csv(path)
    started = time.perf_counter()
    X = preprocessing(["amount", "hour", "items", "distance_km"], ["merchant"]).fit_transform(df)
    forest = IsolationForest(contamination=contamination, random_state=seed).fit(X)
    seconds = time.perf_counter() - started
    scores = -forest.score_samples(X)
    known = df["is_fraud"].to_numpy()
    k = int(known.sum())
    top = np.argsort(-scores, kind="stable")[:k]
    return {"precision_at_k": float(known[top].sum() / k), "roc_auc": roc_auc_score(known, scores), "k": k, "fit_s": seconds, "rows": len(df)}


if __name__ == "__main__":
    what, path = sys.argv[1], sys.argv[2]
    if what == "segments":
        print(json.dumps(segments(path, int(sys.argv[3]), int(sys.argv[4]))))
    else:
        print(json.dumps(anomalies(path, float(sys.argv[3]), int(sys.argv[4]))))
