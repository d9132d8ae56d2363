/* fentry/fexit programs (BPF trampolines) counting calls of one kernel function; used by tests. */
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

enum slot { FENTRY, FEXIT, SLOTS };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

/* Overridable before load: count only this process (0 counts every process). */
const volatile __u32 target_pid = 0;

static __always_inline int hit(__u32 slot)
{
	if (target_pid != 0 && (bpf_get_current_pid_tgid() >> 32) != target_pid)
		return 0;
	__u64 *count = bpf_map_lookup_elem(&hits, &slot);
	if (count)
		__sync_fetch_and_add(count, 1);
	return 0;
}

SEC("fentry/do_sys_openat2")
int BPF_PROG(on_fentry) { return hit(FENTRY); }

SEC("fexit/do_sys_openat2")
int BPF_PROG(on_fexit) { return hit(FEXIT); }
