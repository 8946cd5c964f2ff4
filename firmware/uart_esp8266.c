/*
 * uart_esp8266.c - ESP8266 UART0 (GPIO1 TX, the NodeMCU's USB-serial bridge), polled.
 * UART_CLKDIV = UART clock / baud; then every byte waits for room in the 128-byte
 * TX FIFO (UART_STATUS bits 16-23: bytes queued) and is written to UART_FIFO.
 */
#include "board.h"

#define REG(addr) (*(volatile uint32_t *)(addr))

#define UART_FIFO REG(BOARD_UART_BASE + 0x00u)
#define UART_CLKDIV REG(BOARD_UART_BASE + 0x14u)
#define UART_STATUS REG(BOARD_UART_BASE + 0x1Cu)

void board_uart_init(void)
{
    UART_CLKDIV = (BOARD_UART_CLOCK_HZ / BOARD_UART_BAUD) & 0xFFFFFu;
}

void board_putc(char c)
{
    while (((UART_STATUS >> 16) & 0xFFu) >= 126u) { /* TX FIFO nearly full */
    }
    UART_FIFO = (uint32_t)(uint8_t)c;
}
