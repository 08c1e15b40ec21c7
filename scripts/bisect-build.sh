#!/usr/bin/env bash
# Walk the series one patch at a time, as git bisect would land on it:
#  - a patch that touches the kernel (anything outside tools/ and
#    Documentation/; and always the first patch): the main config is rebuilt
#    incrementally in build/out/main, which so ends up built at HEAD. A build
#    error or a compiler warning in a file the patch touches fails;
#  - a patch that touches tools/testing/selftests/<target>/: that target is
#    built from scratch against this patch's UAPI headers. A build error or a
#    warning in a file the patch touches fails;
#  - a patch that touches the kernel or the iommu selftests: this patch's
#    kernel boots in the guest and runs iommufd's own selftests (iommufd,
#    iommufd_fail_nth) and the legacy noiommu group check; all must pass with
#    no splat. The guest runs in the background on a copy of the kernel and
#    the selftests (build/bisect/NN/) while the next patch builds; one guest
#    at a time, and all of them have ended when this script exits.
# Records one case per patch and step in $RESULTS if set. Restores
# build/linux's HEAD afterwards.
source "$(dirname "$0")/lib.sh"

git_t() { git -C "$TREE" "$@"; }
[ -z "$(git_t status --porcelain --untracked-files=no)" ] || die "build/linux has uncommitted changes"
head=$(git_t symbolic-ref -q --short HEAD || git_t rev-parse HEAD)
mapfile -t commits < <(git_t rev-list --reverse base..HEAD)
[ ${#commits[@]} -gt 0 ] || { info "bisect-build: empty series"; exit 0; }
STAGE=$BUILD/bisect
rm -rf "$STAGE"
GUEST_SUITES="iommufd iommufd_fail_nth noiommu_group"
gpid= gtag= gsubj= glog= prev_st=
trap '[ -z "$gpid" ] || kill_tree "$gpid"; git_t checkout -q "$head"' EXIT
bad=0
record() {	# record STATUS TEXT
	[ -n "${RESULTS:-}" ] && echo "CHECK $1 $2" >>"$RESULTS"
	[ "$1" = PASS ] || bad=1
	return 0
}
# warnings_in LOG FILES...: compiler warnings in LOG on any of FILES.
warnings_in() {
	local log=$1 f
	shift
	for f in "$@"; do
		grep -E "(^|/)$f:[0-9]+:[0-9]+: (warning|error)" "$log" || true
	done
}
# judge WHAT LOG FILE...: one case for this patch: WHAT, with no compiler
# warning in LOG on any of FILEs.
judge() {
	local what=$1 log=$2 w
	shift 2
	w=$(warnings_in "$log" "$@")
	if [ -n "$w" ]; then
		warn "$tag ($subj): $what, with warnings in files it touches:"
		echo "$w" >&2
		record FAIL "$tag $what without warnings in its files: $subj"
	else
		record PASS "$tag $what without warnings in its files: $subj"
	fi
}

# The guest of one patch, in the background; guest_wait judges it. One vCPU:
# iommufd's suites gain nothing from a second one under TCG, and it costs
# ~20% more host CPU, which the builds running meanwhile need.
guest_start() {	# guest_start STAGEDIR LOG
	gtag=$tag gsubj=$subj glog=$2
	(unset RESULTS; KERNEL=$1/bzImage ST=$1/st GUEST_TIMEOUT=600 GUEST_SMP=1 \
		"$TOP/scripts/guest-suites.sh" bisect $GUEST_SUITES) >>"$glog" 2>&1 &
	gpid=$!
}
guest_wait() {
	[ -n "$gpid" ] || return 0
	if wait "$gpid"; then
		info "$gtag guest: $(grep -E '^    [a-z_]+ +[0-9]+ passed' "$glog" | tr -s ' ' | paste -sd';')"
		record PASS "$gtag guest: $GUEST_SUITES all pass: $gsubj"
	else
		warn "$gtag ($gsubj): guest suites failed:"
		grep -E '^    |^!!!' "$glog" | tail -n 20 >&2 || true
		record FAIL "$gtag guest: $GUEST_SUITES all pass: $gsubj"
	fi
	gpid=
}

n=${#commits[@]}
i=0
for c in "${commits[@]}"; do
	i=$((i + 1))
	tag=$(printf 'bisect %02d/%02d' "$i" "$n")
	subj=$(git_t log -1 --format=%s "$c")
	mapfile -t files < <(git_t diff-tree --no-commit-id --name-only -r "$c")
	kernel=$([ $i = 1 ] && echo 1 || echo 0)
	targets=()
	for f in "${files[@]}"; do
		case $f in
		tools/testing/selftests/*/*)
			t=${f#tools/testing/selftests/}
			t=${t%%/*}
			[[ " ${targets[*]} " == *" $t "* ]] || targets+=("$t") ;;
		tools/* | Documentation/*) ;;
		*) kernel=1 ;;
		esac
	done
	git_t checkout -q --detach "$c"
	step "$tag: $subj"
	log=$LOGS/bisect-$i.log
	: >"$log"

	if [ $kernel = 1 ]; then
		if ! "$TOP/scripts/build-kernel.sh" main >>"$log" 2>&1; then
			warn "$tag ($subj) does not build:"
			tail -n 25 "$log" >&2
			record FAIL "$tag kernel builds: $subj"
			continue
		fi
		judge "kernel builds" "$LOGS/kbuild-main.log" "${files[@]}"
	fi

	if [ $kernel = 0 ] && [ ${#targets[@]} = 0 ]; then
		info "$tag: documentation only, nothing to build (static.sh docs checks it)"
		continue
	fi
	ST=$STAGE/$(printf %02d "$i")
	guest_targets=("${targets[@]}")
	if [ $kernel = 1 ] && [[ " ${targets[*]} " != *" iommu "* ]]; then
		guest_targets+=(iommu)
	fi
	for t in "${guest_targets[@]}"; do
		if ! DEST=$ST/st REUSE=$prev_st "$TOP/scripts/build-selftests.sh" main "$t" >>"$log" 2>&1; then
			warn "$tag ($subj): selftests/$t does not build:"
			grep -E 'error:|^ERROR' "$LOGS/selftests-main-$t.log" "$log" | head -n 20 >&2 || true
			record FAIL "$tag selftests/$t builds: $subj"
			continue
		fi
		[[ " ${targets[*]} " == *" $t "* ]] || continue
		judge "selftests/$t builds" "$LOGS/selftests-main-$t.log" \
			"${files[@]#tools/testing/selftests/$t/}"
	done
	prev_st=$ST/st

	if [ $kernel = 1 ] || [[ " ${targets[*]} " == *" iommu "* ]]; then
		if [ ! -x "$ST/st/iommu/iommufd" ]; then
			record FAIL "$tag guest: iommufd selftests not built: $subj"
			continue
		fi
		cp "$BUILD/out/main/arch/x86/boot/bzImage" "$ST/bzImage"
		guest_wait
		guest_start "$ST" "$log"
	fi
done
guest_wait
exit $bad
