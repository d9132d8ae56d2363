/* Deliberately rejected by the verifier: reads past the end of a map value. Used by tests. */
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} values SEC(".maps");

SEC("tracepoint/raw_syscalls/sys_enter")
int read_out_of_bounds(void *ctx)
{
	__u32 zero = 0;
	__u64 *value = bpf_map_lookup_elem(&values, &zero);
	if (!value)
		return 0;
	/* The value is 8 bytes; offset 64 is outside it. */
	return *(volatile __u64 *)((char *)value + 64) != 0;
}
