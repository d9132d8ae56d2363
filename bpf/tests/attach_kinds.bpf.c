/* One program per attach kind, each bumping its own slot; used by the attach tests.
 * fentry/fexit live in attach_trampoline.bpf.c: kernels without BPF trampolines reject them at load. */
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

enum slot { KPROBE, KRETPROBE, UPROBE, URETPROBE, RAW_TP, TC, SLOTS };

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

SEC("kprobe")
int on_kprobe(struct pt_regs *ctx) { return hit(KPROBE); }

SEC("kretprobe")
int on_kretprobe(struct pt_regs *ctx) { return hit(KRETPROBE); }

SEC("uprobe")
int on_uprobe(struct pt_regs *ctx) { return hit(UPROBE); }

SEC("uretprobe")
int on_uretprobe(struct pt_regs *ctx) { return hit(URETPROBE); }

SEC("raw_tracepoint")
int on_raw_tp(void *ctx) { return hit(RAW_TP); }

SEC("tc")
int on_tc(struct __sk_buff *skb)
{
	__u32 slot = TC;
	__u64 *count = bpf_map_lookup_elem(&hits, &slot);
	if (count)
		__sync_fetch_and_add(count, 1);
	return 0; /* TC_ACT_OK */
}
