#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# coord's licence, GPL-2.0-or-later, where each reader looks for it: the
# LICENSE file (the GPL version 2 text), debian/copyright (DEP-5, Debian's
# short name GPL-2.0+) and an SPDX line at the top of every source file.
# TAP.
set -u
cd "$(dirname "$0")/.."
n=0 failed=0
t() { n=$((n + 1)); d=$1; shift; if "$@" >/dev/null 2>&1; then echo "ok $n - $d"; else echo "not ok $n - $d"; failed=1; fi; }
SPDX='SPDX-License-Identifier: GPL-2.0-or-later'
GPL2=/usr/share/common-licenses/GPL-2

# The source files: C and headers, shell and awk, Makefiles, man pages,
# the unit, the configuration example, and every file that starts with
# #! (the agents, .ci/run, debian/rules, the maintainer scripts, the
# autopkgtest).  Not data: fuzz corpora, mutant patches, JSON results.
sources() {
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files --cached --others --exclude-standard
	else
		find . -path ./.git -prune -o -path './build*' -prune -o -type f -print | sed 's|^\./||'
	fi | while read -r f; do
		[ -f "$f" ] || continue
		case $f in
		*.c|*.h|*.sh|*.awk|*.mk|Makefile|*.[1-8]|*.service|*.example) echo "$f" ;;
		*) [ "$(head -c 2 "$f")" = '#!' ] && echo "$f" ;;
		esac
	done
}
# On the first line, or on the second after a #! line.
has_spdx() { head -n 2 "$1" | grep -qF "$SPDX"; }

list=$(mktemp /tmp/coord-licence.XXXXXX)
trap 'rm -f "$list"' EXIT
sources >"$list"
total=$(wc -l <"$list")
missing=$(while read -r f; do has_spdx "$f" || echo "$f"; done <"$list")
for f in $missing; do echo "#   no SPDX line: $f"; done
t "every source file ($total) starts with '$SPDX' ($(echo "$missing" | grep -c .) without)" \
	[ -z "$missing" ]
t "LICENSE is the GNU GPL version 2" sh -c \
	"grep -q 'GNU GENERAL PUBLIC LICENSE' LICENSE && grep -q 'Version 2, June 1991' LICENSE"
if [ -f "$GPL2" ]; then
	t "LICENSE is $GPL2, word for word" cmp -s LICENSE "$GPL2"
fi
t "debian/copyright is DEP-5" grep -qx 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' \
	debian/copyright
t "debian/copyright: every file is GPL-2.0+ (Files: *)" sh -c \
	"sed -n '/^Files: \*\$/,/^\$/p' debian/copyright | grep -qx 'License: GPL-2.0+'"
t "debian/copyright: the GPL-2.0+ paragraph points to $GPL2" sh -c \
	"sed -n '/^License: GPL-2.0+\$/,/^\$/p' debian/copyright | grep -qF '$GPL2'"
echo "1..$n"
exit $failed
