#!/bin/bash
# The OCF agents (agents/coordd, agents/ganesha_coord_mon): meta-data
# against the OCF DTD, ocf-tester inside a 1-node lab (corosync up, no
# pacemaker), and the coordd agent's failures: each must come back with
# its OCF code and a reason, within the action's timeout.
set -u
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/coord_lab.sh"

DTD_DIR=/usr/share/resource-agents	# holds ra-api-1.dtd
for a in coordd ganesha_coord_mon; do
	check "$a: meta-data is valid against ra-api-1.dtd" sh -c \
		"sh '$COORD_TOP/agents/$a' meta-data | (cd $DTD_DIR && xmllint --noout --valid -)"
done

lab_trap
echo "# bringing up 1 node"
if ! lab_up 1; then
	not_ok "lab bring-up"
	exit 1
fi
coord_config 1 release
fake_start 1 >"$LAB_DIR/1/fake_ganesha.pid"
CONF=$LAB_DIR/1/coordd.conf
AGENT=$COORD_TOP/agents/coordd

agent() {	# ACTION [VAR=VALUE...]: the coordd agent in node 1; sets OUT
	local action=$1; shift
	OUT=$(lab_exec 1 env OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=coordd \
		OCF_RESKEY_binary="$COORDD" OCF_RESKEY_coordctl="$COORDCTL" \
		OCF_RESKEY_config="$CONF" "$@" "$AGENT" "$action" 2>&1)
}

# --- ocf-tester: the whole OCF contract, socket read from the config ---
out=$(lab_exec 1 ocf-tester -n coordd -o binary="$COORDD" -o coordctl="$COORDCTL" \
	-o config="$CONF" "$AGENT" 2>&1); rc=$?
check "ocf-tester coordd: exit 0 (got $rc)" [ "$rc" = 0 ]
check "ocf-tester coordd: '$AGENT passed all tests'" \
	grep -qx "$AGENT passed all tests" <<<"$out"
[ "$rc" = 0 ] || echo "$out" | sed 's/^/# /'
ctl 1 ping >/dev/null 2>&1; rc=$?
check "ocf-tester left no coordd answering (coordctl ping exits 3, got $rc)" [ "$rc" = 3 ]

# --- what used to hang or pass silently ---
agent validate-all OCF_RESKEY_socket=/run/coord/other.sock; rc=$?
check "socket parameter unlike the config's: validate-all exits 6 (got $rc)" [ "$rc" = 6 ]
check "  ... and says why" grep -q "socket=/run/coord/other.sock but $CONF says $LAB_DIR/1/coordd.sock" <<<"$OUT"
agent start OCF_RESKEY_socket=/run/coord/other.sock; rc=$?
check "socket parameter unlike the config's: start exits 6 at once (got $rc)" [ "$rc" = 6 ]
agent validate-all OCF_RESKEY_socket="$LAB_DIR/1/coordd.sock"; rc=$?
check "socket parameter equal to the config's: validate-all exits 0 (got $rc)" [ "$rc" = 0 ]

CONF=$LAB_DIR/1/missing.conf
agent validate-all; rc=$?
check "missing configuration: validate-all exits 5 (got $rc)" [ "$rc" = 5 ]
check "  ... and names it" grep -q "configuration $CONF not found" <<<"$OUT"

CONF=$LAB_DIR/1/bad.conf
printf 'group = g\nno_such_key = 1\n' >"$CONF"
agent validate-all; rc=$?
check "configuration coordd -t refuses: validate-all exits 6 (got $rc)" [ "$rc" = 6 ]
check "  ... with coordd's message" grep -q "bad.conf:2: unknown key 'no_such_key'" <<<"$OUT"

# coordd passes -t but cannot create its socket: start reports its exit.
CONF=$LAB_DIR/1/nosocket.conf
sed "s|^socket = .*|socket = /proc/coord-none/coordd.sock|" "$LAB_DIR/1/coordd.conf" >"$CONF"
agent start; rc=$?
check "coordd exits during start: start exits 1 (got $rc)" [ "$rc" = 1 ]
check "  ... with coordd's exit status" grep -q "coordd exited with status 1 during start" <<<"$OUT"

# A coordd that runs but never answers: start gives up within its timeout.
STUB=$LAB_DIR/mute-coordd
cat >"$STUB" <<'EOF'
#!/bin/sh
# a coordd that passes -t, writes its pid file and never answers
[ "$1" = -t ] && exit 0
while [ $# -gt 0 ]; do [ "$1" = -p ] && echo $$ >"$2"; shift; done
exec sleep 120
EOF
chmod +x "$STUB"
CONF=$LAB_DIR/1/coordd.conf
saved=$COORDD COORDD=$STUB
agent start OCF_RESKEY_CRM_meta_timeout=7000; rc=$?
check "coordd mute: start exits 1 (got $rc)" [ "$rc" = 1 ]
check "  ... after the timeout less 5 s" \
	grep -q "did not answer on $LAB_DIR/1/coordd.sock within 2s" <<<"$OUT"
agent monitor; rc=$?
check "coordd mute: monitor exits 1, runs but does not answer (got $rc)" [ "$rc" = 1 ]
mute=$(lab_exec 1 cat /run/coord/coordd.pid)
agent stop; rc=$?
check "coordd mute: stop exits 0 (got $rc)" [ "$rc" = 0 ]
check "coordd mute: stop ended it (pid ${mute:-none})" sh -c "[ -n '$mute' ] && ! kill -0 '$mute' 2>/dev/null"
COORDD=$saved

# --- ganesha_coord_mon under ocf-tester, with coordd and a fake ganesha ---
# No pacemaker in this group: attrd_updater fails quietly, so this checks
# the OCF contract (start, monitor, stop, probes), not the attribute.
agent start; rc=$?
check "coordd started by its agent for the monitor's test (got $rc)" [ "$rc" = 0 ]
out=$(lab_exec 1 ocf-tester -n ganesha_coord_mon -o coordctl="$COORDCTL" \
	-o socket="$LAB_DIR/1/coordd.sock" -o pid_file="$LAB_DIR/1/fake_ganesha.pid" \
	"$COORD_TOP/agents/ganesha_coord_mon" 2>&1); rc=$?
check "ocf-tester ganesha_coord_mon: exit 0 (got $rc)" [ "$rc" = 0 ]
check "ocf-tester ganesha_coord_mon: 'passed all tests'" \
	grep -qx "$COORD_TOP/agents/ganesha_coord_mon passed all tests" <<<"$out"
[ "$rc" = 0 ] || echo "$out" | sed 's/^/# /'
agent stop; rc=$?
check "coordd stopped by its agent (got $rc)" [ "$rc" = 0 ]

echo "1..$T"
[ "$FAILED" = 0 ]
