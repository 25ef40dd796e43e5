"""scikit-learn's side of bench/modules/sentiment.ts (and the maker of Kiln's test fixture).

Reads the sentences (CSV with sentence,label,source) and the fold of every row as Kiln assigned it
(JSON {"fold": [...]}) so both sides train and test on exactly the same rows, then reports:
  - 5-fold accuracy of TfidfVectorizer() + LogisticRegression() (scikit-learn's defaults),
  - the same for the configuration Kiln's module picks on this data (word 1-2-grams + char 2-5-grams
    TF-IDF, sublinear tf, min_df 2, logistic regression C=10),
  - the cross-domain case: train on two sources, test on the third, all three rotations.

    /usr/bin/python3 bench/modules/sentiment_peer.py --data examples/sentiment/sentiment.csv \
        --folds bench/out/sentiment-folds.json --out bench/out/sentiment-peer.json \
        [--fixture test/modules/text/fixtures/sentiment-sklearn.json]
"""
import argparse
import json
import time

import numpy as np
import pandas as pd
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline, make_union


def default_pipeline():
    # max_iter raised so lbfgs converges (the default 100 stops early on some folds); C=1 as default.
    return make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000))


def kiln_choice_pipeline():
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, max_features=50000)
    chars = TfidfVectorizer(analyzer="char", ngram_range=(2, 5), sublinear_tf=True, min_df=2, max_features=50000)
    return make_pipeline(make_union(words, chars), LogisticRegression(C=10, max_iter=1000))


def evaluate(make, texts, y, train, test):
    started = time.perf_counter()
    model = make().fit(texts[train], y[train])
    fit_s = time.perf_counter() - started
    return float((model.predict(texts[test]) == y[test]).mean()), fit_s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--folds", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--fixture")
    args = ap.parse_args()

    df = pd.read_csv(args.data, keep_default_na=False)
    texts = df["sentence"].to_numpy(dtype=object)
    y = df["label"].to_numpy()
    sources = df["source"].to_numpy(dtype=object)
    fold = np.asarray(json.load(open(args.folds))["fold"])
    k = int(fold.max()) + 1

    result = {"sklearn": sklearn.__version__, "folds": k, "configs": {}}
    for name, make in (("sklearn-default", default_pipeline), ("kiln-choice", kiln_choice_pipeline)):
        per_fold, fit_s = [], []
        for f in range(k):
            acc, secs = evaluate(make, texts, y, fold != f, fold == f)
            per_fold.append(acc)
            fit_s.append(secs)
        cross = {}
        for held in ("amazon", "imdb", "yelp"):
            acc, _ = evaluate(make, texts, y, sources != held, sources == held)
            cross[held] = acc
        result["configs"][name] = {"cv_accuracy": float(np.mean(per_fold)), "per_fold": per_fold, "fit_s": float(np.mean(fit_s)), "cross_domain": cross}

    with open(args.out, "w") as out:
        json.dump(result, out, indent=2)
    if args.fixture:
        d = result["configs"]["sklearn-default"]
        fixture = {
            "made_by": "bench/modules/sentiment_peer.py --fixture (scikit-learn " + sklearn.__version__ + ")",
            "pipeline": "TfidfVectorizer() + LogisticRegression(max_iter=1000)",
            "fold": fold.tolist(),
            "cv_accuracy": d["cv_accuracy"],
            "per_fold": d["per_fold"],
        }
        with open(args.fixture, "w") as out:
            json.dump(fixture, out)


if __name__ == "__main__":
    main()
