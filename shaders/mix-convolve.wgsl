// mix-convolve: direct convolution of S signals with a delay density on a uniform grid.
//
// Computes, for one chunk of the S × N output (rows [r0, r1), columns [n0, n0 + widthOut)),
//   out[r*widthOut + c] = step * Σ_{k=0}^{min(n, taps-1)} kernel[k] * signals[r*widthIn + n - k - lo]
// with n = n0 + c. The chunk's input holds columns [lo, n0 + widthOut) of its rows
// (lo = max(0, n0 - taps + 1)), so every tap an output needs is inside it.
//
// Bindings (group 0):
//   0 uniform  params   { count: outputs in the chunk, widthOut, widthIn, n0, lo, taps, groupsX, step (f32) }
//   1 storage  kernel   array<f32>  the delay density sampled on the grid, taps values
//   2 storage  signals  array<f32>  the chunk's input, rows × widthIn
//   3 storage  out      array<f32>  rows × widthOut (read_write)
// Workgroup layout: 64 threads, a 2-D grid of groupsX × gy groups; one thread per output
// element (id = (group.y * groupsX + group.x) * 64 + local). No barriers.

struct Params {
  count: u32,
  widthOut: u32,
  widthIn: u32,
  n0: u32,
  lo: u32,
  taps: u32,
  groupsX: u32,
  step: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> kernel: array<f32>;
@group(0) @binding(2) var<storage, read> signals: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(SMALL_WORKGROUP)
fn main(@builtin(workgroup_id) group: vec3u, @builtin(local_invocation_index) local: u32) {
  let id = dispatchIndex(group, local, params.groupsX, SMALL_WORKGROUP);
  if (id >= params.count) {
    return;
  }
  let r = id / params.widthOut;
  let n = params.n0 + id - r * params.widthOut;
  let top = min(n, params.taps - 1u);
  let base = r * params.widthIn + n - params.lo;
  var sum = 0.0;
  for (var k = 0u; k <= top; k++) {
    sum += kernel[k] * signals[base - k];
  }
  out[id] = sum * params.step;
}
