/* Counts packets and bytes per IP protocol on an interface; every packet passes. */
#include "common.h"
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

/* Protocol key for frames that are not IPv4 or IPv6 (ARP and the like). */
#define PROTO_NON_IP 256

struct proto_stats {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 512);
	__type(key, __u32);   /* IP protocol number, or PROTO_NON_IP */
	__type(value, struct proto_stats);
} proto_stats SEC(".maps");

static __always_inline __u32 protocol_of(void *data, void *data_end)
{
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return PROTO_NON_IP;

	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > data_end)
			return PROTO_NON_IP;
		return ip->protocol;
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > data_end)
			return PROTO_NON_IP;
		return ip6->nexthdr;
	}
	return PROTO_NON_IP;
}

SEC("xdp")
int count_packets(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 proto = protocol_of(data, data_end);

	struct proto_stats *stats = bpf_map_lookup_elem(&proto_stats, &proto);
	if (stats) {
		stats->packets += 1;
		stats->bytes += data_end - data;
	} else {
		struct proto_stats fresh = {.packets = 1, .bytes = data_end - data};
		bpf_map_update_elem(&proto_stats, &proto, &fresh, BPF_NOEXIST);
	}
	return XDP_PASS;
}
