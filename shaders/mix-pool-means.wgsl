// mix-pool-means: the pool-mean algebra of the Loopix evaluation (PoolMeansJob in
// src/engines/mix-kernels.ts) for one batch of replications and columns. Invocation
// id = r · columns + c scans replication r's events in order for column c0 + c, keeping in
// `scratch` the running mean of each mix's pool and the value each packet slot carries:
//   INJECT  [0, slot, x, y]     value ← 1 if the column is x or y, else 0
//   ARRIVE  [1, slot, mix, k]   mean ← k = 0 ? value : (k · mean + value) / (k + 1)
//   DEPART  [2, slot, mix, 0]   value ← mean
//   EXIT    [3, slot, mark, 0]  Σ v and Σ v ln v (v > 0, compensated); marked[mark] ← v unless NO_MARK
// Columns never mix: the invocations of one replication read the same events (broadcast)
// and touch neighbouring scratch words (the column is the fastest index).
//
// Bindings (group 0):
//   0 uniform  params   { count: invocations, groupsX, columns (of the batch), c0,
//                         stride (mixes + slots rows per replication), mixes, marks, pad }
//   1 storage  events   array<vec4u>  the batch's events
//   2 storage  offsets  array<u32>    replication r holds events[offsets[r] .. offsets[r + 1])
//   3 storage  scratch  array<f32>    (r · stride + row) · columns + c: rows 0..mixes−1 the
//                                     pools' means, then one row per slot (read_write)
//   4 storage  out      array<f32>    2 · id: Σ v, 2 · id + 1: Σ v ln v; from 2 · count:
//                                     marked[(r · marks + mark) · columns + c] (read_write)
// Workgroup layout: 64 threads, 2-D grid of groupsX × gy groups; one thread per invocation.
// No barriers.

struct Params {
  count: u32,
  groupsX: u32,
  columns: u32,
  c0: u32,
  stride: u32,
  mixes: u32,
  marks: u32,
  pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> events: array<vec4u>;
@group(0) @binding(2) var<storage, read> offsets: array<u32>;
@group(0) @binding(3) var<storage, read_write> scratch: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(SMALL_WORKGROUP)
fn main(@builtin(workgroup_id) group: vec3u, @builtin(local_invocation_index) local: u32) {
  let id = dispatchIndex(group, local, params.groupsX, SMALL_WORKGROUP);
  if (id >= params.count) {
    return;
  }
  let C = params.columns;
  let r = id / C;
  let c = id - r * C;
  let column = params.c0 + c;
  let pools = r * params.stride;
  let slots = pools + params.mixes;
  // Compensated (Kahan) sums: a replication has up to millions of exits of tiny v, and a
  // plain float32 running sum lost up to 3e-4 bits of entropy on 2.8M events (bench:mixnet).
  var mass = 0.0;
  var massLost = 0.0;
  var plogp = 0.0;
  var plogpLost = 0.0;
  for (var e = offsets[r]; e < offsets[r + 1u]; e++) {
    let event = events[e];
    let slot = (slots + event.y) * C + c;
    switch event.x {
      case POOL_INJECT: {
        scratch[slot] = select(0.0, 1.0, event.z == column || event.w == column);
      }
      case POOL_ARRIVE: {
        let pool = (pools + event.z) * C + c;
        let k = f32(event.w);
        scratch[pool] = select((k * scratch[pool] + scratch[slot]) / (k + 1.0), scratch[slot], event.w == 0u);
      }
      case POOL_DEPART: {
        scratch[slot] = scratch[(pools + event.z) * C + c];
      }
      default: {
        let v = scratch[slot];
        if (v > 0.0) {
          let massTerm = v - massLost;
          let massSum = mass + massTerm;
          massLost = (massSum - mass) - massTerm;
          mass = massSum;
          let plogpTerm = v * log(v) - plogpLost;
          let plogpSum = plogp + plogpTerm;
          plogpLost = (plogpSum - plogp) - plogpTerm;
          plogp = plogpSum;
        }
        if (event.z != NO_MARK) {
          out[2u * params.count + (r * params.marks + event.z) * C + c] = v;
        }
      }
    }
  }
  out[2u * id] = mass;
  out[2u * id + 1u] = plogp;
}
