#!/usr/bin/env bash
# Prove that the gates can fail. Each mutant is a deliberate defect committed
# on top of the series in build/linux; the gate that test.sh runs for it must
# fail and print why. build/linux is reset to the series afterwards.
#   prove-gates.sh [MUTANT...]        (default: all)
# Mutants:
#   checkpatch    trailing whitespace in a patch (checkpatch --strict)
#   sparse        a cast that drops __user (only sparse sees it)
#   kerneldoc     an undocumented field in the GET_PA UAPI struct
#   uapi          the GET_PA struct's layout changes
#   kconfig       iommufd_device_bind_noiommu() not exported: the modular
#                 Kconfig variant must fail to link (modpost)
#   no-get-pa     the GET_PA ioctl reverted: vfio_iommufd_noiommu_test fails
#   no-cap-check  the cdev's CAP_SYS_RAWIO check reverted: the test fails
# Output: one PROVEN/NOT PROVEN line per mutant; logs build/logs/prove-*.log.
# Exit status: non-zero if any gate did not catch its mutant.
source "$(dirname "$0")/lib.sh"

git_t() { git -C "$TREE" "$@"; }
[ -d "$TREE/.git" ] || die "no build/linux; run scripts/tree.sh"
[ -z "$(git_t status --porcelain --untracked-files=no)" ] || die "build/linux has uncommitted changes"
head=$(git_t rev-parse HEAD)
trap 'git_t reset -q --hard "$head"' EXIT

IOAS=drivers/iommu/iommufd/ioas.c
UAPI=include/uapi/linux/iommufd.h

# mutate NAME PERL-EXPR FILE: edit FILE in place and commit the defect.
mutate() {
	perl -0pi -e "$2" "$TREE/$3"
	git_t diff --quiet && die "mutant $1: the edit changed nothing (the source moved?)"
	git_t -c user.name="$SERIES_NAME" -c user.email="$SERIES_EMAIL" \
		commit -qas -m "mutant: $1" -m "A deliberate defect that a gate must catch."
}

# The vfio noiommu kselftest on a kernel built from the mutated tree.
guest_test() {
	OUT=$BUILD/out/proof "$TOP/scripts/build-kernel.sh" main &&
	OUT=$BUILD/out/proof "$TOP/scripts/build-selftests.sh" proof vfio &&
	"$TOP/scripts/guest-suites.sh" proof vfio_iommufd_noiommu_test
}

m_checkpatch() {
	mutate checkpatch 's/(\nint iommufd_ioas_noiommu_get_pa\(struct iommufd_ucmd \*ucmd\)\n)/\n\/* mutant *\/ $1/' $IOAS
	rm -rf "$BUILD/.mutant-patches"
	git_t format-patch -q -o "$BUILD/.mutant-patches" base..HEAD
	PATCHDIR=$BUILD/.mutant-patches "$TOP/scripts/static.sh" checkpatch
}
m_sparse() {
	mutate sparse 's/(\nint iommufd_ioas_noiommu_get_pa\(struct iommufd_ucmd \*ucmd\)\n\{\n)/$1\tchar *mutant __maybe_unused = (char *)(void __user *)NULL;\n/' $IOAS
	"$TOP/scripts/static.sh" sparse
}
m_kerneldoc() {
	mutate kerneldoc 's/(\nstruct iommu_ioas_noiommu_get_pa \{.*?\n)(\};)/$1\t__u32 mutant;\n$2/s' $UAPI
	"$TOP/scripts/static.sh" kerneldoc
}
m_uapi() {
	mutate uapi 's/(\nstruct iommu_ioas_noiommu_get_pa \{.*?\n)\t__u32 __reserved;\n/$1/s' $UAPI
	# The main configuration's UAPI header test, in a directory of its own
	# (only its headers are built), so build/out/main keeps HEAD's headers.
	OUT=$BUILD/out/proof KBUILD_TARGETS=usr/include/ "$TOP/scripts/build-kernel.sh" main &&
	UAPI_OUT=$BUILD/out/proof "$TOP/scripts/static.sh" uapi
}
m_kconfig() {
	mutate kconfig 's/EXPORT_SYMBOL_NS_GPL\(iommufd_device_bind_noiommu, "IOMMUFD"\);\n//' \
		drivers/iommu/iommufd/device.c
	"$TOP/scripts/kconfig-matrix.sh" '11-*'
}
m_no-get-pa() {
	mutate no-get-pa 's/\tIOCTL_OP\(IOMMU_IOAS_NOIOMMU_GET_PA,[^)]*\),\n//' \
		drivers/iommu/iommufd/main.c
	guest_test
}
m_no-cap-check() {
	mutate no-cap-check 's/\tif \(vfio_device_is_noiommu\(device\) && !capable\(CAP_SYS_RAWIO\)\)\n\t\treturn -EPERM;\n//g' \
		drivers/vfio/device_cdev.c
	guest_test
}

# What the failing gate must say, so an unrelated breakage proves nothing.
declare -A why=(
	[checkpatch]='checkpatch: .*TRAILING_WHITESPACE'
	[sparse]='cast removes address space'
	[kerneldoc]="'mutant' not described"
	[uapi]='uapi_check|offsetof|sizeof'
	[kconfig]='"iommufd_device_bind_noiommu" \[.*\] undefined'
	[no-get-pa]='not ok [0-9]+ .*get_pa'
	[no-cap-check]='not ok [0-9]+ .*cap_sys_rawio'
)
all=(checkpatch sparse kerneldoc uapi kconfig no-get-pa no-cap-check)
[ $# -gt 0 ] || set -- "${all[@]}"
unset RESULTS
bad=0
for m in "$@"; do
	declare -F "m_$m" >/dev/null || die "unknown mutant $m (have: ${all[*]})"
	log=$LOGS/prove-$m.log
	step "prove-gates: mutant $m (log: build/logs/$(basename "$log"))"
	git_t reset -q --hard "$head"
	if ("m_$m") >"$log" 2>&1; then
		warn "NOT PROVEN: $m: the gate passed on a defective tree"
		bad=1
	elif ! grep -qE "${why[$m]}" "$log"; then
		warn "NOT PROVEN: $m: the gate failed, but not for the planted defect (no /${why[$m]}/ in the log)"
		bad=1
	else
		info "PROVEN: $m: the gate failed; its reason:"
		grep -E '^!!!|^ERROR|not ok' "$log" | grep -v 'last lines of' | head -n 8 | sed 's/^/      /'
	fi
done
exit $bad
