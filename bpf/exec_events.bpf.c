/* Sends one ring buffer event per successful exec: pid, parent pid, comm and filename. */
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

#define COMM_LEN 16
#define FILENAME_LEN 256

struct exec_event {
	__u32 pid;
	__u32 ppid;
	__u64 timestamp_ns;
	char comm[COMM_LEN];
	char filename[FILENAME_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} exec_ringbuf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} exec_dropped SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int trace_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	struct exec_event *event = bpf_ringbuf_reserve(&exec_ringbuf, sizeof(*event), 0);
	if (!event) {
		__u32 zero = 0;
		__u64 *dropped = bpf_map_lookup_elem(&exec_dropped, &zero);
		if (dropped)
			__sync_fetch_and_add(dropped, 1);
		return 0;
	}

	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	event->pid = bpf_get_current_pid_tgid() >> 32;
	event->ppid = BPF_CORE_READ(task, real_parent, tgid);
	event->timestamp_ns = bpf_ktime_get_ns();
	bpf_get_current_comm(event->comm, sizeof(event->comm));

	/* __data_loc: low 16 bits are the offset of the string from the start of the record. */
	__u32 loc = BPF_CORE_READ(ctx, __data_loc_filename);
	bpf_probe_read_kernel_str(event->filename, sizeof(event->filename), (void *)ctx + (loc & 0xFFFF));

	bpf_ringbuf_submit(event, 0);
	return 0;
}
