/*
 * exit_simcall_xtensa.c - board_exit() through the Xtensa simulator's semihosting
 * (emulator images, simcall_xtensa.h): SYS_exit with the code, so QEMU exits with it.
 * Without -semihosting-config the simcall traps (snn2c_fault, which exits again and
 * traps again): always run QEMU under a timeout.
 */
#include "board.h"
#include "simcall_xtensa.h"

void board_exit(int code)
{
    (void)simcall3(SIMCALL_SYS_EXIT, (uint32_t)code, 0u, 0u);
    for (;;) {
    }
}
