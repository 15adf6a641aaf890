#!/usr/bin/env python3
# tests/fuzz/seeds.py: writes the seed corpora tests/fuzz/corpus-<target>/
# of the fuzz targets in tests/fuzz/ (fuzz_<target>.h says each input
# format). The seeds are the examples the unit tests and the references
# already hold: Calico records of calico-compat.md and test_calico.c, the
# etcd answers of tests/vectors/etcd_answers.h (captured from etcd 3.4),
# the example and test YAML files, birdc command lines, and the kernel
# captures of test_nl.c. Run it from anywhere; it rewrites the corpora
# (a seed no longer listed here is removed). The files are checked in, so
# the replay in tests/unit/test_crashers.c does not depend on Python.
import base64
import json
import os
import re
import struct
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
FUZZ = os.path.join(TOP, "tests", "fuzz")

RES = "/calico/resources/v3/projectcalico.org/"
AFF = "/calico/ipam/v2/host/h1/ipv4/block/"
BGP = "/calico/bgp/v1/"


def read(*path):
    with open(os.path.join(TOP, *path), "rb") as f:
        return f.read()


def c_strings(src, name):
    """The value of `static const char NAME[] = "..." "...";` in C source."""
    m = re.search(r"\b" + name + r"\[\]\s*=\s*((?:\s*\"(?:[^\"\\]|\\.)*\")+)"
                  r"\s*;", src)
    if m is None:
        sys.exit("seeds.py: no string %s" % name)
    out = b""
    for part in re.findall(r"\"((?:[^\"\\]|\\.)*)\"", m.group(1)):
        out += part.encode().decode("unicode_escape").encode("latin-1")
    return out


def c_bytes(src, name):
    """The octets of `static const uint8_t NAME[] ... = { 0x.., ... };`."""
    m = re.search(r"\b" + name + r"\[\][^=]*=\s*\{([^}]*)\}", src)
    if m is None:
        sys.exit("seeds.py: no array %s" % name)
    return bytes(int(x, 0) for x in re.findall(r"0x[0-9a-fA-F]+|\b\d+\b",
                                                m.group(1)))


def write_corpus(target, seeds):
    d = os.path.join(FUZZ, "corpus-" + target)
    os.makedirs(d, exist_ok=True)
    names = set()
    for name, data in seeds:
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
        if name in names:
            sys.exit("seeds.py: %s: seed %s twice" % (target, name))
        names.add(name)
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    for old in os.listdir(d):
        if old not in names:
            os.remove(os.path.join(d, old))
    if len(names) > 50:
        sys.exit("seeds.py: %s: %d seeds, keep it under 50" %
                 (target, len(names)))


# --- fuzz_calico: layout octet, then op/key/value records --------------

def rec_put(key, val, commit=False):
    k, v = key.encode(), val.encode() if isinstance(val, str) else val
    return (struct.pack(">BH", 2 if commit else 0, len(k)) + k +
            struct.pack(">H", len(v)) + v)


def rec_del(key, commit=False):
    k = key.encode()
    return struct.pack(">BH", 3 if commit else 1, len(k)) + k


def j(obj):
    return json.dumps(obj, separators=(",", ":"))


