# shellcheck shell=bash
# tests/netns/t_frr.sh: ternd with FRR as a top-of-rack peer (frr.sh), the harness
# the fabric scenarios build on.

# frr_tor_ebgp: ternd on h1 peers (a global BGPPeer in the cluster file) with FRR on
# h2, AS 65002. FRR learns h1's block with h1 as next hop; ternd puts FRR's prefix
# in h1's kernel via h2; when FRR stops announcing it, the route goes.
frr_tor_ebgp() {
	local tor_as=65002 ext=192.0.2.0/24
	require_ternd
	netns_hosts 2
	cluster_file "$W/cluster.yaml" h1
	sed -i '/^peers: \[\]$/d' "$W/cluster.yaml"
	cat >>"$W/cluster.yaml" <<EOT
peers:
  - ip: $(host_ip h2)
    as: $tor_as
EOT
	{
		frr_config "$(host_ip h2)" "$tor_as" "$(host_ip h1):$TT_AS"
		echo " address-family ipv4 unicast"
		echo "  network $ext"
		echo " exit-address-family"
	} >"$W/h2.frr.conf"
	start_frr h2 "$W/h2.frr.conf"
	start_ternd h1 "$(ternd_conf h1 "$W/cluster.yaml")"
	wait_frr_established 30 h2 "$(host_ip h1)"
	wait_log 30 h1 "neighbor $(host_ip h2) AS$tor_as (Global_198_18_0_2): state OpenConfirm -> Established"
	wait_frr_route 30 h2 "$(host_block h1)"
	frr_route_json h2 "$(host_block h1)" | grep -q "\"ip\":\"$(host_ip h1)\"" ||
		fail "FRR's path to $(host_block h1) is not via $(host_ip h1): $(frr_route_json h2 "$(host_block h1)")"
	wait_route 30 h1 "^$ext .*via $(host_ip h2) dev eth0 proto bird"
	frr_vtysh h2 "configure terminal" "router bgp $tor_as" "address-family ipv4 unicast" \
		"no network $ext" >/dev/null || fail "vtysh: cannot remove network $ext"
	expect 30 "h1's kernel loses $ext" eval "! route_has h1 '^$ext '"
	assert_running h1
}
scenario frr_tor_ebgp
