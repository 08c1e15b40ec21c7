#!/usr/bin/env bash
# Install the Debian bookworm packages the harness needs. Idempotent: only
# calls apt-get when something is missing.
source "$(dirname "$0")/lib.sh"

PKGS=(build-essential flex bison bc libelf-dev libssl-dev cpio git ccache
      uuid-dev libcap-dev busybox-static qemu-system-x86 xz-utils python3
      codespell kmod perl python3-docutils python3-ply python3-git gpgv debian-archive-keyring
      ca-certificates dpkg-dev procps rsync bash-static)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
step "installing packages: ${missing[*]}"
[ "$(id -u)" = 0 ] || die "need root to install: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
run_logged "$LOGS/apt-update.log" apt-get update -q
run_logged "$LOGS/apt-install.log" apt-get install -y -q --no-install-recommends "${missing[@]}"