def calico_seeds():
    v3 = [
        ("v3_node_cidr", [rec_put(RES + "nodes/h1", j({
            "kind": "Node", "apiVersion": "projectcalico.org/v3",
            "metadata": {"name": "h1"},
            "spec": {"bgp": {"ipv4Address": "10.192.0.2/16"},
                     "addresses": [{"address": "10.192.0.2"}]},
            "status": {}}), True)]),
        ("v3_nodes_as", [
            rec_put(RES + "nodes/h1", j({"spec": {"bgp": {
                "ipv4Address": "198.18.0.1/24",
                "ipv6Address": "fd80::1/64"}}})),
            rec_put(RES + "nodes/h2", j({"spec": {"bgp": {
                "ipv4Address": "198.18.0.2", "asNumber": "1.10"}}})),
            rec_put(RES + "nodes/h3", j({"spec": {"bgp": {
                "ipv4Address": "198.18.0.3/24", "asNumber": 64513}}}), True),
            rec_del(RES + "nodes/h3", True)]),
        ("v3_node_labels", [
            rec_put(RES + "nodes/h2", j({"metadata": {"name": "h2",
                "labels": {"rack": "r1", "topology.kubernetes.io/zone": "z1",
                           "e": ""}},
                "spec": {"bgp": {"ipv4Address": "198.18.0.2/24"}}})),
            rec_put(RES + "nodes/h3", j({"metadata": {"labels": {
                "rack": 1, "Bad.io/x": "y"}}, "spec": {"bgp": {
                "ipv4Address": "198.18.0.3/24"}}}), True)]),
        ("v3_bgpconf", [
            rec_put(RES + "bgpconfigurations/default", j({"spec": {
                "asNumber": 65001, "nodeToNodeMeshEnabled": False,
                "logSeverityScreen": "Info"}})),
            rec_put(RES + "bgpconfigurations/node.h1",
                    j({"spec": {"listenPort": 1}}), True)]),
        ("v3_peers", [
            rec_put(RES + "nodes/h1", j({"spec": {"bgp": {
                "ipv4Address": "198.18.0.1/24"}}})),
            rec_put(RES + "bgppeers/g", j({"spec": {
                "peerIP": "198.18.0.200", "asNumber": 65000}})),
            rec_put(RES + "bgppeers/mine", j({"spec": {
                "node": "h1", "peerIP": "10.0.0.1:1790",
                "asNumber": "65001"}})),
            rec_put(RES + "bgppeers/all", j({"spec": {
                "nodeSelector": "all()", "peerIP": "[fd00::9]:179",
                "asNumber": 65003}}), True),
            rec_put(RES + "bgppeers/g2", j({"spec": {
                "peerIP": "198.18.0.200", "asNumber": 65000}}), True),
            rec_del(RES + "bgppeers/g", True)]),
        ("v3_pools", [
            rec_put(RES + "ippools/p1", j({"spec": {
                "cidr": "10.244.0.0/16", "ipipMode": "CrossSubnet",
                "natOutgoing": True}})),
            rec_put(RES + "ippools/p2", j({"spec": {
                "cidr": "fd00:10::/48", "disabled": True}}), True),
            rec_put(RES + "ippools/p1", j({"spec": {
                "cidr": "10.245.0.0/16", "ipipMode": "Always"}}), True),
            rec_put(RES + "ippools/p3", j({"spec": {
                "cidr": "10.96.0.0/12", "vxlanMode": "CrossSubnet",
                "disableBGPExport": True}}), True),
            rec_put(RES + "ippools/unsafe", j({"spec": {
                "cidr": "0.0.0.0/0"}}), True)]),
        ("v3_affinities", [
            rec_put(AFF + "10.244.1.0-26",
                    j({"state": "confirmed", "deleted": False})),
            rec_put(AFF + "10.244.1.64-26", j({"state": "pending"})),
            rec_put(AFF + "10.244.1.192-26", ""),
            rec_put(AFF + "10.244.2.0-26", "{}"),
            rec_put("/calico/ipam/v2/host/h1/ipv6/block/fd00:10:0:1::-122",
                    "{}", True),
            rec_put("/calico/ipam/v2/host/h2/ipv4/block/10.244.9.0-26", "{}"),
            rec_put(AFF + "10.244.1.64-26", j({"state": "confirmed"}), True),
            rec_del(AFF + "10.244.2.0-26", True)]),
        ("v3_bgpopts_peers", [
            rec_put(RES + "nodes/h1", j({"spec": {"bgp": {
                "ipv4Address": "198.18.0.1/24"}}})),
            rec_put(RES + "nodes/h2", j({"metadata": {"labels": {
                "rack": "a"}}, "spec": {"bgp": {
                "ipv4Address": "198.18.0.2/24"}}})),
            rec_put(RES + "bgppeers/tor", j({"spec": {
                "peerIP": "10.0.0.1:1790", "asNumber": 65001,
                "localASNumber": "1.10", "sourceAddress": "None",
                "nextHopMode": "Self", "keepOriginalNextHop": False,
                "restartMode": "LongLivedGracefulRestart",
                "maxRestartTime": "1h", "keepaliveTime": "30s",
                "numAllowedLocalASNumbers": 2, "ttlSecurity": 1,
                "reachableBy": "10.0.0.254",
                "password": {"secretKeyRef": {"name": "bgp-secrets",
                                              "key": "tor"}},
                "failureDetectionMode": "BFDIfDirectlyConnected",
                "filters": ["export-tor", "import-tor"]}}), True),
            rec_put(RES + "bgppeers/sel", j({"spec": {
                "nodeSelector": "all()", "peerSelector": "rack == 'a'",
                "ttlSecurity": 3, "maxRestartTime": "10s"}}), True),
            rec_put(RES + "bgppeers/tor", j({"spec": {
                "peerIP": "10.0.0.1", "asNumber": 65001,
                "ttlSecurity": 256, "maxRestartTime": "2h"}}), True)]),
        ("v3_bgpopts_config", [
            rec_put(RES + "nodes/h1", j({"spec": {"bgp": {
                "ipv4Address": "198.18.0.1/24"}}})),
            rec_put(RES + "nodes/h2", j({"spec": {"bgp": {
                "ipv4Address": "198.18.0.2/24"}}})),
            rec_put(RES + "bgpconfigurations/default", j({"spec": {
                "listenPort": 1790, "bindMode": "NodeIP",
                "communities": [{"name": "tor-a", "value": "65000:100"},
                                {"name": "big", "value": "65000:1:2"}],
                "prefixAdvertisements": [
                    {"cidr": "10.96.0.0/12",
                     "communities": ["tor-a", "65000:7", "big"]},
                    {"cidr": "fd00:96::/112", "communities": ["1:2:3"]}],
                "serviceClusterIPs": [{"cidr": "10.96.0.0/12"}],
                "serviceExternalIPs": [{"cidr": "104.244.42.129/32"}],
                "serviceLoadBalancerIPs": [{"cidr": "198.51.100.0/24"}],
                "ignoredInterfaces": ["eth9", "vxlan*"],
                "nodeMeshPassword": {"secretKeyRef": {"name": "mesh",
                                                      "key": "pw"}},
                "nodeMeshMaxRestartTime": "90s"}}), True),
            rec_put(RES + "bgpconfigurations/node.h1", j({"spec": {
                "listenPort": 1792, "communities": [
                    {"name": "own", "value": "3:3"}],
                "prefixAdvertisements": [{"cidr": "10.1.0.0/16",
                                          "communities": ["own"]}]}})),
            rec_put(RES + "bgpconfigurations/node.h2",
                    j({"spec": {"listenPort": 1791}}), True),
            rec_put(RES + "bgpconfigurations/default", j({"spec": {
                "listenPort": 70000, "communities": [
                    {"name": "x", "value": "65536:1"}]}}), True)]),
        ("v3_bgpfilters", [
            rec_put(RES + "bgpfilters/f1", j({"spec": {
                "exportV4": [{"cidr": "10.0.0.0/8", "matchOperator": "In",
                              "prefixLength": {"min": 16, "max": 24},
                              "source": "RemotePeers", "interface": "eth*",
                              "peerType": "eBGP", "action": "Reject"},
                             {"action": "Accept"}],
                "importV6": [{"cidr": "fd00::/8", "matchOperator": "NotIn",
                              "action": "Reject"}]}}), True),
            rec_put(RES + "bgpfilters/f2", j({"spec": {
                "exportV4": [{"communities": {"values": ["1:2"]},
                              "action": "Reject"},
                             {"operations": [{"setPriority": {"value": 5}}],
                              "action": "Accept"}]}}), True),
            rec_put(RES + "bgpfilters/f1", j({"spec": {
                "exportV4": [{"cidr": "10.0.0.0/8",
                              "action": "Accept"}]}}), True),
            rec_del(RES + "bgpfilters/f2", True)]),
        ("v3_malformed", [
            rec_put(RES + "nodes/h1", "{\"spec\":{\"bgp\":{\"ipv4Address\":"
                    "\"198.18.0.1/33\"}}}"),
            rec_put(RES + "nodes/h2", "{\"spec\":"),
            rec_put(RES + "ippools/x", "[1,2]"),
            rec_put(RES + "bgppeers/p", j({"spec": {
                "peerIP": "10.0.0.1:0", "asNumber": -1}}), True)]),
    ]
    v2 = [
        ("v2_hosts_globals", [
            rec_put(BGP + "global/as_num", "64512"),
            rec_put(BGP + "global/node_mesh", "{\"enabled\": true}"),
            rec_put(BGP + "global/loglevel", "info"),
            rec_put(BGP + "host/h1/ip_addr_v4", "198.18.0.1"),
            rec_put(BGP + "host/h1/ip_addr_v6", ""),
            rec_put(BGP + "host/h1/network_v4", "198.18.0.0/24"),
            rec_put(BGP + "host/h2/ip_addr_v4", "198.18.0.2"),
            rec_put(BGP + "host/h2/ip_addr_v6", "fd80::2"),
            rec_put(BGP + "host/h2/network_v6", "fd80::/64"),
            rec_put(BGP + "host/h2/as_num", "64513", True),
            rec_del(BGP + "host/h2/ip_addr_v4", True)]),
        ("v2_peers", [
            rec_put(BGP + "global/peer_v4/198.18.0.200",
                    j({"ip": "198.18.0.200", "as_num": "65000"})),
            rec_put(BGP + "global/peer_v6/fd00::9",
                    j({"ip": "fd00::9", "as_num": "65009"})),
            rec_put(BGP + "host/h1/peer_v4/10.0.0.1",
                    j({"ip": "10.0.0.1", "as_num": "65001"})),
            rec_put(BGP + "host/h2/peer_v4/10.0.0.2",
                    j({"ip": "10.0.0.2", "as_num": "65002"}), True)]),
        ("v2_pools_blocks", [
            rec_put("/calico/v1/ipam/v4/pool/10.244.0.0-16", j({
                "cidr": "10.244.0.0/16", "ipip": "tunl0",
                "ipip_mode": "cross-subnet", "masquerade": True,
                "ipam": True, "disabled": False})),
            rec_put("/calico/v1/ipam/v6/pool/fd00:10::-48",
                    j({"cidr": "fd00:10::/48"})),
            rec_put("/calico/v1/ipam/v4/pool/10.96.0.0-12", j({
                "cidr": "10.96.0.0/12", "vxlan_mode": "always",
                "disableBGPExport": True})),
            rec_put(AFF + "10.244.1.0-26", ""),
            rec_put(AFF + "10.244.1.128-26", "anything", True),
            rec_del(AFF + "10.244.1.0-26", True)]),
        ("v2_bgpopts", [
            rec_put(BGP + "host/h1/ip_addr_v4", "198.18.0.1"),
            rec_put(BGP + "host/h2/ip_addr_v4", "198.18.0.2"),
            rec_put(BGP + "global/listen_port", "1790"),
            rec_put(BGP + "host/h2/listen_port", "1791"),
            rec_put(BGP + "global/prefix_advertisements/ip_v4", j([
                {"cidr": "10.0.0.0/8", "communities": ["1:1", "2:2:2"]}])),
            rec_put(BGP + "host/h1/prefix_advertisements/ip_v6", "null"),
            rec_put(BGP + "global/peer_v4/10.0.0.1", j({
                "ip": "10.0.0.1", "as_num": "65001", "local_as_num": "0",
                "password": "s3cret", "source_addr": "None",
                "restart_time": "300", "keepalive_time": "20",
                "keep_next_hop": True, "num_allow_local_as": 1,
                "ttl_security": 2, "reachable_by": "10.0.0.254",
                "filters": ["f"]}), True),
            rec_put(BGP + "global/peer_v4/10.0.0.2-1790", j({
                "ip": "10.0.0.2", "as_num": "65002", "port": 1790,
                "next_hop_mode": "Keep"}), True),
            rec_put(BGP + "global/custom_filters/v4/mine",
                    "if net ~ 10.0.0.0/8 then reject;", True),
            rec_del(BGP + "global/listen_port", True)]),
        ("v2_malformed", [
            rec_put(BGP + "global/as_num", "4294967296"),
            rec_put(BGP + "host/h1/ip_addr_v4", "198.18.0.300"),
            rec_put(BGP + "global/node_mesh", "{\"enabled\":\"yes\"}"),
            rec_put(BGP + "global/peer_v4/10.0.0.1",
                    j({"ip": "10.0.0.2", "as_num": "1"}), True)]),
    ]
    for name, recs in v3:
        yield name, b"\x01" + b"".join(recs)
    for name, recs in v2:
        yield name, b"\x00" + b"".join(recs)


