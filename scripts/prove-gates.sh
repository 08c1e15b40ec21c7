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
#   no-cdev-taint the cdev's add_taint() removed: the cdev-only guest
#                 (VFIO_GROUP=n), where nothing else taints, fails its
#                 taint check
#   stale-get-pa  GET_PA answers from a one-entry cache that unmap does
#                 not invalidate: the race test that maps other memory at
#                 the same IOVA again and again sees an old mapping's address
#   get-pa-unlocked-read  GET_PA checks for a revoked dma-buf under the
#                 pages mutex but reads the table after dropping it: the race
#                 test that revokes a dma-buf while GET_PA reads it sees an
#                 answer that no state of the area gives (two vCPUs; up
#                 to three boots, as each catches the race by chance)
#   get-pa-no-pages-ref  GET_PA does not hold a reference of its own on the
#                 area's pages while it holds their mutex: an unmap that
#                 takes the mutex as GET_PA releases it frees the pages
#                 under mutex_unlock() (KASAN, in a race case; up to three
#                 boots). No test catches it (README): it is not in the
#                 default list, run it by name
#   get-pa-no-domains-rwsem  GET_PA does not hold the domains_rwsem (and
#                 its lockdep assertions go): a device destroyed or replaced,
#                 or a HWPT destroyed, meanwhile frees the domain it walks
#                 (KASAN, or a wrong answer, in a race case; up to three
#                 boots)
#   top-torn-read  iova_to_phys_run() reads the level of the table's top
#                 and its pointer in two loads, 20 us apart: the race test
#                 whose HWPT's table grows at the top while GET_PA walks it
#                 sees a call that no state explains (a walk of the new top
#                 at the old level finds a hole: ENOENT)
#   get-pa-short-run  GET_PA reads at most 2 leaves a call instead of 256:
#                 the race test's readers see a run end before a page that
#                 follows it physically in a call that no writer step
#                 overlapped (the contiguous variants: their 64 KiB leaves)
#   get-pa-join-discontig  GET_PA joins the next area to the run without
#                 checking that its pages follow physically: the race test
#                 whose area 1 maps other memory again and again sees a run
#                 from area 0 go on into area 1 while it maps memory that
#                 does not follow area 0's (the other tests of the suite
#                 may fail as well; the gate wants this one)
#   compat-map-no-prot  patch 5's fix reverted (VFIO compat MAP_DMA with
#                 neither read nor write reaches the domain): the mock
#                 domain's generic_pt map_range() WARNs in the debug guest
#                 when vfio_compat_mock_domain.map_no_prot runs
#   top-of-iova   patch 3's fix of batch_to_domain() reverted (a chunk's end
#                 computed as min(last_iova + 1, ...) again): the noiommu
#                 selftest that maps the top of the IOVA space from two
#                 discontiguous pages fails
#   huge-pin-leak iommufd does not unpin compound pages: the noiommu
#                 selftest's huge page is not freed (the hugetlb pages in
#                 use do not go back to what they were)
#   table-page-leak  the noiommu domain's iotlb_sync does not free the
#                 table pages that an unmap emptied: the noiommu selftest
#                 that counts nr_iommu_pages around a map, unmap and HWPT
#                 destroy fails (kmemleak does not track page allocations)
#   revoke-keeps-noiommu  a dma-buf revoke unmaps every domain but the
#                 noiommu one, whose table keeps the revoked mapping: GET_PA
#                 still refuses the revoked area, so get_pa_dmabuf sees it
#                 only by mapping the same IOVA after the unmap (the race's
#                 revoke variant and, on the debug kernel, iommu
#                 debug-pagealloc's WARNINGs see it too)
#   early-unpin   IOAS_MAP drops the pages' pin as soon as it has them (and
#                 unmap then has nothing to unpin): on the cdev-only debug
#                 kernel, as the test command runs it, iommu-debug-pagealloc
#                 WARNs that a page still mapped in the domain is freed, and
#                 the pin checks of vfio_iommufd_noiommu_test (GET_PA and a
#                 DMA after munmap, memory pressure and compaction) fail
#   debug-pagealloc  patch 4's fix of iommu-debug-pagealloc at ULONG_MAX
#                 reverted: the debug guest (iommu.debug_pagealloc=1)
#                 WARNs when iommufd's noiommu selftests unmap the top of
#                 the IOVA space
#   unmap-allocates  the noiommu domain's unmap allocates a page first and
#                 unmaps nothing if that fails (as v7's table could): the
#                 iommufd_fail_nth cases of the noiommu device fail that
#                 order-0 allocation in turn, and iommu_unmap_nofail() WARNs
#   fwspec-noiommu   vfio decides noiommu with !device_has_iommu()
#                 instead of device_iommu_absent(): the vfio_noiommu KUnit
#                 suite, on the debug and the cdev-only kernel, sees a
#                 device whose IOMMU has not probed it handed out as noiommu
#   isolated-no-cdev  vfio_device_cdev_allowed() loses its
#                 !vfio_device_is_noiommu(): in the guest with an IOMMU
#                 (GUEST_VIOMMU=1), the edu behind it has no /dev node for
#                 its vfioN, and noiommu_mixed fails
#   isolated-as-noiommu  vfio makes every device noiommu while the mode is
#                 on, its IOMMU ignored: in the guest with an IOMMU, the edu
#                 behind it no longer binds to vfio-pci (the probe fails),
#                 and noiommu_mixed fails
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

