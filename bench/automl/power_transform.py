#!/usr/bin/python3
"""Does a Yeo-Johnson power transform help a logistic regression? scikit-learn's default logistic
regression (peers.py's preprocessing: median imputation, standardisation, one-hot) against the same
model after PowerTransformer(method='yeo-johnson') on the numeric columns, on many seeded 80/20
splits of breast cancer and Titanic (peers.py's split 42 left out: it is the issue's test split).

  /usr/bin/python3 bench/automl/power_transform.py [SPLITS=60]

Prints, per data set, the mean test ROC AUC of each and on how many splits the transform wins, ties,
loses. The evidence behind the linear learners' `powerTransform` option (src/learners/linear/yeo-johnson.ts)
and behind searching it rather than always applying it (it helps breast cancer and hurts Titanic).
"""
import os, sys, warnings
import numpy as np, pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, PowerTransformer, StandardScaler

warnings.filterwarnings("ignore")
splits = int(sys.argv[1]) if len(sys.argv) > 1 else 60
here = os.path.dirname(os.path.abspath(__file__))
titanic = pd.read_csv(os.path.join(here, "..", "..", "examples", "titanic", "titanic.csv")).drop(columns=["PassengerId", "Name", "Ticket", "Cabin"])
sets = [("breast_cancer", load_breast_cancer(as_frame=True).frame, "target"), ("titanic", titanic, "Survived")]

for name, df, target in sets:
    X, y = df.drop(columns=[target]), df[target].values
    num = [c for c in X.columns if X[c].dtype.kind in "biuf"]
    cat = [c for c in X.columns if c not in num]

    def model(numeric_scaler):
        parts = [("num", make_pipeline(SimpleImputer(strategy="median"), numeric_scaler), num)]
        if cat:
            parts.append(("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")), cat))
        return make_pipeline(ColumnTransformer(parts, sparse_threshold=0), LogisticRegression(max_iter=3000))

    plain, power = [], []
    for seed in [s for s in range(splits + 1) if s != 42][:splits]:
        Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=seed, stratify=y)
        for scores, scaler in ((plain, StandardScaler()), (power, PowerTransformer())):
            scores.append(roc_auc_score(yte, model(scaler).fit(Xtr, ytr).predict_proba(Xte)[:, 1]))
    plain, power = np.array(plain), np.array(power)
    print(f"{name}: {splits} splits, mean test AUC plain {plain.mean():.4f}, Yeo-Johnson {power.mean():.4f}; "
          f"transform wins {np.sum(power > plain + 1e-12)}, ties {np.sum(np.abs(power - plain) <= 1e-12)}, loses {np.sum(power < plain - 1e-12)}")
