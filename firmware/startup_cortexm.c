/*
 * startup_cortexm.c - reset handler and vector table for Cortex-M0/M3/M4/M7.
 * The linker script (rendered from the board's memory map) provides the
 * symbols below. Reset: enable the FPU where there is one, copy .data from
 * flash, zero .bss, board_init(), main(), board_exit(main's status).
 */
#include <stdint.h>

#include "board.h"

extern uint32_t __stack_top;
extern uint32_t __data_load;
extern uint32_t __data_start;
extern uint32_t __data_end;
extern uint32_t __bss_start;
extern uint32_t __bss_end;

int main(void);
void Reset_Handler(void);
void Default_Handler(void);

void Default_Handler(void)
{
    board_puts("SNN2C-FAULT\n");
    board_exit(3);
}

void Reset_Handler(void)
{
#if BOARD_HAS_FPU
    /* CPACR: full access to CP10 and CP11 before any floating-point instruction */
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
    const uint32_t *src = &__data_load;
    for (uint32_t *dst = &__data_start; dst < &__data_end;) {
        *dst++ = *src++;
    }
    for (uint32_t *dst = &__bss_start; dst < &__bss_end;) {
        *dst++ = 0u;
    }
    board_init();
    board_exit(main());
}

void board_init(void)
{
    board_uart_init();
}

typedef void (*vector_t)(void);

/* Initial stack pointer, then reset, NMI, HardFault, MemManage, BusFault,
 * UsageFault, 4 reserved, SVCall, DebugMon, reserved, PendSV, SysTick. */
__attribute__((section(".isr_vector"), used)) const vector_t snn2c_vectors[16] = {
    (vector_t)(uintptr_t)&__stack_top,
    Reset_Handler,
    Default_Handler,
    Default_Handler,
    Default_Handler,
    Default_Handler,
    Default_Handler,
    0,
    0,
    0,
    0,
    Default_Handler,
    Default_Handler,
    0,
    Default_Handler,
    Default_Handler,
};
