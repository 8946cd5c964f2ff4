/*
 * startup_riscv.S - reset entry for RV32 (ESP32-C3 class cores, QEMU virt).
 * Set gp and sp, send traps to a handler that exits, then C start-up.
 */
    .file "startup_riscv.S" /* not the compiler's random temporary name: reproducible ELF */
    .section .text.start, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    la sp, __stack_top
    la t0, snn2c_trap
    csrw mtvec, t0
    /* copy .data */
    la t0, __data_load
    la t1, __data_start
    la t2, __data_end
1:  bgeu t1, t2, 2f
    lw t3, 0(t0)
    sw t3, 0(t1)
    addi t0, t0, 4
    addi t1, t1, 4
    j 1b
2:  /* zero .bss */
    la t1, __bss_start
    la t2, __bss_end
3:  bgeu t1, t2, 4f
    sw zero, 0(t1)
    addi t1, t1, 4
    j 3b
4:  call board_init
    call main
    call board_exit

    .balign 4
snn2c_trap:
    la sp, __stack_top
    call snn2c_fault
5:  j 5b