# --- fuzz_etcd_v3 / _v2: ctl, length, body chunks ----------------------

# ctl: bits 0-2 request, 3-5 status index, 6 finish, 7 no X-Etcd-Index
ST200, ST404, ST400, ST503, ST0 = 0, 3, 4, 5, 6


def chunk(body, req=0, status=ST200, finish=True, index=True):
    if isinstance(body, str):
        body = body.encode()
    ctl = req | status << 3 | (0x40 if finish else 0) | (0 if index else 0x80)
    return struct.pack(">BH", ctl, len(body)) + body


def b64(s):
    return base64.b64encode(s.encode() if isinstance(s, str) else s).decode()


def range_page(rev, kvs, more=False):
    o = {"header": {"revision": str(rev)},
         "kvs": [{"key": b64(k), "create_revision": "2", "value": b64(v)}
                 for k, v in kvs]}
    if more:
        o["more"] = True
    return j(o)


def watch_event(rev, key, val=None):
    ev = {"kv": {"key": b64(key), "mod_revision": str(rev)}}
    if val is None:
        ev["type"] = "DELETE"
    else:
        ev["kv"]["value"] = b64(val)
    return j({"result": {"header": {"revision": str(rev)},
                         "events": [ev]}}) + "\n"


def etcd_v3_seeds(ans):
    page1, events, created = (ans["real_page1"], ans["real_events"],
                              ans["created"])
    node2 = j({"spec": {"bgp": {"ipv4Address": "198.18.0.2/24"}}})
    pool = j({"spec": {"cidr": "10.244.0.0/16"}})
    empty = j({"header": {"revision": "27"}})
    full_list = [
        chunk(page1),
        chunk(range_page(27, [(RES + "nodes/h2", node2)])),
        chunk(empty),
        chunk(empty),
        chunk(range_page(27, [(RES + "ippools/p", pool)])),
        chunk(range_page(27, [(AFF + "10.244.1.64-26", "")])),
    ]
    creates = [chunk(created, req=r, finish=False) for r in range(5)]
    yield "list", b"".join(full_list)
    yield "list_watch", b"".join(full_list + creates + [
        chunk(events, req=4, finish=False)])
    # the same stream cut in pieces, and a progress notification
    cut = [events[i:i + 97] for i in range(0, len(events), 97)]
    yield "watch_pieces", b"".join(full_list + creates + [
        chunk(p, req=4, finish=False) for p in cut] + [
        chunk(b"{\"result\":{\"header\":{\"revision\":\"40\"}}}", req=0,
              finish=False)])
    yield "watch_puts", b"".join(full_list + creates + [
        chunk(watch_event(30, RES + "nodes/h3", j({"spec": {"bgp": {
            "ipv4Address": "198.18.0.3/24"}}})) +
            watch_event(31, RES + "bgppeers/g", j({"spec": {
                "peerIP": "198.18.0.200", "asNumber": 65000}})) +
            watch_event(32, RES + "nodes/h2"), req=0, finish=False)])
    yield "compacted", b"".join(full_list + creates + [
        chunk("{\"result\":{\"header\":{\"cluster_id\":\"1\"},\"canceled\""
              ":true,\"compact_revision\":\"35\"}}\n", req=4,
              finish=False)] + full_list)
    yield "errors", b"".join([
        chunk(page1),
        chunk("{\"error\":\"etcdserver: no leader\",\"message\":"
              "\"etcdserver: no leader\",\"code\":14}", status=ST503),
        chunk(page1),
        chunk("{\"error\":\"etcdserver: mvcc: required revision has been "
              "compacted\",\"message\":\"etcdserver: mvcc: required "
              "revision has been compacted\",\"code\":11}", status=ST400),
        chunk("", status=ST0)] + full_list + creates + [
        chunk("{\"error\":{\"grpc_code\":14,\"message\":\"transport is "
              "closing\"}}", req=2, finish=False)])
    yield "page_more", b"".join([
        chunk(range_page(27, [(RES + "nodes/h1", node2),
                              (RES + "nodes/h2", node2)], more=True)),
        chunk(range_page(27, [(RES + "nodes/h3", node2)]))])


