/* board_init_riscv.c - board_init() and the trap report for RV32 images. */
#include "board.h"

void snn2c_fault(void);

void board_init(void)
{
    board_uart_init();
}

void snn2c_fault(void)
{
    board_puts("SNN2C-FAULT\n");
    board_exit(3);
}
