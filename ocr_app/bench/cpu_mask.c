/* Preloaded into a benchmark's processes by cpu_mask.py: CPUID answers without the
 * features named by OCR_DESK_CPU_MASK ("avx2" or "avx512"), so every library picks the
 * kernels it would pick on that older CPU. Linux x86-64 with CPUID faulting only.
 *
 * arch_prctl(ARCH_SET_CPUID, 0) makes CPUID trap in user space (per thread, inherited by
 * threads created later, reset by execve, hence the constructor). The SIGSEGV handler
 * switches trapping off for its own thread, runs the real CPUID, switches it back on,
 * clears the hidden bits and steps over the 2-byte instruction. */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <cpuid.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static unsigned hide_7_0_ebx, hide_7_0_ecx, hide_7_0_edx, hide_7_1_eax;

static long trap_cpuid(int on) { return syscall(SYS_arch_prctl, ARCH_SET_CPUID, on ? 0 : 1); }

static void on_fault(int sig, siginfo_t *info, void *context) {
    (void)info;
    ucontext_t *uc = context;
    greg_t *regs = uc->uc_mcontext.gregs;
    const unsigned char *ip = (const unsigned char *)regs[REG_RIP];
    if (ip[0] != 0x0f || ip[1] != 0xa2) { /* a real fault: crash as without us */
        signal(sig, SIG_DFL);
        return;
    }
    unsigned leaf = (unsigned)regs[REG_RAX], sub = (unsigned)regs[REG_RCX], a, b, c, d;
    trap_cpuid(0);
    __cpuid_count(leaf, sub, a, b, c, d);
    trap_cpuid(1);
    if (leaf == 7 && sub == 0) { b &= ~hide_7_0_ebx; c &= ~hide_7_0_ecx; d &= ~hide_7_0_edx; }
    if (leaf == 7 && sub == 1) { a &= ~hide_7_1_eax; }
    regs[REG_RAX] = a; regs[REG_RBX] = b; regs[REG_RCX] = c; regs[REG_RDX] = d;
    regs[REG_RIP] += 2;
}

__attribute__((constructor)) static void start_masking(void) {
    const char *level = getenv("OCR_DESK_CPU_MASK");
    if (level == NULL || *level == '\0') return;
    /* Newer than Skylake-SP's AVX-512: IFMA, VBMI, VBMI2, VNNI, BITALG, VPOPCNTDQ,
     * VP2INTERSECT, FP16, AMX (BF16, TILE, INT8), AVX-VNNI, AVX512-BF16. */
    hide_7_0_ebx = 1u << 21;
    hide_7_0_ecx = (1u << 1) | (1u << 6) | (1u << 11) | (1u << 12) | (1u << 14);
    hide_7_0_edx = (1u << 2) | (1u << 3) | (1u << 8) | (1u << 22) | (1u << 23) | (1u << 24) | (1u << 25);
    hide_7_1_eax = (1u << 4) | (1u << 5);
    if (strcmp(level, "avx2") == 0) { /* and AVX-512 itself: F, DQ, PF, ER, CD, BW, VL */
        hide_7_0_ebx |= (1u << 16) | (1u << 17) | (1u << 26) | (1u << 27) | (1u << 28) | (1u << 30) | (1u << 31);
    } else if (strcmp(level, "avx512") != 0) {
        fprintf(stderr, "cpu_mask: unknown OCR_DESK_CPU_MASK=%s\n", level);
        _exit(70);
    }
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_fault;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &action, NULL);
    if (trap_cpuid(1) != 0) { /* never run unmasked under a masked label */
        perror("cpu_mask: arch_prctl(ARCH_SET_CPUID)");
        _exit(70);
    }
}
