/*
 * startup_lx106.S - reset entry for the Xtensa lx106 (ESP8266), call0 ABI (the
 * lx106 has no register windows). Set the stack, point VECBASE at a table that
 * sends every exception to snn2c_fault, copy .data (with .rodata: see the linker
 * script), zero .bss, board_init(), main(), board_exit(main's status).
 *
 * QEMU's `-M sim -cpu lx106` ignores the ELF entry and starts at the core's reset
 * vector (0x50000000, in its sysrom0): the emulator image puts the three
 * instructions of .reset_vector there, a jump to _start. On the ESP8266 the ROM
 * boot loader enters _start itself and the board image drops .reset_vector.
 */
    .file "startup_lx106.S" /* not the compiler's temporary name: reproducible ELF */

    .section .reset_vector, "ax"
    .global snn2c_reset
snn2c_reset:
    j 1f
    .balign 4
2:  .word _start /* l32r reads only below itself: the literal sits before its load */
1:  l32r a0, 2b
    jx a0

    /* VECBASE-relative vectors of the lx106 (Xtensa core-isa.h: debug 0x10, NMI 0x20,
     * kernel 0x30, user 0x50, double exception 0x70); VECBASE is 1 KiB aligned here */
    .section .text.vectors, "ax"
    .balign 1024
    .global snn2c_vectors
snn2c_vectors:
    .org 0x10
    j snn2c_trap
    .org 0x20
    j snn2c_trap
    .org 0x30
    j snn2c_trap
    .org 0x50
    j snn2c_trap
    .org 0x70
    j snn2c_trap

    /* One writable word in .data: the linker script puts .rodata there too (RAM), and an
     * output section of read-only input alone would be counted as flash by `size`. */
    .section .data.snn2c_rw, "aw"
    .balign 4
snn2c_rw:
    .word 0

    .section .text.start, "ax"
    .literal_position
    .balign 4
    .global _start
_start:
    movi a1, __stack_top
    movi a2, snn2c_vectors
    wsr a2, vecbase
    isync
    /* copy .data (and .rodata) from its load address, a word at a time */
    movi a2, __data_load
    movi a3, __data_start
    movi a4, __data_end
3:  bgeu a3, a4, 4f
    l32i a5, a2, 0
    s32i a5, a3, 0
    addi a2, a2, 4
    addi a3, a3, 4
    j 3b
4:  /* zero .bss */
    movi a3, __bss_start
    movi a4, __bss_end
    movi a5, 0
5:  bgeu a3, a4, 6f
    s32i a5, a3, 0
    addi a3, a3, 4
    j 5b
6:  call0 board_init
    call0 main
    call0 board_exit /* a2: main's status, the first argument */

    .balign 4
snn2c_trap:
    movi a1, __stack_top
    call0 snn2c_fault
7:  j 7b
