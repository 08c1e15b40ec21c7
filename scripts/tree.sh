#!/usr/bin/env bash
# Create build/linux: the Debian linux-source-7.2 tarball as one deterministic
# git commit tagged 'base', with patches/ applied on top by git am.
#
# If build/linux already exists, its previous HEAD is kept as a branch
# backup/<timestamp> when it differs from what patches/ gives, so no local
# commit is ever lost; uncommitted changes make it stop.
source "$(dirname "$0")/lib.sh"

"$TOP/scripts/deps.sh"
deb=$("$TOP/scripts/fetch-base.sh" | tail -n 1)

git_t() { git -C "$TREE" "$@"; }

# The base commit's objects are kept in the cache (hard links, no copy) so a
# fresh clone checks the base out (parallel checkout) instead of extracting
# and hashing 90,000 files again. Keyed by the .deb; the commit hash is
# checked.
bc=$CACHE/base-$(basename "$deb" .deb)
restore_base() {
	[ -f "$bc/base" ] || return 1
	local h
	h=$(cat "$bc/base")
	mkdir -p "$TREE.tmp"
	git -C "$TREE.tmp" init -q -b series &&
	cp -al "$bc/objects/." "$TREE.tmp/.git/objects/" 2>/dev/null &&
	git -C "$TREE.tmp" tag base "$h" &&
	git -C "$TREE.tmp" -c checkout.workers=0 checkout -q --detach base &&
	[ -z "$(git -C "$TREE.tmp" status --porcelain)" ]
}
save_base() {
	rm -rf "$bc.tmp"
	mkdir -p "$bc.tmp"
	if cp -al "$TREE/.git/objects" "$bc.tmp/objects" 2>/dev/null; then
		git_t rev-parse base >"$bc.tmp/base"
		rm -rf "$bc"
		mv "$bc.tmp" "$bc"
	else
		rm -rf "$bc.tmp"
		info "base: the cache is on another file system; not keeping the base objects"
	fi
}

if [ ! -d "$TREE/.git" ] || ! git_t rev-parse -q --verify base >/dev/null; then
	rm -rf "$TREE" "$TREE.tmp"
	if [ -f "$bc/base" ]; then
		step "base: checking out the cached base commit $(cut -c1-12 "$bc/base") of $(basename "$deb")"
		if restore_base; then
			mv "$TREE.tmp" "$TREE"
		else
			warn "base: the cached base commit is unusable; extracting the .deb again"
			rm -rf "$TREE.tmp" "$bc"
		fi
	fi
fi
if [ ! -d "$TREE/.git" ] || ! git_t rev-parse -q --verify base >/dev/null; then
	step "base: extracting $(basename "$deb") into build/linux"
	rm -rf "$TREE" "$TREE.tmp"
	mkdir -p "$TREE.tmp"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards './usr/src/linux-source-7.2.tar.xz' |
		xz -dc -T0 | tar -x -C "$TREE.tmp" --strip-components=1 --no-same-owner
	mv "$TREE.tmp" "$TREE"
	step "base: creating the base commit"
	git_t init -q -b series
	# Writing the objects (zlib) is most of the cost: both cores write
	# them first, at the fastest compression, then git add only hashes.
	(cd "$TREE" && find . -path ./.git -prune -o -type f -print0 |
		xargs -0 -r -n 2000 -P "$(nproc)" git -c core.looseCompression=1 hash-object -w -- >/dev/null)
	git_t -c core.looseCompression=1 add -A -f .
	GIT_AUTHOR_NAME="$BASE_IDENT_NAME" GIT_AUTHOR_EMAIL="$BASE_IDENT_EMAIL" \
	GIT_COMMITTER_NAME="$BASE_IDENT_NAME" GIT_COMMITTER_EMAIL="$BASE_IDENT_EMAIL" \
	GIT_AUTHOR_DATE="$BASE_DATE" GIT_COMMITTER_DATE="$BASE_DATE" \
		git_t commit -q --no-verify -m "Linux $(basename "$deb" | sed 's/^linux-source-7.2_//; s/_all.deb$//') (Debian linux-source-7.2)"
	git_t tag base
	info "base commit $(git_t rev-parse --short base)"
	save_base
fi
git_t config core.autocrlf false
git_t config gc.auto 0

git_t config user.name "$SERIES_NAME"
git_t config user.email "$SERIES_EMAIL"

if [ -n "$(git_t status --porcelain --untracked-files=no)" ]; then
	die "build/linux has uncommitted changes; commit or stash them first"
fi

old=$(git_t rev-parse HEAD)
git_t am --abort >/dev/null 2>&1 || true
git_t checkout -q --detach base
mapfile -t pl < <(series_patches)
step "series: applying ${#pl[@]} patch(es) with git am"
if [ ${#pl[@]} -gt 0 ]; then
	if ! git_t am -q "${pl[@]}" >"$LOGS/git-am.log" 2>&1; then
		cat "$LOGS/git-am.log" >&2
		git_t am --abort >/dev/null 2>&1 || true
		git_t checkout -q "$old"
		die "the series does not apply to the base (see above)"
	fi
fi
new=$(git_t rev-parse HEAD)
if [ "$old" != "$new" ] && [ "$(git_t rev-parse "$old^{tree}")" != "$(git_t rev-parse "$new^{tree}")" ] &&
   [ "$old" != "$(git_t rev-parse base)" ]; then
	b=backup/$(date +%Y%m%d-%H%M%S)
	git_t branch -f "$b" "$old"
	info "previous HEAD differed from patches/: kept as branch $b"
fi
git_t checkout -q -B series "$new"
info "build/linux: $(git_t log --oneline base..HEAD | wc -l) patch(es) on base $(git_t rev-parse --short base)"
