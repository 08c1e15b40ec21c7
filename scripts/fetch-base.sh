#!/usr/bin/env bash
# Download Debian's linux-source-7.2 .deb through a private apt configuration
# (its own sources list, lists and cache; the system's apt sources are never
# touched), verify the pinned version's sha256 and cache it in ~/.cache/noiommu-cdev/dl ($NOIOMMU_CACHE/dl).
#
# Prints the path of the verified .deb on stdout (last line).
source "$(dirname "$0")/lib.sh"

# The pinned base. Bump both lines together.
PIN_VERSION=7.2.13-1
PIN_SHA256=30a8c5fc63f9028a62e6d7b3f7f43bee67425dbce2a05fceba83f9b87c92083d

DL=$CACHE/dl
mkdir -p "$DL"

pinned_deb=$DL/linux-source-7.2_${PIN_VERSION}_all.deb
if [ -f "$pinned_deb" ] && echo "$PIN_SHA256  $pinned_deb" | sha256sum -c --quiet - 2>/dev/null; then
	step "base: cached $(basename "$pinned_deb") (sha256 ok)" >&2
	echo "$pinned_deb"
	exit 0
fi

private_apt

step "base: refreshing the private apt lists (sid, trixie-backports)" >&2
run_logged "$LOGS/apt-private-update.log" apt-get "${APT_OPTS[@]}" update >&2 ||
	die "private apt update failed (see $LOGS/apt-private-update.log)"

versions=$(apt-cache "${APT_OPTS[@]}" madison linux-source-7.2 | awk -F'|' '{gsub(/ /,"",$2); print $2}' | sort -uV)
[ -n "$versions" ] || die "no linux-source-7.2 in sid or trixie-backports"

want=$PIN_VERSION
if ! grep -qxF "$PIN_VERSION" <<<"$versions"; then
	want=$(tail -n 1 <<<"$versions")
	cat >&2 <<MSG

!!! ============================================================
!!! The pinned base linux-source-7.2 $PIN_VERSION has left the archive.
!!! Falling back to the newest 7.2.y available: $want
!!! Its checksum is NOT pinned; the series may not apply. Update
!!! PIN_VERSION/PIN_SHA256 in scripts/fetch-base.sh.
!!! Available: $(echo $versions)
!!! ============================================================

MSG
fi

step "base: downloading linux-source-7.2=$want (~164 MB)" >&2
(cd "$DL" && run_logged "$LOGS/apt-download.log" \
	apt-get "${APT_OPTS[@]}" download "linux-source-7.2=$want") >&2 ||
	die "download failed (see $LOGS/apt-download.log)"
deb=$(ls "$DL"/linux-source-7.2_"${want//:/%3a}"_all.deb 2>/dev/null | head -n 1)
[ -f "$deb" ] || die "downloaded .deb not found in $DL"

if [ "$want" = "$PIN_VERSION" ]; then
	echo "$PIN_SHA256  $deb" | sha256sum -c --quiet - >&2 ||
		die "sha256 mismatch for $deb: expected $PIN_SHA256, got $(sha256sum "$deb" | cut -d' ' -f1)"
	step "base: sha256 verified" >&2
else
	warn "unpinned base $want: sha256 $(sha256sum "$deb" | cut -d' ' -f1) (apt verified the signed index)"
fi
echo "$deb"
