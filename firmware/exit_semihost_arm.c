/*
 * exit_semihost_arm.c - board_exit() through Arm semihosting (emulator images).
 * SYS_EXIT_EXTENDED (0x20) with {ADP_Stopped_ApplicationExit, code}: QEMU run
 * with -semihosting-config enable=on exits with `code & 0xff`. On hardware
 * without a debugger the BKPT faults: use exit_loop.c there.
 */
#include "board.h"

void board_exit(int code)
{
    volatile uint32_t block[2];
    block[0] = 0x20026u; /* ADP_Stopped_ApplicationExit */
    block[1] = (uint32_t)code;
    register uint32_t r0 __asm__("r0") = 0x20u; /* SYS_EXIT_EXTENDED */
    register volatile uint32_t *r1 __asm__("r1") = block;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    for (;;) {
    }
}
