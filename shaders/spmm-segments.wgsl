// spmm-segments: partial sums of the long rows of one tile of P, one segment at a time.
//
// A row with more than LONG_ROW nonzeros is cut into segments of at most SEGMENT nonzeros
// so that a hub's work spreads over many threads. For every segment s and terminal column
// b: partial[s*B + b] = f_b Σ_{e in segment s} values[e] * x_in[colIdx[e]*B + b], with f_b
// = columnScale(totals[b].w) the column's renormalisation (column-scale.wgsl).
// spmm-segment-sum then adds each long row's segments.
//
// Bindings (group 0):
//   0 uniform  params    { count: segments, accumulate (unused), groupsX, _ }
//   1 storage  segments  array<vec2u>  [start, end) of each segment in colIdx/values
//   2 storage  colIdx    array<u32>
//   3 storage  values    array<f32>
//   4 storage  xIn       array<f32>   column slab of the previous block
//   5 storage  partial   array<f32>   segments × B (read_write)
//   6 storage  totals    array<vec4f> entropy-finish's result of the previous hop (B entries)
// Workgroup layout: 256 threads, 2-D grid; thread id → (segment = id / B, b = id % B).

override B: u32 = 32u;

// struct Params: spmm-params.wgsl

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> segments: array<vec2u>;
@group(0) @binding(2) var<storage, read> colIdx: array<u32>;
@group(0) @binding(3) var<storage, read> values: array<f32>;
@group(0) @binding(4) var<storage, read> xIn: array<f32>;
@group(0) @binding(5) var<storage, read_write> partial: array<f32>;
@group(0) @binding(6) var<storage, read> totals: array<vec4f>;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) group: vec3u, @builtin(local_invocation_index) local: u32) {
  let id = dispatchIndex(group, local, params.groupsX, WORKGROUP);
  let s = id / B;
  let b = id % B;
  if (s >= params.count) {
    return;
  }
  let bounds = segments[s];
  var sum = 0.0;
  for (var e = bounds.x; e < bounds.y; e++) {
    sum += values[e] * xIn[colIdx[e] * B + b];
  }
  partial[s * B + b] = sum * columnScale(totals[b].w);
}