def etcd_v2_seeds(ans):
    bgp, pool, nf, blocks = (ans["v2_bgp"], ans["v2_pool"],
                             ans["v2_notfound"], ans["v2_blocks"])
    full_list = [chunk(bgp), chunk(pool), chunk(nf, status=ST404),
                 chunk(blocks)]
    yield "list", b"".join(full_list)
    ev_set = ("{\"action\":\"set\",\"node\":{\"key\":\"/calico/bgp/v1/host/h3/"
              "ip_addr_v4\",\"value\":\"198.18.0.3\",\"modifiedIndex\":14,"
              "\"createdIndex\":14}}")
    ev_del = ("{\"action\":\"delete\",\"node\":{\"key\":\"" + AFF +
              "10.244.1.0-26\",\"modifiedIndex\":16,\"createdIndex\":3},"
              "\"prevNode\":{\"key\":\"" + AFF + "10.244.1.0-26\","
              "\"value\":\"\"}}")
    ev_dir = ("{\"action\":\"delete\",\"node\":{\"key\":\"/calico/bgp/v1/"
              "host/h2\",\"dir\":true,\"modifiedIndex\":17}}")
    yield "list_wait", b"".join(full_list + [
        chunk(ev_set, req=0), chunk(ev_del, req=3), chunk("", req=1)])
    yield "dir_deleted", b"".join(full_list + [chunk(ev_dir, req=0)] +
                                  full_list)
    yield "cleared", b"".join(full_list + [
        chunk("{\"errorCode\":401,\"message\":\"The event in requested "
              "index is outdated and cleared\",\"index\":1010}", req=2,
              status=ST400)] + full_list)
    yield "errors", b"".join([
        chunk(bgp, index=False), chunk("", status=ST0)] + full_list + [
        chunk("{\"action\":\"set\"}", req=0),
        chunk("", req=3, status=ST0)])
    yield "pool_set", b"".join(full_list + [
        chunk("{\"action\":\"set\",\"node\":{\"key\":\"/calico/v1/ipam/v4/"
              "pool/10.99.0.0-16\",\"value\":\"" +
              j({"cidr": "10.99.0.0/16", "ipip": "tunl0"}).replace(
                  "\"", "\\\"") + "\",\"modifiedIndex\":20}}", req=1)])


