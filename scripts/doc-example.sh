#!/usr/bin/env bash
# Extract the usage example of the No-IOMMU cdev mode from
# Documentation/driver-api/vfio.rst, so that it is compiled and run as it is
# written (tests/vfio_rst_example.c includes it):
#   doc-example.sh OUTFILE [TREE]
# The example is the literal block after the paragraph that ends with
# "This function does steps 4 to 6 ...::". Fails if that paragraph or the
# function is gone, so the example cannot silently drift from the test.
source "$(dirname "$0")/lib.sh"

out=${1:?usage: doc-example.sh OUTFILE [TREE]}
rst=${2:-$TREE}/Documentation/driver-api/vfio.rst
[ -f "$rst" ] || die "doc-example: no $rst"
awk '
	/This function does steps 4 to 6/ { found = 1 }
	found && !inblock && /::$/ { inblock = 1; next }
	inblock {
		if ($0 ~ /^\t/) { sub(/^\t/, ""); print; seen = 1; next }
		if ($0 ~ /^[ \t]*$/) { if (seen) print ""; next }
		exit
	}' "$rst" >"$out.tmp"
grep -q '^static int noiommu_map_buffer(' "$out.tmp" ||
	die "doc-example: no noiommu_map_buffer() example found in $rst"
mv "$out.tmp" "$out"
