#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A build never installs packages: `make` and `make install` as an
# ordinary user, in a copy of the tree, with apt-get and dpkg replaced by
# stubs that log their calls, build coord without calling either; a
# missing library stops the build with its pkg-config name and its Debian
# package; `make deps` is what installs, and the targets that need the
# test packages call it first.  TAP.  Needs root (to become nobody).
set -u
cd "$(dirname "$0")/.."
n=0 failed=0
t() { n=$((n + 1)); d=$1; shift; if "$@" >/dev/null 2>&1; then echo "ok $n - $d"; else echo "not ok $n - $d"; failed=1; fi; }

dir=$(mktemp -d /tmp/coord-build.XXXXXX)
trap 'rm -rf "$dir"' EXIT
chmod 0755 "$dir"
mkdir "$dir/src" "$dir/stubs" "$dir/nopc"
tar -cf - --exclude=./.git --exclude=./build --exclude="./${B:-build}" . | tar -C "$dir/src" -xf -
# Every program that installs or asks about packages: log, and fail.
for p in apt-get apt aptitude dpkg dpkg-query; do
	printf '#!/bin/sh\necho "%s $*" >>%s/stubs.log\nexit 1\n' "$p" "$dir" >"$dir/stubs/$p"
	chmod 0755 "$dir/stubs/$p"
done
: >"$dir/stubs.log"
chown -R nobody:nogroup "$dir/src" "$dir/stubs.log"
as_nobody() {	# command...: as nobody, in the copy, the stubs first in PATH
	(cd "$dir/src" && setpriv --reuid=nobody --regid=nogroup --clear-groups \
		env -i PATH="$dir/stubs:/usr/sbin:/usr/bin:/sbin:/bin" HOME="$dir/src" LANG=C "$@")
}

as_nobody make -s >"$dir/make.out" 2>&1
rc=$?
[ $rc = 0 ] || sed 's/^/#   /' "$dir/make.out" | tail -n 15
t "make as nobody builds coordd and coordctl (exit $rc)" \
	sh -c "[ $rc = 0 ] && [ -x '$dir/src/build/coordd' ] && [ -x '$dir/src/build/coordctl' ]"
as_nobody make -s install DESTDIR="$dir/src/dest" >"$dir/install.out" 2>&1
rc=$?
[ $rc = 0 ] || sed 's/^/#   /' "$dir/install.out" | tail -n 15
t "make install DESTDIR=... as nobody (exit $rc)" [ $rc = 0 ]
sed 's/^/#   called: /' "$dir/stubs.log"
t "... and neither called apt-get, apt, dpkg or dpkg-query ($(wc -l <"$dir/stubs.log") calls)" \
	[ ! -s "$dir/stubs.log" ]

# No .pc file to be found: the build stops before compiling, naming them.
rm -rf "$dir/src/build"
as_nobody env PKG_CONFIG_LIBDIR="$dir/nopc" make -s >"$dir/nopc.out" 2>&1
rc=$?
sed 's/^/#   /' "$dir/nopc.out" | head -n 5
t "without the libraries' .pc files make fails (exit $rc)" [ $rc != 0 ]
t "... naming each missing pkg-config module and its Debian package" sh -c \
	"for w in libcpg libcpg-dev libquorum-dev libcorosync_common libcorosync-common-dev libqb-dev \
		dbus-1 libdbus-1-dev libmicrohttpd-dev libsystemd-dev 'make deps'; do
		grep -qF -- \"\$w\" '$dir/nopc.out' || exit 1; done"
t "... before compiling anything" sh -c "[ -z \"\$(find '$dir/src/build' -name '*.o' 2>/dev/null)\" ]"
t "... and without calling apt-get or dpkg" [ ! -s "$dir/stubs.log" ]

# make deps is the one that installs (here the stubs refuse: it fails).
as_nobody make -s deps >"$dir/deps.out" 2>&1
rc=$?
t "make deps runs tests/deps.sh (it asked dpkg-query; exit $rc)" \
	sh -c "grep -q '^dpkg-query ' '$dir/stubs.log' && [ $rc != 0 ]"

# The targets that need the test packages install them first: the first
# command each would run is tests/deps.sh.
for g in check demo demo-nfs demo-failback soak bench fuzz; do
	first=$(as_nobody make -n "$g" 2>/dev/null | head -n 1)
	t "make $g runs make deps first ($first)" [ "$first" = "sh tests/deps.sh" ]
done
echo "1..$n"
exit $failed