# --- fuzz_cluster and fuzz_conf: whole files ---------------------------

def cluster_seeds(src):
    yield "example", read("conf", "cluster.yaml")
    for name in ("cluster1", "cluster2"):
        yield name, c_strings(src, name)
    yield "values", (
        b"as: 1.10\n"
        b"node_mesh: no\n"
        b"pools:\n"
        b"  - {cidr: 'fd00:10::/64', ipip: always, disabled: yes}\n"
        b"nodes:\n"
        b"  - name: h1\n"
        b"    ipv4: 198.18.0.1/24\n"
        b"    ipv6: fd80::1/64\n"
        b"    blocks: [10.244.1.0/26, 'fd00:10::/122']\n"
        b"  - {name: h2, ipv4: \"\", ipv6: ~, blocks: ~}\n"
        b"peers: []\n")
    yield "pools", (
        b"pools:\n"
        b"  - {cidr: 10.244.0.0/16, ipip: cross-subnet}\n"
        b"  - {cidr: 10.96.0.0/12, vxlan: always, disable_bgp_export: true}\n"
        b"  - {cidr: 0.0.0.0/0}\n"
        b"nodes:\n"
        b"  - {name: h1, ipv4: 10.244.0.1/24, blocks: [10.244.0.0/26, "
        b"192.168.0.0/26]}\n")
    yield "labels", (
        b"nodes:\n"
        b"  - name: h1\n"
        b"    labels: {rack: r1, \"topology.kubernetes.io/zone\": z1}\n"
        b"  - {name: h2, labels: {e: '', k: v}}\n")
    yield "peers", (
        b"peers:\n"
        b"  - {ip: 10.0.0.1, as: 1, node: h1}\n"
        b"  - {ip: 'fd00::1', as: 4200000000}\n"
        b"  - ip: 198.18.0.200\n"
        b"    as: 65000\n")
    yield "bgpopts", c_strings(read("tests", "unit",
                                    "test_bgpopts.c").decode(), "cluster")
    yield "bad_dup_block", (
        b"nodes:\n  - name: h1\n    blocks: [10.244.1.0/26]\n"
        b"  - name: h2\n    blocks: [10.244.1.0/26]\n")
    yield "bad_alias", b"nodes: &n []\npeers: *n\n"
    yield "bad_syntax", b"nodes:\n  - name: h1\n   ipv4: 1.2.3.4\n"


