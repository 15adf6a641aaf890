#!/bin/bash
# tests/pkg/run.sh: builds the Debian package from a copy of the working
# tree and checks what it ships, without installing it on this host.
#
#   1. copies the tree (tracked and new files, never build directories) to a
#      temporary directory and runs `dpkg-buildpackage -b -us -uc` there with
#      DEB_BUILD_OPTIONS=nocheck (tests/run runs the unit tests itself);
#   2. checks the file list (dpkg-deb -c): ternd, ternctl, the man pages,
#      the systemd unit, the bash completion, /etc/tern/ternd.yaml mode 0640,
#      and that ternd.yaml is a conffile;
#   3. checks the control fields (dpkg-deb -f): Depends names libevent,
#      libyaml, libmnl, libjson-c, libcurl (dlopen()ed, so declared by hand)
#      and libc6 >= 2.36 (arc4random), and not libbsd (headers only);
#   4. checks the maintainer scripts: the unit is enabled, never started;
#   5. runs lintian: any E: line fails (W: lines are listed);
#   6. extracts the package (dpkg-deb -x) and runs its ternd: -p on the
#      shipped example, --version prints the meson project version.
# Prints one line per check and `tests/pkg: N passed, N failed`. Exit 0, 1 on
# a failure, 77 when a tool is missing (tests/pkgs.sh installs them).
#
# Environment: TERN_PKG_SRC=head builds `git archive HEAD` instead of the
# working tree; TERN_PKG_KEEP=1 keeps the temporary directory.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
export LC_ALL=C

for t in git dpkg-buildpackage dpkg-deb dh lintian fakeroot scdoc meson; do
	if ! command -v "$t" >/dev/null; then
		echo "tests/pkg: $t not found: skipped"
		exit 77
	fi
done

pass=0
fail=0
ok() {
	echo "ok   - $*"
	pass=$((pass + 1))
}
bad() {
	echo "FAIL - $*"
	fail=$((fail + 1))
}
check() {			# check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}

version=$(meson introspect --projectinfo meson.build |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')
arch=$(dpkg --print-architecture)
work=$(mktemp -d /tmp/tern-pkg.XXXXXX)
if [[ -n ${TERN_PKG_KEEP:-} ]]; then
	echo "tests/pkg: keeping $work"
else
	trap 'rm -rf "$work"' EXIT
fi
src=$work/tern-$version
mkdir "$src"

# 1. the source tree and the build
if [[ ${TERN_PKG_SRC:-worktree} == head ]]; then
	git archive HEAD | tar -x -C "$src"
else
	git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do
			[[ -e $f || -L $f ]] && printf '%s\0' "$f"
		done |
		tar --null -T - -cf - | tar -xf - -C "$src"
fi
t0=$SECONDS
if (cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
	dpkg-buildpackage -b -us -uc) >"$work/build.log" 2>&1; then
	ok "dpkg-buildpackage -b ($((SECONDS - t0)) s)"
else
	bad "dpkg-buildpackage -b ($((SECONDS - t0)) s), the end of its log:"
	tail -30 "$work/build.log"
	echo "tests/pkg: $pass passed, $fail failed"
	exit 1
fi
deb=$work/tern_${version}_$arch.deb
if [[ ! -f $deb ]]; then
	bad "no $deb; built: $(cd "$work" && echo *.deb)"
	echo "tests/pkg: $pass passed, $fail failed"
	exit 1
fi

check "package version $(dpkg-deb -f "$deb" Version) is meson's $version" \
	test "$(dpkg-deb -f "$deb" Version)" = "$version"

# 2. the files
dpkg-deb -c "$deb" >"$work/contents"
has() {				# has MODE PATH: PATH in the package with MODE
	awk -v m="$1" -v p="./$2" '$1 == m && $6 == p { f = 1 } END { exit !f }' \
		"$work/contents"
}
check "usr/sbin/ternd" has -rwxr-xr-x usr/sbin/ternd
check "usr/bin/ternctl" has -rwxr-xr-x usr/bin/ternctl
for m in man8/ternd.8 man8/ternctl.8 man5/ternd.yaml.5; do
	check "man page $m" has -rw-r--r-- "usr/share/man/$m.gz"
done
check "systemd unit" has -rw-r--r-- lib/systemd/system/ternd.service
check "bash completion" has -rw-r--r-- \
	usr/share/bash-completion/completions/ternctl
check "etc/tern/ternd.yaml, mode 0640" has -rw-r----- etc/tern/ternd.yaml
check "owner root/root everywhere" \
	awk '$2 != "root/root" { bad = 1 } END { exit bad }' "$work/contents"
check "changelog.gz is debian/changelog" \
	bash -c 'dpkg-deb --fsys-tarfile "$1" |
		tar -xOf - ./usr/share/doc/tern/changelog.gz | gzip -dc |
		head -1 | grep -q "^tern ($2)"' _ "$deb" "$version"
check "ternd.yaml is a conffile" \
	grep -qx /etc/tern/ternd.yaml <(dpkg-deb -I "$deb" conffiles)

# 3. dependencies
depends=$(dpkg-deb -f "$deb" Depends)
echo "     Depends: $depends"
for lib in libevent libyaml libmnl libjson-c libcurl4; do
	check "Depends names $lib" grep -q "$lib" <<<"$depends"
done
# arc4random is glibc's (2.36); libbsd is used for its headers only
check "Depends names libc6 (>= 2.36)" grep -qE 'libc6 \(>= 2\.3[6-9]' <<<"$depends"
check "Depends does not name libbsd" bash -c '! grep -q libbsd <<<"$1"' _ "$depends"

# 4. enabled, not started
dpkg-deb -e "$deb" "$work/control"
check "postinst enables ternd.service" \
	grep -q 'deb-systemd-helper enable .*ternd.service' "$work/control/postinst"
check "postinst never starts it (try-restart on upgrade only)" \
	bash -c '! grep -Eq "deb-systemd-invoke (start|restart)|_dh_action=(re)?start" "$1"' _ \
	"$work/control/postinst"

# 5. lintian
lintian --allow-root --tag-display-limit 0 "$deb" >"$work/lintian" 2>&1
nerr=$(grep -c '^E:' "$work/lintian")
nwarn=$(grep -c '^W:' "$work/lintian")
sed 's/^/     /' "$work/lintian"
check "lintian: no E: line ($nerr errors, $nwarn warnings)" test "$nerr" -eq 0

# 6. the extracted binaries
dpkg-deb -x "$deb" "$work/root"
check "ternd -p on the shipped ternd.yaml" \
	"$work/root/usr/sbin/ternd" -p -c "$work/root/etc/tern/ternd.yaml"
out=$("$work/root/usr/sbin/ternd" --version 2>&1)
check "ternd --version prints $version ($out)" grep -qw -- "$version" <<<"$out"
check "the shipped ternd.yaml names no node (the lab's h1 is commented out)" \
	bash -c '! grep -Eq "^  (name|ipv4):" "$1"' _ "$work/root/etc/tern/ternd.yaml"
check "the unit runs the packaged ternd as bird" \
	grep -qx 'ExecStart=@/run/tern/bird bird -c /etc/tern/ternd.yaml' \
	"$work/root/lib/systemd/system/ternd.service"

echo "tests/pkg: $pass passed, $fail failed"
((fail == 0))
