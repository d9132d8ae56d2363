/* Counts system calls per syscall id, and in total, optionally for one process only. */
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

/* Overridable before load: count only this thread group (0 counts every process). */
const volatile __u32 target_pid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);   /* syscall id */
	__type(value, __u64); /* calls */
} syscall_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} syscall_total SEC(".maps");

SEC("tracepoint/raw_syscalls/sys_enter")
int count_syscalls(struct trace_event_raw_sys_enter *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	if (target_pid != 0 && pid != target_pid)
		return 0;

	__u32 id = (__u32)BPF_CORE_READ(ctx, id);
	__u64 one = 1, *count = bpf_map_lookup_elem(&syscall_counts, &id);
	if (count)
		__sync_fetch_and_add(count, 1);
	else
		bpf_map_update_elem(&syscall_counts, &id, &one, BPF_NOEXIST);

	__u32 zero = 0;
	__u64 *total = bpf_map_lookup_elem(&syscall_total, &zero);
	if (total)
		__sync_fetch_and_add(total, 1);
	return 0;
}