def conf_seeds():
    yield "example", read("conf", "ternd.yaml")
    d = os.path.join(TOP, "tests", "conf")
    for f in sorted(os.listdir(d)):
        if f.endswith(".yaml"):
            yield f[:-5], read("tests", "conf", f)
    yield "quoted", (
        b"node:\n  name: \"h\\x01\"\n  ipv4: '198.18.0.1'\n  as: 4200000000\n"
        b"datastore:\n  type: etcdv3\n  endpoints: ['http://[fd00::1]:2379',"
        b" \"https://e2:2379\"]\n  prefix: \"/calico\"\n"
        b"bgp:\n  hold_time: 0\n  password: \"s3cr\\\"et\"\n")
    yield "bad_type", b"bgp:\n  port: [179]\n"
    yield "bad_rule", b"bgp:\n  hold_time: 9\n  keepalive_time: 10\n"


# --- fuzz_ctl: what a client sends ---------------------------------------

def ctl_seeds():
    yield "status", b"show status\n"
    yield "protocols", b"show protocols\nshow protocols all\n"
    yield "protocols_name", (b"show protocols Mesh_198_18_0_2\n"
                             b"show protocols all \"Mesh_*\"\n"
                             b"show protocols \"*_198_18_0_?\"\n")
    yield "route", (b"show route\nshow route all\nshow route count\n"
                    b"show route primary table master4\n")
    yield "route_for", (b"show route for 10.244.1.1\n"
                        b"show route 10.244.1.0/26 all\n"
                        b"show route for fd00:10::1 table master6\n"
                        b"show route protocol Mesh_198_18_0_3 count\n")
    yield "restrict", b"restrict\nconfigure\ndown\nshow status\n"
    yield "configure", b"configure soft\nconfigure\n"
    yield "down", b"down\nshow status\n"
    yield "crlf_quit", b"quit\r\nshow status\r\nconfigure\n\nbogus\n"
    yield "debug", (b"debug all all\ndebug all off\n"
                    b"debug Mesh_198_18_0_2 { states, routes }\n"
                    b"debug \"Mesh*\" {events,packets}\ndebug states,routes on\n"
                    b"debug all on\ndebug events off\ndebug bogus on\n")
    yield "json", (b"json show status\njson show protocols all\n"
                   b"json show protocols Mesh_198_18_0_2\n"
                   b"json show route count\njson show route for 10.244.1.1\n"
                   b"json show route 10.244.1.0/26 all\njson down\n")
    yield "errors", (b"show\nbogus\nshow protocols nonexist\n"
                     b"show route 10.0.0.1/8\n"
                     b"show route 10.0.0.0/8 10.1.0.0/16\n"
                     b"show protocols \"Mesh*\n- x\n\x01\x02\n"
                     b"show route table master7\n")
    yield "long_line", b"show route " + b"all " * 1100 + b"\nshow status\n"
    yield "no_newline", b"show status\nshow protocols"


