#!/usr/bin/python3
"""The peers' side of bench/automl: split each data set exactly as ../shared/bench/peers.py does
(seeded 80/20, stratified for classification), save the two parts as CSV for Kiln, and score
scikit-learn's and XGBoost's default models (logreg, rf, hgb, xgb) on the same test part.

  /usr/bin/python3 bench/automl/peers_on_split.py OUT_DIR SYNTH_REG_CSV [SPLIT_SEED] [ONLY]

prints one JSON line per (data set, model). SPLIT_SEED (default 42, peers.py's) draws another train/test
split of the same data, to see how much of a comparison is the luck of one split. ONLY (comma-separated
names) limits the data sets.
"""
import json, os, sys, time
import numpy as np, pandas as pd
from sklearn import metrics
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler, LabelEncoder

out_dir, synth_reg = sys.argv[1], sys.argv[2]
split_seed = int(sys.argv[3]) if len(sys.argv) > 3 else 42
only = sys.argv[4].split(',') if len(sys.argv) > 4 else None
here = os.path.dirname(os.path.abspath(__file__))
# each data set is read only when asked for (synth_reg is 200,000 rows)
titanic = lambda: pd.read_csv(os.path.join(here, "..", "..", "examples", "titanic", "titanic.csv")).drop(columns=["PassengerId", "Name", "Ticket", "Cabin"])
bc = lambda: load_breast_cancer(as_frame=True).frame.rename(columns=lambda c: c.replace(" ", "_"))
sets = [("titanic", titanic, "Survived", False), ("breast_cancer", bc, "target", False), ("synth_reg", lambda: pd.read_csv(synth_reg), "target", True)]

def model(name, reg, seed=42):
    if name == "logreg":
        from sklearn.linear_model import LogisticRegression, Ridge
        return Ridge(alpha=1.0) if reg else LogisticRegression(max_iter=2000, random_state=seed)
    if name == "rf":
        from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
        return (RandomForestRegressor if reg else RandomForestClassifier)(n_estimators=100, random_state=seed, n_jobs=2)
    if name == "hgb":
        from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
        return (HistGradientBoostingRegressor if reg else HistGradientBoostingClassifier)(max_iter=100, learning_rate=0.1, max_leaf_nodes=31, early_stopping=False, random_state=seed)
    import xgboost as xgb
    return (xgb.XGBRegressor if reg else xgb.XGBClassifier)(n_estimators=100, max_depth=6, learning_rate=0.3, tree_method="hist", n_jobs=2, random_state=seed)

for name, load, target, reg in sets:
    if only is not None and name not in only: continue
    df = load()
    y_raw = df[target]; X = df.drop(columns=[target])
    y = y_raw.values if reg else LabelEncoder().fit_transform(y_raw.astype(str))
    idx_tr, idx_te = train_test_split(np.arange(len(df)), test_size=0.2, random_state=split_seed, stratify=None if reg else y)
    d = os.path.join(out_dir, name); os.makedirs(d, exist_ok=True)
    df.iloc[idx_tr].to_csv(os.path.join(d, "train.csv"), index=False)
    df.iloc[idx_te].to_csv(os.path.join(d, "test.csv"), index=False)
    Xtr, Xte, ytr, yte = X.iloc[idx_tr], X.iloc[idx_te], y[idx_tr], y[idx_te]
    num = [c for c in X.columns if X[c].dtype.kind in "biuf"]; cat = [c for c in X.columns if c not in num]
    for m in ["logreg", "rf", "hgb", "xgb"]:
        steps = [SimpleImputer(strategy="median")] + ([StandardScaler()] if m == "logreg" else [])
        prep = ColumnTransformer([("num", make_pipeline(*steps), num), ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")), cat)], sparse_threshold=0)
        pipe = make_pipeline(prep, model(m, reg))
        t0 = time.perf_counter(); pipe.fit(Xtr, ytr); fit_s = time.perf_counter() - t0
        row = dict(data=name, target=target, model=m, fit_s=round(fit_s, 3), n_train=len(ytr), n_test=len(yte))
        if reg:
            pred = pipe.predict(Xte)
            row.update(rmse=float(np.sqrt(metrics.mean_squared_error(yte, pred))), r2=float(metrics.r2_score(yte, pred)))
        else:
            proba = pipe.predict_proba(Xte)
            row.update(accuracy=float(metrics.accuracy_score(yte, proba.argmax(axis=1))), roc_auc=float(metrics.roc_auc_score(yte, proba[:, 1])), log_loss=float(metrics.log_loss(yte, proba)))
        print(json.dumps(row), flush=True)
