/**
 * The pack's entry point, a POSIX shell script: it runs the packed Node.js
 * with the TypeScript loader on one of the project's commands, from any
 * working directory (outputs land relative to it, as with npm run).
 *
 * The Vulkan loader: the host's if it has one (it may be newer), else the
 * packed copy. NVIDIA's Vulkan driver is its libGLX_nvidia.so.0, announced
 * by an ICD file (nvidia_icd.json) that driver packages install; containers
 * sometimes carry the library without the file, so one is written then.
 */
export function runScript(commands: readonly string[]): string {
  return `#!/bin/sh
# score-sde device pack: ./run.sh COMMAND [flags]   (./run.sh help lists the commands)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
APP="$HERE/app"

ldcache() { { command -v ldconfig >/dev/null 2>&1 && ldconfig -p; } || { [ -x /sbin/ldconfig ] && /sbin/ldconfig -p; } || true; }

if ! ldcache | grep -q 'libvulkan\\.so\\.1 '; then
  export LD_LIBRARY_PATH="$HERE/lib\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  SCORE_SDE_VULKAN_LOADER="packed ($HERE/lib/libvulkan.so.1)"
else
  SCORE_SDE_VULKAN_LOADER="host ($(ldcache | grep 'libvulkan\\.so\\.1 ' | head -n 1 | sed 's/.*=> //'))"
fi
export SCORE_SDE_VULKAN_LOADER

icd_files() { ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json /usr/local/share/vulkan/icd.d/*.json 2>/dev/null || true; }
if [ -z "\${VK_ICD_FILENAMES:-}\${VK_DRIVER_FILES:-}" ] && ! icd_files | grep -q nvidia; then
  NV_LIB=$(ldcache | grep 'libGLX_nvidia\\.so\\.0 ' | head -n 1 | sed 's/.*=> //')
  if [ -n "$NV_LIB" ]; then
    ICD_DIR=\${TMPDIR:-/tmp}/score-sde-vulkan-icd-$(id -u)
    mkdir -p "$ICD_DIR"
    printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.3.0"}}\\n' "$NV_LIB" > "$ICD_DIR/nvidia_icd.json"
    export VK_DRIVER_FILES="$ICD_DIR/nvidia_icd.json" VK_ICD_FILENAMES="$ICD_DIR/nvidia_icd.json"
  fi
fi

export TSX_TSCONFIG_PATH="$APP/tsconfig.json"
NODE="$HERE/bin/node"
TSX="$APP/node_modules/tsx/dist/loader.mjs"

usage() {
  echo "usage: ./run.sh COMMAND [flags]"
  echo "  ${commands.join(' | ')}   the project's commands (./run.sh train --help, ...)"
  echo "  doctor [BACKEND ...]   the GPU stack this host offers, then which backend loads (default: auto, webgpu) with a matmul check"
  echo "  node ARGS              the packed Node.js itself"
}

[ $# -ge 1 ] || { usage >&2; exit 2; }
cmd=$1; shift
case "$cmd" in
  ${commands.join('|')})
    exec "$NODE" --import "$TSX" "$APP/scripts/$cmd.ts" "$@" ;;
  doctor)
    echo "host: $(uname -srm)"
    if command -v nvidia-smi >/dev/null 2>&1; then nvidia-smi -L || true; else echo "nvidia-smi: not found"; fi
    echo "Vulkan loader: $SCORE_SDE_VULKAN_LOADER"
    echo "Vulkan ICD files: $(icd_files | tr '\\n' ' ')\${VK_DRIVER_FILES:+(written: $VK_DRIVER_FILES)}"
    echo "libGLX_nvidia.so.0 (NVIDIA's Vulkan driver): $(ldcache | grep -c 'libGLX_nvidia\\.so\\.0 ' || true) found; libcuda.so.1: $(ldcache | grep -c 'libcuda\\.so\\.1 ' || true) found"
    [ $# -ge 1 ] || set -- auto webgpu
    status=0
    for backend in "$@"; do "$NODE" --import "$TSX" "$APP/src/pack/device-check.ts" "$backend" || status=$?; done
    exit $status ;;
  node)
    exec "$NODE" "$@" ;;
  help|-h|--help)
    usage ;;
  *)
    echo "error: unknown command '$cmd'" >&2; usage >&2; exit 2 ;;
esac
`;
}
