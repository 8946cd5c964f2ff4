/*
 * uart_esp32c3.c - ESP32-C3 UART0 TX FIFO, polled. The ROM bootloader has
 * already configured UART0 at 115200 baud; this only writes the FIFO.
 */
#include "board.h"

#define REG(addr) (*(volatile uint32_t *)(addr))

#define UART_FIFO REG(BOARD_UART_BASE + 0x00u)
#define UART_STATUS REG(BOARD_UART_BASE + 0x1Cu)

void board_uart_init(void)
{
}

void board_putc(char c)
{
    while (((UART_STATUS >> 16) & 0x3FFu) >= 126u) { /* TX FIFO nearly full */
    }
    UART_FIFO = (uint32_t)(uint8_t)c;
}
