#!/usr/bin/env bash
# Static checks on the series (fast; for day-to-day use and from test.sh):
#   static.sh [checkpatch|kerneldoc|sparse|uapi|docs]...   (default: all)
# Each check prints its findings and records one case in $RESULTS if set.
source "$(dirname "$0")/lib.sh"

[ -d "$TREE/.git" ] || die "no build/linux; run scripts/tree.sh"
checks=("$@")
[ ${#checks[@]} -gt 0 ] || checks=(checkpatch kerneldoc sparse uapi docs)
# The commit checked: STATIC_REV (test.sh passes HEAD's hash, as the bisect
# moves build/linux's HEAD while the background checks run), else HEAD.
REV=$(git -C "$TREE" rev-parse --verify "${STATIC_REV:-HEAD}^{commit}")
record() { [ -n "${RESULTS:-}" ] && echo "CHECK $2 $1" >>"$RESULTS"; return 0; }
touched() { git -C "$TREE" diff --name-only --diff-filter=AM "base..$REV" -- "$@"; }
rc_all=0
use_ccache

# checkpatch, kernel-doc and docutils read the tree as well as the patches
# (checkpatch --strict's CamelCase check reads include/ and the patched
# files, get_maintainer.pl MAINTAINERS, spdxcheck.py LICENSES/; kernel-doc
# is Python under tools/). They run in a worktree of their own at REV,
# build/static-tree, so nothing that moves build/linux meanwhile changes what
# they see. It is a sparse checkout of what they read: the top-level files,
# include/, scripts/, LICENSES/, kernel-doc's tools/ and the directories the
# series touches. (checkpatch's test for absolute paths in a changelog that
# name a file of the tree sees only those.)
SRC=
static_tree() {
	local wt=$BUILD/static-tree
	local -a dirs
	[ -z "$SRC" ] || return 0
	# The checks run as "if do_X", where set -e does not apply: every step
	# is checked here, so a worktree that failed is never used.
	mapfile -t dirs < <(git -C "$TREE" diff --name-only "base..$REV" | xargs -r -n 1 dirname | sort -u)
	rm -rf "$wt" &&
	git -C "$TREE" worktree prune &&
	git -C "$TREE" worktree add -q -f --no-checkout --detach "$wt" "$REV" >/dev/null &&
	git -C "$wt" sparse-checkout set --cone include scripts LICENSES tools/docs tools/lib/python \
		Documentation/dev-tools "${dirs[@]}" &&
	git -C "$wt" reset -q --hard "$REV" &&
	# checkpatch's test for the top of a kernel tree wants these to exist.
	mkdir -p "$wt"/{Documentation,arch,drivers,fs,init,ipc,kernel,lib} ||
		{ warn "static: cannot make the worktree $wt at $REV"; return 1; }
	SRC=$wt
}

# Added lines of the series, as "file:line" (for "new warnings only").
added_lines() {
	git -C "$TREE" diff -U0 "base..$REV" | awk '
		/^\+\+\+ b\// { f = substr($0, 7); next }
		/^@@/ { split($3, a, ","); l = substr(a[1], 2) + 0; n = (a[2] == "") ? 1 : a[2] + 0
			for (i = 0; i < n; i++) print f ":" (l + i) }'
}

# checkpatch --strict on every patch, $(nproc) at a time: one run each, with
# --show-types for the exceptions file and codespell for spelling.
checkpatch_one() {	# checkpatch_one PATCH OUTDIR
	cd "$SRC" && PATH=/usr/bin:$PATH perl scripts/checkpatch.pl --strict --show-types \
		--codespell --codespellfile /usr/lib/python3/dist-packages/codespell_lib/data/dictionary.txt \
		"$1" >"$2/$(basename "$1").out" 2>&1 || true
}
do_checkpatch() {
	local bad=0 p base t line dir=$BUILD/.checkpatch
	mapfile -t pl < <(series_patches)
	static_tree || return 1
	rm -rf "$dir"
	mkdir -p "$dir"
	export -f checkpatch_one
	export SRC
	printf '%s\0' "${pl[@]}" | xargs -0 -r -n 1 -P "$(nproc)" bash -c 'checkpatch_one "$2" "$1"' _ "$dir"
	for p in "${pl[@]}"; do
		base=$(basename "$p")
		if ! grep -qE '^total: [0-9]+ errors|has no obvious style problems' "$dir/$base.out"; then
			warn "checkpatch did not run on $base:"
			tail -n 5 "$dir/$base.out" >&2
			bad=1
		fi
		# "TYPE:NAME: message" and the "#N: FILE: ..." line after it.
		while IFS= read -r line; do
			t=$(sed -n 's/^\(ERROR\|WARNING\|CHECK\):\([A-Z_0-9]*\):.*/\2/p' <<<"$line")
			if awk -v p="$base" -v t="$t" '!/^#/ && NF >= 2 { if (t == $2) { g = $1; gsub(/\./, "\\.", g); gsub(/\*/, ".*", g); if (p ~ ("^" g "$")) ok = 1 } } END { exit !ok }' \
				"$TOP/series/checkpatch-exceptions"; then
				info "checkpatch (excepted): $base: $line"
			else
				warn "checkpatch: $base: $line"
				bad=1
			fi
		done < <(awk '/^(ERROR|WARNING|CHECK):[A-Z_0-9]+:/ { if (m != "") print m; m = $0; next }
			m != "" && /^#[0-9]+: / { print m " (" $0 ")"; m = ""; next }
			END { if (m != "") print m }' "$dir/$base.out")
	done
	return $bad
}

do_kerneldoc() {
	local bad=0 f new old
	static_tree || return 1
	for f in $(touched '*.c' '*.h' | grep -v '^tools/'); do
		new=$(cd "$SRC" && perl scripts/kernel-doc -none -Wall "$f" 2>&1 | sed -E 's/:[0-9]+//' | sort)
		old=$(cd "$SRC" && git show "base:$f" 2>/dev/null >"$BUILD/.kd-old.${f##*.}" &&
			perl scripts/kernel-doc -none -Wall "$BUILD/.kd-old.${f##*.}" 2>&1 |
			sed -E "s#$BUILD/.kd-old.${f##*.}#$f#; s/:[0-9]+//" | sort || true)
		d=$(comm -23 <(echo "$new") <(echo "$old") | grep -v '^$' || true)
		if [ -n "$d" ]; then
			warn "kernel-doc: new warnings in $f:"
			echo "$d" >&2
			bad=1
		fi
	done
	rm -f "$BUILD"/.kd-old.*
	return $bad
}

# sparse_pass CONFIG OBJS...: sparse and W=1 on OBJS, built with
# build/out/CONFIG's .config in build/out/static-CONFIG. A new directory
# starts as a copy of build/out/CONFIG: only the named objects are built
# again (W=1 changes their command lines). Log: sparse-w1-CONFIG.log.
sparse_pass() {
	local cfg=$1 out=$BUILD/out/static-$1 log=$LOGS/sparse-w1-$1.log
	shift
	seed_build_dir "$out" "$cfg" || { warn "sparse: cannot copy build/out/$cfg to $out"; return 1; }
	mkdir -p "$out"
	cp "$BUILD/out/$cfg/.config" "$out/.config"
	(
		exec 9>"$BUILD/.kbuild.lock"
		flock 9
		make -C "$TREE" O="$out" -s olddefconfig >/dev/null
		make -C "$TREE" O="$out" -j"$(nproc)" CC="ccache gcc" W=1 C=2 CHECK="$sparse" ${KMAKE_ARGS:-} \
			"$@" >"$log" 2>&1
	) || { warn "sparse/W=1 [$cfg]: build of touched objects failed:"; grep -E 'error:|Error' "$log" | head -20 >&2; return 1; }
	# Keep only warnings on lines the series adds.
	grep -E '^[^ ]+:[0-9]+:([0-9]+:)? (warning|error)' "$log" |
		sed "s#^$TREE/##; s#^\.\./\.\./linux/##" | while IFS= read -r w; do
			fl=$(echo "$w" | cut -d: -f1,2)
			if grep -qxF "$fl" "$BUILD/.added"; then echo "$w"; fi
		done >"$BUILD/.sparse-new"
	if [ -s "$BUILD/.sparse-new" ]; then
		warn "sparse/W=1 [$cfg]: new warnings on lines the series adds:"
		cat "$BUILD/.sparse-new" >&2
		return 1
	fi
	info "sparse/W=1 [$cfg]: $# object(s) checked; log ${log#$TOP/}"
}

# Every touched kernel C file is checked in the first configuration that
# builds it: main, else debug (iommu-debug-pagealloc.c needs
# DEBUG_PAGEALLOC). One that neither builds is a failure, not a skip.
do_sparse() {
	local sparse objs o cfg bad=0
	local -a in_main=() in_debug=()
	# Without a working sparse, C=2 only warns and checks nothing (seen
	# 2026-12-02: apt would not fetch the source). That is a skip, not a
	# pass: the summary lists it with this reason.
	sparse=$("$TOP/scripts/sparse.sh" | tail -n 1)
	if [ -z "$sparse" ] || [ "$(sh "$TREE/scripts/checker-valid.sh" "$sparse" 2>/dev/null)" != 1 ]; then
		warn "sparse: no working sparse ('$sparse'): nothing checked"
		record "static:sparse: no working sparse (scripts/sparse.sh failed), nothing checked" SKIP
		return 3
	fi
	objs=$(touched '*.c' | grep -E '^(drivers|kernel|mm|lib|fs)/' | sed 's/\.c$/.o/')
	[ -n "$objs" ] || { info "sparse/W=1: no touched kernel C files"; return 0; }
	[ -f "$BUILD/out/main/.config" ] || die "sparse: needs build/out/main (scripts/build-kernel.sh main)"
	for o in $objs; do
		if [ -f "$BUILD/out/main/$o" ]; then
			in_main+=("$o")
		elif [ -f "$BUILD/out/debug/$o" ]; then
			in_debug+=("$o")
		else
			warn "sparse/W=1: $o is built by neither the main nor the debug configuration"
			bad=1
		fi
	done
	added_lines >"$BUILD/.added"
	[ ${#in_main[@]} = 0 ] || sparse_pass main "${in_main[@]}" || bad=1
	[ ${#in_debug[@]} = 0 ] || sparse_pass debug "${in_debug[@]}" || bad=1
	return $bad
}

do_uapi() {
	local out=${UAPI_OUT:-$BUILD/out/main} bad=0
	# The kernel's own UAPI header test (CONFIG_UAPI_HEADER_TEST): every
	# exported header compiles alone as C90 and C++98, and headers_check.pl
	# passes on it. The main build runs it (configs/uapi-test.config); this
	# brings it up to date with the tree and checks that it ran.
	rm -rf "$BUILD/out/uapi"	# the directory of an older layout
	grep -q '^CONFIG_UAPI_HEADER_TEST=y' "$out/.config" 2>/dev/null ||
		{ warn "uapi: $out has no CONFIG_UAPI_HEADER_TEST (run scripts/build-kernel.sh main)"; return 1; }
	(
		exec 9>"$BUILD/.kbuild.lock"
		flock 9
		make -C "$TREE" O="$out" -j"$(nproc)" CC="ccache gcc" HOSTCC="ccache gcc" ${KMAKE_ARGS:-} \
			usr/include/ >"$LOGS/uapi.log" 2>&1
	) || { warn "uapi: the UAPI header test fails:"; grep -E 'error|Error' "$LOGS/uapi.log" | head -n 20 >&2; bad=1; }
	[ "$out/usr/include/linux/iommufd.hdrtest" -nt "$TREE/include/uapi/linux/iommufd.h" ] ||
		{ warn "uapi: iommufd.h was not tested"; bad=1; }
	# The layout of the new UAPI struct and the ioctl number.
	if gcc -std=gnu11 -Wall -Werror -I "$out/usr/include" -o "$out/uapi_check" "$TOP/tests/uapi_check.c" >"$LOGS/uapi-check.log" 2>&1; then
		"$out/uapi_check" || bad=1
	else
		warn "uapi: tests/uapi_check.c does not compile against the series' headers:"
		head -n 20 "$LOGS/uapi-check.log" >&2
		bad=1
	fi
	return $bad
}

# reStructuredText of every touched document: docutils with warnings fatal.
do_docs() {
	local f bad=0
	static_tree || return 1
	for f in $(touched 'Documentation/*.rst'); do
		if ! (cd "$SRC" && /usr/bin/python3 -m docutils --halt=warning --report=warning \
			"$f" /dev/null) 2>"$BUILD/.docs.err"; then
			warn "docs: $f is not valid reStructuredText:"
			cat "$BUILD/.docs.err" >&2
			bad=1
		else
			info "docs: $f OK (docutils)"
		fi
	done
	return $bad
}

for c in "${checks[@]}"; do
	step "static: $c"
	r=0
	"do_$c" || r=$?
	case $r in
	0) record "static:$c" PASS ;;
	3) ;;	# skipped, recorded with its reason
	*) record "static:$c" FAIL; rc_all=1 ;;
	esac
done
exit $rc_all