# The cdev-only guest (VFIO_GROUP=n, debug options) on the mutated tree; its
# build directory starts as a copy of the debug build.
guest_test_cdev() {
	local st=$BUILD/selftests/proof-cdev
	OUT=$BUILD/out/proof-cdev SEED_FROM=debug "$TOP/scripts/build-kernel.sh" cdev &&
	OUT=$BUILD/out/proof-cdev DEST=$st "$TOP/scripts/build-selftests.sh" proof-cdev vfio &&
	mkdir -p "$st/harness" &&
	KERNEL=$BUILD/out/proof-cdev/arch/x86/boot/bzImage ST=$st GUEST_APPEND="iommu.debug_pagealloc=1 init_on_free=1" \
		"$TOP/scripts/guest-suites.sh" proof-cdev noiommu_cdev_only vfio_iommufd_noiommu_test
}
# iommufd's noiommu selftests on the debug kernel of the mutated tree:
#   guest_test_debug [SUITE [BOOTS]]   (default: iommufd_noiommu, one boot)
# A mutant that only a race shows boots up to BOOTS times, as each boot
# catches the race by chance; the gate fails at the first boot that does.
guest_test_debug() {
	local suite=${1:-iommufd_noiommu} boots=${2:-1} st=$BUILD/selftests/proof-debug i
	OUT=$BUILD/out/proof-debug SEED_FROM=debug "$TOP/scripts/build-kernel.sh" debug &&
	OUT=$BUILD/out/proof-debug DEST=$st "$TOP/scripts/build-selftests.sh" proof-debug iommu ||
		return 1
	for ((i = 0; i < boots; i++)); do
		KERNEL=$BUILD/out/proof-debug/arch/x86/boot/bzImage ST=$st GUEST_APPEND=iommu.debug_pagealloc=1 \
			"$TOP/scripts/guest-suites.sh" proof-debug "$suite" || return 1
	done
}

# The KUnit suites of the mutated tree, on its debug kernel (VFIO_GROUP=y)
# and on its cdev-only kernel (VFIO_GROUP=n); fails if either fails.
guest_test_kunit() {
	local rc=0 c
	for c in debug cdev; do
		OUT=$BUILD/out/proof-$c SEED_FROM=debug "$TOP/scripts/build-kernel.sh" $c &&
		KERNEL=$BUILD/out/proof-$c/arch/x86/boot/bzImage ST=$BUILD/selftests/proof-kunit \
			"$TOP/scripts/guest-suites.sh" proof-$c kunit || rc=1
	done
	return $rc
}

