"""Benchmark: per-category HNSW index vs exact search (the baseline, measured in the same run).

    python bench/search_index.py [--n 20000 --dim 128 --queries 1000]
Prints recall@10, build time and queries per second for exact numpy, one HNSW shard and four
shards at three ef_search values; writes bench/results/search_index.json.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import conditions, table, write  # noqa: E402

from itoo.search_index import build_index, exact_search  # noqa: E402


def clustered(n: int, dim: int, rng, centres: int = 64) -> np.ndarray:
    c = rng.normal(size=(centres, dim)).astype(np.float32)
    return (c[rng.integers(0, centres, n)] + 0.35 * rng.normal(size=(n, dim))).astype(np.float32)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--queries", type=int, default=1000)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    vectors = clustered(args.n, args.dim, rng)
    queries = clustered(args.queries, args.dim, rng)
    ids = [f"i{i}" for i in range(args.n)]

    t0 = time.perf_counter()
    exact_search(vectors, ids, queries, 10)
    exact_s = time.perf_counter() - t0
    rows = [{"method": "exact numpy", "build_s": 0.0, "recall_at_10": 1.0, "qps": args.queries / exact_s,
             "speedup_vs_exact": 1.0}]
    for name, shard_size in (("hnsw, 1 shard", args.n), ("hnsw, 4 shards", -(-args.n // 4))):
        t0 = time.perf_counter()
        index = build_index(vectors, ids, shard_size=shard_size, exact_below=256)
        build_s = time.perf_counter() - t0
        for ef in (64, 128, 256):
            t0 = time.perf_counter()
            got, _ = index.search(queries, 10, ef_search=ef)
            search_s = time.perf_counter() - t0
            exact_ids, _ = exact_search(vectors, ids, queries, 10)
            recall = float(np.mean([len(set(g) & set(e)) / len(e) for g, e in zip(got, exact_ids)]))
            rows.append({"method": f"{name}, ef={ef}", "build_s": build_s, "recall_at_10": recall,
                         "qps": args.queries / search_s, "speedup_vs_exact": exact_s / search_s})
    print(table(rows))
    path = write("search_index", {"name": "search_index", "conditions": conditions(n=args.n, dim=args.dim,
                                                                                  queries=args.queries),
                                  "rows": rows})
    print(f"-> {path}")


if __name__ == "__main__":
    main()
