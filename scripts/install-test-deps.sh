#!/usr/bin/env bash
# Installs the Debian packages Kumo's tests drive it with, when they are missing:
# the AWS CLI v2 (Debian's `awscli`), curl (the shell custom runtime) and python3 (the Python runtime).
set -euo pipefail
need=()
[ -x /usr/bin/aws ] || need+=(awscli)
command -v curl >/dev/null 2>&1 || need+=(curl)
[ -x /usr/bin/python3 ] || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
/usr/bin/aws --version