# --- fuzz_nl: protocol, table, datagram -----------------------------------

def nl_seeds(src):
    proto, main = 12, 254
    head = struct.pack("<BI", proto, main)
    names = ["kern_v4_nh", "kern_v4_blackhole", "kern_v4_gw_onlink",
             "kern_v4_static", "kern_v6_nh", "kern_v6_blackhole",
             "kern_nh_v4", "kern_nh_v6", "kern_err_nh", "kern_ack_ok"]
    caps = {n: c_bytes(src, n) for n in names}
    for n in names:
        yield n[5:], head + caps[n]
    done = struct.pack("<IHHIIi", 20, 3, 2, 0, 0, 0)
    yield "dump", head + b"".join(caps[n] for n in (
        "kern_v4_nh", "kern_v4_static", "kern_v4_blackhole",
        "kern_v4_gw_onlink", "kern_nh_v4")) + done
    yield "dump_v6", head + caps["kern_v6_nh"] + caps["kern_v6_blackhole"] + \
        caps["kern_nh_v6"] + done
    yield "static_proto4", struct.pack("<BI", 4, main) + caps["kern_v4_static"]
    yield "acks", head + caps["kern_ack_ok"] + caps["kern_err_nh"]
    yield "ack_truncated", head + caps["kern_err_nh"][:40]


