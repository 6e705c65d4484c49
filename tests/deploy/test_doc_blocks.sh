#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The deployment lab takes its commands out of docs/install.md
# (doc_extract, tests/deploy/deploy_lab.sh): an unmarked sh block, a
# marker without its block or an unknown target must be refused, or the
# guide could hold a command the lab never runs.  No root needed.  TAP.
set -u
cd "$(dirname "$0")/../.." || exit 1
DL_TOP=$(pwd)
. tests/deploy/deploy_lab.sh
T=0 FAILED=0
ok() { T=$((T + 1)); echo "ok $T - $1"; }
not_ok() { T=$((T + 1)); FAILED=$((FAILED + 1)); echo "not ok $T - $1"; shift; for l in "$@"; do echo "#   $l"; done; }
w=$(mktemp -d /tmp/coord-doc-blocks.XXXXXX)
trap 'rm -rf "$w"' EXIT

extract() {	# NAME TEXT: extracts TEXT (as a file NAME.md) into $w/NAME
	printf '%s\n' "$2" >"$w/$1.md"
	doc_extract "$w/$1.md" "$w/$1" 2>"$w/$1.err"
}
refused() {	# NAME TEXT WHAT: doc_extract must fail, saying WHAT
	if extract "$1" "$2"; then
		not_ok "$1: refused" "doc_extract accepted it"
	elif grep -q "$3" "$w/$1.err"; then
		ok "$1: refused ($(head -n 1 "$w/$1.err"))"
	else
		not_ok "$1: refused saying \"$3\"" "$(cat "$w/$1.err")"
	fi
}
fence='```'

extract good "# Guide
<!-- deploy-lab: template -->
${fence}sh
apt install -y x
${fence}
text
<!-- deploy-lab: all -->
${fence}sh
echo one
echo two
${fence}
${fence}text
not a command
${fence}
<!-- deploy-lab: node3 remove -->
${fence}sh
apt purge -y coord
${fence}
<!-- deploy-lab: skip the lab's storage is a bind mount -->
${fence}sh
mount /srv/ganesha
${fence}" && rc=0 || rc=$?
if [ "$rc" = 0 ] && [ "$(cat "$w/good/index")" = "001 3 template setup 
002 8 all setup 
003 16 node3 remove 
004 20 skip skip the lab's storage is a bind mount" ] &&
	[ "$(cat "$w/good/002.sh")" = "echo one
echo two" ]; then
	ok "a marked guide: every sh block with its line, target and stage, the text block left out"
else
	not_ok "a marked guide: every sh block with its line, target and stage" "exit $rc" \
		"$(cat "$w/good/index" "$w/good.err" 2>&1)"
fi
[ "$(DL_DOC=$w/good.md doc_blocks_for template)" = "apt install -y x" ] &&
	ok "doc_blocks_for template: the template's block" ||
	not_ok "doc_blocks_for template: the template's block" "$(DL_DOC=$w/good.md doc_blocks_for template)"

refused unmarked "text
${fence}sh
rm -rf /
${fence}" "without a deploy-lab marker"
refused gap "<!-- deploy-lab: all -->

${fence}sh
echo a blank line between
${fence}" "not followed by a sh block"
refused target "<!-- deploy-lab: everywhere -->
${fence}sh
echo
${fence}" "unknown deploy-lab target"
refused unclosed "<!-- deploy-lab: all -->
${fence}sh
echo" "unclosed"

if doc_extract docs/install.md "$w/install" 2>"$w/install.err"; then
	ok "docs/install.md: every sh block marked ($(wc -l <"$w/install/index") blocks)"
else
	not_ok "docs/install.md: every sh block marked" "$(cat "$w/install.err")"
fi
echo "1..$T"
[ "$FAILED" = 0 ]