# noiommu_mixed in the guest with an IOMMU (GUEST_VIOMMU=1), on the debug
# kernel of the mutated tree
guest_test_viommu() {
	local st=$BUILD/selftests/proof-viommu
	OUT=$BUILD/out/proof-debug SEED_FROM=debug "$TOP/scripts/build-kernel.sh" debug &&
	OUT=$BUILD/out/proof-debug DEST=$st "$TOP/scripts/build-selftests.sh" proof-viommu vfio &&
	mkdir -p "$st/harness" &&
	gcc -static -O2 -Wall -Werror -I "$BUILD/out/proof-debug/usr/include" -I "$TOP/tests" \
		-o "$st/harness/noiommu_mixed" "$TOP/tests/noiommu_mixed.c" &&
	GUEST_VIOMMU=1 KERNEL=$BUILD/out/proof-debug/arch/x86/boot/bzImage ST=$st \
		GUEST_APPEND="iommu.debug_pagealloc=1 init_on_free=1" \
		"$TOP/scripts/guest-suites.sh" viommu noiommu_mixed
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

m_no-cdev-taint() {
	mutate no-cdev-taint 's/(\n\tif \(vfio_device_is_noiommu\(device\)\) \{\n)\t\tadd_taint\(TAINT_USER, LOCKDEP_STILL_OK\);\n/$1/' \
		drivers/vfio/device_cdev.c
	guest_test_cdev
}
m_stale-get-pa() {
	mutate stale-get-pa 's/(\nint iopt_noiommu_get_pa\(.*?\n\{\n.*?\tint rc;\n)/$1\tstatic u64 mutant_page = U64_MAX, mutant_phys;\n\n\tif (iova \/ PAGE_SIZE == mutant_page) {\n\t\t*phys = mutant_phys + offset_in_page(iova);\n\t\t*length = min_t(u64, *length, PAGE_SIZE - offset_in_page(iova));\n\t\treturn 0;\n\t}\n/s; s/(\n\t\*phys = run\.phys;\n)/$1\tmutant_page = iova \/ PAGE_SIZE;\n\tmutant_phys = run.phys - offset_in_page(iova);\n/' \
		drivers/iommu/iommufd/noiommu.c
	guest_test_debug
}
m_get-pa-unlocked-read() {
	mutate get-pa-unlocked-read 's/\tif \(iopt_dmabuf_revoked\(pages\)\)\n\t\trc = -EINVAL;\n\telse\n\t\trc = noiommu_run_extend\(domain, run, iova, last\) \? 1 : 0;\n\tmutex_unlock\(&pages->mutex\);\n/\trc = iopt_dmabuf_revoked(pages) ? -EINVAL : 2;\n\tmutex_unlock(&pages->mutex);\n\tif (rc == 2)\n\t\trc = noiommu_run_extend(domain, run, iova, last) ? 1 : 0;\n/' \
		drivers/iommu/iommufd/noiommu.c
	guest_test_debug iommufd_race 3
}
m_get-pa-no-pages-ref() {
	mutate get-pa-no-pages-ref 's/\tkref_get\(&pages->kref\);\n//; s/(\tmutex_unlock\(&pages->mutex\);\n)\tiopt_put_pages\(pages\);\n/$1/' \
		drivers/iommu/iommufd/noiommu.c
	guest_test_debug iommufd_race 3
}
m_get-pa-no-domains-rwsem() {
	mutate get-pa-no-domains-rwsem 's/\tlockdep_assert_held\(&iopt->domains_rwsem\);\n//g; s/\tdown_read\(&iopt->domains_rwsem\);\n(\tdomain = iopt_noiommu_domain)/$1/; s/(\} while \(rc == 1 && run\.last < last\);\n)\tup_read\(&iopt->domains_rwsem\);\n/$1/' \
		drivers/iommu/iommufd/noiommu.c
	guest_test_debug iommufd_race 3
}
m_top-torn-read() {
	mutate top-torn-read 's/(\n#include <linux\/export\.h>\n)/$1#include <linux\/delay.h>\n/; s/(\tret = make_range\(common_from_iommu\(iommu_table\), &range, iova, len\);\n\tif \(ret\)\n\t\treturn ret;\n)(\n\t\/\* The walk moves range\.va along \*\/\n)/$1\tudelay(20);\n\trange.top_table = (struct pt_table_p *)(READ_ONCE(common_from_iommu(iommu_table)->top_of_table) \& ~(uintptr_t)PT_TOP_LEVEL_MASK);\n$2/' \
		drivers/iommu/generic_pt/iommu_pt.h
	# The include alone would pass mutate's check if the main edit moved
	grep -q 'udelay(20);' "$TREE/drivers/iommu/generic_pt/iommu_pt.h" ||
		die "mutant top-torn-read: the edit of iova_to_phys_run() did not apply (the source moved?)"
	guest_test_debug iommufd_race 3
}
m_get-pa-short-run() {
	mutate get-pa-short-run 's/#define NOIOMMU_GET_PA_MAX_LEAVES 256/#define NOIOMMU_GET_PA_MAX_LEAVES 2/' \
		drivers/iommu/iommufd/noiommu.c
	guest_test_debug iommufd_race
}
m_get-pa-join-discontig() {
	mutate get-pa-join-discontig 's/\t\} else if \(phys != run->next_phys\) \{\n\t\treturn false;\n\t\}\n/\t}\n/' \
		drivers/iommu/iommufd/noiommu.c
	guest_test_debug iommufd_race
}
m_compat-map-no-prot() {
	mutate compat-map-no-prot 's/\t\/\* As type1 does, refuse a mapping with neither read nor write \*\/\n\tif \(!\(map\.flags & supported_flags\)\)\n\t\treturn -EINVAL;\n\n//' \
		drivers/iommu/iommufd/vfio_compat.c
	guest_test_debug iommufd_vfio_compat
}
m_top-of-iova() {
	mutate top-of-iova 's/next_last = iova \+ min\(last_iova - iova,\n[\t ]+batch->npfns\[cur\] \* PAGE_SIZE -\n[\t ]+page_offset - 1\);/next_last = min(last_iova + 1, iova + batch->npfns[cur] * PAGE_SIZE - page_offset) - 1;/' \
		drivers/iommu/iommufd/pages.c
	guest_test_debug
}
m_huge-pin-leak() {
	mutate huge-pin-leak 's/(\n)(\t\tunpin_user_page_range_dirty_lock\(\n\t\t\tpfn_to_page\(batch->pfns\[cur\] \+ first_page_off\),\n\t\t\tto_unpin, pages->writable\);\n)/$1\t\tif (!PageCompound(pfn_to_page(batch->pfns[cur] + first_page_off)))\n\t$2/' \
		drivers/iommu/iommufd/pages.c
	guest_test_debug
}
m_table-page-leak() {
	mutate table-page-leak 's/\tiommu_put_pages_list\(&gather->freelist\);\n/\t(void)gather;\n/' \
		drivers/iommu/iommufd/noiommu.c
	guest_test_debug iommufd_noiommu
}
m_revoke-keeps-noiommu() {
	mutate revoke-keeps-noiommu 's/(\t\tstruct iopt_area \*area = track->area;\n\n)/$1\t\tif (iommufd_domain_is_noiommu(track->domain))\n\t\t\tcontinue;\n/' \
		drivers/iommu/iommufd/pages.c
	guest_test_debug iommufd_noiommu
}
m_early-unpin() {
	mutate early-unpin 's/(\tiopt_pages_add_npinned\(pages, rc\);\n)/$1\tif (!user->file)\n\t\tunpin_user_pages(user->upages, rc);\n/; s/\t\tunpin_user_page_range_dirty_lock\(\n\t\t\tpfn_to_page\(batch->pfns\[cur\] \+ first_page_off\),\n\t\t\tto_unpin, pages->writable\);\n//' \
		drivers/iommu/iommufd/pages.c
	guest_test_cdev
}
m_debug-pagealloc() {
	mutate debug-pagealloc 's/if \(!size \|\| WARN_ON\(check_add_overflow\(iova, size - 1, &last\)\)\)/if (WARN_ON(check_add_overflow(iova, size, &last)))/' \
		drivers/iommu/iommu-debug-pagealloc.c
	guest_test_debug
}

m_unmap-allocates() {
	mutate unmap-allocates 's/(\n\tiommu_debug_unmap_begin\(domain, iova, size\);\n)/\n\tif (pt && !domain->owner) {\n\t\tstruct page *mutant = alloc_page(GFP_KERNEL_ACCOUNT);\n\n\t\tif (!mutant)\n\t\t\treturn 0;\n\t\t__free_page(mutant);\n\t}\n$1/' \
		drivers/iommu/iommu.c
	guest_test_debug iommufd_fail_nth_noiommu
}

m_fwspec-noiommu() {
	mutate fwspec-noiommu 's/type == VFIO_IOMMU && device_iommu_absent\(device->dev\);/type == VFIO_IOMMU \&\& !device_has_iommu(device->dev);/' \
		drivers/vfio/vfio_main.c
	guest_test_kunit
}
m_isolated-no-cdev() {
	mutate isolated-no-cdev 's/return !vfio_device_is_noiommu\(device\) \|\|\n\t       (vfio_device_noiommu_cdev\(device\);)/return $1/' \
		drivers/vfio/vfio.h
	guest_test_viommu
}
m_isolated-as-noiommu() {
	mutate isolated-as-noiommu 's/type == VFIO_IOMMU && device_iommu_absent\(device->dev\);/type == VFIO_IOMMU;/' \
		drivers/vfio/vfio_main.c
	guest_test_viommu
}

# The guest consoles that a gate's log names: the reason a test gives for a
# failure is in its console, the log has its "not ok" line.
consoles() {
	sed -n 's#.*(console: \(build/logs/[^ )]*\.log\)).*#'"$TOP"'/\1#p' "$1" | sort -u
}

# What the failing gate must say (in its log or a console the log names), so
# an unrelated breakage proves nothing.
declare -A why=(
	[checkpatch]='checkpatch: .*TRAILING_WHITESPACE'
	[sparse]='cast removes address space'
	[kerneldoc]="'mutant' not described"
	[uapi]='uapi_check|offsetof|sizeof'
	[kconfig]='"iommufd_device_bind_noiommu" \[.*\] undefined'
	[no-get-pa]='not ok [0-9]+ .*get_pa'
	[no-cap-check]='not ok [0-9]+ .*cap_sys_rawio'
	[no-cdev-taint]='not ok [0-9]+ the cdev tainted the kernel'
	[stale-get-pa]='not ok [0-9]+ iommufd_noiommu_race\.remap\.get_pa'
	[get-pa-unlocked-read]='not ok [0-9]+ iommufd_noiommu_race\.revoke\.get_pa'
	[get-pa-no-pages-ref]='BUG: KASAN|not ok [0-9]+ iommufd_noiommu_race\.'
	[get-pa-no-domains-rwsem]='BUG: KASAN|not ok [0-9]+ iommufd_noiommu_race\.'
	[top-torn-read]='not ok [0-9]+ iommufd_noiommu_race\.top\.get_pa'
	[get-pa-short-run]='run of [0-9]+ bytes ends before page [0-9]+, which follows it, while no step ran'
	[get-pa-join-discontig]='run of [0-9]+ bytes into area 1 while remaps'
	[compat-map-no-prot]='not ok [0-9]+ vfio_compat_mock_domain\..*map_no_prot|WARNING: .*map_range'
	[top-of-iova]='not ok [0-9]+ iommufd_noiommu\.get_pa_top'
	[huge-pin-leak]='not ok [0-9]+ iommufd_noiommu\.get_pa_huge'
	[table-page-leak]='not ok [0-9]+ iommufd_noiommu\.table_pages_freed'
	[revoke-keeps-noiommu]='not ok [0-9]+ iommufd_noiommu\.get_pa_dmabuf'
	[early-unpin]='not ok [0-9]+ .*(dma_pinned|pinned)'
	[debug-pagealloc]='WARNING: .*__iommu_debug_update_iova'
	[fwspec-noiommu]='not ok [0-9]+ vfio_noiommu\.noiommu_test_fwspec'
	[isolated-no-cdev]='not ok [0-9]+ isolated: /dev/vfio/devices/vfio[0-9]+ is a char device'
	[isolated-as-noiommu]='not ok [0-9]+ isolated [0-9a-f:.]+: bound to vfio-pci'
	[unmap-allocates]='WARNING: .*iommufd/pages\.c:[0-9]+ at (iommu_unmap_nofail|iopt_area_unmap_domain|batch_)|not ok [0-9]+ basic_fail_nth\.(noiommu_unmap_areas|map_noiommu_domain)'
)
all=(checkpatch sparse kerneldoc uapi kconfig no-get-pa no-cap-check no-cdev-taint stale-get-pa get-pa-unlocked-read get-pa-no-domains-rwsem top-torn-read get-pa-short-run get-pa-join-discontig compat-map-no-prot top-of-iova huge-pin-leak table-page-leak revoke-keeps-noiommu early-unpin debug-pagealloc fwspec-noiommu unmap-allocates isolated-no-cdev isolated-as-noiommu)
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
	elif ! grep -qE "${why[$m]}" "$log" $(consoles "$log"); then
		warn "NOT PROVEN: $m: the gate failed, but not for the planted defect (no /${why[$m]}/ in the log)"
		bad=1
	else
		info "PROVEN: $m: the gate failed; its reason:"
		grep -E '^!!!|^ERROR|not ok' "$log" | grep -v 'last lines of' | head -n 8 | sed 's/^/      /'
		# and the first console line with the planted defect's reason
		cons=$(consoles "$log")
		[ -z "$cons" ] || grep -hE -m 1 "${why[$m]}" $cons | head -n 1 | sed 's/^/      console: /'
	fi
done
exit $bad
