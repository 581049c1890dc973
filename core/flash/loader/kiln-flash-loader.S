/* kiln-flash-loader.S — Kiln's flash loader for the STM32 sector flash
 * controller (F7; F2/F4 share it), run from SRAM by the host
 *
 * The host places this code, a parameter block 4 KiB after it (on a page of
 * its own) and a ring buffer in SRAM, and starts the core at the first
 * instruction. The loader takes its stack from the parameter block and
 * waits for commands there: the host writes the block with COMMAND last
 * (the last word), the loader clears COMMAND, does the work, then sets
 * STATUS and waits for the next command, so one start serves a whole job.
 * Command 3 ends the loader on a BKPT.
 *
 * Command 1, program: works through a list of operations in order:
 *   erase   { 1, CR value (SER | SNB | PSIZE), sector address }
 *   program { 2, address, length (a multiple of 4) }
 * Program operations take their bytes, in order, from the ring buffer that
 * the host fills while the loader runs: the host advances WP (bytes written
 * in all) after writing, the loader advances RP (bytes consumed). Each unit
 * is written at the plan's parallelism (PSIZE: x8, x16, x32, or x64 as two
 * words), followed by a DSB and a wait on BSY; any error flag stops the
 * loader with the status register and the address in the parameter block.
 * A unit whose bytes are all 0xFF is not written: every program operation
 * goes to a sector that was just erased or found blank, where it already
 * holds them. The host may ask the loader to stop between blocks (ABORT).
 *
 * Command 2, CRC: for each range { address, length (a multiple of 4),
 * crc, blank }, the CRC-32 of the range as the STM32 CRC unit computes it
 * (polynomial 0x04C11DB7, initial value 0xFFFFFFFF, 32-bit words, no
 * reflection) is stored in crc. The host puts in blank the CRC an erased
 * range of that length has; when the range's CRC equals it, the loader
 * reads the range again and stores the AND of all its words in blank
 * (0xFFFFFFFF: every bit erased), else it stores 0 there. So the blank
 * check costs a second read only of ranges that are likely blank.
 *
 * In both, the independent watchdog, should it run (a hardware watchdog
 * option), is given its longest period and reloaded, so that a long erase
 * cannot reset the core under the loader. The core runs at 64 MHz from the
 * PLL when it started from the reset clock (a reset restores it).
 *
 * Rebuild the committed bytes with `ninja -C _build flash-loader`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

        .syntax unified
        .cpu cortex-m4
        .thumb

/* Parameter block (offsets); must match kiln-flash-loader.h. */
        .equ PARAMS,      0x1000        /* from the first instruction */
        .equ P_FLASH,     0x00
        .equ P_CR_PSIZE,  0x04
        .equ P_PSIZE,     0x08
        .equ P_RING,      0x0C
        .equ P_RING_END,  0x10
        .equ P_STATUS,    0x14          /* before what it vouches for */
        .equ P_WP,        0x18
        .equ P_RP,        0x1C
        .equ P_ERROR_SR,  0x20
        .equ P_ERROR_AT,  0x24
        .equ P_OPS_DONE,  0x28
        .equ P_ABORT,     0x2C
        .equ P_N_OPS,     0x30
        .equ P_OPS,       0x34
        .equ P_STACK,     0x38
        .equ P_COMMAND,   0x3C

        .equ ST_DONE,     1
        .equ ST_ERROR,    2
        .equ ST_ABORTED,  3

        .equ FLASH_SR,    0x0C
        .equ FLASH_CR,    0x10
        .equ SR_BSY,      0x10000
        .equ SR_ERRORS,   0xF2
        .equ CR_PG,       0x1
        .equ CR_STRT,     0x10000

        .equ IWDG,        0x40003000
        .equ RCC,         0x40023800
        .equ RCC_CR,      0x00
        .equ RCC_PLLCFGR, 0x04
        .equ RCC_CFGR,    0x08
        .equ RCC_PLLON,   (1 << 24)
        .equ RCC_PLLRDY,  (1 << 25)
        .equ PLL_FIELDS,  0x0043FFFF    /* PLLM, PLLN, PLLP, PLLSRC */
        .equ PLL_64MHZ,   (16 | (256 << 6) | (1 << 16))
        .equ FLASH_ACR,   0x40023C00
        .equ RCC_AHB1ENR, 0x40023830
        .equ CRC_UNIT,    0x40023000

        .section .text.loader, "ax"
        .global kiln_flash_loader
        .type kiln_flash_loader, %function
        .thumb_func
