// entropy-finish: second stage of the per-terminal entropy reduction.
//
// For each terminal column b: result[b] = Σ over chunks of partials (S and T added, M and X
// the max), i.e. (S, T, M, X) with S = Σ y, T = Σ y log2 y, M = max y, X = max x over every
// row of every slab. The next hop's pull step reads X (column-scale.wgsl).
//
// Bindings (group 0):
//   0 uniform  params    { chunks, _, _, _ }
//   1 storage  partials  array<vec4f>  chunks × B, from entropy-partials
//   2 storage  result    array<vec4f>  B entries (read_write)
// Workgroup layout: one thread per terminal column, workgroups of 64.

override B: u32 = 32u;

struct Params {
  chunks: u32,
  pad0: u32,
  pad1: u32,
  pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> partials: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> result: array<vec4f>;

@compute @workgroup_size(SMALL_WORKGROUP)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let b = id.x;
  if (b >= B) {
    return;
  }
  var total = vec4f(0.0);
  for (var c = 0u; c < params.chunks; c++) {
    let p = partials[c * B + b];
    total = vec4f(total.x + p.x, total.y + p.y, max(total.z, p.z), max(total.w, p.w));
  }
  result[b] = total;
}
