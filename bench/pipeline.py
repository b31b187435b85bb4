"""Benchmark: the whole pipeline on a sample world, wall time per stage and held-out figures.

    python bench/pipeline.py --size small      (what `make run` also records)
Writes bench/results/pipeline.json. Runs in a temporary Dagster home and data folder.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, table  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="small", choices=["tiny", "small", "large"])
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["ITOO_DATA_DIR"] = str(Path(tmp) / "data")
        os.environ["DAGSTER_HOME"] = str(Path(tmp) / "home")
        Path(os.environ["DAGSTER_HOME"]).mkdir()
        import dagster as dg

        from itoo_assets.full_run import run_everything

        summary = run_everything(args.size, args.seed, instance=dg.DagsterInstance.get(),
                                 results_path=RESULTS / "pipeline.json", log=print)
    print(table([{"stage": k, "seconds": v} for k, v in summary["stage_seconds"].items()]))
    print(table([{"figure": f["label"].strip(), "value": f["value"] if f["value"] is not None else float("nan")}
                 for f in summary["figures"]]))
    print(f"total {summary['total_seconds']} s -> {RESULTS / 'pipeline.json'}")


if __name__ == "__main__":
    main()