kiln_flash_loader:
.Lentry:
        /* r0 parameters, r10 IWDG; the watchdog first. */
        adr.w   r0, .Lentry
        add.w   r0, r0, #PARAMS
        ldr     r11, [r0, #P_STACK]
        mov     sp, r11
        cpsid   i
        ldr     r10, =IWDG
        movw    r11, #0x5555
        str     r11, [r10]
        movs    r11, #6
        str     r11, [r10, #4]
        movw    r11, #0xFFF
        str     r11, [r10, #8]
        movw    r11, #0xAAAA
        str     r11, [r10]

        /* A faster core for the CRCs (programming waits on the flash
         * anyway): SYSCLK from HSI (16 MHz) to 64 MHz through the PLL
         * (16 / 16 × 256 / 4: a 256 MHz VCO, in range on F2 (192–432 MHz),
         * F4 and F7 (100–432 MHz)), APB1 halved, and 5
         * flash wait states (enough at any supply). Only from the state
         * after reset (HSI, PLL off); a PLL that does not lock leaves HSI. */
        ldr     r4, =RCC
        ldr     r11, [r4, #RCC_CFGR]
        tst     r11, #0xC
        bne     clock_done
        ldr     r11, [r4, #RCC_CR]
        tst     r11, #RCC_PLLON
        bne     clock_done
        ldr     r5, =FLASH_ACR
        ldr     r11, [r5]
        bic     r11, r11, #0xF
        orr     r11, r11, #5
        str     r11, [r5]
        ldr     r11, [r5]               /* the latency is in effect once read back */
        ldr     r11, [r4, #RCC_PLLCFGR]
        ldr     r12, =PLL_FIELDS
        bic     r11, r11, r12
        ldr     r12, =PLL_64MHZ
        orr     r11, r11, r12
        str     r11, [r4, #RCC_PLLCFGR]
        ldr     r11, [r4, #RCC_CR]
        orr     r11, r11, #RCC_PLLON
        str     r11, [r4, #RCC_CR]
        movw    r12, #0xFFFF
1:      ldr     r11, [r4, #RCC_CR]
        tst     r11, #RCC_PLLRDY
        bne     2f
        subs    r12, r12, #1
        bne     1b
        b       clock_done
2:      ldr     r11, [r4, #RCC_CFGR]
        bic     r11, r11, #(7 << 10)
        orr     r11, r11, #(4 << 10)    /* PPRE1: APB1 = SYSCLK / 2 */
        str     r11, [r4, #RCC_CFGR]
        bic     r11, r11, #3
        orr     r11, r11, #2            /* SW: PLL */
        str     r11, [r4, #RCC_CFGR]
        movw    r12, #0xFFFF
3:      ldr     r11, [r4, #RCC_CFGR]
        and     r11, r11, #0xC
        cmp     r11, #8
        beq     clock_done
        subs    r12, r12, #1
        bne     3b
clock_done:

idle:
        movw    r11, #0xAAAA
        str     r11, [r10]
        ldr     r11, [r0, #P_COMMAND]
        cmp     r11, #1
        beq     program_command
        cmp     r11, #2
        beq     crc
        cmp     r11, #3
        beq     exit
        b       idle

exit:
        movs    r11, #0
        str     r11, [r0, #P_COMMAND]
        bkpt    #0x4B
        b       idle

/* ---- program -------------------------------------------------------- */
program_command:
        /* r4 flash registers, r5 next operation, r6 operations left,
         * r1 ring start, r2 ring end, r3 ring read pointer, r9 RP. */
        ldr     r4, [r0, #P_FLASH]
        ldr     r5, [r0, #P_OPS]
        ldr     r6, [r0, #P_N_OPS]
        ldr     r1, [r0, #P_RING]
        ldr     r2, [r0, #P_RING_END]
        ldr     r9, [r0, #P_RP]
        mov     r3, r1

next_op:
        cmp     r6, #0
        beq     done
        ldr     r11, [r0, #P_ABORT]
        cmp     r11, #0
        bne     aborted
        ldr     r11, [r5, #0]
        cmp     r11, #1
        bne     program

        /* Erase: CR = SER | SNB | PSIZE, then STRT. */
        ldr     r11, [r5, #4]
        str     r11, [r4, #FLASH_CR]
        orr     r11, r11, #CR_STRT
        str     r11, [r4, #FLASH_CR]
        dsb
        ldr     r7, [r5, #8]
        bl      wait_flash
        b       op_done

program:
        ldr     r7, [r5, #4]            /* destination */
        ldr     r8, [r5, #8]            /* bytes left */
        ldr     r11, [r0, #P_CR_PSIZE]
        orr     r11, r11, #CR_PG
        str     r11, [r4, #FLASH_CR]

fill:
        cmp     r8, #0
        beq     program_end
        /* Wait for the host: bytes available = WP - RP. */
wait_data:
        movw    r11, #0xAAAA
        str     r11, [r10]
        ldr     r11, [r0, #P_ABORT]
        cmp     r11, #0
        bne     aborted
        ldr     r12, [r0, #P_WP]
        subs    r12, r12, r9
        beq     wait_data
        /* This block: at most the bytes available, left in the operation,
         * and up to the end of the ring. */
        cmp     r12, r8
        it      hi
        movhi   r12, r8
        sub     r11, r2, r3
        cmp     r12, r11
        it      hi
        movhi   r12, r11
        add     r9, r9, r12
        sub     r8, r8, r12
        add     r12, r12, r3            /* r12 = end of the block in the ring */
        ldr     r11, [r0, #P_PSIZE]
        cmp     r11, #2
        beq     words
        cmp     r11, #3
        beq     dwords
        cmp     r11, #1
        beq     halves

bytes:
        ldrb    r11, [r3], #1
        cmp     r11, #0xFF
        beq     byte_erased
        strb    r11, [r7], #1
        dsb
        bl      wait_flash
        cmp     r3, r12
        bne     bytes
        b       block_done
byte_erased:
        add     r7, r7, #1
        cmp     r3, r12
        bne     bytes
        b       block_done

halves:
        ldrh    r11, [r3], #2
        movw    lr, #0xFFFF
        cmp     r11, lr
        beq     half_erased
        strh    r11, [r7], #2
        dsb
        bl      wait_flash
        cmp     r3, r12
        bne     halves
        b       block_done
half_erased:
        add     r7, r7, #2
        cmp     r3, r12
        bne     halves
        b       block_done

words:
        ldr     r11, [r3], #4
        cmn     r11, #1
        beq     word_erased
        str     r11, [r7], #4
        dsb
        /* wait_flash, inline: the loop that sets the pace. */
1:      ldr     lr, [r4, #FLASH_SR]
        tst     lr, #SR_BSY
        bne     1b
        tst     lr, #SR_ERRORS
        bne     word_error
        cmp     r3, r12
        bne     words

block_done:
        cmp     r3, r2
        it      eq
        moveq   r3, r1
        str     r9, [r0, #P_RP]
        b       fill

word_erased:
        add     r7, r7, #4
        cmp     r3, r12
        bne     words
        b       block_done

word_error:
        sub     r7, r7, #4
        b       flash_error

/* x64: the unit is two words, programmed once the second is written. */
dwords:
        ldr     r11, [r3], #4
        ldr     lr, [r3], #4
        cmn     r11, #1
        it      eq
        cmneq   lr, #1
        beq     dword_erased
        str     r11, [r7], #4
        str     lr, [r7], #4
        dsb
1:      ldr     lr, [r4, #FLASH_SR]
        tst     lr, #SR_BSY
        bne     1b
        tst     lr, #SR_ERRORS
        bne     dword_error
        cmp     r3, r12
        bne     dwords
        b       block_done
dword_erased:
        add     r7, r7, #8
        cmp     r3, r12
        bne     dwords
        b       block_done
dword_error:
        sub     r7, r7, #8
        b       flash_error

program_end:
        ldr     r11, [r0, #P_CR_PSIZE]
        str     r11, [r4, #FLASH_CR]

op_done:
        ldr     r11, [r0, #P_OPS_DONE]
        adds    r11, r11, #1
        str     r11, [r0, #P_OPS_DONE]
        adds    r5, r5, #12
        subs    r6, r6, #1
        b       next_op

/* Waits while BSY, reloading the watchdog; an error flag ends the run with
 * r7 (the unit just written, or the sector) as the address. */
wait_flash:
        movw    r11, #0xAAAA
        str     r11, [r10]
        ldr     r11, [r4, #FLASH_SR]
        tst     r11, #SR_BSY
        bne     wait_flash
        tst     r11, #SR_ERRORS
        it      eq
        bxeq    lr
        /* The unit's address: bytes and halves advanced r7 already. */
        ldr     r11, [r5, #0]
        cmp     r11, #1
        beq     flash_error
        ldr     r11, [r0, #P_PSIZE]
        movs    r12, #1
        lsl     r12, r12, r11
        sub     r7, r7, r12

flash_error:
        ldr     r11, [r4, #FLASH_SR]
        str     r11, [r0, #P_ERROR_SR]
        str     r7, [r0, #P_ERROR_AT]
        str     r9, [r0, #P_RP]
        movs    r11, #ST_ERROR
        b       finish

aborted:
        str     r9, [r0, #P_RP]
        movs    r11, #ST_ABORTED
        b       finish

done:
        movs    r11, #ST_DONE

finish:
        /* COMMAND is cleared before STATUS is set: once the host sees the
         * status, it may write the next command. */
        movs    r12, #0
        str     r12, [r0, #P_COMMAND]
        dsb
        str     r11, [r0, #P_STATUS]
        dsb
        b       idle

/* ---- CRC ------------------------------------------------------------ */
crc:
        ldr     r4, =RCC_AHB1ENR
        ldr     r11, [r4]
        orr     r11, r11, #0x1000
        str     r11, [r4]
        ldr     r11, [r4]               /* the clock is on after a read back */
        ldr     r4, =CRC_UNIT
        mov     r11, #0xFFFFFFFF
        str     r11, [r4, #0x10]        /* INIT */
        ldr     r11, =0x04C11DB7
        str     r11, [r4, #0x14]        /* POL */
        ldr     r5, [r0, #P_OPS]
        ldr     r6, [r0, #P_N_OPS]

crc_range:
        cmp     r6, #0
        beq     done
        movw    r11, #0xAAAA
        str     r11, [r10]
        movs    r11, #1
        str     r11, [r4, #8]           /* CR: RESET, 32-bit, no reflection */
        ldr     r7, [r5, #0]
        ldr     r8, [r5, #4]
crc16:
        cmp     r8, #16
        blo     crc4
        ldmia   r7!, {r1, r2, r3, r12}
        str     r1, [r4]
        str     r2, [r4]
        str     r3, [r4]
        str     r12, [r4]
        subs    r8, r8, #16
        b       crc16
crc4:
        cmp     r8, #0
        beq     crc_end
        ldr     r1, [r7], #4
        str     r1, [r4]
        subs    r8, r8, #4
        b       crc4
crc_end:
        ldr     r1, [r4]
        str     r1, [r5, #8]
        /* The blank check, only where the CRC is an erased range's. */
        movs    r12, #0
        ldr     r11, [r5, #12]
        cmp     r1, r11
        bne     blank_end
        ldr     r7, [r5, #0]
        ldr     r8, [r5, #4]
        mov     r12, #0xFFFFFFFF
blank16:
        cmp     r8, #16
        blo     blank4
        ldmia   r7!, {r1, r2, r3, r11}
        and     r12, r12, r1
        and     r2, r2, r3
        and     r12, r12, r11
        and     r12, r12, r2
        subs    r8, r8, #16
        b       blank16
blank4:
        cmp     r8, #0
        beq     blank_end
        ldr     r1, [r7], #4
        and     r12, r12, r1
        subs    r8, r8, #4
        b       blank4
blank_end:
        str     r12, [r5, #12]
        ldr     r11, [r0, #P_OPS_DONE]
        adds    r11, r11, #1
        str     r11, [r0, #P_OPS_DONE]
        adds    r5, r5, #16
        subs    r6, r6, #1
        b       crc_range

        .ltorg
        .size kiln_flash_loader, . - kiln_flash_loader
