/* uart_cmsdk.c - Arm CMSDK APB UART (MPS2 boards, QEMU mps2-an3xx/an500), polled. */
#include "board.h"

#define REG(addr) (*(volatile uint32_t *)(addr))

#define UART_DATA REG(BOARD_UART_BASE + 0x00u)
#define UART_STATE REG(BOARD_UART_BASE + 0x04u)
#define UART_CTRL REG(BOARD_UART_BASE + 0x08u)
#define UART_BAUDDIV REG(BOARD_UART_BASE + 0x10u)

void board_uart_init(void)
{
    UART_BAUDDIV = BOARD_UART_CLOCK_HZ / BOARD_UART_BAUD;
    UART_CTRL = 1u; /* TX enable */
}

void board_putc(char c)
{
    while ((UART_STATE & 1u) != 0u) { /* TX buffer full */
    }
    UART_DATA = (uint32_t)(uint8_t)c;
}
