/* uart_stm32f1.c - STM32F1 USART2 on PA2 (TX, AF push-pull), 8N1, polled, 8 MHz HSI. */
#include "board.h"

#define REG(addr) (*(volatile uint32_t *)(addr))

#define RCC_APB2ENR REG(0x40021018u)
#define RCC_APB1ENR REG(0x4002101Cu)
#define GPIOA_CRL REG(0x40010800u)

#define USART_SR REG(BOARD_UART_BASE + 0x00u)
#define USART_DR REG(BOARD_UART_BASE + 0x04u)
#define USART_BRR REG(BOARD_UART_BASE + 0x08u)
#define USART_CR1 REG(BOARD_UART_BASE + 0x0Cu)

void board_uart_init(void)
{
    RCC_APB2ENR |= (1u << 2) | (1u << 0);                /* IOPA, AFIO */
    RCC_APB1ENR |= 1u << 17;                             /* USART2 */
    GPIOA_CRL = (GPIOA_CRL & ~(15u << 8)) | (0xBu << 8); /* PA2: AF push-pull, 50 MHz */
    USART_BRR = (BOARD_UART_CLOCK_HZ + BOARD_UART_BAUD / 2u) / BOARD_UART_BAUD;
    USART_CR1 = (1u << 13) | (1u << 3); /* UE | TE */
}

void board_putc(char c)
{
    while ((USART_SR & (1u << 7)) == 0u) { /* TXE */
    }
    USART_DR = (uint32_t)(uint8_t)c;
}
