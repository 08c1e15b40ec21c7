#!/usr/bin/env bash
# Benchmark IOMMU_IOAS_NOIOMMU_GET_PA and the IOAS of a noiommu device: build
# tests/noiommu_bench.c statically, boot the main kernel in QEMU (TCG) with
# the edu device, run it there (guest/bench.sh), print a table and write it to
# build/bench/bench-<time>.{txt,csv,json,raw} (+ latest.* symlinks).
#
# Environment: REPS (7), CALLS (25000 ioctls per rate sample), SMALL_MIB
# (64), LARGE_MIB (1024), PAGEMAP_BATCH (4096 entries per pread), DMAS (8),
# GUEST_MEM (4G), GUEST_TIMEOUT (1800 s).
#
# Exit status: 0 when the benchmark ran, whatever its numbers; 1 when it
# could not run; 2 when a correctness cross-check failed (GET_PA and
# /proc/self/pagemap disagree, or a DMA came back wrong). Missed performance
# targets are printed as NOT MET, not turned into a failure.
source "$(dirname "$0")/lib.sh"

REPS=${REPS:-7}
CALLS=${CALLS:-25000}
SMALL_MIB=${SMALL_MIB:-64}
LARGE_MIB=${LARGE_MIB:-1024}
PAGEMAP_BATCH=${PAGEMAP_BATCH:-4096}
DMAS=${DMAS:-8}
GUEST_MEM=${GUEST_MEM:-4G}
kernel=$BUILD/out/main/arch/x86/boot/bzImage
uapi=$BUILD/out/main/usr/include
out=$BUILD/bench
mkdir -p "$out"

if [ ! -f "$kernel" ] || [ ! -f "$uapi/linux/iommufd.h" ]; then
	step "no main kernel yet: dependencies, tree, build (several minutes)"
	"$TOP/scripts/deps.sh"
	"$TOP/scripts/tree.sh"
	"$TOP/scripts/build-kernel.sh" main
fi
if ! command -v qemu-system-x86_64 >/dev/null || [ ! -x /bin/busybox ]; then
	"$TOP/scripts/deps.sh"
fi

step "building tests/noiommu_bench.c (static, series UAPI headers)"
gcc -static -O2 -Wall -Werror -I "$uapi" -o "$out/noiommu_bench" \
	"$TOP/tests/noiommu_bench.c" ||
	die "noiommu_bench does not build against $uapi"

ts=$(date +%Y%m%d-%H%M%S)
log=$LOGS/bench-$ts.log
raw=$out/bench-$ts.raw
# 2 MiB pages for both hugetlb buffers, and a few spare
hugepages=$(( (SMALL_MIB + LARGE_MIB) / 2 + 8 ))
step "booting the main kernel (TCG, -m $GUEST_MEM, $hugepages 2 MiB pages); console: build/logs/$(basename "$log")"
info "buffers: ${SMALL_MIB} and ${LARGE_MIB} MiB, 4 KiB and 2 MiB pages; $REPS repetitions"
t_boot=$(date +%s)
set +e
"$TOP/scripts/guest-run.sh" -q -K -k "$kernel" -m "$GUEST_MEM" -t "${GUEST_TIMEOUT:-1800}" \
	-l "$log" -f "$out/noiommu_bench" \
	-f "$TOP/guest/suites.sh:/opt/guest/suites.sh" \
	-f "$TOP/guest/bench.sh:/opt/guest/bench.sh" \
	-- sh /opt/guest/bench.sh "$hugepages" -r "$REPS" -n "$CALLS" \
	-b "$PAGEMAP_BATCH" -d "$DMAS" -s "$SMALL_MIB" -l "$LARGE_MIB"
grc=$?
set -e
secs=$(( $(date +%s) - t_boot ))
sed -n '/^GUEST-BENCH-BEGIN/,/^GUEST-BENCH-END/p' "$log" | grep '^BENCH ' >"$raw" || true

