#!/usr/bin/env python3
"""The pull-step product through cuSPARSE, as a researcher's script would run it.

Reads a CSR matrix written by gpu-bench.ts (rowPtr.bin uint32, colIdx.bin uint32,
values.bin float32), multiplies it by a dense n x B float32 block, HOPS times per batch size,
with CuPy (cupyx.scipy.sparse) and PyTorch (torch.sparse_csr_tensor), each timed with CUDA
events after a warm-up. Prints a JSON list of {backend, runtime, batch, msPerProduct}.
Usage: cusparse.py DIR B1,B2,... HOPS
"""
import json
import sys

import numpy as np


def load(directory):
    row_ptr = np.fromfile(f"{directory}/rowPtr.bin", dtype=np.uint32).astype(np.int32)
    col_idx = np.fromfile(f"{directory}/colIdx.bin", dtype=np.uint32).astype(np.int32)
    values = np.fromfile(f"{directory}/values.bin", dtype=np.float32)
    return row_ptr, col_idx, values, len(row_ptr) - 1


def with_cupy(row_ptr, col_idx, values, n, batches, hops):
    import cupy as cp
    import cupyx.scipy.sparse as cps

    matrix = cps.csr_matrix((cp.asarray(values), cp.asarray(col_idx), cp.asarray(row_ptr)), shape=(n, n))
    rows = []
    for b in batches:
        x = cp.random.rand(n, b, dtype=cp.float32)
        y = matrix @ x  # warm-up: cuSPARSE handles and buffers
        start, end = cp.cuda.Event(), cp.cuda.Event()
        start.record()
        for _ in range(hops):
            y = matrix @ x
        end.record()
        end.synchronize()
        rows.append({"backend": "cusparse (cupy)", "runtime": f"cupy {cp.__version__}", "batch": b,
                     "msPerProduct": cp.cuda.get_elapsed_time(start, end) / hops})
        del x, y
    return rows


def with_torch(row_ptr, col_idx, values, n, batches, hops):
    import torch

    device = torch.device("cuda")
    matrix = torch.sparse_csr_tensor(torch.from_numpy(row_ptr).to(device), torch.from_numpy(col_idx).to(device),
                                     torch.from_numpy(values).to(device), size=(n, n))
    rows = []
    for b in batches:
        x = torch.rand(n, b, device=device, dtype=torch.float32)
        y = matrix @ x  # warm-up
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(hops):
            y = matrix @ x
        end.record()
        torch.cuda.synchronize()
        rows.append({"backend": "cusparse (torch)", "runtime": f"torch {torch.__version__}", "batch": b,
                     "msPerProduct": start.elapsed_time(end) / hops})
        del x, y
    return rows


def main():
    directory, batches, hops = sys.argv[1], [int(b) for b in sys.argv[2].split(",")], int(sys.argv[3])
    matrix = load(directory)
    rows = []
    for measure in (with_cupy, with_torch):
        try:
            rows += measure(*matrix, batches, hops)
        except Exception as error:  # a missing package or no CUDA: say so, measure the other
            print(f"{measure.__name__}: {type(error).__name__}: {error}", file=sys.stderr)
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
