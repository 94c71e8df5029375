#!/usr/bin/env bash
# Here, before a device run: build dist/gpu-bench.js and put into .device/ (ignored by git)
# everything the GPU machine lacks: this machine's node binary (xz), the `webgpu` package
# with its linux-x64 dawn.node, Vulkan's loader (a Debian package), and ego-Facebook.
# About 30 MB in all; the device tool carries `.device` and `dist/gpu-bench.js`.
set -euo pipefail
cd "$(dirname "$0")/../.."
grep -qx '/.device/' .git/info/exclude 2>/dev/null || echo '/.device/' >> .git/info/exclude
mkdir -p .device/gl
npm run build >/dev/null
[ -s .device/node.xz ] || xz -T0 -6 -c "$(command -v node)" > .device/node.xz
tar -cJf .device/webgpu.tar.xz -C node_modules webgpu/package.json webgpu/index.js webgpu/types.d.ts webgpu/dist/linux-x64
cp ../shared/datasets/snap/facebook_combined.txt .device/
if ! ls .device/gl/libvulkan1_*.deb >/dev/null 2>&1; then
  lists=$(mktemp -d)
  o="-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=$lists"
  mkdir -p "$lists/partial"
  apt-get $o update -qq
  (cd .device/gl && apt-get $o download libvulkan1)
fi
du -sh .device dist/gpu-bench.js
