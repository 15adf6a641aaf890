# shellcheck shell=bash
# tests/netns/t_lab.sh: lab/lab end to end (SPEC 7, issue 6).
#
# The lab makes its own namespaces and processes, so the scenario runs it with a
# prefix and state directory of its own (LAB_PREFIX=${P}l-, LAB_DIR=$W/lab, next to
# any lab a user has up), with the harness's $TERND and the ternctl next to it
# ($TERNCTL when set), without package
# installation or build (LAB_NO_SETUP=1). The harness's leak check covers the lab:
# its namespaces (before `up`) and its daemons' pids (after) are added to the
# scenario's records in $TT_RUNDIR. An EXIT hook runs `lab/lab down` however the
# scenario ends, and `down` copies the lab's logs into $W (LAB_SAVE_LOGS), where
# the harness looks for sanitizer reports of the ASan ternd.

TL_PREFIX=""   # the lab's namespace prefix and state directory, set per scenario
TL_DIR=""
TL_TERNCTL=${TERNCTL:-$(dirname "$TERND")/ternctl}

# tl_lab ARGS...: lab/lab with the scenario's settings.
tl_lab() {
	LAB_PREFIX=$TL_PREFIX LAB_DIR=$TL_DIR LAB_NO_SETUP=1 LAB_SAVE_LOGS=$W \
		TERND=$TERND TERNCTL=$TL_TERNCTL timeout 100 bash "$TT_TOPDIR/lab/lab" "$@"
}

tl_namespaces() {
	local n
	for n in c1 c2 c3 h1 h2 h3 sw; do echo "$TL_PREFIX$n"; done
}
tl_hns() { echo "${TL_PREFIX}$1"; }
tl_cns() { echo "${TL_PREFIX}c$(host_num "$1")"; }

# tl_pids: the pids of processes whose command line names the lab directory.
tl_pids() {
	local d cmd
	for d in /proc/[0-9]*; do
		cmd=$(tr '\0' ' ' 2>/dev/null <"$d/cmdline") || continue
		[[ $cmd == *"$TL_DIR/"* ]] && echo "${d#/proc/}"
	done
	return 0
}

# tl_record_ns / tl_record_pids: add the lab's namespaces and daemons to the
# harness's records, so that run.sh reports (and removes) anything left over.
tl_record_ns() {
	[[ -n ${TT_RUNDIR:-} ]] || return 0
	tl_namespaces >>"$TT_RUNDIR/$TT_NAME.ns"
}
tl_record_pids() {
	local pid start
	[[ -n ${TT_RUNDIR:-} && -f $TL_DIR/pids ]] || return 0
	while read -r _ pid start; do
		echo "$pid $start" >>"$TT_RUNDIR/$TT_NAME.pids"
	done <"$TL_DIR/pids"
}

# _tl_on_exit: the scenario's EXIT trap: take the lab down (whatever happened),
# then the harness's own exit handling with the scenario's status.
_tl_on_exit() {
	local rc=$? ns left=0
	for ns in $(tl_namespaces); do
		[[ -e /run/netns/$ns ]] && left=1
	done
	if ((left)) || [[ -e $TL_DIR ]]; then
		echo "  (exit hook) lab/lab down"
		tl_lab down >>"$W/lab-down.out" 2>&1 || echo "  lab/lab down failed: $(tail -5 "$W/lab-down.out")"
	fi
	(exit "$rc")
	_tt_on_exit
}

