#!/usr/bin/python3
"""Peer of tools/bench/validate/run.mjs: what DESCQA v1 does with a catalog's two mass columns.

Loads halo_mass and stellar_mass whole with python zarr (as GCRCatalogs hands DESCQA whole
quantities), histograms log10 halo_mass in the HMF test's equal bins and log10(M* h^2) in the bins
of the Li & White 2009 table (the file the SMF test reads), and prints one JSON line: the counts,
the seconds of each step and ru_maxrss (KiB on Linux) from getrusage(RUSAGE_SELF) at the end.

Usage: peer.py ZARR_GROUP HALO_COLUMN STELLAR_COLUMN HMF_MIN HMF_MAX HMF_COUNT LI_WHITE_FILE H
"""
import json
import resource
import sys
import time

import numpy as np
import zarr


def main():
    group, halo_col, stellar_col = sys.argv[1:4]
    lo, hi, count = float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
    li_white, h = sys.argv[7], float(sys.argv[8])
    t0 = time.perf_counter()
    g = zarr.open_group(group, mode="r")
    halo_mass = g[halo_col][:]
    stellar_mass = g[stellar_col][:]
    t1 = time.perf_counter()
    with np.errstate(divide="ignore", invalid="ignore"):
        lm = np.log10(halo_mass)
    hmf_edges = np.linspace(lo, hi, count + 1)
    hmf_counts, _ = np.histogram(lm[np.isfinite(lm)], bins=hmf_edges)
    table = np.loadtxt(li_white, comments="#")
    smf_edges = np.append(table[:, 0], table[-1, 1])
    positive = stellar_mass[stellar_mass > 0]
    x = np.log10(positive) + 2 * np.log10(h)
    smf_counts, _ = np.histogram(x, bins=smf_edges)
    t2 = time.perf_counter()
    print(
        json.dumps(
            {
                "rows": int(halo_mass.shape[0]),
                "hmfCounts": hmf_counts.tolist(),
                "smfCounts": smf_counts.tolist(),
                "loadSeconds": t1 - t0,
                "histogramSeconds": t2 - t1,
                "maxRssKiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "zarr": zarr.__version__,
                "numpy": np.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
