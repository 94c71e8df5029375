// entropy-partials: first stage of the per-terminal entropy reduction, over one row slab.
//
// With y_i = q_i x_i (q the prior; 1 when uniform), each thread sums a chunk of ROWS rows of
// one terminal column b and writes partials[(base + chunk)*B + b] = (Σ y, Σ y log2 y, max y,
// max x): the last, without the prior, sets the column's renormalisation (column-scale.wgsl).
// entropy-finish adds the chunks; the host then takes H = log2 S − T/S and
// H_min = log2(S / M). The n × B block never leaves the GPU.
//
// Bindings (group 0):
//   0 uniform  params    { rows in slab, usePrior, groupsX, base (first chunk of this slab) }
//   1 storage  x         array<f32>    the slab of the block
//   2 storage  prior     array<f32>    q for the slab's rows (ignored when usePrior = 0)
//   3 storage  partials  array<vec4f>  chunks × B (read_write)
// Workgroup layout: 256 threads, 2-D grid; thread id → (chunk = id / B, b = id % B);
// consecutive b read consecutive floats. No barriers.

override B: u32 = 32u;
override ROWS: u32 = 256u;

struct Params {
  rows: u32,
  usePrior: u32,
  groupsX: u32,
  base: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> prior: array<f32>;
@group(0) @binding(3) var<storage, read_write> partials: array<vec4f>;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) group: vec3u, @builtin(local_invocation_index) local: u32) {
  let id = dispatchIndex(group, local, params.groupsX, WORKGROUP);
  let chunk = id / B;
  let b = id % B;
  let first = chunk * ROWS;
  if (first >= params.rows) {
    return;
  }
  let last = min(first + ROWS, params.rows);
  var s = 0.0;
  var t = 0.0;
  var m = 0.0;
  var largest = 0.0;
  for (var i = first; i < last; i++) {
    var y = x[i * B + b];
    largest = max(largest, y);
    if (params.usePrior != 0u) {
      y *= prior[i];
    }
    if (y > 0.0) {
      s += y;
      t += y * log2(y);
      m = max(m, y);
    }
  }
  partials[(params.base + chunk) * B + b] = vec4f(s, t, m, largest);
}
