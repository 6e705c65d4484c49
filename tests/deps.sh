#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Install the Debian packages coord needs to build and test, only when missing.
# Idempotent; safe to call from every make target that needs them.
set -eu
PKGS="build-essential pkg-config corosync libcpg-dev libcorosync-common-dev libquorum-dev
libqb-dev libdbus-1-dev libcmocka-dev dbus pacemaker pacemaker-cli-utils
nfs-ganesha nfs-ganesha-vfs iproute2 util-linux procps clang libclang-rt-14-dev
resource-agents psmisc jq man-db valgrind pcs
debhelper lintian libmicrohttpd-dev libsystemd-dev prometheus prometheus-alertmanager autopkgtest libnfs-dev
systemd-container debootstrap python3"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "deps: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# corosync/pacemaker must not auto-start on the host: the lab runs its own instances.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d.coord-deps
chmod +x /usr/sbin/policy-rc.d.coord-deps
had_policy=0; [ -e /usr/sbin/policy-rc.d ] && had_policy=1
[ $had_policy = 1 ] || cp /usr/sbin/policy-rc.d.coord-deps /usr/sbin/policy-rc.d
apt-get install -y -qq --no-install-recommends $missing
[ $had_policy = 1 ] || rm -f /usr/sbin/policy-rc.d
rm -f /usr/sbin/policy-rc.d.coord-deps
