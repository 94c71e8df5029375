// column-scale: the renormalisation factor of a terminal column, shared by the pull-step
// kernels (composed into their source by src/engines/webgpu/wgsl.ts).
//
// Each hop's pull step multiplies column b by 2^−e, with e the binary exponent (frexp) of
// the column's largest un-priored entry after the previous hop (result[b].w of
// entropy-finish), so the largest entry lands in [0.5, 1) and float32 never underflows on
// long directed walks. A power of two scales exactly; the host takes the same exponent of
// the same float32 to keep log2 of the scale (src/engines/backend.ts, ColumnScales). A
// column with no mass, or the first hop of a batch (result cleared to 0), scales by 1.

fn columnScale(largest: f32) -> f32 {
  if (largest > 0.0) {
    return ldexp(1.0, -frexp(largest).exp);
  }
  return 1.0;
}
