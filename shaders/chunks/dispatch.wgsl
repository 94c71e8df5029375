// dispatch: the flat index of a thread in a 2-D grid of groupsX × gy workgroups of `size`
// threads (dispatches wider than maxComputeWorkgroupsPerDimension fold into a second row).

fn dispatchIndex(group: vec3u, local: u32, groupsX: u32, size: u32) -> u32 {
  return (group.y * groupsX + group.x) * size + local;
}
