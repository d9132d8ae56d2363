#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
/* libbpf's own ELF library, to find an object's .BTF before libbpf parses it (see FleetBPF's BTFCheck). */
#include <libelf.h>

/* Helper names exist only inside the __BPF_FUNC_MAPPER macro of <linux/bpf.h>; expand it once. */
#define FLEET_BPF_HELPER_NAME(x) #x
static inline const char *fleet_bpf_helper_name(unsigned int id)
{
	static const char *const names[] = { __BPF_FUNC_MAPPER(FLEET_BPF_HELPER_NAME) };
	return id < sizeof(names) / sizeof(names[0]) ? names[id] : (const char *)0;
}
#undef FLEET_BPF_HELPER_NAME
