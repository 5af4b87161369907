#!/usr/bin/env bash
# Prints the base64 of src/services/s3/crc64-nvme.wat compiled (wabt's wat2wasm), the bytes
# src/services/s3/crc.ts embeds as CRC64_WASM; test/s3-checksums.test.ts checks they still match.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
wat2wasm src/services/s3/crc64-nvme.wat -o "$out"
base64 -w0 "$out"
echo
