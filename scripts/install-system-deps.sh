#!/usr/bin/env bash
# Install the Debian tools Headstart's tests and leak battery use, only those missing.
# Needs root (or sudo) and apt-get; elsewhere it says what is missing and goes on.
set -euo pipefail
need=()
command -v gpg >/dev/null || need+=(gnupg)
command -v gcc >/dev/null || need+=(gcc)
command -v clang-format >/dev/null || need+=(clang-format)
command -v pandoc >/dev/null || need+=(pandoc)
[ -f /usr/share/wordnet/index.verb ] || need+=(wordnet-base)  # judges the prose synonym groups
command -v objdump >/dev/null || need+=(binutils)  # the C carrier compares compiled copies
# Headers the corpus C PoCs include, so the tests compile them and compare their copies' code.
for dev in libnl-3-dev libnl-route-3-dev libnl-cli-3-dev libkeyutils-dev libmnl-dev libnftnl-dev libbluetooth-dev; do
  dpkg -s "$dev" >/dev/null 2>&1 || need+=("$dev")
done
if ! command -v pg_ctl >/dev/null && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then need+=(postgresql); fi
[ ${#need[@]} -eq 0 ] && exit 0
echo "install-system-deps: installing ${need[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
  echo "install-system-deps: please install: ${need[*]}" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
