/*
 * uart_stm32f4.c - STM32F4 USART2 on PA2 (TX, AF7), 8N1, polled.
 * Runs from the reset clock (16 MHz HSI): no PLL set-up, so the same image
 * also runs in QEMU, which does not emulate the RCC (a PLL wait would hang).
 */
#include "board.h"

#define REG(addr) (*(volatile uint32_t *)(addr))

#define RCC_AHB1ENR REG(0x40023830u)
#define RCC_APB1ENR REG(0x40023840u)
#define GPIOA_MODER REG(0x40020000u)
#define GPIOA_AFRL REG(0x40020020u)

#define USART_SR REG(BOARD_UART_BASE + 0x00u)
#define USART_DR REG(BOARD_UART_BASE + 0x04u)
#define USART_BRR REG(BOARD_UART_BASE + 0x08u)
#define USART_CR1 REG(BOARD_UART_BASE + 0x0Cu)

void board_uart_init(void)
{
    RCC_AHB1ENR |= 1u << 0;                               /* GPIOA */
    RCC_APB1ENR |= 1u << 17;                              /* USART2 */
    GPIOA_MODER = (GPIOA_MODER & ~(3u << 4)) | (2u << 4); /* PA2 alternate */
    GPIOA_AFRL = (GPIOA_AFRL & ~(15u << 8)) | (7u << 8);  /* AF7 = USART2 */
    USART_BRR = (BOARD_UART_CLOCK_HZ + BOARD_UART_BAUD / 2u) / BOARD_UART_BAUD;
    USART_CR1 = (1u << 13) | (1u << 3); /* UE | TE */
}

void board_putc(char c)
{
    while ((USART_SR & (1u << 7)) == 0u) { /* TXE */
    }
    USART_DR = (uint32_t)(uint8_t)c;
}
