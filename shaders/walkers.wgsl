// walkers: independent Monte-Carlo random walks, one thread per walker.
//
// Walker w starts at starts[w]; at hop t it draws r = pcg(pcg(pcg(seed) + w) + t) >> 8 (24
// bits) and moves to colIdx[e] for the first e of its row with r < thresholds[e] (integer
// cumulative probabilities scaled to 2^24). It records the hop of its first compromised node,
// the node before it, whether the last hop is compromised, the node at hop recordHop, and its
// terminus. The same integers drive src/walks/walkers.ts, so a seed gives the same walks on
// every backend.
//
// Bindings (group 0):
//   0 uniform  params       { walkers in this dispatch, hops, recordHop, seed, groupsX,
//                             firstWalker (id of this dispatch's first walker), _, _ }
//   1 storage  rowPtr       array<u32>  CSR of P (n + 1)
//   2 storage  colIdx       array<u32>
//   3 storage  thresholds   array<u32>  cumulative, per row, last = 2^24
//   4 storage  compromised  array<u32>  1 for adversary nodes
//   5 storage  starts       array<u32>  start node per walker
//   6 storage  records      array<u32>  5 per walker: first hop, predecessor, last
//                                       compromised, recorded node, terminus (read_write)
// Workgroup layout: 64 threads, 2-D grid of groupsX × gy groups; thread id = walker within
// the dispatch (starts and records are this dispatch's slices).

struct Params {
  walkers: u32,
  hops: u32,
  recordHop: u32,
  seed: u32,
  groupsX: u32,
  firstWalker: u32,
  pad1: u32,
  pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> rowPtr: array<u32>;
@group(0) @binding(2) var<storage, read> colIdx: array<u32>;
@group(0) @binding(3) var<storage, read> thresholds: array<u32>;
@group(0) @binding(4) var<storage, read> compromised: array<u32>;
@group(0) @binding(5) var<storage, read> starts: array<u32>;
@group(0) @binding(6) var<storage, read_write> records: array<u32>;

fn pcg(input: u32) -> u32 {
  let state = input * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

@compute @workgroup_size(SMALL_WORKGROUP)
fn main(@builtin(workgroup_id) group: vec3u, @builtin(local_invocation_index) local: u32) {
  let w = dispatchIndex(group, local, params.groupsX, SMALL_WORKGROUP);
  if (w >= params.walkers) {
    return;
  }
  let walkerKey = pcg(pcg(params.seed) + params.firstWalker + w);
  var node = starts[w];
  var first = 0u;
  var predecessor = node;
  var recorded = node;
  for (var hop = 1u; hop <= params.hops; hop++) {
    let r = pcg(walkerKey + hop) >> 8u;
    var lo = rowPtr[node];
    var hi = rowPtr[node + 1u] - 1u;
    while (lo < hi) {
      let mid = (lo + hi) >> 1u;
      if (r < thresholds[mid]) {
        hi = mid;
      } else {
        lo = mid + 1u;
      }
    }
    let previous = node;
    node = colIdx[lo];
    if (first == 0u && compromised[node] != 0u) {
      first = hop;
      predecessor = previous;
    }
    if (hop == params.recordHop) {
      recorded = node;
    }
  }
  let out = w * 5u;
  records[out] = first;
  records[out + 1u] = predecessor;
  records[out + 2u] = compromised[node];
  records[out + 3u] = recorded;
  records[out + 4u] = node;
}
