// spmm-params: the uniform of the three pull-step kernels (spmm-rows, spmm-segments,
// spmm-segment-sum): how many rows or segments this dispatch covers, whether it writes or
// adds to xOut (a row slab's first column tile writes, the others add), and the dispatch's
// row width in workgroups (dispatch.wgsl).

struct Params {
  count: u32,
  accumulate: u32,
  groupsX: u32,
  pad: u32,
}
