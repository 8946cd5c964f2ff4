/*
 * exit_semihost_riscv.c - board_exit() through RISC-V semihosting (emulator
 * images): the uncompressed, 16-byte aligned slli/ebreak/srai sequence with
 * a0 = SYS_EXIT_EXTENDED (0x20) and a1 = {ADP_Stopped_ApplicationExit, code}.
 * Without -semihosting-config the ebreak loops: always run under a timeout.
 */
#include "board.h"

void board_exit(int code)
{
    volatile uint32_t block[2];
    block[0] = 0x20026u;
    block[1] = (uint32_t)code;
    register uint32_t a0 __asm__("a0") = 0x20u;
    register volatile uint32_t *a1 __asm__("a1") = block;
    __asm__ volatile(".option push\n"
                     ".option norvc\n"
                     ".balign 16\n"
                     "slli x0, x0, 0x1f\n"
                     "ebreak\n"
                     "srai x0, x0, 7\n"
                     ".option pop\n"
                     : "+r"(a0)
                     : "r"(a1)
                     : "memory");
    for (;;) {
    }
}
