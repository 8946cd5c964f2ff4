/* uart_ns16550.c - 16550 UART (QEMU riscv virt at 0x10000000), polled, byte registers. */
#include "board.h"

#define REG8(addr) (*(volatile uint8_t *)(addr))

#define UART_THR REG8(BOARD_UART_BASE + 0u)
#define UART_LCR REG8(BOARD_UART_BASE + 3u)
#define UART_LSR REG8(BOARD_UART_BASE + 5u)

void board_uart_init(void)
{
    UART_LCR = 0x03u; /* 8N1 */
}

void board_putc(char c)
{
    while ((UART_LSR & 0x20u) == 0u) { /* THR empty */
    }
    UART_THR = (uint8_t)c;
}
