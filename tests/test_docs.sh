#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The documents against the code: every coordd.conf key with its default
# and bounds (coordd.conf(5), docs/coordd.conf.example), every control
# request and coordctl command, the names coordctl and the metrics print,
# every metric (operations.md's table against a rendering),
# the protocol versions, the unit's settings the docs repeat, and every
# path a document names (in the repository; none outside it).  The facts
# come from the code's own tables (tests/doc_facts.c), never from a copy
# kept here.  TAP.
# shellcheck disable=SC2016	# backquotes here are Markdown's, not the shell's
set -u
cd "$(dirname "$0")/.." || exit 1
B=${B:-build}
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; failed=1; }
# DESCRIPTION WHY: ok when WHY is empty; else WHY as a diagnostic, not ok.
verdict() {
	if [ -z "$2" ]; then ok "$1"; else echo "# $2"; not_ok "$1"; fi
}
TAB=$(printf '\t')

tmp=$(mktemp -d /tmp/coord-docs.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
if ! make -s B="$B" "$B/tests/doc_facts" "$B/coordd" >"$tmp/facts" 2>&1 ||
   ! "$B/tests/doc_facts" >"$tmp/facts" 2>&1; then
	sed 's/^/# /' "$tmp/facts"
	not_ok "tests/doc_facts prints the code's tables"
	exit 1
fi
facts() { awk -F '\t' -v k="$1" '$1 == k' "$tmp/facts"; }

has() { case $1 in *"$2"*) return 0 ;; esac; return 1; }
# TEXT NEEDLE: NEEDLE occurs in TEXT, not inside a longer word.
has_word() {
	printf '%s\n' "$1" | awk -v w="$2" '{
		s = $0
		while ((i = index(s, w)) > 0) {
			b = i > 1 ? substr(s, i - 1, 1) : ""
			a = substr(s, i + length(w), 1)
			if (b !~ /[A-Za-z0-9_]/ && a !~ /[A-Za-z0-9_]/) { found = 1; exit }
			s = substr(s, i + 1)
		}
	} END { exit !found }'
}
# WHY REASON: WHY with REASON appended ("; " between).
add() { printf '%s%s%s' "$1" "${1:+; }" "$2"; }