# --- fuzz_bfd: [flags][ms][len][datagram] records (fuzz_bfd.h) -------------

def bfd_pkt(state, flags=0, mult=3, my=0x1111, your=0, tx=500000,
            rx=500000, version=1, diag=0, length=24):
    return struct.pack(">BBBBIIIII", version << 5 | diag,
                       state << 6 | flags, mult, length, my, your, tx, rx,
                       0)


def bfd_rec(data, flags=0, ms=0):
    return bytes([flags, ms, len(data)]) + data


def bfd_seeds():
    down, init, up, admin = 1, 2, 3, 0
    hello = bfd_rec(bfd_pkt(down), ms=100) + \
        bfd_rec(bfd_pkt(up), flags=4, ms=10)
    silence = bfd_rec(b"", ms=255) * 8
    return [
        ("up", hello),
        ("up_then_timeout", hello + silence),
        ("up_poll_final", hello + bfd_rec(bfd_pkt(up, 0x20), 4, 100) +
         bfd_rec(bfd_pkt(up, 0x10), 4, 100)),
        ("up_then_admin_down", hello + bfd_rec(bfd_pkt(admin), 4, 50)),
        ("up_then_neighbor_down", hello + bfd_rec(bfd_pkt(down), 4, 50)),
        ("init_from_init", bfd_rec(bfd_pkt(init), 4, 10)),
        ("min_rx_zero", bfd_rec(bfd_pkt(down, rx=0), 0, 10) + silence),
        ("ttl_254", bfd_rec(bfd_pkt(down), 2, 10)),
        ("other_source", bfd_rec(bfd_pkt(down), 1, 10)),
        ("version_2", bfd_rec(bfd_pkt(down, version=2))),
        ("auth_bit", bfd_rec(bfd_pkt(down, 0x04, length=26) + b"\x01\x02")),
        ("multipoint", bfd_rec(bfd_pkt(down, 0x01))),
        ("mult_zero", bfd_rec(bfd_pkt(down, mult=0))),
        ("length_past_datagram", bfd_rec(bfd_pkt(down, length=40))),
        ("flood", hello + bfd_rec(bfd_pkt(up, 0x20), 4) * 40),
    ]


def main():
    ans_src = read("tests", "vectors", "etcd_answers.h").decode()
    ans = {n: c_strings(ans_src, n).decode() for n in (
        "real_page1", "real_events", "created", "v2_bgp", "v2_pool",
        "v2_notfound", "v2_blocks")}
    write_corpus("calico", calico_seeds())
    write_corpus("etcd_v3", etcd_v3_seeds(ans))
    write_corpus("etcd_v2", etcd_v2_seeds(ans))
    write_corpus("cluster", cluster_seeds(
        read("tests", "unit", "test_datastore.c").decode()))
    write_corpus("conf", conf_seeds())
    write_corpus("ctl", ctl_seeds())
    write_corpus("nl", nl_seeds(read("tests", "unit", "test_nl.c").decode()))
    write_corpus("bfd", bfd_seeds())


main()
