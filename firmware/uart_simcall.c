/*
 * uart_simcall.c - text output of the Xtensa emulator images: each byte written
 * to the host's standard output (fd 1) through the simulator's SYS_write
 * (simcall_xtensa.h). QEMU's lx106 sim machine has no UART.
 */
#include "board.h"
#include "simcall_xtensa.h"

void board_uart_init(void)
{
}

void board_putc(char c)
{
    (void)simcall3(SIMCALL_SYS_WRITE, 1u, (uint32_t)(uintptr_t)&c, 1u);
}
