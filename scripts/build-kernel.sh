#!/usr/bin/env bash
# Build a kernel configuration out of tree:
#   scripts/build-kernel.sh NAME [FRAGMENT...]
# NAME selects build/out/NAME; the fragments default to the named set below.
# Config = tinyconfig + fragments (merge_config.sh); the build fails if any
# option requested by a fragment did not stick in the final .config.
# SRC=dir builds another source tree (default build/linux); SEED_FROM=NAME
# starts a new build directory as a copy of build/out/NAME.
source "$(dirname "$0")/lib.sh"

name=${1:?usage: build-kernel.sh NAME [FRAGMENT...]}
shift
frags=("$@")
if [ ${#frags[@]} -eq 0 ]; then
	case $name in
	main)  frags=(guest features iommufd-test uapi-test) ;;
	debug) frags=(guest features iommufd-test debug) ;;
	cdev)  frags=(guest features iommufd-test debug cdev-only) ;;
	*) die "unknown config set '$name': give fragments" ;;
	esac
fi
paths=()
for f in "${frags[@]}"; do
	case $f in
	/*|./*|../*) p=$f ;;
	*) p=$TOP/configs/$f.config ;;
	esac
	[ -f "$p" ] || die "no config fragment $p"
	paths+=("$p")
done

SRC=${SRC:-$TREE}
OUT=${OUT:-$BUILD/out/$name}
# SEED_FROM=CONFIG: a new build directory starts as a copy of that one's.
[ -z "${SEED_FROM:-}" ] || seed_build_dir "$OUT" "$SEED_FROM"
mkdir -p "$OUT"
use_ccache
export KBUILD_BUILD_TIMESTAMP="2026-01-01" KBUILD_BUILD_USER=noiommu KBUILD_BUILD_HOST=qemu
MAKE=(make -C "$SRC" O="$OUT" -j"$(nproc)" CC="ccache gcc" HOSTCC="ccache gcc" ${KMAKE_ARGS:-})

# Only one kernel build at a time on this machine (KBUILD_LOCK_HELD=1: the
# caller holds the lock, as the Kconfig matrix does for its two lanes).
if [ -z "${KBUILD_LOCK_HELD:-}" ]; then
	exec 9>"$BUILD/.kbuild.lock"
	flock 9
fi

step "kernel[$name]: configuring (tinyconfig + ${frags[*]})"
cat "${paths[@]}" >"$OUT/fragments.config"
if [ ! -f "$OUT/.config" ] || ! cmp -s "$OUT/fragments.config" "$OUT/.fragments.used"; then
	# tinyconfig is the same for every configuration of one tree, and costs
	# three top-level makes: make it once per set of Kconfig files and copy.
	# Key: the Kconfig files (committed and uncommitted), tinyconfig's
	# fragments, the compiler, which Kconfig probes, and KMAKE_ARGS if any
	# (ARCH=i386 makes another tinyconfig).
	kc=$({ git -C "$SRC" ls-files -s -- ':(glob)**/Kconfig*' kernel/configs arch/x86/configs &&
		git -C "$SRC" diff HEAD -- ':(glob)**/Kconfig*' kernel/configs arch/x86/configs &&
		gcc --version && if [ -n "${KMAKE_ARGS:-}" ]; then echo "$KMAKE_ARGS"; fi; } 2>/dev/null |
		sha1sum | cut -c1-16)
	tiny=$BUILD/out/.tinyconfig-$kc
	if [ ! -f "$tiny" ] || [ ! -e "$SRC/.git" ]; then
		run_logged "$LOGS/kconfig-$(basename "$OUT").log" "${MAKE[@]}" tinyconfig
		cp "$OUT/.config" "$tiny.tmp.$$" && mv "$tiny.tmp.$$" "$tiny"
	else
		cp "$tiny" "$OUT/.config"
	fi
	run_logged "$LOGS/kconfig-$(basename "$OUT").log" "$SRC/scripts/kconfig/merge_config.sh" -m -O "$OUT" "$OUT/.config" "${paths[@]}"
	cp "$OUT/fragments.config" "$OUT/.fragments.used"
fi
# No separate olddefconfig (one more top-level make, ~3 s): the build's own
# syncconfig resolves the merged .config, and the check below runs after it.

step "kernel[$name]: building ${KBUILD_TARGETS:-bzImage} (log: build/logs/kbuild-$(basename "$OUT").log)"
run_logged "$LOGS/kbuild-$(basename "$OUT").log" "${MAKE[@]}" ${KBUILD_TARGETS:-bzImage} ||
	die "kernel[$name]: build failed"
# Every requested option must have stuck (the last fragment that names an
# option wins, as in merge_config.sh).
bad=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=n) sym=${line%%=*}
		if grep -q "^$sym=" "$OUT/.config"; then
			warn "config[$name]: $sym requested n, got $(grep "^$sym=" "$OUT/.config")"; bad=1
		fi ;;
	CONFIG_*=*) sym=${line%%=*}
		if ! grep -qxF "$line" "$OUT/.config"; then
			got=$(grep -E "^$sym=|^# $sym is not set" "$OUT/.config" || echo "absent")
			warn "config[$name]: requested $line, got: $got"; bad=1
		fi ;;
	esac
done < <(awk -F= '/^CONFIG_/ { if (!($1 in v)) o[++n] = $1; v[$1] = $0 }
		END { for (i = 1; i <= n; i++) print v[o[i]] }' "${paths[@]}")
[ $bad = 0 ] || die "config[$name]: requested options did not stick (dependencies missing?)"

if grep -E '(warning|error):' "$LOGS/kbuild-$(basename "$OUT").log" | grep -v '^make' >"$OUT/warnings.txt"; then
	info "kernel[$name]: $(wc -l <"$OUT/warnings.txt") compiler warning line(s), see $OUT/warnings.txt"
fi
step "kernel[$name]: done: $OUT (${KBUILD_TARGETS:-bzImage})"
