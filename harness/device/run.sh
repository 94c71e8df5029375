#!/usr/bin/env bash
# On the GPU machine (nothing installed), from the repo root, after harness/device/pack.sh
# here: bash harness/device/run.sh DEVICE-NAME. Unpacks node, Dawn and Vulkan's loader from
# .device/, finds NVIDIA's Vulkan driver, runs dist/gpu-bench.js, and writes
# $OUT/gpu-DEVICE.json and $OUT/log (copy the JSON to harness/results/ afterwards).
set -euo pipefail
device=${1:?usage: run.sh DEVICE-NAME}
out=${OUT:-harness/results}
mkdir -p "$out"
for f in .device/gl/*.deb; do dpkg -x "$f" /; done
ldconfig
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
  if [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd"; break; fi
done
xz -dc .device/node.xz > /tmp/node && chmod +x /tmp/node
mkdir -p node_modules && tar -xJf .device/webgpu.tar.xz -C node_modules
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
echo "vulkan driver: ${VK_DRIVER_FILES:-none found}"
/tmp/node dist/gpu-bench.js --ego .device/facebook_combined.txt --device "$device" --out "$out/gpu-$device.json" ${QUICK:+--quick} 2>&1 | tee "$out/log"
