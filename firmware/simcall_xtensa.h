/*
 * simcall_xtensa.h - the Xtensa simulator's semihosting call, as QEMU's xtensa
 * targets implement it (`-semihosting-config enable=on`): the SIMCALL instruction
 * with the call number in a2 and its arguments in a3, a4, a5; the result comes
 * back in a2 (and errno in a3). Without semihosting QEMU raises an illegal
 * instruction exception instead. picolibc ships no semihosting library for the
 * lx106, so these few lines are the whole of it.
 */
#ifndef SNN2C_SIMCALL_XTENSA_H
#define SNN2C_SIMCALL_XTENSA_H

#include <stdint.h>

#define SIMCALL_SYS_EXIT 1u  /* exit(a3): QEMU exits with status a3 */
#define SIMCALL_SYS_WRITE 4u /* write(fd a3, buf a4, len a5) */

static inline uint32_t simcall3(uint32_t nr, uint32_t arg1, uint32_t arg2, uint32_t arg3)
{
    register uint32_t a2 __asm__("a2") = nr;
    register uint32_t a3 __asm__("a3") = arg1;
    register uint32_t a4 __asm__("a4") = arg2;
    register uint32_t a5 __asm__("a5") = arg3;
    __asm__ volatile("simcall" : "+r"(a2), "+r"(a3) : "r"(a4), "r"(a5) : "memory");
    return a2;
}

#endif /* SNN2C_SIMCALL_XTENSA_H */
