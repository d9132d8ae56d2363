/* A lone TC classifier counting the packets it sees; used by the executor's TC adoption test. */
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} tc_packets SEC(".maps");

SEC("tc")
int count_tc(struct __sk_buff *skb)
{
	__u32 slot = 0;
	__u64 *count = bpf_map_lookup_elem(&tc_packets, &slot);
	if (count)
		__sync_fetch_and_add(count, 1);
	return 0; /* TC_ACT_OK */
}
