"""scikit-learn's side of bench/features/preprocess.ts: times the same preprocessing on the same CSV.

    /usr/bin/python3 bench/features/preprocess.py DATA.csv REPEATS

Prints one JSON line: best-of-REPEATS seconds for fit_transform and transform of each block.
"""
import json
import sys
import time

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

path, repeats = sys.argv[1], int(sys.argv[2])
df = pd.read_csv(path, keep_default_na=True)
numeric = [c for c in df.columns if c.startswith("num")]
categorical = [c for c in df.columns if c.startswith("cat")]
df[categorical] = df[categorical].astype(object)
df["text"] = df["text"].fillna("")

blocks = {
    "numeric": ColumnTransformer([("n", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric)]),
    "categorical": ColumnTransformer([("c", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore", sparse_output=False)), categorical)]),
    "text": ColumnTransformer([("t", TfidfVectorizer(max_features=1000), "text")]),
}
out = {}
for name, ct in blocks.items():
    best_fit = best_tr = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        X = ct.fit_transform(df)
        t1 = time.perf_counter()
        ct.transform(df)
        t2 = time.perf_counter()
        best_fit, best_tr = min(best_fit, t1 - t0), min(best_tr, t2 - t1)
    out[name] = {"fit_transform_s": best_fit, "transform_s": best_tr, "features": X.shape[1]}
print(json.dumps(out))
