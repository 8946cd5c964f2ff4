/*
 * board_init_lx106.c - board_init() and the exception report for lx106 images
 * (startup_lx106.S sends every exception vector here): the cause and the address
 * of the faulting instruction, then board_exit(3).
 */
#include "board.h"

void snn2c_fault(void);

void board_init(void)
{
    board_uart_init();
}

void snn2c_fault(void)
{
    uint32_t cause;
    uint32_t epc;
    __asm__ volatile("rsr %0, exccause" : "=r"(cause));
    __asm__ volatile("rsr %0, epc1" : "=r"(epc));
    board_puts("SNN2C-FAULT exccause=");
    board_put_u32(cause);
    board_puts(" epc1=");
    board_put_u32(epc);
    board_puts("\n");
    board_exit(3);
}
