// spmm-rows: one pull step x_out = P x_in for the short rows of one tile of P.
//
// Computes, for every listed local row r and every terminal column b of the node-major
// n × B block, x_out[r*B + b] (+)= f_b Σ_{e in row r} values[e] * x_in[colIdx[e]*B + b],
// with f_b = columnScale(totals[b].w) the column's renormalisation (column-scale.wgsl).
// Threads with consecutive b read consecutive floats of one row of x_in (coalesced).
//
// Bindings (group 0):
//   0 uniform  params   { count: rows listed, accumulate: 0 write | 1 add, groupsX, _ }
//   1 storage  rowPtr   array<u32>  local CSR row pointers of the tile
//   2 storage  colIdx   array<u32>  columns relative to the column slab
//   3 storage  values   array<f32>  P_ij
//   4 storage  rows     array<u32>  local rows handled here (short rows)
//   5 storage  xIn      array<f32>  column slab of the previous block
//   6 storage  xOut     array<f32>  row slab of the next block (read_write)
//   7 storage  totals   array<vec4f> entropy-finish's result of the previous hop (B entries)
// Workgroup layout: 256 threads, a 2-D grid of groupsX × gy groups; thread id → (k, b) with
// k = id / B (index into rows), b = id % B. No barriers (they are slow on SwiftShader).

override B: u32 = 32u;

// struct Params: spmm-params.wgsl

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> rowPtr: array<u32>;
@group(0) @binding(2) var<storage, read> colIdx: array<u32>;
@group(0) @binding(3) var<storage, read> values: array<f32>;
@group(0) @binding(4) var<storage, read> rows: array<u32>;
@group(0) @binding(5) var<storage, read> xIn: array<f32>;
@group(0) @binding(6) var<storage, read_write> xOut: array<f32>;
@group(0) @binding(7) var<storage, read> totals: array<vec4f>;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) group: vec3u, @builtin(local_invocation_index) local: u32) {
  let id = dispatchIndex(group, local, params.groupsX, WORKGROUP);
  let k = id / B;
  let b = id % B;
  if (k >= params.count) {
    return;
  }
  let row = rows[k];
  var sum = 0.0;
  let end = rowPtr[row + 1u];
  for (var e = rowPtr[row]; e < end; e++) {
    sum += values[e] * xIn[colIdx[e] * B + b];
  }
  sum *= columnScale(totals[b].w);
  let out = row * B + b;
  if (params.accumulate != 0u) {
    sum += xOut[out];
  }
  xOut[out] = sum;
}
