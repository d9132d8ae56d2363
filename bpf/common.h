/* Shared includes for Fleet's CO-RE programs. */
#ifndef FLEET_BPF_COMMON_H
#define FLEET_BPF_COMMON_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define ETH_P_IP   0x0800
#define ETH_P_IPV6 0x86DD

#endif
