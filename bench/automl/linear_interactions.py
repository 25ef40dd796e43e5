#!/usr/bin/python3
"""Evidence behind the linear learners' `interactions` option (src/learners/linear/pairwise-interactions.ts,
searched by AutoML on small data): does a logistic regression
on pairwise products of the prepared features (one-hot categories x standardised numbers, e.g. Sex x
Pclass) beat the plain one, judged by repeated 5-fold cross-validation on the TRAINING part only?
The test part's AUC is printed beside it for the record, never used to choose.

  /usr/bin/python3 bench/automl/linear_interactions.py [bench/out/automl]   (after bench/automl/automl.ts made the split)
"""
import os, sys, warnings
import numpy as np, pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import RepeatedStratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, PolynomialFeatures, StandardScaler

warnings.filterwarnings("ignore")
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "out", "automl")
for data, target in [("titanic", "Survived"), ("breast_cancer", "target")]:
    train = pd.read_csv(os.path.join(out, data, "train.csv")); test = pd.read_csv(os.path.join(out, data, "test.csv"))
    y = train.pop(target).values; y_test = test.pop(target).values
    num = [c for c in train.columns if train[c].dtype.kind in "biuf"]; cat = [c for c in train.columns if c not in num]
    prep = lambda: ColumnTransformer([("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), num),
                                      ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")), cat)], sparse_threshold=0)
    models = {f"logreg C={C}": make_pipeline(prep(), LogisticRegression(C=C, max_iter=5000)) for C in [0.1, 1]}
    models.update({f"logreg + pairwise products C={C}": make_pipeline(prep(), PolynomialFeatures(2, interaction_only=True, include_bias=False), StandardScaler(), LogisticRegression(C=C, max_iter=5000)) for C in [0.03, 0.1, 1]})
    cv = RepeatedStratifiedKFold(n_splits=5, n_repeats=3, random_state=0)
    print(f"{data}: 3x5-fold CV AUC on the training part (mean ± standard error), test AUC")
    for name, m in models.items():
        s = cross_val_score(m, train, y, cv=cv, scoring="roc_auc")
        t = roc_auc_score(y_test, m.fit(train, y).predict_proba(test)[:, 1])
        print(f"  {name:38s} cv {s.mean():.4f} ± {s.std(ddof=1) / np.sqrt(len(s)):.4f}   test {t:.4f}")
