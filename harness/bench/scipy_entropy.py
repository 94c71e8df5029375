# The script a researcher writes by hand: initiator entropy of `hops`-hop simple random walks
# on an undirected "u v" edge list, for the given terminals, in float32 or float64.
# Usage: python3 scipy_entropy.py EDGES TERMINALS_JSON HOPS float32|float64; prints JSON.
import json, sys, time, numpy as np, scipy.sparse as sp
started = time.perf_counter()
path, terminals, hops, dtype = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), np.dtype(sys.argv[4])
ids = np.fromfile(path, dtype=np.int64, sep=' ').reshape(-1, 2)
nodes, ends = np.unique(ids, return_inverse=True)
n, ends = len(nodes), ends.reshape(-1, 2)
A = sp.coo_matrix((np.ones(len(ends), dtype), (ends[:, 0], ends[:, 1])), shape=(n, n)).tocsr()
A = ((A + A.T) > 0).astype(dtype)  # undirected, simple
P = (sp.diags((1 / A.sum(axis=1).A1).astype(dtype)) @ A).tocsr()  # P_ij = 1/deg(i)
X = np.zeros((n, len(terminals)), dtype)
X[np.searchsorted(nodes, terminals), np.arange(len(terminals))] = 1
shannon = []
for hop in range(hops):
    X = P @ X  # column j: (P^t)_ij over initiators i
    p = X / X.sum(axis=0)
    shannon.append((-(p * np.log2(np.where(p > 0, p, 1))).sum(axis=0, dtype=np.float64)).tolist())
print(json.dumps({"seconds": time.perf_counter() - started, "shannon": shannon}))
