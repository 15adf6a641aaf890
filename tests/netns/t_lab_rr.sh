# shellcheck shell=bash
# tests/netns/t_lab_rr.sh: `lab/lab up --rr` end to end (issue 14).
#
# As t_lab.sh runs the walkthrough (its tl_lab, tl_fail, tl_record_pids,
# tl_pids and tl_root_snapshot are used here), with the route reflector lab:
# four hosts, the mesh off, h1 and h2 reflectors of cluster 224.0.0.1, h3 and h4
# their clients through Calico's BGPPeer selectors, in etcd (v3 layout). What
# is checked: `up` succeeds and pings c2..c4 from c1; every host has exactly
# the walkthrough's routes (its own block as a blackhole, every other block
# via the host that owns it: never via a reflector); the reflectors have three
# sessions, the clients two (to h1 and h2 only, none to each other) and no
# Mesh_ session anywhere; `status` says h1 and h2 reflect (cluster 224.0.0.1)
# for h3 and h4 and that h3 and h4 are clients of both; `down` leaves nothing.

tlr_namespaces() {
	local n
	for n in c1 c2 c3 c4 h1 h2 h3 h4 sw; do echo "$TL_PREFIX$n"; done
}

_tlr_on_exit() {
	local rc=$? ns left=0
	for ns in $(tlr_namespaces); do
		[[ -e /run/netns/$ns ]] && left=1
	done
	if ((left)) || [[ -e $TL_DIR ]]; then
		echo "  (exit hook) lab/lab down"
		tl_lab down >>"$W/lab-down.out" 2>&1 || echo "  lab/lab down failed: $(tail -5 "$W/lab-down.out")"
	fi
	(exit "$rc")
	_tt_on_exit
}

# tlr_expected_bird HOST: as tl_expected_bird, over h1..h4.
tlr_expected_bird() {
	local h=$1 p
	{
		echo "blackhole $(host_block "$h") proto bird"
		for p in h1 h2 h3 h4; do
			[[ $p == "$h" ]] && continue
			echo "$(host_block "$p") via $(host_ip "$p") dev eth0 proto bird"
		done
	} | sort
}

tlr_ctl() {
	local h=$1
	shift
	timeout 10 "$TL_TERNCTL" -s "$TL_DIR/$h.ctl" "$@"
}

# tlr_peers HOST PEERHOST...: ternctl status on HOST lists exactly these peers,
# up and Established.
tlr_peers() {
	local h=$1 out p
	shift
	out=$(tlr_ctl "$h" status) || return 1
	for p in "$@"; do
		grep -Eq "^\| ${p//./\\.} +\| [a-z -]+ +\| up +\| [0-9:]+ +\| Established +\|$" <<<"$out" ||
			return 1
	done
	(($(grep -c '^| [0-9]' <<<"$out") == $#))
}

lab_rr() {
	local h out rc got want ns pids before after
	require_ternd
	require_cmd etcd etcdctl ping setsid sha1sum timeout
	[[ -x $TL_TERNCTL ]] || fail "ternctl not built: $TL_TERNCTL"
	TL_PREFIX="${P}l-"
	TL_DIR="$W/lab"
	trap '_tlr_on_exit' EXIT
	before=$(tl_root_snapshot)
	[[ -n ${TT_RUNDIR:-} ]] && tlr_namespaces >>"$TT_RUNDIR/$TT_NAME.ns"
	note "lab/lab up --rr, prefix $TL_PREFIX, state $TL_DIR"
	rc=0
	tl_lab up --rr >"$W/lab-up.log" 2>&1 || rc=$?
	tl_record_pids
	((rc == 0)) || fail "lab/lab up --rr exited with $rc (its output: lab-up.log below)"
	note "ok: lab/lab up --rr: $(grep -E '^=== up in' "$W/lab-up.log")"
	grep -q '^=== the lab is up (etcdv3 layout, route reflectors h1 h2' "$W/lab-up.log" ||
		tl_fail "lab/lab up --rr did not say the lab is up with reflectors h1 h2"
	(($(grep -c '^  3 packets transmitted, [123] received' "$W/lab-up.log") == 3)) ||
		tl_fail "lab/lab up --rr did not show three successful pings"
	for h in h1 h2 h3 h4; do
		got=$(tl_bird_routes "$h")
		want=$(tlr_expected_bird "$h")
		[[ $got == "$want" ]] ||
			tl_fail "$h: proto bird routes:"$'\n'"$got"$'\n'"want:"$'\n'"$want"
		out=$(tlr_ctl "$h" show protocols) || tl_fail "$h: ternctl show protocols failed"
		grep -q '^Mesh_' <<<"$out" && tl_fail "$h has a Mesh_ session with the mesh off: $out"
	done
	note "ok: every host has every block via its owner, no Mesh_ session"
	tlr_peers h1 198.18.0.2 198.18.0.3 198.18.0.4 || tl_fail "h1's peers: $(tlr_ctl h1 status)"
	tlr_peers h2 198.18.0.1 198.18.0.3 198.18.0.4 || tl_fail "h2's peers: $(tlr_ctl h2 status)"
	tlr_peers h3 198.18.0.1 198.18.0.2 || tl_fail "h3's peers: $(tlr_ctl h3 status)"
	tlr_peers h4 198.18.0.1 198.18.0.2 || tl_fail "h4's peers: $(tlr_ctl h4 status)"
	note "ok: reflectors peer with every host, clients with the two reflectors only"
	out=$(ip netns exec "$(tl_cns h3)" ping -c 3 -i 0.2 -W 2 10.244.4.1 2>&1) ||
		tl_fail "ping c3 -> c4 (client to client, routes reflected) failed: $out"
	note "ok: c3 pings c4"
	out=$(tl_lab status 2>&1) || tl_fail "lab/lab status failed: $out"
	for h in h1 h2; do
		grep -Eq "^  $h 198\.18\.0\.[12]: reflector \(cluster 224\.0\.0\.1\), clients: h3 h4; non-client peers: h[12]\$" <<<"$out" ||
			tl_fail "lab/lab status does not say $h reflects for h3 h4: $out"
	done
	for h in h3 h4; do
		grep -Eq "^  $h 198\.18\.0\.[34]: client of: h1 h2\$" <<<"$out" ||
			tl_fail "lab/lab status does not say $h is a client of h1 h2: $out"
	done
	note "ok: lab/lab status: $(grep -E '^  h[1-4] 198' <<<"$out" | tr -s ' ' | tr '\n' ';')"
	out=$(tl_lab down 2>&1) || tl_fail "lab/lab down failed: $out"
	note "lab/lab down: $(tail -1 <<<"$out")"
	for ns in $(tlr_namespaces); do
		[[ ! -e /run/netns/$ns ]] || fail "namespace $ns still exists after down"
	done
	pids=$(tl_pids)
	[[ -z $pids ]] || fail "processes of the lab left: $pids"
	[[ ! -e $TL_DIR ]] || fail "$TL_DIR still exists"
	after=$(tl_root_snapshot)
	[[ $before == "$after" ]] ||
		fail "the root namespace changed: $(diff <(echo "$before") <(echo "$after"))"
	note "ok: nothing of the lab left; the root namespace is unchanged"
}
scenario lab_rr
