# shellcheck shell=bash
# tests/pkgs.sh: the Debian 12 packages tern's two entry points need, and the one
# routine that installs them. Sourced by tests/run and lab/lab (SPEC 1: each
# installs what it needs first).
#
#   PKGS                        the package list (build, tests, lab)
#   install_packages            apt-get install the missing ones (one apt-get
#                               update, only when something is missing), then
#                               stop_package_services; 0 when all are present
#   stop_package_services EPOCH PKG...   stop the daemons Debian's postinst started
#   installed PKG               the package is installed
#
# Works under `set -u` and `set -e` alike. PKGS_WHO (default $0) names the caller
# in messages.

PKGS=(check libbsd-dev libmnl-dev libevent-dev libyaml-dev libcurl4-openssl-dev
	libjson-c-dev meson ninja-build pkg-config bird2 etcd-server etcd-client iproute2
	clang libclang-rt-14-dev curl openssl python3 iputils-ping prometheus
	build-essential debhelper dpkg-dev fakeroot lintian scdoc frr gobgpd strace)

installed() {
	[[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

# started_since PID EPOCH: PID started at or after EPOCH (seconds).
started_since() {
	local et
	et=$(ps -o etimes= -p "$1" 2>/dev/null) || return 1
	(($(date +%s) - et >= $2 - 1))
}

in_root_netns() {
	[[ $(readlink "/proc/$1/ns/net" 2>/dev/null) == "$(readlink /proc/self/ns/net)" ]]
}

# stop_package_services EPOCH PKG...: the packages just installed may have started
# their daemons (Debian's postinst does, under systemd). Stop and disable those, and
# nothing else: without systemd, only a daemon in the root namespace that started
# after EPOCH, whose parent is init, and (bird) that uses the package's default
# socket /run/bird/bird.ctl, or (etcd, prometheus) that runs /usr/bin/etcd,
# /usr/bin/prometheus (the tests run their own, inside a namespace). prometheus
# also brings prometheus-node-exporter (Recommends), whose daemon goes too.
stop_package_services() {
	local since=$1 p svc pid args
	shift
	for p in "$@"; do
		case $p in
		bird2) svc=bird ;;
		etcd-server) svc=etcd ;;
		prometheus) svc=prometheus ;;
		gobgpd) svc=gobgpd ;;
		frr)
			# one service, several daemons (watchfrr starts the others)
			if [[ -d /run/systemd/system ]]; then
				_stop_service frr "$since" "$p"
				continue
			fi
			for svc in watchfrr zebra bgpd staticd bfdd; do
				_stop_service "$svc" "$since" "$p" "/usr/lib/frr/$svc"
			done
			continue
			;;
		*) continue ;;
		esac
		[[ $p == prometheus ]] && installed prometheus-node-exporter &&
			_stop_service prometheus-node-exporter "$since" "$p"
		_stop_service "$svc" "$since" "$p"
	done
	return 0
}

# _stop_service SVC EPOCH PKG [EXE]: stop_package_services for one daemon (EXE:
# the only executable it may be, for a name as common as bgpd).
_stop_service() {
	local svc=$1 since=$2 p=$3 exe=${4:-} pid args
	if [[ -d /run/systemd/system ]]; then
		echo "disabling the $svc service installed by $p"
		systemctl disable --now "$svc.service" 2>/dev/null || true
		return 0
	fi
	for pid in $(pgrep -x "${svc:0:15}"); do
		in_root_netns "$pid" || continue
		started_since "$pid" "$since" || continue
		[[ $(ps -o ppid= -p "$pid" | tr -d ' ') == 1 ]] || continue
		[[ -z $exe || $(readlink "/proc/$pid/exe") == "$exe" ]] || continue
		args=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || continue
		case $svc in
		bird)
			# the package's daemon uses the compiled-in socket (no -s, or -s
			# /run/bird/bird.ctl)
			[[ $args == *" -s "* && $args != *" -s /run/bird/bird.ctl"* ]] && continue
			;;
		etcd | prometheus | prometheus-node-exporter | gobgpd)
			[[ $(readlink "/proc/$pid/exe") == "/usr/bin/$svc" ]] || continue
			;;
		esac
		echo "stopping $svc (pid $pid: $args), started by the installation of $p"
		kill -TERM "$pid" 2>/dev/null || true
	done
	return 0
}

install_packages() {
	local p missing=() since
	for p in "${PKGS[@]}"; do
		installed "$p" || missing+=("$p")
	done
	if ((${#missing[@]} == 0)); then
		echo "all packages present"
		return 0
	fi
	echo "missing packages: ${missing[*]}"
	if [[ $(id -u) != 0 ]]; then
		echo "${PKGS_WHO:-$0}: run as root to install them"
		return 1
	fi
	since=$(date +%s)
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q || return 1
	apt-get install -y -q "${missing[@]}" || return 1
	stop_package_services "$since" "${missing[@]}"
}