if grep -q '^BENCH kind=error' "$raw" || ! grep -q '^BENCH kind=result' "$raw"; then
	grep -E '^(bench|noiommu_bench):' "$log" | sed 's/^/    | /' >&2 || true
	grep '^BENCH kind=error' "$raw" | sed 's/^/    | /' >&2 || true
	die "the benchmark could not run (guest exit $grc, console: $log)"
fi

# Meta data of this run, as key=value for the formatter.
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
krel=$(cat "$BUILD/out/main/include/config/kernel.release" 2>/dev/null || echo unknown)
rev=$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo none)
git -C "$TOP" diff --quiet HEAD 2>/dev/null || rev="$rev+dirty"
qver=$(qemu-system-x86_64 --version | sed -n '1s/^QEMU emulator version //p')
meta=(
	"date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	"host_kernel=$(uname -r)"
	"host_cpu=$cpu"
	"host_cores=$(nproc)"
	"qemu=$qver"
	"guest=TCG -cpu max -smp 2 -m $GUEST_MEM"
	"guest_kernel=$krel"
	"series_rev=$rev"
	"run_seconds=$secs"
)

# Format $raw: mode txt (the table), csv or json.
format() {
	printf '%s\n' "${meta[@]}" | awk -v mode="$1" -f <(cat <<'AWK'
function num(s) { return s ~ /^-?[0-9]+(\.[0-9]+)?$/ }
function jstr(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
function jval(s) { return num(s) ? s + 0 : jstr(s) }
function f(x, d) { return sprintf("%." d "f", x) }
function ratio(a, b) { return b + 0 > 0 ? a / b : 0 }
# derived values, in CSV/JSON too
function derive(item, key, val) {
	nd++; DI[nd] = item; DK[nd] = key; DV[nd] = val
}
FNR == NR { i = index($0, "="); M[substr($0, 1, i - 1)] = substr($0, i + 1)
	    mk[++nm] = substr($0, 1, i - 1); next }
$1 == "BENCH" {
	n++; L[n] = $0
	kind = ""; item = ""
	for (i = 2; i <= NF; i++) {
		j = index($i, "="); k = substr($i, 1, j - 1); v = substr($i, j + 1)
		if (k == "kind") kind = v
		else if (k == "name" || k == "id") item = v
		V[n, k] = v; K[n, ++NK[n]] = k
	}
	KIND[n] = kind; ITEM[n] = item
	if (kind == "buf") { nb++; BUF[nb] = n; BN[item] = n }
	if (kind == "rate") RATE[item] = n
	if (kind == "dma") DMA = n
	if (kind == "env") ENV = n
	if (kind == "target") { nt++; TGT[nt] = n }
	if (kind == "result") RES = n
}
END {
	fl = RATE["floor"]; k = 0
	for (r in RATE)
		if (r != "floor")
			derive(r, "x_floor", f(ratio(V[RATE[r], "ns_med"], V[fl, "ns_med"]), 2))
	for (r in RATE)
		if (r != "floor")
			derive(r, "x_floor_min", f(ratio(V[RATE[r], "ns_min"], V[fl, "ns_min"]), 2))
	if ("ioas_option" in RATE)
		derive("getpa_1page", "x_ioas_option",
		       f(ratio(V[RATE["getpa_1page"], "ns_med"], V[RATE["ioas_option"], "ns_med"]), 2))
	for (b = 1; b <= nb; b++) {
		x = BUF[b]; nm_ = ITEM[x]
		derive(nm_, "pages_per_run", f(ratio(V[x, "pages"], V[x, "runs"]), 1))
		derive(nm_, "pagemap_over_getpa", f(ratio(V[x, "pagemap_us_med"], V[x, "getpa_us_med"]), 2))
		derive(nm_, "pagewise_over_getpa", f(ratio(V[x, "pagewise_us_med"], V[x, "getpa_us_med"]), 2))
		derive(nm_, "pagemap_over_pagewise", f(ratio(V[x, "pagemap_us_med"], V[x, "pagewise_us_med"]), 3))
		derive(nm_, "map_over_mlock", f(ratio(V[x, "map_ms_med"], V[x, "mlock_ms_med"]), 2))
		derive(nm_, "map_ns_per_run", f(ratio(V[x, "map_ms_med"] * 1e6, V[x, "runs"]), 0))
		derive(nm_, "unmap_ns_per_run", f(ratio(V[x, "unmap_ms_med"] * 1e6, V[x, "runs"]), 0))
		k = V[x, "mem_copies"]
		derive(nm_, "mapped_mib_for_mem", k * V[x, "size_mib"])
		derive(nm_, "sunreclaim_kb_per_gib", f(ratio(V[x, "d_sunreclaim_kb"] * 1024, k * V[x, "size_mib"]), 0))
		derive(nm_, "slab_bytes_per_run", f(ratio(V[x, "d_slab_kb"] * 1024, k * V[x, "runs"]), 0))
		# if every 4 KiB page were its own run, at the same cost per run;
		# only where runs, not the fixed cost of a mapping, dominate
		if (V[x, "d_slab_kb"] + 0 > 0 && V[x, "runs"] + 0 >= 1000)
			derive(nm_, "slab_mib_per_gib_one_page_runs",
			       f(ratio(V[x, "d_slab_kb"], k * V[x, "runs"]) * 262144 / 1024, 1))
		o = nm_; sub(/^4k/, "2m", o)
		if (nm_ ~ /^4k/ && (o in BN))
			derive(nm_ "_vs_" o, "getpa_walk_4k_over_2m",
			       f(ratio(V[x, "getpa_us_med"], V[BN[o], "getpa_us_med"]), 1))
	}
	if (mode == "csv") csv(); else if (mode == "json") json(); else table()
}
function csv(   i, j, k) {
	print "kind,item,metric,value"
	for (i = 1; i <= nm; i++) printf "meta,,%s,\"%s\"\n", mk[i], M[mk[i]]
	for (i = 1; i <= n; i++)
		for (j = 1; j <= NK[i]; j++) {
			k = K[i, j]
			if (k == "kind" || k == "name" || k == "id") continue
			printf "%s,%s,%s,%s\n", KIND[i], ITEM[i], k, V[i, k]
		}
	for (i = 1; i <= nd; i++) printf "derived,%s,%s,%s\n", DI[i], DK[i], DV[i]
}
function json(   i, j, k, sep) {
	printf "{\n  \"meta\": {"
	for (i = 1; i <= nm; i++) printf "%s\n    %s: %s", (i > 1 ? "," : ""), jstr(mk[i]), jval(M[mk[i]])
	printf "\n  },\n  \"results\": ["
	for (i = 1; i <= n; i++) {
		printf "%s\n    {", (i > 1 ? "," : "")
		for (j = 1; j <= NK[i]; j++) {
			k = K[i, j]
			printf "%s%s: %s", (j > 1 ? ", " : ""), jstr(k), jval(V[i, k])
		}
		printf "}"
	}
	printf "\n  ],\n  \"derived\": ["
	for (i = 1; i <= nd; i++)
		printf "%s\n    {\"item\": %s, \"metric\": %s, \"value\": %s}", (i > 1 ? "," : ""),
		       jstr(DI[i]), jstr(DK[i]), jval(DV[i])
	printf "\n  ]\n}\n"
}
function dget(item, key,   i) {
	for (i = 1; i <= nd; i++) if (DI[i] == item && DK[i] == key) return DV[i]
	return ""
}
function rrow(r, what,   x) {
	if (!(r in RATE)) return
	x = RATE[r]
	if (V[x, "buf"] != "none") what = what " (" V[x, "buf"] ")"
	printf "   %-56s %7s %7s %7sx %7sx %9s\n", what, V[x, "ns_med"], V[x, "ns_min"], dget(r, "x_floor"),
	       dget(r, "x_floor_min"), V[x, "calls_per_s"]
}
# "4k" or "2m": the runs of its small and large buffer, which MAP pays for too
function runs_note(pfx,   b, x, out) {
	for (b = 1; b <= nb; b++) {
		x = BUF[b]
		if (index(ITEM[x], pfx "-") == 1)
			out = out (out == "" ? "" : ", ") ITEM[x] " " dget(ITEM[x], "pages_per_run") " pages/run"
	}
	return out == "" ? "" : "; " out
}
function tdesc(id, v, lim,   b) {
	if (id == "getpa_vs_floor")
		return sprintf("GET_PA of one page vs the syscall floor: %.2fx (target <= %gx; ratio of the mins: %sx)",
			       v, lim, dget("getpa_1page", "x_floor_min"))
	if (id ~ /^steps_/) { b = substr(id, 7)
		return sprintf("%s: page-by-page steps / GET_PA runs = %.0fx fewer steps (target >= %gx)", b, v, lim) }
	if (id ~ /^getpa_beats_pagemap_/) { b = substr(id, 21)
		return sprintf("%s: pagemap time / GET_PA time = %.2fx (target > %g: GET_PA faster)", b, v, lim) }
	if (id ~ /^(un)?map_scaling_/) {
		b = id; sub(/_scaling_.*/, "", b); sub(/.*_scaling_/, "", id)
		return sprintf("IOMMU_IOAS_%s per page, %s pages, small vs large buffer: %.2fx apart (target <= %gx)%s",
			       toupper(b), (id == "4k" ? "4 KiB" : "2 MiB"), v, lim, runs_note(id)) }
	return id " = " v " (limit " lim ")"
}
function table(   b, x, t, e, fl, nmet, nmiss, k) {
	e = ENV; fl = RATE["floor"]
	printf "noiommu GET_PA benchmark, %s, series %s, guest kernel %s\n", M["date"], M["series_rev"], M["guest_kernel"]
	printf "host: %s, %s cores, Linux %s; QEMU %s, %s\n", M["host_cpu"], M["host_cores"], M["host_kernel"], M["qemu"], M["guest"]
	printf "REPS=%s (sample counts per section below); times are median (min). Under TCG absolute times mean\n", V[e, "reps"]
	printf "little: read the ratios, measured in this same boot on the same buffers.\n\n"

	printf "1. One ioctl, ns per call (samples of %s calls in a row, interleaved; median and min of %s samples)\n",
	       V[fl, "calls"], V[fl, "samples"]
	printf "   %-56s %7s %7s %8s %8s %9s\n", "", "median", "min", "vs floor", "(mins)", "calls/s"
	printf "   %-56s %7s %7s %8s %8s %9s\n", "IOMMU_OPTION get RLIMIT_MODE (syscall floor)", V[fl, "ns_med"], V[fl, "ns_min"],
	       "1.00x", "1.00x", V[fl, "calls_per_s"]
	rrow("ioas_option", "IOMMU_OPTION get HUGE_PAGES of the IOAS")
	rrow("getpa_1page", "GET_PA, 1 page, same page")
	rrow("getpa_1page_random", "GET_PA, 1 page, random pages")
	rrow("getpa_err_flags", "  GET_PA failing early: flags != 0, EOPNOTSUPP")
	rrow("getpa_err_unmapped", "  GET_PA failing late: IOVA not mapped, ENOENT")
	printf "   GET_PA of one page vs the IOAS lookup floor (IOMMU_OPTION on the IOAS): %sx\n",
	       dget("getpa_1page", "x_ioas_option")

	printf "\n2./3. Buffer -> physically contiguous runs, us (median (min) of %s, interleaved): GET_PA run by run vs\n", V[e, "reps"]
	printf "   mlocked /proc/self/pagemap, %s entries per pread, consecutive PFNs coalesced\n", V[e, "pagemap_batch"]
	printf "   %-8s %7s %6s %9s | %17s %17s %8s | %21s %8s\n", "buffer", "pages", "runs", "pages/run",
	       "GET_PA walk", "pagemap", "pm/GETPA", "GET_PA per page", "pp/walk"
	for (b = 1; b <= nb; b++) {
		x = BUF[b]
		printf "   %-8s %7d %6d %9s | %17s %17s %7sx | %21s %7sx\n", ITEM[x], V[x, "pages"], V[x, "runs"],
		       dget(ITEM[x], "pages_per_run"),
		       V[x, "getpa_us_med"] " (" V[x, "getpa_us_min"] ")", V[x, "pagemap_us_med"] " (" V[x, "pagemap_us_min"] ")",
		       dget(ITEM[x], "pagemap_over_getpa"),
		       V[x, "pagewise_us_med"] " (" V[x, "pagewise_us_min"] ")", dget(ITEM[x], "pagewise_over_getpa")
	}
	for (b = 1; b <= nb; b++) {
		x = BUF[b]; t = ITEM[x]; sub(/^4k/, "2m", t)
		if (ITEM[x] ~ /^4k/ && dget(ITEM[x] "_vs_" t, "getpa_walk_4k_over_2m") != "")
			printf "   GET_PA walk, %s vs %s: %sx the time\n", ITEM[x], t, dget(ITEM[x] "_vs_" t, "getpa_walk_4k_over_2m")
	}
	printf "   pm/GETPA: pagemap time / GET_PA walk time (> 1: GET_PA faster). GET_PA per page: one call per 4 KiB\n"
	printf "   page, the cost of the walk if every page were its own run (fully fragmented memory); pp/walk: that / walk.\n"
	for (b = 1; b <= nb; b++) {
		x = BUF[b]
		if (ITEM[x] ~ /^4k/)
			printf "   %s fully fragmented (GET_PA per page) vs pagemap: pagemap / GET_PA = %sx\n",
			       ITEM[x], dget(ITEM[x], "pagemap_over_pagewise")
	}
	printf "   cross-check GET_PA runs == pagemap runs (every repetition, both walks): %s\n",
	       V[RES, "status"] == "ok" ? "identical" : "MISMATCH"

	printf "\n4. IOMMU_IOAS_MAP / UNMAP of the whole buffer (noiommu device attached), ms median (min), ns per 4 KiB page and per run\n"
	printf "   %-8s %4s %17s %7s %7s %17s %7s %7s %9s\n", "buffer", "n", "MAP", "ns/pg", "ns/run", "UNMAP", "ns/pg", "ns/run", "mlock"
	for (b = 1; b <= nb; b++) {
		x = BUF[b]
		printf "   %-8s %4s %17s %7s %7s %17s %7s %7s %9s\n", ITEM[x], V[x, "map_samples"],
		       V[x, "map_ms_med"] " (" V[x, "map_ms_min"] ")", f(V[x, "map_ns_page"], 0), dget(ITEM[x], "map_ns_per_run"),
		       V[x, "unmap_ms_med"] " (" V[x, "unmap_ms_min"] ")", f(V[x, "unmap_ns_page"], 0), dget(ITEM[x], "unmap_ns_per_run"),
		       V[x, "mlock_ms_med"]
	}
	printf "   n: MAP+UNMAP samples, more for smaller buffers so each gets about the same measured time.\n"
	printf "\n   Kernel memory of the mappings, kB (/proc/meminfo deltas while the buffer is mapped n times at n IOVAs,\n"
	printf "   median of 3; /proc/slabinfo in the guest: %s)\n",
	       V[e, "slabinfo"] + 0 ? "present" : "absent: SLUB_TINY without SLUB_DEBUG"
	printf "   %-8s %6s %4s %7s %10s %8s %8s %8s %10s %9s %10s\n", "buffer", "runs", "n", "mapped",
	       "SUnreclaim", "Slab", "MemFree", "PgTbls", "SUnr/GiB", "Slab/run", "SUnr@once"
	for (b = 1; b <= nb; b++) {
		x = BUF[b]
		printf "   %-8s %6s %4s %6.0fM %10s %8s %8s %8s %10s %8sB %10s\n", ITEM[x], V[x, "runs"], V[x, "mem_copies"],
		       dget(ITEM[x], "mapped_mib_for_mem"), V[x, "d_sunreclaim_kb"], V[x, "d_slab_kb"], -V[x, "d_memfree_kb"],
		       V[x, "d_pagetables_kb"], dget(ITEM[x], "sunreclaim_kb_per_gib"), dget(ITEM[x], "slab_bytes_per_run"),
		       V[x, "d_sunreclaim_now_kb"]
	}
	printf "   measured 200 ms after the maps (RCU has freed the maple nodes replaced while the table grew);\n"
	printf "   SUnr@once: right after them. MemFree: change of free memory (the pinned pages were already allocated).\n"
	printf "   Slab/run includes the fixed cost of each mapping, which dominates where a mapping has few runs.\n"
	for (b = 1; b <= nb; b++) {
		x = BUF[b]
		if (dget(ITEM[x], "slab_mib_per_gib_one_page_runs") != "")
			printf "   %s: at %s B per run, a GiB of 4 KiB pages with no two pages contiguous would take ~%s MiB of Slab\n",
			       ITEM[x], dget(ITEM[x], "slab_bytes_per_run"), dget(ITEM[x], "slab_mib_per_gib_one_page_runs")
	}

	x = DMA
	printf "\n5. DMA sanity through edu (QEMU-bound: QEMU runs each edu DMA from a ~100 ms timer)\n"
	printf "   %d round trips RAM -> edu -> RAM of %d bytes at GET_PA addresses in %s: %s ms per DMA, %s MB/s, data %s\n",
	       V[x, "round_trips"], V[x, "bytes_each"], V[x, "buf"], V[x, "ms_per_dma"], V[x, "MBps"],
	       V[x, "verified"] + 0 ? "verified" : "CORRUPT"

	printf "\nTargets\n"
	for (t = 1; t <= nt; t++) {
		x = TGT[t]
		printf "   %-8s %s\n", V[x, "met"] + 0 ? "MET" : "NOT MET", tdesc(ITEM[x], V[x, "value"], V[x, "limit"])
		if (V[x, "met"] + 0) nmet++; else nmiss++
	}
	for (b = 1; b <= nb; b++) {
		x = BUF[b]
		if (ITEM[x] ~ /^4k/)
			printf "   %-8s %s: pagemap time / GET_PA time = %sx (no target: on 4 KiB pages GET_PA makes one call per run)\n",
			       "info", ITEM[x], dget(ITEM[x], "pagemap_over_getpa")
	}
	printf "   %d of %d targets met\n", nmet, nmet + nmiss
}
AWK
) - "$raw"
}

txt=$out/bench-$ts.txt
format txt >"$txt"
format csv >"$out/bench-$ts.csv"
format json >"$out/bench-$ts.json"
for e in txt csv json raw; do
	ln -sfn "bench-$ts.$e" "$out/latest.$e"
done
echo
cat "$txt"
echo
step "written: build/bench/bench-$ts.{txt,csv,json,raw} (latest.* point to them); guest run ${secs}s"

if grep -q '^BENCH kind=mismatch' "$raw" || grep -q '^BENCH kind=result status=MISMATCH' "$raw"; then
	warn "CORRECTNESS FAILURE: GET_PA and /proc/self/pagemap disagree, or a DMA came back wrong:"
	grep '^BENCH kind=mismatch' "$raw" | head -n 20 >&2
	exit 2
fi
[ "$grc" = 0 ] || die "the guest run failed (exit $grc) although the benchmark finished; console: $log"
exit 0
