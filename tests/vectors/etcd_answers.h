/*
 * etcd_answers.h: canned etcd answers for test_calico.c. The v3 ones
 * marked "captured" are etcd 3.4's JSON gateway output, byte for byte
 * (curl against a live member); the v2 ones follow etcd's v2 keys API
 * (a recursive GET's node tree, a "Key not found" error).
 */
#ifndef TERN_TEST_ETCD_ANSWERS_H
#define TERN_TEST_ETCD_ANSWERS_H

/* Captured from etcd 3.4: the first page (limit 1) of the nodes range. */
static const char real_page1[] =
    "{\"header\":{\"cluster_id\":\"2037210783374497686\",\"member_id\":"
    "\"13195394291058371180\",\"revision\":\"27\",\"raft_term\":\"3\"},"
    "\"kvs\":[{\"key\":\"L2NhbGljby9yZXNvdXJjZXMvdjMvcHJvamVjdGNhbGljby5vc"
    "mcvbm9kZXMvaDE=\",\"create_revision\":\"26\",\"mod_revision\":\"26\","
    "\"version\":\"1\",\"value\":\"eyJraW5kIjoiTm9kZSIsImFwaVZlcnNpb24iOiJw"
    "cm9qZWN0Y2FsaWNvLm9yZy92MyIsIm1ldGFkYXRhIjp7Im5hbWUiOiJoMSJ9LCJzcGVj"
    "Ijp7ImJncCI6eyJpcHY0QWRkcmVzcyI6IjE5OC4xOC4wLjEvMjQifX19\"}],\"more\":"
    "true,\"count\":\"2\"}";

/* Captured: a PUT and a DELETE of AFF 10.244.1.0-26 (watch_id 0). */
static const char real_events[] =
    "{\"result\":{\"header\":{\"cluster_id\":\"2037210783374497686\","
    "\"member_id\":\"13195394291058371180\",\"revision\":\"28\",\"raft_term"
    "\":\"3\"},\"events\":[{\"kv\":{\"key\":\"L2NhbGljby9pcGFtL3YyL2hvc3Qva"
    "DEvaXB2NC9ibG9jay8xMC4yNDQuMS4wLTI2\",\"create_revision\":\"28\","
    "\"mod_revision\":\"28\",\"version\":\"1\",\"value\":\"eyJzdGF0ZSI6ImNv"
    "bmZpcm1lZCIsImRlbGV0ZWQiOmZhbHNlfQ==\"}}]}}\n"
    "{\"result\":{\"header\":{\"cluster_id\":\"2037210783374497686\","
    "\"member_id\":\"13195394291058371180\",\"revision\":\"29\",\"raft_term"
    "\":\"3\"},\"events\":[{\"type\":\"DELETE\",\"kv\":{\"key\":\"L2NhbGljb"
    "y9pcGFtL3YyL2hvc3QvaDEvaXB2NC9ibG9jay8xMC4yNDQuMS4wLTI2\","
    "\"mod_revision\":\"29\"}}]}}\n";

static const char created[] =
    "{\"result\":{\"header\":{\"revision\":\"27\"},\"created\":true}}\n";

/* v2: the /calico/bgp/v1 tree (two nodes, node_mesh, the AS) at index 10 */
static const char v2_bgp[] =
    "{\"action\":\"get\",\"node\":{\"key\":\"/calico/bgp/v1\",\"dir\":true,"
    "\"nodes\":[{\"key\":\"/calico/bgp/v1/host\",\"dir\":true,\"nodes\":["
    "{\"key\":\"/calico/bgp/v1/host/h1\",\"dir\":true,\"nodes\":["
    "{\"key\":\"/calico/bgp/v1/host/h1/ip_addr_v4\",\"value\":\"198.18.0.1\""
    ",\"modifiedIndex\":4,\"createdIndex\":4},"
    "{\"key\":\"/calico/bgp/v1/host/h1/ip_addr_v6\",\"value\":\"\","
    "\"modifiedIndex\":5,\"createdIndex\":5}],\"modifiedIndex\":4,"
    "\"createdIndex\":4},"
    "{\"key\":\"/calico/bgp/v1/host/h2\",\"dir\":true,\"nodes\":["
    "{\"key\":\"/calico/bgp/v1/host/h2/ip_addr_v4\",\"value\":\"198.18.0.2\""
    ",\"modifiedIndex\":6,\"createdIndex\":6}]}]},"
    "{\"key\":\"/calico/bgp/v1/global\",\"dir\":true,\"nodes\":["
    "{\"key\":\"/calico/bgp/v1/global/node_mesh\",\"value\":"
    "\"{\\\"enabled\\\":true}\",\"modifiedIndex\":7,\"createdIndex\":7},"
    "{\"key\":\"/calico/bgp/v1/global/as_num\",\"value\":\"64512\","
    "\"modifiedIndex\":8,\"createdIndex\":8}]}]}}";

static const char v2_pool[] =
    "{\"action\":\"get\",\"node\":{\"key\":\"/calico/v1/ipam/v4/pool\","
    "\"dir\":true,\"nodes\":[{\"key\":\"/calico/v1/ipam/v4/pool/"
    "10.244.0.0-16\",\"value\":\"{\\\"cidr\\\":\\\"10.244.0.0/16\\\","
    "\\\"ipip\\\":\\\"tunl0\\\",\\\"ipip_mode\\\":\\\"always\\\"}\"}]}}";

static const char v2_notfound[] =
    "{\"errorCode\":100,\"message\":\"Key not found\",\"cause\":"
    "\"/calico/v1/ipam/v6\",\"index\":10}";

static const char v2_blocks[] =
    "{\"action\":\"get\",\"node\":{\"key\":\"/calico/ipam/v2/host/h1\","
    "\"dir\":true,\"nodes\":[{\"key\":\"/calico/ipam/v2/host/h1/ipv4\","
    "\"dir\":true,\"nodes\":[{\"key\":\"/calico/ipam/v2/host/h1/ipv4/block"
    "\",\"dir\":true,\"nodes\":[{\"key\":\"/calico/ipam/v2/host/h1/ipv4/"
    "block/10.244.1.0-26\",\"value\""
    ":\"\"}]}]}]}}";

#endif
