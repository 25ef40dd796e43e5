#!/usr/bin/python3
"""The peer side of bench/modules/recommend.ts: numpy only (no recommender library is packaged for
Debian's Python here), on the exact train/test files the TypeScript side wrote.

    /usr/bin/python3 bench/modules/recommend_peer.py TRAIN.csv TEST.csv FACTORS REG EPOCHS K WEIGHTED

Prints one JSON line: the mean-rating baseline, a plain numpy biased ALS (the same model and settings
as Kiln's mf-als: r = mu + b_u + b_i + p_u.q_i, penalty lambda per row, or lambda times the row's rating
count when WEIGHTED is 1, ALS-WR) with its fit time, RMSE, MAE and top-k metrics, and the popularity
baseline's top-k metrics.
"""
import json
import sys
import time

import numpy as np
import pandas as pd


def ranking(scores_of, train_items_by_user, test_items_by_user, item_ids, k):
    """precision@k, recall@k, NDCG@k (binary relevance, seen items excluded), averaged over test users."""
    p = r = n = 0.0
    users = 0
    for user, relevant in test_items_by_user.items():
        scores = scores_of(user).copy()
        seen = train_items_by_user.get(user)
        if seen is not None:
            scores[seen] = -np.inf
        top = np.argsort(-scores, kind="stable")[:k]
        hits = [1.0 if item_ids[i] in relevant else 0.0 for i in top]
        dcg = sum(h / np.log2(rank + 2) for rank, h in enumerate(hits))
        idcg = sum(1 / np.log2(rank + 2) for rank in range(min(k, len(relevant))))
        p += sum(hits) / k
        r += sum(hits) / len(relevant)
        n += dcg / idcg
        users += 1
    return {"precision": p / users, "recall": r / users, "ndcg": n / users, "users": users}


def main():
    train_csv, test_csv, factors, reg, epochs, k, weighted = sys.argv[1:8]
    factors, reg, epochs, k, weighted = int(factors), float(reg), int(epochs), int(k), weighted == "1"
    train = pd.read_csv(train_csv, dtype={"user": str, "item": str})
    test = pd.read_csv(test_csv, dtype={"user": str, "item": str})
    users = pd.Index(train.user.unique())
    items = pd.Index(train.item.unique())
    u = users.get_indexer(train.user)
    i = items.get_indexer(train.item)
    r = train.rating.to_numpy(dtype=np.float64)
    n_users, n_items = len(users), len(items)
    mu = r.mean()

    rows_of_user = [np.flatnonzero(u == x) for x in range(n_users)]
    order = np.argsort(i, kind="stable")
    bounds = np.searchsorted(i[order], np.arange(n_items + 1))
    rows_of_item = [order[bounds[x]:bounds[x + 1]] for x in range(n_items)]

    rng = np.random.default_rng(42)
    started, cpu_started = time.perf_counter(), time.process_time()
    P = rng.normal(0, 0.1, (n_users, factors))
    Q = rng.normal(0, 0.1, (n_items, factors))
    bu = np.zeros(n_users)
    bi = np.zeros(n_items)
    eye = np.eye(factors + 1)

    def half_step(rows_of, other_idx, fixed, fixed_bias, solved, solved_bias):
        for x, rows in enumerate(rows_of):
            if len(rows) == 0:
                continue
            X = np.hstack([fixed[other_idx[rows]], np.ones((len(rows), 1))])
            y = r[rows] - mu - fixed_bias[other_idx[rows]]
            w = np.linalg.solve(X.T @ X + reg * (len(rows) if weighted else 1) * eye, X.T @ y)
            solved[x] = w[:factors]
            solved_bias[x] = w[factors]

    for _ in range(epochs):
        half_step(rows_of_user, i, Q, bi, P, bu)
        half_step(rows_of_item, u, P, bu, Q, bi)
    fit_s, cpu_s = time.perf_counter() - started, time.process_time() - cpu_started

    tu = users.get_indexer(test.user)
    ti = items.get_indexer(test.item)
    known_u, known_i = tu >= 0, ti >= 0
    pred = np.full(len(test), mu)
    pred += np.where(known_u, bu[np.maximum(tu, 0)], 0) + np.where(known_i, bi[np.maximum(ti, 0)], 0)
    both = known_u & known_i
    pred[both] += np.einsum("ij,ij->i", P[tu[both]], Q[ti[both]])
    err = test.rating.to_numpy() - pred

    train_items_by_user = {users[x]: i[rows] for x, rows in enumerate(rows_of_user)}
    test_items_by_user = {user: set(g.item) for user, g in test.groupby("user")}
    item_ids = items.to_numpy()
    user_index = {user: x for x, user in enumerate(users)}
    popularity = np.bincount(i, minlength=n_items) / n_users

    def mf_scores(user):
        x = user_index.get(user)
        if x is None:
            return popularity
        return mu + bu[x] + bi + Q @ P[x]

    print(json.dumps({
        "mean_baseline_rmse": float(np.sqrt(np.mean((test.rating.to_numpy() - mu) ** 2))),
        "als": {
            "fit_s": fit_s,
            "cpu_s": cpu_s,
            "rmse": float(np.sqrt(np.mean(err ** 2))),
            "mae": float(np.mean(np.abs(err))),
            **ranking(mf_scores, train_items_by_user, test_items_by_user, item_ids, k),
        },
        "popularity": ranking(lambda user: popularity, train_items_by_user, test_items_by_user, item_ids, k),
        "numpy": np.__version__,
    }))


if __name__ == "__main__":
    main()
