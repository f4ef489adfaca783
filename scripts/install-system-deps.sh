#!/usr/bin/env bash
# Install the Debian tools Headstart's tests and leak battery use, only those missing.
# Needs root (or sudo) and apt-get; elsewhere it says what is missing and goes on.
set -euo pipefail
need=()
command -v gpg >/dev/null || need+=(gnupg)
command -v gcc >/dev/null || need+=(gcc)
command -v clang-format >/dev/null || need+=(clang-format)
command -v pandoc >/dev/null || need+=(pandoc)
[ -f /usr/share/wordnet/index.verb ] || need+=(wordnet-base)  # judges the prose synonym groups; `advisory suggest` proposes from it
command -v objdump >/dev/null || need+=(binutils)  # the C carrier compares compiled copies
command -v clamscan >/dev/null || need+=(clamav)  # partners test ClamAV signatures (a custom -d database only, no freshclam)
command -v chromium >/dev/null || need+=(chromium)  # the browser tests (tests/browser) drive it with Playwright
# Headers the corpus C PoCs include, so the tests compile them and compare their copies' code.
for dev in libnl-3-dev libnl-route-3-dev libnl-cli-3-dev libkeyutils-dev libmnl-dev libnftnl-dev libbluetooth-dev; do
  dpkg -s "$dev" >/dev/null 2>&1 || need+=("$dev")
done
if ! command -v pg_ctl >/dev/null && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then need+=(postgresql); fi
command -v tcpdump >/dev/null || need+=(tcpdump)  # the tests read the network PoCs with it
# Suricata 7 checks the rules generated for network PoCs. Debian bookworm has it only in
# bookworm-backports: add that source once (unless some source already lists it), then
# install suricata from it. Elsewhere, say so and go on (those tests skip without it).
if ! suricata -V 2>/dev/null | grep -q 'version 7'; then
  if grep -qs '^VERSION_CODENAME=bookworm$' /etc/os-release; then
    if [ "$(id -u)" -eq 0 ]; then s=""; elif command -v sudo >/dev/null; then s="sudo"; else s="none"; fi
    if [ "$s" = none ]; then
      echo "install-system-deps: please install suricata from bookworm-backports" >&2
    else
      if ! grep -rqs '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
        printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
          | $s tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null
      fi
      echo "install-system-deps: installing suricata from bookworm-backports" >&2
      $s apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $s apt-get install -y -qq --no-install-recommends -t bookworm-backports suricata >/dev/null
    fi
  else
    echo "install-system-deps: suricata 7 not found; install it to run the Suricata rule tests" >&2
  fi
fi
[ ${#need[@]} -eq 0 ] && exit 0
echo "install-system-deps: installing ${need[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
  echo "install-system-deps: please install: ${need[*]}" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
