/* Counts TCP retransmissions, in total and per address family. */
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} retransmits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);   /* AF_INET, AF_INET6 */
	__type(value, __u64);
} retransmits_by_family SEC(".maps");

/* The record's C type was renamed in 6.x; CO-RE picks whichever the running kernel has. */
struct trace_event_raw_tcp_retransmit_skb___new {
	__u16 family;
} __attribute__((preserve_access_index));

struct trace_event_raw_tcp_event_sk_skb___old {
	__u16 family;
} __attribute__((preserve_access_index));

SEC("tracepoint/tcp/tcp_retransmit_skb")
int count_retransmit(void *ctx)
{
	__u32 zero = 0;
	__u64 *total = bpf_map_lookup_elem(&retransmits, &zero);
	if (total)
		__sync_fetch_and_add(total, 1);

	__u32 family;
	if (bpf_core_type_exists(struct trace_event_raw_tcp_retransmit_skb___new))
		family = BPF_CORE_READ((struct trace_event_raw_tcp_retransmit_skb___new *)ctx, family);
	else
		family = BPF_CORE_READ((struct trace_event_raw_tcp_event_sk_skb___old *)ctx, family);
	__u64 one = 1, *count = bpf_map_lookup_elem(&retransmits_by_family, &family);
	if (count)
		__sync_fetch_and_add(count, 1);
	else
		bpf_map_update_elem(&retransmits_by_family, &family, &one, BPF_NOEXIST);
	return 0;
}
