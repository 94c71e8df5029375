// mix-entropy: per-chunk sums for the Shannon entropy of p_i ∝ f(x_i) over a trial's arrivals.
//
// Each work item covers `count` values x_i = β − X_i (output time minus arrival time, taken
// in float64 on the host) from xs[start], and computes with l_i = ln f(x_i) in one pass
// (online rescaling when a larger l appears):
//   out[i] = (m, S, A, 0),  m = max l_i,  S = Σ e^{l_i − m},  A = Σ e^{l_i − m} (l_i − m)
// over the x_i inside the support (S = 0: none). The host merges a trial's items in float64
// and takes H = (ln S − A/S) / ln 2.
//
// ln f per law (code): 0 exp ln μ − μx (x ≥ 0); 1 uniform −ln(b − a) on [a, b); 2 erlang
// p2 + (k − 1) ln x − μx (x > 0; ln μ at 0 when k = 1); 3 lognormal −z²/2 − ln x − p2 with
// z = (ln x − m)/s (x > 0); 4 pareto p2 − (α + 1) ln x (x ≥ xm); 5 table: ln density of
// the bin [edges[b], edges[b+1]) holding x (binary search), none outside [edges[0], edges[B]).
//
// Bindings (group 0):
//   0 uniform  params  { count: items, code, groupsX, tableSize, p0, p1, p2, extra (f32) }
//                      extra: exp ln μ, uniform −ln(b − a), erlang ln μ
//   1 storage  items   array<vec2u>  (start, count) per item
//   2 storage  xs      array<f32>    output − arrival per arrival of the batch
//   3 storage  edges   array<f32>    table edges (tableSize + 1; a dummy otherwise)
//   4 storage  logd    array<f32>    ln density per table bin (≤ −1e30 where it is 0)
//   5 storage  out     array<vec4f>  one per item (read_write)
// Workgroup layout: 64 threads, 2-D grid of groupsX × gy groups; one thread per item (at
// most 256 arrivals). No barriers.


struct Params {
  count: u32,
  code: u32,
  groupsX: u32,
  tableSize: u32,
  p0: f32,
  p1: f32,
  p2: f32,
  extra: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> items: array<vec2u>;
@group(0) @binding(2) var<storage, read> xs: array<f32>;
@group(0) @binding(3) var<storage, read> edges: array<f32>;
@group(0) @binding(4) var<storage, read> logd: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<vec4f>;

fn logDensity(x: f32) -> f32 {
  switch params.code {
    case DENSITY_EXP: {
      if (x >= 0.0) { return params.extra - params.p0 * x; }
    }
    case DENSITY_UNIFORM: {
      if (x >= params.p0 && x < params.p1) { return params.extra; }
    }
    case DENSITY_ERLANG: {
      if (x > 0.0) { return params.p2 + (params.p0 - 1.0) * log(x) - params.p1 * x; }
      if (x == 0.0 && params.p0 == 1.0) { return params.extra; }
    }
    case DENSITY_LOGNORMAL: {
      if (x > 0.0) {
        let lx = log(x);
        let z = (lx - params.p0) / params.p1;
        return -0.5 * z * z - lx - params.p2;
      }
    }
    case DENSITY_PARETO: {
      if (x >= params.p1) { return params.p2 - (params.p0 + 1.0) * log(x); }
    }
    default: {
      let B = params.tableSize;
      if (x >= edges[0] && x < edges[B]) {
        var lo = 0u;
        var hi = B;
        while (hi - lo > 1u) {
          let mid = (lo + hi) / 2u;
          if (x >= edges[mid]) { lo = mid; } else { hi = mid; }
        }
        return logd[lo];
      }
    }
  }
  return NO_LOG;
}

@compute @workgroup_size(SMALL_WORKGROUP)
fn main(@builtin(workgroup_id) group: vec3u, @builtin(local_invocation_index) local: u32) {
  let id = dispatchIndex(group, local, params.groupsX, SMALL_WORKGROUP);
  if (id >= params.count) {
    return;
  }
  let item = items[id];
  var m = NO_LOG;
  var S = 0.0;
  var A = 0.0;
  for (var j = 0u; j < item.y; j++) {
    let l = logDensity(xs[item.x + j]);
    if (l <= -1e29) {
      continue;
    }
    if (l > m) {
      let scale = select(exp(m - l), 0.0, S == 0.0);
      A = (A + (m - l) * S) * scale;
      S = S * scale + 1.0;
      m = l;
    } else {
      let d = l - m;
      let w = exp(d);
      S += w;
      A += w * d;
    }
  }
  out[id] = vec4f(m, S, A, 0.0);
}
