# shellcheck shell=bash
# tests/netns/t_gobgp.sh: ternd with GoBGP (Debian's gobgpd 3.x) as a top-of-rack
# peer (nstat_of/_nstat_gt from t_fabric.sh): TCP MD5 from a password_file (re-keyed when the file changes), routes both
# ways, and the prefixAdvertisements community on ternd's block as GoBGP sees it.
# gobgpd runs in the peer's namespace with its gRPC API on that namespace's
# loopback; `gobgp ... -j` answers in JSON (session_state 6 is Established).

# gobgp_q HOST ARGS...: the gobgp client against HOST's gobgpd (10 s bound).
gobgp_q() {
	local h=$1
	shift
	timeout 10 ip netns exec "$(host_ns "$h")" gobgp -u 127.0.0.1 -p 50051 "$@"
}

_gobgp_est() { gobgp_q "$1" neighbor "$2" -j | grep -q '"session_state":6'; }
_gobgp_not_est() { ! _gobgp_est "$1" "$2"; }

# start_gobgpd HOST TOML: gobgpd in HOST's namespace, watched, log $W/HOST.gobgpd.log.
start_gobgpd() {
	local h=$1 conf=$2 pid
	require_cmd gobgpd gobgp
	ip netns exec "$(host_ns "$h")" gobgpd -f "$conf" -t toml \
		--api-hosts 127.0.0.1:50051 --log-level info \
		</dev/null >>"$W/$h.gobgpd.log" 2>&1 &
	pid=$!
	_tt_record_pid "$pid"
	_TT_WATCH["$pid"]="gobgpd on $h"
	note "gobgpd on $h: pid $pid, log $W/$h.gobgpd.log"
	expect 10 "gobgpd's API on $h" gobgp_q "$h" global
}

gobgp_tor() {
	require_ternd
	local tor_as=65003 ext=203.0.113.0/24 key="$W/tor.key" comm
	netns_hosts 2
	echo s3cret >"$key"
	cluster_file "$W/cluster.yaml" h1
	sed -i '/^peers: \[\]$/d' "$W/cluster.yaml"
	cat >>"$W/cluster.yaml" <<EOT
prefix_advertisements:
  - {cidr: $TT_POOL, communities: ["65000:100"]}
peers:
  - {ip: $(host_ip h2), as: $tor_as, password_file: $key}
EOT
	cat >"$W/h2.gobgpd.toml" <<EOT
[global.config]
  as = $tor_as
  router-id = "$(host_ip h2)"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "$(host_ip h1)"
    peer-as = $TT_AS
    auth-password = "s3cret"
EOT
	start_gobgpd h2 "$W/h2.gobgpd.toml"
	gobgp_q h2 global rib add "$ext" -a ipv4 >/dev/null || fail "gobgp: cannot add $ext"
	start_ternd h1 "$(ternd_conf h1 "$W/cluster.yaml")"
	expect 30 "gobgpd on h2 Established with h1" _gobgp_est h2 "$(host_ip h1)"
	wait_route 30 h1 "^$ext .*via $(host_ip h2) dev eth0 proto bird"
	# 65000:100 = 4259840100, on h1's block as GoBGP received it
	comm=$((65000 * 65536 + 100))
	expect 30 "GoBGP has h1's block with 65000:100" eval \
		"gobgp_q h2 global rib -a ipv4 '$(host_block h1)' -j | grep -q '\"communities\":\\[$comm\\]'"
	# a wrong key in the file: ternd re-keys that session, which stays down
	echo wrong >"$key"
	expect 30 "gobgpd on h2 loses h1 (wrong MD5 key)" _gobgp_not_est h2 "$(host_ip h1)"
	expect 30 "h1's kernel loses $ext" eval "! route_has h1 '^$ext '"
	# and it stays down for the key: h1's kernel drops GoBGP's signed segments
	expect 30 "h1's kernel refuses GoBGP's MD5 signature" _nstat_gt h1 TcpExtTCPMD5Failure 0
	_gobgp_est h2 "$(host_ip h1)" && fail "the session came up with a wrong key"
	echo s3cret >"$key"
	expect 30 "gobgpd on h2 Established again" _gobgp_est h2 "$(host_ip h1)"
	wait_route 30 h1 "^$ext .*via $(host_ip h2) dev eth0 proto bird"
	assert_running h1
}
scenario gobgp_tor
