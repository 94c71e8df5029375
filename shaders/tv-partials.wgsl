// tv-partials: first stage of the per-source total-variation reduction, over one row slab.
//
// Each column b of the block is a distribution x after t hops from one source, and π the
// stationary vector (each component's law summing to 1 on it). Each thread sums a chunk of
// ROWS rows of column b and writes partials[(base + chunk)*B + b] = (Σ (x_i − π_i)⁺, Σ x_i,
// 0, 0); entropy-finish adds the chunks, so result[b].x is the TV distance of column b to
// its component's law. The last lane stays 0, so the next hop's pull step does not
// renormalise (column-scale.wgsl): a distribution keeps mass 1 and cannot underflow.
//
// Bindings (group 0):
//   0 uniform  params      { rows in slab, groupsX, base (first chunk of this slab), _ }
//   1 storage  x           array<f32>    the slab of the block
//   2 storage  stationary  array<f32>    π for the slab's rows
//   3 storage  partials    array<vec4f>  chunks × B (read_write)
// Workgroup layout: 256 threads, 2-D grid; thread id → (chunk = id / B, b = id % B);
// consecutive b read consecutive floats. No barriers.

override B: u32 = 32u;
override ROWS: u32 = 256u;

struct Params {
  rows: u32,
  groupsX: u32,
  base: u32,
  pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> stationary: array<f32>;
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
  var excess = 0.0;
  var mass = 0.0;
  for (var i = first; i < last; i++) {
    let value = x[i * B + b];
    excess += max(value - stationary[i], 0.0);
    mass += value;
  }
  partials[(params.base + chunk) * B + b] = vec4f(excess, mass, 0.0, 0.0);
}