# tl_fail MSG: fail with the tails of the lab's logs (they are in $TL_DIR, which
# `down` copies to $W only later).
tl_fail() {
	echo "  --- the lab's logs ($TL_DIR)"
	tail_files 40 "$TL_DIR"/*.log
	fail "$@"
}

# tl_root_snapshot: the root namespace's links, IPv4 addresses and routes.
tl_root_snapshot() {
	ip -o link show | awk '{ print $2 }' | sort
	ip -o -4 addr show | awk '{ print $2, $4 }' | sort
	ip -4 route show table all | sort
}

# tl_expected_bird HOST: HOST's routes of protocol bird in every table, as
# `ip -4 route show table all` prints them (nexthop ids as nhid N), sorted. One
# block per peer: no nexthop object (kernel.nexthop_object_min_routes).
tl_expected_bird() {
	local h=$1 p
	{
		echo "blackhole $(host_block "$h") proto bird"
		for p in h1 h2 h3; do
			[[ $p == "$h" ]] && continue
			echo "$(host_block "$p") via $(host_ip "$p") dev eth0 proto bird"
		done
	} | sort
}
tl_bird_routes() {
	ip -n "$(tl_hns "$1")" -4 route show table all | grep -E ' proto bird( |$)' |
		sed -E 's/nhid [0-9]+/nhid N/; s/ +$//' | sort
}

# tl_established HOST: ternctl status shows both other hosts up and Established.
tl_established() {
	local h=$1 out p ip
	out=$(timeout 10 "$TL_TERNCTL" -s "$TL_DIR/$h.ctl" status) || return 1
	for p in h1 h2 h3; do
		[[ $p == "$h" ]] && continue
		ip=$(_re_ip "$(host_ip "$p")")
		grep -Eq "^\| $ip +\| node-to-node mesh +\| up +\| [0-9:]+ +\| Established +\|$" <<<"$out" ||
			return 1
	done
	(($(grep -c '^| [0-9]' <<<"$out") == 2))
}
_re_ip() { echo "${1//./\\.}"; }

# tl_walkthrough etcdv3|etcdv2: the whole walkthrough, then `down` and the proof
# that nothing is left.
tl_walkthrough() {
	local ds=$1 h i out rc got want veth cns hns ip before after veths=() pids ns
	require_ternd
	require_cmd etcd etcdctl ping setsid sha1sum timeout
	[[ -x $TL_TERNCTL ]] || fail "ternctl not built: $TL_TERNCTL"
	TL_PREFIX="${P}l-"
	TL_DIR="$W/lab"
	trap '_tl_on_exit' EXIT
	before=$(tl_root_snapshot)
	tl_record_ns
	note "lab/lab up ($ds), prefix $TL_PREFIX, state $TL_DIR"
	rc=0
	LAB_DATASTORE=$ds tl_lab up >"$W/lab-up.log" 2>&1 || rc=$?
	tl_record_pids
	((rc == 0)) || fail "lab/lab up exited with $rc (its output: lab-up.log below)"
	note "ok: lab/lab up: $(grep -E '^=== up in' "$W/lab-up.log")"
	grep -q "^=== the lab is up ($ds layout" "$W/lab-up.log" ||
		tl_fail "lab/lab up did not say the lab is up with the $ds layout"
	(($(grep -c '^  3 packets transmitted, [123] received' "$W/lab-up.log") == 2)) ||
		tl_fail "lab/lab up did not show two successful pings"
	for i in 2 3; do
		out=$(ip netns exec "$(tl_cns h1)" ping -c 3 -i 0.2 -W 2 "10.244.$i.1" 2>&1) ||
			tl_fail "ping c1 -> c$i (10.244.$i.1) failed: $out"
	done
	note "ok: c1 pings c2 and c3"
	for h in h1 h2 h3; do
		hns=$(tl_hns "$h")
		cns=$(tl_cns "$h")
		ip="10.244.$(host_num "$h").1"
		# exactly the walkthrough's routes of protocol bird, in any table
		got=$(tl_bird_routes "$h")
		want=$(tl_expected_bird "$h")
		[[ $got == "$want" ]] ||
			tl_fail "$h: proto bird routes:"$'\n'"$got"$'\n'"want:"$'\n'"$want"
		# the container's host route, over a cali veth with proxy ARP
		out=$(ip -n "$hns" -4 route show "$ip/32")
		[[ $out =~ ^$(_re_ip "$ip")\ dev\ (cali[0-9a-f]{11})\ scope\ link\ *$ ]] ||
			tl_fail "$h: no route '$ip dev cali... scope link' (got '$out')"
		veth=${BASH_REMATCH[1]}
		veths+=("$veth")
		[[ $(ip netns exec "$hns" cat "/proc/sys/net/ipv4/conf/$veth/proxy_arp") == 1 ]] ||
			tl_fail "$h: proxy_arp is not 1 on $veth"
		# the container: $ip/32 on eth0, default via 169.254.1.1
		ip -n "$cns" -4 -o addr show dev eth0 | grep -q " inet $(_re_ip "$ip")/32 " ||
			tl_fail "$cns has no $ip/32 on eth0"
		out=$(ip -n "$cns" -4 route show)
		if ! grep -qx 'default via 169\.254\.1\.1 dev eth0 *' <<<"$out" ||
			! grep -qx '169\.254\.1\.1 dev eth0 scope link *' <<<"$out"; then
			tl_fail "$cns: routes are not Calico's: $out"
		fi
		tl_established "$h" || tl_fail "$h: ternctl status: $(timeout 10 "$TL_TERNCTL" -s "$TL_DIR/$h.ctl" status 2>&1)"
	done
	note "ok: every host has exactly its proto bird routes, its container's cali route, both peers Established"
	# status prints every host's node status and routes again
	out=$(tl_lab status 2>&1) || tl_fail "lab/lab status failed: $out"
	(($(grep -c '| node-to-node mesh | up .*| Established |' <<<"$out") == 6)) ||
		tl_fail "lab/lab status does not show 6 Established sessions: $out"
	(($(grep -c 'proto bird' <<<"$out") == 9)) ||
		tl_fail "lab/lab status does not show 9 proto bird routes: $out"
	note "ok: lab/lab status"
	# a second up says the lab is up and fails, leaving the lab alone
	out=$(tl_lab up 2>&1) && tl_fail "a second lab/lab up succeeded: $out"
	grep -q 'already up' <<<"$out" || tl_fail "a second lab/lab up did not say 'already up': $out"
	tl_established h1 || tl_fail "the second lab/lab up disturbed the lab"
	note "ok: a second lab/lab up refuses"
	# down leaves nothing behind
	out=$(tl_lab down 2>&1) || tl_fail "lab/lab down failed: $out"
	note "lab/lab down: $(tail -1 <<<"$out")"
	for ns in $(tl_namespaces); do
		[[ ! -e /run/netns/$ns ]] || fail "namespace $ns still exists after down"
	done
	out=$(ip netns list | grep -F "$TL_PREFIX") && fail "namespaces left: $out"
	pids=$(tl_pids)
	[[ -z $pids ]] || fail "processes of the lab left: $pids"
	[[ ! -e $TL_DIR ]] || fail "$TL_DIR still exists"
	for veth in "${veths[@]}"; do
		ip -o link show | grep -qF " $veth@" && fail "$veth left in the root namespace"
		for ns in $(ip netns list | awk '{ print $1 }'); do
			ip -n "$ns" -o link show 2>/dev/null | grep -qF " $veth@" &&
				fail "$veth left in namespace $ns"
		done
	done
	ip -o link show | grep -qE '^[0-9]+: cali' && fail "a cali link in the root namespace"
	after=$(tl_root_snapshot)
	[[ $before == "$after" ]] ||
		fail "the root namespace changed: $(diff <(echo "$before") <(echo "$after"))"
	note "ok: no namespace, process, veth or state left; the root namespace is unchanged"
	for h in h1 h2 h3; do
		[[ -f $W/$h.ternd.log ]] || fail "lab/lab down did not save $h's ternd log"
	done
}

lab_walkthrough() { tl_walkthrough etcdv3; }
scenario lab_walkthrough

lab_walkthrough_v2() { tl_walkthrough etcdv2; }
scenario lab_walkthrough_v2
