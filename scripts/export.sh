#!/usr/bin/env bash
# Write base..HEAD of build/linux back to patches/ as plain git format-patch
# output: numbered patches and a cover letter whose subject and blurb come
# from series/cover.txt (first line: subject; after a blank line: the blurb).
# Byte-stable: no commit hashes (--zero-commit), a fixed cover letter date,
# and a fixed signature, so a round trip with no edits changes nothing.
source "$(dirname "$0")/lib.sh"

[ -d "$TREE/.git" ] || die "no build/linux; run 'make tree' first"
if [ -n "$(git -C "$TREE" status --porcelain --untracked-files=no)" ]; then
	die "build/linux has uncommitted changes; commit them first"
fi
n=$(git -C "$TREE" rev-list --count base..HEAD)
cover=$TOP/series/cover.txt
subject=$(sed -n 1p "$cover")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ "$n" -gt 0 ]; then
	git -C "$TREE" -c core.abbrev=12 -c diff.algorithm=myers -c diff.renames=true \
		-c format.signature= -c diff.noprefix=false -c diff.mnemonicPrefix=false \
		-c diff.relative=false -c format.coverFromDescription=none \
		-c user.name="$SERIES_NAME" -c user.email="$SERIES_EMAIL" \
		format-patch -q --zero-commit --cover-letter --base=base \
		--subject-prefix="PATCH v$SERIES_VERSION" --signature="$SERIES_NAME" \
		-o "$tmp" base..HEAD
	c=$tmp/0000-cover-letter.patch
	# Fixed date for the cover letter: the last patch's author date.
	date=$(git -C "$TREE" log -1 --format=%aD HEAD)
	awk -v subj="$subject" -v date="$date" -v blurb="$cover" '
		/^Date: / && !d { print "Date: " date; d = 1; next }
		/\*\*\* SUBJECT HERE \*\*\*/ { sub(/\*\*\* SUBJECT HERE \*\*\*/, subj) }
		/^\*\*\* BLURB HERE \*\*\*$/ {
			ln = 0
			while ((getline l < blurb) > 0) { if (++ln > 2) print l }
			next
		}
		{ print }' "$c" >"$c.new"
	mv "$c.new" "$c"
fi
rm -f "$TOP"/patches/*.patch
cp "$tmp"/*.patch "$TOP/patches/" 2>/dev/null || true
step "export: $n patch(es) + cover letter written to patches/"
git -C "$TOP" status --short -- patches series | sed 's/^/    /'
