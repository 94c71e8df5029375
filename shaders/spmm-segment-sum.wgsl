// spmm-segment-sum: completes the long rows of one tile of P from their segment partials.
//
// For every long row k (local row rows[k]) and terminal column b:
//   x_out[rows[k]*B + b] (+)= Σ_{s in segPtr[k] .. segPtr[k+1]} partial[s*B + b].
//
// Bindings (group 0):
//   0 uniform  params   { count: long rows, accumulate: 0 write | 1 add, groupsX, _ }
//   1 storage  rows     array<u32>   local row of each long row
//   2 storage  segPtr   array<u32>   first segment of each long row (count + 1 entries)
//   3 storage  partial  array<f32>   segments × B, from spmm-segments
//   4 storage  xOut     array<f32>   row slab of the next block (read_write)
// Workgroup layout: 256 threads, 2-D grid; thread id → (k = id / B, b = id % B).

override B: u32 = 32u;

// struct Params: spmm-params.wgsl

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> rows: array<u32>;
@group(0) @binding(2) var<storage, read> segPtr: array<u32>;
@group(0) @binding(3) var<storage, read> partial: array<f32>;
@group(0) @binding(4) var<storage, read_write> xOut: array<f32>;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) group: vec3u, @builtin(local_invocation_index) local: u32) {
  let id = dispatchIndex(group, local, params.groupsX, WORKGROUP);
  let k = id / B;
  let b = id % B;
  if (k >= params.count) {
    return;
  }
  var sum = 0.0;
  let end = segPtr[k + 1u];
  for (var s = segPtr[k]; s < end; s++) {
    sum += partial[s * B + b];
  }
  let out = rows[k] * B + b;
  if (params.accumulate != 0u) {
    sum += xOut[out];
  }
  xOut[out] = sum;
}
