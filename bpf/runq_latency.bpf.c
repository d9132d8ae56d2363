/* Log2 histogram of run-queue latency (wakeup to running), in microseconds. */
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

#define MAX_SLOTS 32
#define TASK_RUNNING 0

/* Overridable before load: ignore latencies below this many microseconds. */
const volatile __u64 min_latency_us = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);   /* pid */
	__type(value, __u64); /* enqueue time, ns */
} enqueued_at SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_SLOTS);
	__type(key, __u32);   /* log2(latency_us) */
	__type(value, __u64); /* samples */
} runq_hist SEC(".maps");

static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 slot = 0;
	for (int i = 0; i < 63 && v > 1; i++) {
		v >>= 1;
		slot++;
	}
	return slot < MAX_SLOTS ? slot : MAX_SLOTS - 1;
}

static __always_inline void record_enqueue(__u32 pid)
{
	if (pid == 0)
		return;
	__u64 now = bpf_ktime_get_ns();
	bpf_map_update_elem(&enqueued_at, &pid, &now, BPF_ANY);
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(on_wakeup, struct task_struct *p)
{
	record_enqueue(p->pid);
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(on_wakeup_new, struct task_struct *p)
{
	record_enqueue(p->pid);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	/* A preempted task goes straight back to the run queue. */
	if (prev->__state == TASK_RUNNING)
		record_enqueue(prev->pid);

	__u32 pid = next->pid;
	__u64 *start = bpf_map_lookup_elem(&enqueued_at, &pid);
	if (!start)
		return 0;
	__u64 delta_us = (bpf_ktime_get_ns() - *start) / 1000;
	bpf_map_delete_elem(&enqueued_at, &pid);
	if (delta_us < min_latency_us)
		return 0;

	__u32 slot = log2_slot(delta_us);
	__u64 *count = bpf_map_lookup_elem(&runq_hist, &slot);
	if (count)
		__sync_fetch_and_add(count, 1);
	return 0;
}