# A man page as text: font changes dropped, \- as -.
man_text() { sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' "$1"; }
# The headings (.TP, then .B/.BR/.BI NAME ...) of section SECTION: all,
# or NAME's line.
man_headings() {	# TEXT SECTION
	printf '%s\n' "$1" | awk -v sec="$2" '
		/^\.SH / { in_sec = $2 == sec }
		in_sec && prev == ".TP" && $1 ~ /^\.B[RI]?$/ { print $2 }
		{ prev = $1 }'
}
man_heading() {	# TEXT SECTION NAME
	printf '%s\n' "$1" | awk -v sec="$2" -v k="$3" '
		/^\.SH / { in_sec = $2 == sec }
		in_sec && prev == ".TP" && $1 ~ /^\.B[RI]?$/ && $2 == k { print; exit }
		{ prev = $1 }'
}
# The text under NAME's heading, to the next one.
man_paragraph() {	# TEXT SECTION NAME
	printf '%s\n' "$1" | awk -v sec="$2" -v k="$3" '
		/^\.SH / { in_sec = $2 == sec }
		on && /^\.(TP|SH)/ { exit }
		on { print }
		in_sec && prev == ".TP" && $1 ~ /^\.B[RI]?$/ && $2 == k { on = 1 }
		{ prev = $1 }'
}
# The first line of FILE that starts with PREFIX, after a line holding
# MARKER ("": from the start).
row() {	# FILE MARKER PREFIX
	awk -v m="$2" -v p="$3" 'BEGIN { on = m == "" } !on && index($0, m) { on = 1 }
		on && index($0, p) == 1 { print; exit }' "$1"
}
# NAMES WORD...: the WORDs that are not lines of NAMES.
not_in() {
	names=$1 out=""; shift
	for w in "$@"; do
		printf '%s\n' "$names" | grep -qx "$w" || out="$out $w"
	done
	printf '%s' "$out"
}

# --- coordd.conf: coord/daemon/config.c's key table ---
CONF5=$(man_text coord/daemon/coordd.conf.5)
EX=docs/coordd.conf.example
facts key >"$tmp/keys"
while IFS=$TAB read -r _ k type def min max zero; do
	h=$(man_heading "$CONF5" KEYS "$k")
	why=""
	if [ -z "$h" ]; then
		why="no heading"
	elif [ "$def" = - ]; then
		has "$h" "no default" || why="no default in the code, not said"
	elif [ -z "$def" ]; then
		has "$h" "default:" || why="an empty default in the code, not said in words"
	else
		has_word "$h" "default $def" || why="default $def not said"
	fi
	if [ "$type" = number ]; then
		has_word "$h" "$min..$max" || why=$(add "$why" "bounds $min..$max not said")
		[ -z "$zero" ] || has "$h" "0 (off)" || why=$(add "$why" "0 (off) not said")
	fi
	verdict "coordd.conf.5 documents $k as the code has it" \
		"${why:+coordd.conf.5, $k: $why; heading: ${h:-none}}"

	# The example: the key at its default, commented out (a key with no
	# default value, or an empty one, with an example or nothing); its
	# bounds said in its paragraph.
	why=""
	if [ "$def" = - ] || [ -z "$def" ]; then
		grep -Eq "^#$k =( |\$)" "$EX" || why="no line '#$k = ...'"
	else
		grep -qxF "#$k = $def" "$EX" || why="no line '#$k = $def'"
	fi
	if [ "$type" = number ]; then
		para=$(awk -v l="#$k =" 'BEGIN { RS = "" } index($0, l) { print; exit }' "$EX")
		has_word "$para" "$min..$max" || why=$(add "$why" "bounds $min..$max not said")
	fi
	verdict "coordd.conf.example shows $k at its default" "${why:+$EX, $k: $why}"
done <"$tmp/keys"
KEYS=$(cut -f 2 "$tmp/keys")
# Prose: where a sentence names a number key and says "default", the
# default it says is the code's ("default 5000", "5000 ms by default",
# "5 s by default").
bad=$(awk -v keys="$tmp/keys" '
	BEGIN {
		while ((getline l < keys) > 0) {
			split(l, kf, "\t")
			if (kf[3] == "number")
				def[kf[2]] = kf[4]
		}
		RS = ""	# a paragraph at a time
	}
	{
		gsub(/[ \t\n]+/, " ")
		for (k in def) {
			s = $0
			while ((i = index(s, "`" k "`")) > 0) {
				s = substr(s, i + length(k) + 2)
				clause = s
				if ((j = index(clause, ". ")) > 0)
					clause = substr(clause, 1, j)
				if (clause !~ /default/)
					continue
				d = def[k]; ok = 0
				n = split("default " d "|" d " by default|" d " ms by default|default " d " ms", form, "|")
				if (d % 1000 == 0 && d > 0)
					form[++n] = (d / 1000) " s by default"
				for (f = 1; f <= n; f++)
					if (match(" " clause " ", "[^0-9]" form[f] "[^0-9]"))
						ok = 1
				if (!ok)
					printf " %s: `%s`, default %s: \"%s\"", FILENAME, k, d,
					       substr(clause, 1, 80)
			}
		}
	}' README.md docs/*.md)
verdict "the docs' prose says each number key's default as the code has it" "$bad"

# Every `key = value` the docs write, and coordd.conf(5)'s EXAMPLE, are
# what coordd -t accepts (a value in "..." is a placeholder).  Alone, with
# socket_group root: the value is judged, not this machine's groups.
KEYS_RE=$(printf '%s' "$KEYS" | tr '\n' '|')
bad=""
for f in README.md docs/*.md; do
	tr -s ' \t\n' ' ' <"$f" | grep -oE "\`($KEYS_RE) = [^\`]*\`" | tr -d '`' >"$tmp/said"
	while IFS= read -r line; do
		case $line in *...*|*…*) continue ;; esac
		printf '%s\n' "$line" >"$tmp/one.conf"
		case $line in socket_group*) ;; *) echo "socket_group = root" >>"$tmp/one.conf" ;; esac
		"$B/coordd" -t -c "$tmp/one.conf" >/dev/null 2>&1 || bad="$bad $f:'$line'"
	done <"$tmp/said"
done
verdict "every \`key = value\` the docs write is one coordd accepts" \
	"${bad:+coordd -t refuses:$bad}"
printf '%s\n' "$CONF5" | sed -n '/^\.SH EXAMPLE/,/^\.SH/{/^[a-z_]* = /p}' >"$tmp/example.conf"
grep -q '^socket_group =' "$tmp/example.conf" || echo "socket_group = root" >>"$tmp/example.conf"
[ -s "$tmp/example.conf" ] && "$B/coordd" -t -c "$tmp/example.conf" >"$tmp/out" 2>&1 && why="" ||
	why="coordd -t on coordd.conf.5's EXAMPLE: $(cat "$tmp/out")"
verdict "coordd.conf.5's EXAMPLE is a configuration coordd accepts" "$why"

# shellcheck disable=SC2046
bad=$(not_in "$KEYS" $(man_headings "$CONF5" KEYS))
verdict "coordd.conf.5 documents no key coordd does not know" \
	"${bad:+coordd.conf.5 documents keys coordd does not know:$bad}"
# shellcheck disable=SC2046
bad=$(not_in "$KEYS" $(sed -n 's/^#\{0,1\}\([a-z_]*\) =.*/\1/p' "$EX"))
verdict "coordd.conf.example sets no key coordd does not know" \
	"${bad:+coordd.conf.example sets keys coordd does not know:$bad}"

# --- the control protocol: requests, coordctl's commands, versions ---
CTL=docs/control.md
CTL8=$(man_text coord/ctl/coordctl.8)
max=0 bad=""
facts request >"$tmp/requests"
while IFS=$TAB read -r _ t name; do
	up=$(echo "$name" | tr 'a-z-' 'A-Z_')
	grep -qF "| $t | $up |" "$CTL" || bad="$bad $t:$up"
	[ "$t" -le "$max" ] || max=$t
done <"$tmp/requests"
verdict "control.md lists every request with its number" \
	"${bad:+not in the Requests table of $CTL:$bad}"
r=$(row "$CTL" "### Header" "| 6 | 2 | type |")
has "$r" "requests 1–$max," && why="" || why="$CTL: $r"
verdict "control.md's header says the request types are 1–$max" "$why"

SYNOPSIS=$(awk '/^## coordctl/ { on = 1 } on && /^```/ { if (code) exit; code = 1; next }
	code' "$CTL")
JSON_COMMAND=$(row "$CTL" "" '| `command` |')
facts command >"$tmp/commands"
while IFS=$TAB read -r _ name output; do
	why=""
	[ -n "$(man_heading "$CTL8" COMMANDS "$name")" ] || why="no heading in coordctl.8's COMMANDS"
	printf '%s\n' "$SYNOPSIS" | grep -Eq "^  $name( |\$)" ||
		why=$(add "$why" "not in control.md's coordctl synopsis")
	[ "$output" = text ] || has "$JSON_COMMAND" "\`$name\`" ||
		why=$(add "$why" "not among control.md's JSON command values")
	verdict "coordctl $name is documented (coordctl.8, control.md)" \
		"${why:+coordctl $name: $why}"
done <"$tmp/commands"
# shellcheck disable=SC2046
bad=$(not_in "$(cut -f 2 "$tmp/commands")" $(man_headings "$CTL8" COMMANDS))
verdict "coordctl.8 documents no command coordctl does not have" \
	"${bad:+coordctl.8 documents commands coordctl does not have:$bad}"

wire=$(facts version | awk -F '\t' '$2 == "wire" { print $3 }')
control=$(facts version | awk -F '\t' '$2 == "control" { print $3 }')
grep -qF "this code speaks $wire (" docs/protocol.md && why="" ||
	why="docs/protocol.md does not say: this code speaks $wire"
verdict "protocol.md: this code speaks wire protocol $wire" "$why"
grep -qF "this code speaks $control (" "$CTL" && why="" ||
	why="$CTL does not say: this code speaks $control"
verdict "control.md: this code speaks control protocol $control" "$why"
r=$(row "$CTL" "" '| `protocol_version` |')
has "$r" "\"$wire\"" && why="" || why="$CTL: $r"
verdict "control.md: --json's protocol_version example is \"$wire\"" "$why"

# --- the names coordctl and the metrics print, where the docs list them ---
OPS=docs/operations.md
bad=""
facts enum | awk -F '\t' '$2 == "status" { print $3 "\t" $4 }' >"$tmp/status"
while IFS=$TAB read -r code name; do
	grep -qF "| $code | \`$name\` |" "$CTL" || bad="$bad $code:$name"
done <"$tmp/status"
verdict "control.md lists every status code with its name" \
	"${bad:+$CTL status codes: missing$bad}"
# KIND FILE MARKER PREFIX: every name of KIND in that row, in backquotes.
names_in_row() {
	r=$(row "$2" "$3" "$4")
	bad=""
	for name in $(facts enum | awk -F '\t' -v k="$1" '$2 == k { print $4 }'); do
		has "$r" "\`$name\`" || bad="$bad $name"
	done
	verdict "$2 lists every $1 name ($4)" \
		"${bad:+$2, row '$4'${3:+ after '$3'}: missing$bad}"
}
names_in_row local-state "$CTL" "" '| `local_server` |'
names_in_row local-how "$CTL" "" '| `local_server` |'
names_in_row target "$CTL" "" '| `vip_target` |'
names_in_row policy "$CTL" "" '| `policy` |'
names_in_row event-state "$CTL" "| event key |" '| `state` |'
names_in_row death-reason "$CTL" "| event key |" '| `reason` |'
names_in_row release-outcome "$CTL" "| event key |" '| `release_outcome` |'
names_in_row survivor-state "$CTL" "| survivor key |" '| `state` |'
names_in_row ack-result "$CTL" "| survivor key |" '| `result` |'
names_in_row leave-reason "$CTL" "| survivor key |" '| `leave_reason` |'
names_in_row local-state "$OPS" "" '| `coord_local_server_state` |'
# coordctl(8)'s status: the local server's states and how they were learnt
# (the human output says how only once the state changed: never "none").
STATUS8=$(man_paragraph "$CTL8" COMMANDS status)
bad=""
for name in $(facts enum | awk -F '\t' '$2 == "local-state" || ($2 == "local-how" && $3 != 0) { print $4 }'); do
	has_word "$STATUS8" "$name" || bad="$bad $name"
done
verdict "coordctl.8's status names every local server state and how it was learnt" \
	"${bad:+coordctl.8, status: missing$bad}"
names_in_row target-why "$OPS" "" '| `coord_vip_target` |'

# --- the metrics table against a scrape as coordd renders it ---
# Every family the code renders has its row, of its type, naming each of
# its labels; every metric the table names is rendered.
if "$B/tests/doc_facts" metrics >"$tmp/scrape" 2>&1; then
	awk '/^# TYPE / { print $3 "\t" $4 }' "$tmp/scrape" >"$tmp/families"
	bad=""
	while IFS=$TAB read -r fam type; do
		r=$(grep -F "\`$fam\`" "$OPS" | grep '^| `' | head -1)
		if [ -z "$r" ]; then bad="$bad $fam:no-row"; continue; fi
		has "$(printf '%s' "$r" | awk -F '|' '{ print $3 }')" "$type" || bad="$bad $fam:not-$type"
		cell=$(printf '%s' "$r" | awk -F '|' '{ print $4 }')
		for l in $(grep -E "^${fam}(_bucket|_sum|_count)?\{" "$tmp/scrape" |
			   sed 's/^[^{]*{//; s/}.*//' | tr ',' '\n' | sed 's/=.*//' | sort -u); do
			[ "$l" = le ] || has "$cell" "\`$l\`" || bad="$bad $fam:label-$l"
		done
	done <"$tmp/families"
	verdict "$OPS's metrics table has a row for every family rendered, its type and labels" \
		"${bad:+$OPS, metrics table:$bad}"
	bad=""
	for name in $(grep '^| `' "$OPS" | awk -F '|' '{ print $2 }' |
		      grep -oE '`(coord|process)_[a-z_]+`' | tr -d '`' | sort -u); do
		cut -f1 "$tmp/families" | grep -qx "$name" || bad="$bad $name"
	done
	verdict "every metric $OPS's table names is rendered by the code" \
		"${bad:+$OPS names metrics the code does not render:$bad}"
else
	sed 's/^/# /' "$tmp/scrape"
	not_ok "tests/doc_facts metrics renders a scrape"
fi

# --- the unit's settings the docs repeat ---
unit_said() {	# SETTING FILE
	v=$(sed -n "s/^$1=//p" coord/daemon/coordd.service)
	grep -qF "$1=$v" "$2" && why="" ||
		why="coord/daemon/coordd.service has $1=$v; $2 does not say so"
	verdict "$2 says the unit's $1=$v" "$why"
}
unit_said RuntimeDirectoryMode "$CTL"
unit_said WatchdogSec "$OPS"

# --- the restart wait: the engine's and the monitor agent's default ---
# Each release waits COORD_RESTART_WAIT_S for a coordd on a node whose
# agent keeps ganesha-active for restart_wait: a longer agent default
# would open a window the engine does not cover.
w_engine=$(sed -n 's/^#define COORD_RESTART_WAIT_S[[:space:]]*\([0-9]*\).*/\1/p' include/coord/engine.h)
w_agent=$(sed -n 's/^OCF_RESKEY_restart_wait_default=//p' agents/ganesha_coord_mon)
[ -n "$w_engine" ] && [ "$w_engine" = "$w_agent" ] && why="" ||
	why="COORD_RESTART_WAIT_S is '$w_engine', ganesha_coord_mon's restart_wait default '$w_agent'"
verdict "ganesha_coord_mon's restart_wait default is the engine's restart wait ($w_engine s)" "$why"

# --- paths: every one a document names is in the repository ---
DOCS="README.md docs/*.md docs/coordd.conf.example coord/*/*.5 coord/*/*.8 debian/README.Debian $(find agents -type f | sort)"
# shellcheck disable=SC2086
bad=$(grep -nE '\.\./|/work/' $DOCS | sed 's/^/#   /')
verdict "no document names a path outside the repository" "${bad:+outside the repository:
$bad}"
# A repository path a document names exists, or a script of the tree
# names it (a file it writes); so does every document the code names.
named() {	# PREFIXES FILE...
	re="(^|[^A-Za-z0-9_./\$-])($1)/[A-Za-z0-9_./-]*[A-Za-z0-9_]"; shift
	for f in "$@"; do
		grep -oE "$re" "$f" | sed "s|^[^a-z]||; s|^|$f |"
	done
}
# shellcheck disable=SC2086
{ named 'docs|coord|proto|include|tests|agents|bench|debian' $DOCS
  named docs coord/*/*.[ch] proto/*.[ch] include/coord/*.h; } |
	sort -u >"$tmp/paths"
bad=""
while read -r f p; do
	[ -e "$p" ] || grep -qF "$p" Makefile bench/*.sh tests/*/*.sh tests/*/*/*.sh || bad="$bad $f:$p"
done <"$tmp/paths"
verdict "every repository path the docs (and the code's comments) name exists" \
	"${bad:+named, and not in the repository:$bad}"
[ "$failed" = 0 ]
