// mix-score: partial log-likelihood ratios of (signal, link) pairs over chunks of packets.
//
// Each work item i covers `count` packets of one link for one pair, whose signal is local
// row `row` of the bound signal rows, and computes
//   partial[i] = Σ_j ln( max(A*g_j + C, SCORE_FLOOR) ),   g_j = signals[row*N + bins[start + j]]
// (g_j = 0 for packets outside the grid, bin = 0xffffffff). With A = a/u and C = 1 − a this
// is Σ ln(max(a·g + (1 − a)·u, SCORE_FLOOR·u) / u): the host bins the packets in float64 and adds
// the partials of a pair in float64, so no packet time reaches the GPU.
//
// Bindings (group 0):
//   0 uniform  params    { count: items, N: grid length, groupsX, _ }
//   1 storage  items     array<vec4u>  (row, start, count, _) per item
//   2 storage  coefs     array<vec2f>  (A, C) per item
//   3 storage  bins      array<u32>    packet bins of the batch's links
//   4 storage  signals   array<f32>    the batch's signal rows, rows × N
//   5 storage  partials  array<f32>    one per item (read_write)
// Workgroup layout: 64 threads, 2-D grid of groupsX × gy groups; one thread per item (at
// most 256 packets each). No barriers.


struct Params {
  count: u32,
  N: u32,
  groupsX: u32,
  pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> items: array<vec4u>;
@group(0) @binding(2) var<storage, read> coefs: array<vec2f>;
@group(0) @binding(3) var<storage, read> bins: array<u32>;
@group(0) @binding(4) var<storage, read> signals: array<f32>;
@group(0) @binding(5) var<storage, read_write> partials: array<f32>;

@compute @workgroup_size(SMALL_WORKGROUP)
fn main(@builtin(workgroup_id) group: vec3u, @builtin(local_invocation_index) local: u32) {
  let id = dispatchIndex(group, local, params.groupsX, SMALL_WORKGROUP);
  if (id >= params.count) {
    return;
  }
  let item = items[id];
  let c = coefs[id];
  let base = item.x * params.N;
  let end = item.y + item.z;
  var sum = 0.0;
  for (var j = item.y; j < end; j++) {
    let bin = bins[j];
    var g = 0.0;
    if (bin < params.N) {
      g = signals[base + bin];
    }
    let r = c.x * g + c.y;
    if (r > SCORE_FLOOR) {
      sum += log(r);
    } else {
      sum += LOG_SCORE_FLOOR;
    }
  }
  partials[id] = sum;
}
