/* uart_nrf51.c - Nordic nRF51 UART0 (BBC micro:bit, QEMU microbit), polled, TX only. */
#include "board.h"

#define REG(off) (*(volatile uint32_t *)(BOARD_UART_BASE + (off)))

#define UART_TASKS_STARTTX REG(0x008u)
#define UART_EVENTS_TXDRDY REG(0x11Cu)
#define UART_ENABLE REG(0x500u)
#define UART_PSELTXD REG(0x50Cu)
#define UART_TXD REG(0x51Cu)
#define UART_BAUDRATE REG(0x524u)

#define UART_ENABLE_ON 4u
#define UART_PIN_TX 24u /* micro:bit v1: P0.24 to the interface chip's virtual COM port */

/* BAUDRATE register values of the nRF51 reference manual (only these are exact). */
static uint32_t uart_baud_reg(uint32_t baud)
{
    switch (baud) {
    case 9600u:
        return 0x00275000u;
    case 38400u:
        return 0x009D5000u;
    case 57600u:
        return 0x00EBF000u;
    default:
        return 0x01D7E000u; /* 115200 */
    }
}

void board_uart_init(void)
{
    UART_PSELTXD = UART_PIN_TX;
    UART_BAUDRATE = uart_baud_reg(BOARD_UART_BAUD);
    UART_ENABLE = UART_ENABLE_ON;
    UART_TASKS_STARTTX = 1u;
    UART_EVENTS_TXDRDY = 0u;
}

void board_putc(char c)
{
    UART_TXD = (uint32_t)(uint8_t)c;
    while (UART_EVENTS_TXDRDY == 0u) {
    }
    UART_EVENTS_TXDRDY = 0u;
}
