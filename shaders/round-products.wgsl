// round-products: first stage of the entropy after several independent rounds (Pisces eq. 18).
//
// The batch holds, for each sample g, the columns of P^L of the termini it showed in rounds
// 0..Z-1 (column g*Z + s). The posterior after r + 1 rounds is y_i = q_i Π_{s ≤ r} x_i,(g*Z+s)
// — each column scaled by scale[·] = 1 / its max so the product cannot underflow. Each thread
// sums a chunk of ROWS rows for one (g, r) and writes partials[(base + chunk)*B + g*Z + r] =
// (Σ y, Σ y log2 y, max y, 0), the layout entropy-finish reduces.
//
// Bindings (group 0):
//   0 uniform  params    { rows in slab, usePrior, groupsX, base (first chunk of this slab) }
//   1 storage  x         array<f32>    the slab of the block at hop L
//   2 storage  prior     array<f32>    q for the slab's rows (ignored when usePrior = 0)
//   3 storage  scale     array<f32>    B entries: 1 / max of each column (0 for empty ones)
//   4 storage  partials  array<vec4f>  chunks × B (read_write)
// Workgroup layout: 256 threads, 2-D grid; thread id → (chunk = id / B, b = id % B) with
// b = g*Z + r. No barriers.

override B: u32 = 32u;
override ROWS: u32 = 256u;
override Z: u32 = 2u;

struct Params {
  rows: u32,
  usePrior: u32,
  groupsX: u32,
  base: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> prior: array<f32>;
@group(0) @binding(3) var<storage, read> scale: array<f32>;
@group(0) @binding(4) var<storage, read_write> partials: array<vec4f>;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) group: vec3u, @builtin(local_invocation_index) local: u32) {
  let id = dispatchIndex(group, local, params.groupsX, WORKGROUP);
  let chunk = id / B;
  let b = id % B;
  let first = chunk * ROWS;
  if (first >= params.rows) {
    return;
  }
  let g = b / Z;
  let r = b % Z;
  let last = min(first + ROWS, params.rows);
  var s = 0.0;
  var t = 0.0;
  var m = 0.0;
  for (var i = first; i < last; i++) {
    var y = 1.0;
    if (params.usePrior != 0u) {
      y = prior[i];
    }
    for (var k = 0u; k <= r; k++) {
      let column = g * Z + k;
      y *= x[i * B + column] * scale[column];
    }
    if (y > 0.0) {
      s += y;
      t += y * log2(y);
      m = max(m, y);
    }
  }
  partials[(params.base + chunk) * B + b] = vec4f(s, t, m, 0.0);
}
