#!/usr/bin/env bash
# Build the main config after every patch of the series, incrementally in
# build/out/main (which so ends up built at HEAD), and fail on a build error
# or on any compiler warning in a file that the patch touches. Restores
# build/linux's HEAD afterwards.
source "$(dirname "$0")/lib.sh"

git_t() { git -C "$TREE" "$@"; }
[ -z "$(git_t status --porcelain --untracked-files=no)" ] || die "build/linux has uncommitted changes"
head=$(git_t symbolic-ref -q --short HEAD || git_t rev-parse HEAD)
mapfile -t commits < <(git_t rev-list --reverse base..HEAD)
[ ${#commits[@]} -gt 0 ] || { info "bisect-build: empty series"; exit 0; }
trap 'git_t checkout -q "$head"' EXIT

bad=0
i=0
for c in "${commits[@]}"; do
	i=$((i + 1))
	subj=$(git_t log -1 --format=%s "$c")
	git_t checkout -q --detach "$c"
	step "bisect-build: patch $i/${#commits[@]}: $subj"
	if ! "$TOP/scripts/build-kernel.sh" main >"$LOGS/bisect-$i.log" 2>&1; then
		warn "patch $i ($subj) does not build:"
		tail -n 25 "$LOGS/bisect-$i.log" >&2
		bad=1
		continue
	fi
	files=$(git_t diff-tree --no-commit-id --name-only -r "$c" | grep -E '\.(c|h)$' || true)
	w=""
	for f in $files; do
		w+=$(grep -E "(^|/)$f:[0-9]+:[0-9]+: (warning|error)" "$LOGS/kbuild-main.log" || true)
	done
	if [ -n "$w" ]; then
		warn "patch $i ($subj): compiler warnings in files it touches:"
		echo "$w" >&2
		bad=1
	fi
done
exit $bad
