#!/usr/bin/python3
"""Does cross-validation on Titanic's training part rank models as its 179 test rows do? scikit-learn's own
answer, for bench/automl's Titanic row (docs/benchmarks.md, "AutoML"): the same seeded split as
../shared/bench/peers.py, the same preprocessing, 5-fold and 3x5-fold CV AUC against test AUC for a random
forest of the kind Kiln's search favours, the default forest and logistic regression, and logistic regression
with pairwise interactions; then equal-weight blends of their out-of-fold / test predictions.

  /usr/bin/python3 bench/automl/cv_vs_test.py
"""
import os
import numpy as np, pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split, cross_val_score, StratifiedKFold, RepeatedStratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler, PolynomialFeatures
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn import metrics
df = pd.read_csv(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'examples', 'titanic', 'titanic.csv')).drop(columns=["PassengerId","Name","Ticket","Cabin"])
y = df.Survived.values; X = df.drop(columns=['Survived'])
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=42, stratify=y)
num=[c for c in X.columns if X[c].dtype.kind in 'biuf']; cat=[c for c in X.columns if c not in num]
def prep(scale): return ColumnTransformer([("num", make_pipeline(*([SimpleImputer(strategy="median")]+([StandardScaler()] if scale else []))), num),("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")), cat)], sparse_threshold=0)
models = {
 'rf msl5 mf0.5 200': make_pipeline(prep(False), RandomForestClassifier(200, min_samples_leaf=5, max_features=0.5, random_state=0)),
 'rf default': make_pipeline(prep(False), RandomForestClassifier(100, random_state=0)),
 'lr': make_pipeline(prep(True), LogisticRegression(max_iter=2000)),
 'lr inter C0.03': make_pipeline(prep(True), PolynomialFeatures(2, interaction_only=True, include_bias=False), StandardScaler(), LogisticRegression(C=0.03, max_iter=5000)),
}
for n,m in models.items():
    cv = cross_val_score(m, Xtr, ytr, cv=StratifiedKFold(5, shuffle=True, random_state=0), scoring='roc_auc').mean()
    rcv = cross_val_score(m, Xtr, ytr, cv=RepeatedStratifiedKFold(n_splits=5, n_repeats=3, random_state=1), scoring='roc_auc').mean()
    m.fit(Xtr,ytr); t = metrics.roc_auc_score(yte, m.predict_proba(Xte)[:,1])
    print(f'{n:22s} cv5 {cv:.4f} rcv {rcv:.4f} test {t:.4f}')
from sklearn.model_selection import cross_val_predict
from sklearn.ensemble import HistGradientBoostingClassifier
skf = StratifiedKFold(5, shuffle=True, random_state=0)
names = ['rf msl5 mf0.5 200','lr inter C0.03','lr']
models['hgb reg'] = make_pipeline(prep(False), HistGradientBoostingClassifier(max_iter=100, learning_rate=0.05, max_leaf_nodes=8, min_samples_leaf=20, random_state=0))
names.append('hgb reg')
oof = {n: cross_val_predict(models[n], Xtr, ytr, cv=skf, method='predict_proba')[:,1] for n in names}
te = {}
for n in names:
    models[n].fit(Xtr,ytr); te[n]=models[n].predict_proba(Xte)[:,1]
import itertools
for k in (2,3):
  for combo in itertools.combinations(names,k):
    o = np.mean([oof[c] for c in combo],axis=0); t=np.mean([te[c] for c in combo],axis=0)
    print(combo, f'cv {metrics.roc_auc_score(ytr,o):.4f} test {metrics.roc_auc_score(yte,t):.4f}')
for n in names: print(n, f'oof {metrics.roc_auc_score(ytr,oof[n]):.4f} test {metrics.roc_auc_score(yte,te[n]):.4f}')
