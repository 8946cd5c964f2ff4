/* uart_stm32h7.c - STM32H7 USART3 on PD8 (TX, AF7), 8N1, polled, 64 MHz HSI. */
#include "board.h"

#define REG(addr) (*(volatile uint32_t *)(addr))

#define RCC_AHB4ENR REG(0x580244E0u)
#define RCC_APB1LENR REG(0x580244E8u)
#define GPIOD_MODER REG(0x58020C00u)
#define GPIOD_AFRH REG(0x58020C24u)

#define USART_CR1 REG(BOARD_UART_BASE + 0x00u)
#define USART_BRR REG(BOARD_UART_BASE + 0x0Cu)
#define USART_ISR REG(BOARD_UART_BASE + 0x1Cu)
#define USART_TDR REG(BOARD_UART_BASE + 0x28u)

void board_uart_init(void)
{
    RCC_AHB4ENR |= 1u << 3;                                 /* GPIOD */
    RCC_APB1LENR |= 1u << 18;                               /* USART3 */
    GPIOD_MODER = (GPIOD_MODER & ~(3u << 16)) | (2u << 16); /* PD8 alternate */
    GPIOD_AFRH = (GPIOD_AFRH & ~15u) | 7u;                  /* AF7 = USART3 */
    USART_BRR = (BOARD_UART_CLOCK_HZ + BOARD_UART_BAUD / 2u) / BOARD_UART_BAUD;
    USART_CR1 = (1u << 3) | (1u << 0); /* TE | UE */
}

void board_putc(char c)
{
    while ((USART_ISR & (1u << 7)) == 0u) { /* TXE */
    }
    USART_TDR = (uint32_t)(uint8_t)c;
}
