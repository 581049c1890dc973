/* kiln-flash-loader.S — Kiln's flash loader for the STM32 sector flash
 * controller (F7; F2/F4 share it), run from SRAM by the host
 *
 * The host places this code, an operation table from 4 KiB after it, a
 * parameter block 12.5 KiB after it (the table ends where the block
 * starts, so that the host writes both in one transfer), the results of a
 * CRC command right after the block (read with the status; the block sits
 * mid-way in a 1 KiB block, as the probe's transfers stop at 1 KiB
 * boundaries), a ring buffer in SRAM (for a program command, right after
 * the results it clears, so that the host writes the command and the
 * stream's first bytes in one transfer; a CRC command's results may lie
 * in it, read before the next command), and starts the
 * core at the first instruction (with r0 saying where the first command's
 * table and block wait behind the code when they went up with it). The
 * loader takes its stack from the
 * parameter block and waits for commands there: the host writes the block
 * with COMMAND last (the last word), the loader clears COMMAND, does the
 * work, then sets STATUS and waits for the next command, so one start
 * serves a whole job. Command 3 ends the loader on a BKPT; command 4
 * ends the job with a system reset (see reset_command).
 *
 * Command 1, program: checks its own code first where the host uploaded
 * it on its own (program_check: a part that did not arrive whole ends the
 * command with status 5), waits for a flash operation left running, clears the
 * controller's error flags and unlocks it (a controller that stays locked
 * is an error at address 0xFFFFFFFF), then works through a list of
 * operations in order:
 *   erase   { 1, CR value (SER | SNB | PSIZE), sector address }
 *   erase started { 4, CR value, sector address }: the erase command 2
 *           started (first only; see there)
 *   program { 2, address, length (a multiple of 4) }
 *   CRC     { 3 | result index << 8, address, length (a multiple of
 *           4) }: as command 2's CRC, into the crc word of that result,
 *           so that the host verifies what was written without another
 *           command, and reads the few results with the status however
 *           many operations the table has (a sector's CRC follows its
 *           last program operation, while the link still brings the
 *           next sector's records)
 * Program operations take their bytes, in order, from the ring buffer that
 * the host fills while the loader runs; no pointer says how far it has
 * written: each record is noticed by its own write. A record is a header
 * { raw length | stored length << 16, seq }, the stored bytes padded to a
 * word, and a trailer { seq }: stored as they are when both lengths are
 * equal, else an LZ4 block that the loader decodes into the 4 KiB scratch
 * buffer from the stack's top (P_STACK) up. seq counts the records from the one the
 * command names (P_SEQ); the host starts every run at a seq no record in
 * the ring has. The probe writes upwards, so a header that holds the seq
 * expected has its lengths, and a trailer that does says the record is
 * whole: only then is it written, all of it. The loader advances RP (bytes
 * consumed, for the host's progress and its room in the ring). A record
 * never crosses the ring's end and leaves room for a header after it: a
 * wrap marker { 0, seq } says the record is at the ring's start, and an
 * end marker { 0xFFFFFFFF, seq } follows the last record. A record that
 * does not fit the operation, the scratch buffer or the ring (an end
 * marker where a record belongs), a block that does not decode to exactly
 * its raw length, a later seq where the record belongs, or a trailer that
 * does not match while the next record's header is there, stops the loader
 * (status 4, ERROR_AT near the record's place)
 * before anything of it is written. The decoder sits at the end of the
 * code (kiln_flash_loader_lz4), which the host uploads only before the
 * first run that sends a compressed record. Each unit
 * is written at the plan's parallelism (PSIZE: x8, x16, x32, or x64 as two
 * words), followed by a DSB and a wait on BSY; any error flag stops the
 * loader with the status register and the address in the parameter block.
 * A unit whose bytes are all 0xFF is not written: every program operation
 * goes to a sector that was just erased or found blank, where it already
 * holds them. The host may ask the loader to stop between blocks (ABORT).
 * Once every operation is done, the loader locks the controller (FLASH_CR
 * LOCK) before it says so; after an error or a stop the host locks it.
 *
 * Command 2, CRC: for each range { address, length (a multiple of 4),
 * expected CRC, and where P_CR_PSIZE (the table's stride) is 16, an erase
 * (FLASH_CR value, or 0) }, the CRC-32 of the range as the STM32 CRC unit
 * computes it (polynomial 0x04C11DB7, initial value 0xFFFFFFFF, 32-bit
 * words, no reflection) is stored in the range's result { crc, blank }
 * (the results follow the parameter block, after STATUS, so that the host
 * reads them with it; after the last result, the inverse of the word the
 * host put in ERROR_AT, so that an answer read whole says so). The loader first checks whether every word of the
 * range is 0xFFFFFFFF, stopping at the first 48 bytes that are not: a
 * blank range gets 0xFFFFFFFF in blank and no CRC (the host knows it;
 * read once); any other range is read again through the CRC unit and
 * gets 0 in blank. So the blank check costs little more than the first
 * bytes of ranges that are not blank. With erases in the table, the first
 * range whose CRC is not the one expected, unless a blank range comes
 * before it, has its erase started (controller unlocked, flags cleared)
 * before the command ends, and 2 in blank: the host's program command,
 * which it would otherwise have waited for, then begins with operation
 * 4 { 4, CR value, sector address }, which waits for that erase and
 * checks its flags (left as the erase set them).
 *
 * In both, the independent watchdog, should it run (a hardware watchdog
 * option), is given its longest period and reloaded, so that a long erase
 * cannot reset the core under the loader. The core runs from the PLL, at
 * 180 MHz on F7 and 64 MHz on F2/F4, when it started from the reset clock
 * (a reset restores it).
 *
 * Rebuild the committed bytes with `ninja -C _build flash-loader`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

        .syntax unified
        .cpu cortex-m4
        .thumb

/* Parameter block (offsets); must match kiln-flash-loader.h. */
        .equ PARAMS,      0x3200        /* from the first instruction */
        .equ RESULTS,     0x40          /* from PARAMS */
        .equ P_FLASH,     0x00
        .equ P_CR_PSIZE,  0x04
        .equ P_PSIZE,     0x08
        .equ P_RING,      0x0C
        .equ P_RING_END,  0x10
        .equ P_STATUS,    0x14          /* before what it vouches for */
        .equ P_SEQ,       0x18          /* the next record's (the loader's count) */
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
        .equ ST_BAD_STREAM, 4
        .equ ST_BAD_CODE, 5
        .equ SCRATCH,     0x1000        /* decoded blocks: from the stack's top up */
        .equ AHEAD,       16            /* a seq this far ahead is a later record's */

        .equ FLASH_KEYR,  0x04
        .equ FLASH_SR,    0x0C
        .equ FLASH_CR,    0x10
        .equ SR_BSY,      0x10000
        .equ SR_ERRORS,   0xF2
        .equ CR_PG,       0x1
        .equ CR_STRT,     0x10000
        .equ CR_LOCK,     0x80000000
        .equ SR_CLEAR,    0xF3          /* the error flags and EOP */

        .equ IWDG,        0x40003000
        .equ RCC,         0x40023800
        .equ RCC_CR,      0x00
        .equ RCC_PLLCFGR, 0x04
        .equ RCC_CFGR,    0x08
        .equ RCC_PLLON,   (1 << 24)
        .equ RCC_PLLRDY,  (1 << 25)
        .equ PLL_FIELDS,  0x0F43FFFF    /* PLLM, PLLN, PLLP, PLLSRC, PLLQ */
        .equ PLL_64MHZ,   (16 | (256 << 6) | (1 << 16) | (4 << 24))
        .equ PLL_180MHZ,  (16 | (360 << 6) | (0 << 16) | (8 << 24))
        .equ CPUID,       0xE000ED00
        .equ FLASH_ACR,   0x40023C00
        .equ RCC_AHB1ENR, 0x40023830
        .equ CRC_UNIT,    0x40023000

        .section .text.loader, "ax"
        .global kiln_flash_loader
        .type kiln_flash_loader, %function
        .thumb_func
kiln_flash_loader:
.Lentry:
        /* r0, when not 0: the first command's table and parameter block
         * (and any results it clears) went up behind the code, in the
         * same transfer, after a header { destination, bytes }: copied
         * to their places before anything reads them. */
        cbz     r0, 2f
        ldmia   r0!, {r1, r2}
1:      ldr     r3, [r0], #4
        str     r3, [r1], #4
        subs    r2, r2, #4
        bhi     1b
2:
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
         * anyway): SYSCLK from HSI (16 MHz) through the PLL, from a 1 MHz
         * input (PLLM 16). On F7 (a Cortex-M7) 180 MHz: a 360 MHz VCO
         * divided by 2, the highest SYSCLK without over-drive (voltage
         * scale 1 is the reset's), 5 flash wait states when PSIZE in the
         * parameter block is x32 or x64 (the host chose it from a supply
         * of 2.7-3.6 V), else 8 (enough at any supply: 20 MHz per wait
         * state at 1.8-2.1 V, RM0385). On F2 and F4 64 MHz: a 256 MHz VCO
         * divided by 4 (in range on F2 (192-432 MHz) and F4 (100-432
         * MHz), below every F2/F4's highest SYSCLK), 2 wait states at
         * x32 or x64, else 5 (enough at any supply). APB1 / 4 and
         * APB2 / 2 (45 and 90 MHz; 16 and 32 MHz, within F2's 30 and
         * 60 MHz). PLLQ (the 48 MHz domain,
         * which the loader does not use): / 8 of 360 MHz, the reset's / 4
         * of 256 MHz. Only from the state
         * after reset (HSI, PLL off); a PLL that does not lock leaves
         * HSI. The reset that ends every job restores the reset clock. */
        ldr     r4, =RCC
        ldr     r11, [r4, #RCC_CFGR]
        tst     r11, #0xC
        bne     clock_done
        ldr     r11, [r4, #RCC_CR]
        tst     r11, #RCC_PLLON
        bne     clock_done
        /* r6 PLL fields, r7 LATENCY: the host's PSIZE says the supply
         * (x32 or x64 only at 2.7-3.6 V, where a wait state covers 30
         * MHz: 2 at 64 MHz, 5 at 180 MHz), else enough at any supply. */
        ldr     r12, [r0, #P_PSIZE]
        ldr     r6, =PLL_64MHZ
        movs    r7, #5
        cmp     r12, #2
        it      hs
        movhs   r7, #2
        ldr     r11, =CPUID
        ldr     r11, [r11]
        ubfx    r11, r11, #4, #12
        movw    r5, #0xC27              /* Cortex-M7 */
        cmp     r11, r5
        bne     1f
        ldr     r6, =PLL_180MHZ
        movs    r7, #8
        cmp     r12, #2
        it      hs
        movhs   r7, #5
1:      ldr     r5, =FLASH_ACR
        ldr     r11, [r5]
        bic     r11, r11, #0xF
        orr     r11, r11, r7
        str     r11, [r5]
        ldr     r11, [r5]               /* the latency is in effect once read back */
        ldr     r11, [r4, #RCC_PLLCFGR]
        ldr     r12, =PLL_FIELDS
        bic     r11, r11, r12
        orr     r11, r11, r6
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
        bic     r11, r11, #(0x3F << 10)
        orr     r11, r11, #((5 << 10) | (4 << 13))      /* APB1 / 4, APB2 / 2 */
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
        beq     program_check
        cmp     r11, #2
        beq     crc
        cmp     r11, #3
        beq     exit
        cmp     r11, #4
        beq.w   reset_command
        b       idle

exit:
        movs    r11, #0
        str     r11, [r0, #P_COMMAND]
        bkpt    #0x4B
        b       idle

/* ---- shared by both commands ------------------------------------ */
/* Clears the error flags and unlocks the controller (r4), with r1; N is
 * clear when it is unlocked (LOCK is the top bit). */
unlock:
        movs    r1, #SR_CLEAR
        str     r1, [r4, #FLASH_SR]
        ldr     r1, [r4, #FLASH_CR]
        cmp     r1, #0
        it      pl
        bxpl    lr
        ldr     r1, =0x45670123
        str     r1, [r4, #FLASH_KEYR]
        ldr     r1, =0xCDEF89AB
        str     r1, [r4, #FLASH_KEYR]
        dsb
        ldr     r1, [r4, #FLASH_CR]
        cmp     r1, #0
        bx      lr
        .ltorg

/* Waits while BSY, reloading the watchdog, whatever the flags. */
wait_flash_busy:
        movw    r11, #0xAAAA
        str     r11, [r10]
        ldr     r11, [r4, #FLASH_SR]
        tst     r11, #SR_BSY
        bne     wait_flash_busy
        bx      lr

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
        bl      crc_unit_on
        ldr     r5, [r0, #P_OPS]
        ldr     r6, [r0, #P_N_OPS]
        add     r9, r0, #RESULTS

crc_range:
        cmp     r6, #0
        beq     erase_first
        movw    r11, #0xAAAA
        str     r11, [r10]
        /* The blank check first, 48 bytes at a time (two loads of six
         * words: few instructions, and few reads of the flash should they
         * cost wait states), up to the first that are not all erased: a
         * blank range has the CRC the host gave, and is read once. */
        ldr     r7, [r5, #0]
        ldr     r8, [r5, #4]
        subs    r8, r8, #48
        blo     blank_tail
blank48:
        ldmia   r7!, {r1, r2, r3, r11, r12, lr}
        and     r1, r1, r2
        and     r3, r3, r11
        and     r12, r12, lr
        and     r1, r1, r3
        and     r1, r1, r12
        cmn     r1, #1
        bne     not_blank
        ldmia   r7!, {r1, r2, r3, r11, r12, lr}
        and     r1, r1, r2
        and     r3, r3, r11
        and     r12, r12, lr
        and     r1, r1, r3
        and     r1, r1, r12
        cmn     r1, #1
        bne     not_blank
        subs    r8, r8, #48
        bhs     blank48
blank_tail:
        adds    r8, r8, #48
blank4:
        cmp     r8, #0
        beq     blank_range
        ldr     r1, [r7], #4
        cmn     r1, #1
        bne     not_blank
        subs    r8, r8, #4
        b       blank4
blank_range:
        mov     r12, #0xFFFFFFFF        /* (the host knows an erased range's CRC) */
        b       range_end

not_blank:
        ldr     r7, [r5, #0]
        ldr     r8, [r5, #4]
        bl      crc_unit_range
        movs    r12, #0

range_end:
        str     r1, [r9, #0]
        str     r12, [r9, #4]
        ldr     r11, [r0, #P_OPS_DONE]
        adds    r11, r11, #1
        str     r11, [r0, #P_OPS_DONE]
        ldr     r1, [r0, #P_CR_PSIZE]   /* the table's stride */
        add     r5, r5, r1
        adds    r9, r9, #8
        subs    r6, r6, #1
        b       crc_range

/* The first range whose CRC is not the one expected, unless a blank range
 * comes before it: when its entry has an erase (CR value, not 0), the erase starts now,
 * without waiting for the host's program command, which then begins with
 * operation 4. Its result's blank word says so (2). */
erase_first:
        ldr     r5, [r0, #P_OPS]
        ldr     r6, [r0, #P_N_OPS]
        add     r3, r0, #RESULTS
        ldr     r1, [r0, #P_CR_PSIZE]
        cmp     r1, #16
        bne     3f                      /* no erases in the table */
1:      cbz     r6, 3f
        ldr     r1, [r3, #4]
        cbnz    r1, 3f                  /* blank: never erased; the host decides */
        ldr     r1, [r3, #0]
        ldr     r2, [r5, #8]
        adds    r3, r3, #8
        adds    r5, r5, #16
        subs    r6, r6, #1
        cmp     r1, r2
        beq     1b
        ldr     r7, [r5, #-4]
        cbz     r7, 3f
        ldr     r4, [r0, #P_FLASH]
        bl      wait_flash_busy
        bl      unlock
        bmi     3f                      /* locked: the program command says so */
        movs    r1, #2
        str     r1, [r3, #-4]
        str     r7, [r4, #FLASH_CR]
        orr     r7, r7, #CR_STRT
        str     r7, [r4, #FLASH_CR]
        /* Last, after the results, the inverse of the word the host put
         * in ERROR_AT (a value none of its writes carried): an answer
         * that holds it was read whole, after them. */
3:      ldr     r1, [r0, #P_ERROR_AT]
        mvns    r1, r1
        str     r1, [r9]
        b       done

/* Turns the CRC unit's clock on and sets it up (r4: the unit). */
crc_unit_on:
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
        bx      lr

/* The CRC of r8 bytes (a multiple of 4) from r7 through the unit (r4) into
 * r1, 48 bytes at a time (two loads of six words); uses r2, r3, r11, r12. */
crc_unit_range:
        push    {lr}
        movs    r1, #1
        str     r1, [r4, #8]            /* CR: RESET, 32-bit, no reflection */
        subs    r8, r8, #48
        blo     2f
1:      ldmia   r7!, {r1, r2, r3, r11, r12, lr}
        str     r1, [r4]
        str     r2, [r4]
        str     r3, [r4]
        str     r11, [r4]
        str     r12, [r4]
        str     lr, [r4]
        ldmia   r7!, {r1, r2, r3, r11, r12, lr}
        str     r1, [r4]
        str     r2, [r4]
        str     r3, [r4]
        str     r11, [r4]
        str     r12, [r4]
        str     lr, [r4]
        subs    r8, r8, #48
        bhs     1b
2:      adds    r8, r8, #48
        beq     4f
3:      ldr     r1, [r7], #4
        str     r1, [r4]
        subs    r8, r8, #4
        bne     3b
4:      ldr     r1, [r4]
        pop     {pc}

/* Command 1 first checks the program part when the host uploaded it
 * behind the code, while the first CRC command ran, without a status
 * query of its own: the CRC of the bytes from
 * kiln_flash_loader_program_part on (their length and CRC are the two
 * words below, which the host sets before the upload, so that the first
 * command's check of the code vouches for them; a length of 0 says the
 * part went up with the code). A part that did not arrive whole ends the
 * command (status 5) before anything of it runs. */
program_check:
        ldr     r8, program_check_size
        cmp     r8, #0
        beq     program_command
        bl      crc_unit_on
        adr.w   r7, kiln_flash_loader_program_part
        bl      crc_unit_range
        ldr     r2, program_check_crc
        cmp     r1, r2
        beq     program_command
        movs    r11, #ST_BAD_CODE
        b       finish

        .ltorg
        .balign 4
        .global kiln_flash_loader_program_check
kiln_flash_loader_program_check:
program_check_size:
        .word   0
program_check_crc:
        .word   0

/* ---- program: uploaded before the first program command ---------- */
/* The code from here on to kiln_flash_loader_narrow runs only for command
 * 1: the host may upload it while the first CRC command runs (checked by
 * program_check). No literal pool in it. */
        .balign 4
        .global kiln_flash_loader_program_part
kiln_flash_loader_program_part:
program_command:
        /* r4 flash registers, r5 next operation, r6 operations left,
         * r1 ring start, r2 ring end, r3 ring read pointer, r9 RP. The
         * stack starts empty (a run that stopped may have left words). */
        ldr     r11, [r0, #P_STACK]
        mov     sp, r11
        ldr     r4, [r0, #P_FLASH]
        ldr     r5, [r0, #P_OPS]
        ldr     r6, [r0, #P_N_OPS]
        ldr     r9, [r0, #P_RP]

        /* A clean, unlocked controller (an operation still running ends
         * first; the host no longer spends round trips on it). After the
         * erase the CRC command started (operation 4 first), the flags
         * are its outcome: they stay for operation 4 to check. */
        movs    r7, #0
        bl      wait_flash_busy
        ldr     r7, [r5, #0]
        cmp     r7, #4
        beq     1f
        bl      unlock
        bpl     1f
        mov     r7, #0xFFFFFFFF
        b       flash_error
1:      ldr     r1, [r0, #P_RING]
        ldr     r2, [r0, #P_RING_END]
        mov     r3, r1
        b       next_op

next_op:
        cmp     r6, #0
        beq     program_done
        ldr     r11, [r0, #P_ABORT]
        cmp     r11, #0
        bne     aborted
        ldr     r11, [r5, #0]
        uxtb    r11, r11                /* a CRC's result index above */
        cmp     r11, #3
        beq     crc_op
        cmp     r11, #4
        beq     erase_wait              /* the erase the CRC command started */
        cmp     r11, #1
        bne     program

        /* Erase: CR = SER | SNB | PSIZE, then STRT. */
        ldr     r11, [r5, #4]
        str     r11, [r4, #FLASH_CR]
        orr     r11, r11, #CR_STRT
        str     r11, [r4, #FLASH_CR]
        dsb
erase_wait:
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
        /* The next record, at r3: a header { raw | stored << 16, seq },
         * the stored bytes padded to a word, and a trailer { seq }. The
         * host writes upwards and writes no pointer: the record is there
         * once its header holds the seq expected (P_SEQ, one more per
         * record), and whole once its trailer does. A later record's seq
         * where this one belongs means one went missing. */
wait_header:
        bl      wait_tick
        ldr     r12, [r0, #P_SEQ]
        ldr     r11, [r3, #4]
        subs    r11, r11, r12
        beq     header
        subs    r11, r11, #1
        cmp     r11, #AHEAD
        blo     bad_stream
        b       wait_header
header:
        ldr     r11, [r3]
        cmp     r11, #0
        bne     record
        /* A wrap marker { 0, seq }: the record is at the ring's start
         * (a marker there would send the loader round for ever). */
        cmp     r3, r1
        beq     bad_stream
        sub     r12, r2, r3
        add     r9, r9, r12
        mov     r3, r1
        b       wait_header
record:
        /* The raw length: within the operation, the scratch buffer, and
         * whole units; the record within the ring, with room for the
         * next header after it (so that a marker always fits). An end
         * marker { 0xFFFFFFFF, seq } fails these. */
        uxth    lr, r11
        cmp     lr, #0
        beq     bad_stream
        cmp     lr, r8
        bhi     bad_stream
        cmp     lr, #SCRATCH
        bhi     bad_stream
        ldr     r12, [r0, #P_PSIZE]
        push    {r11}
        lsr     r11, lr, r12
        lsl     r11, r11, r12
        cmp     r11, lr
        pop     {r11}
        bne     bad_stream
        lsr     r12, r11, #16
        add     r12, r12, #15
        bic     r12, r12, #3            /* r12 = the record's size */
        add     r11, r3, r12
        add     r11, r11, #8
        cmp     r11, r2
        bhi     bad_stream
        sub     r8, r8, lr

        /* Its trailer; while it does not hold the seq, a later record's
         * header after it says this one is damaged. */
wait_trailer:
        bl      wait_tick
        ldr     lr, [r0, #P_SEQ]
        add     r11, r3, r12
        ldr     r11, [r11, #-4]
        cmp     r11, lr
        beq     record_in
        add     r11, r3, r12
        ldr     r11, [r11, #4]
        sub     r11, r11, lr
        subs    r11, r11, #1
        cmp     r11, #AHEAD
        blo     bad_stream
        b       wait_trailer
record_in:
        add     r9, r9, r12
        add     lr, r3, r12
        push    {lr}                    /* the next record, once this one is written */
        ldr     r11, [r3], #8
        lsr     r12, r11, #16
        uxth    r11, r11
        cmp     r11, r12
        bne     compressed
        /* Stored as they are: written from the ring. */
        add     r12, r3, r12
        adr     r11, record_written
        orr     r11, r11, #1
        push    {r11}
        b       write_block
record_written:
        pop     {r3}
        ldr     r11, [r0, #P_SEQ]
        adds    r11, r11, #1
        str     r11, [r0, #P_SEQ]
        str     r9, [r0, #P_RP]
        b       fill

/* Writes the block r3 to r12 at r7, unit by unit at PSIZE; x8, x16 and
 * x64 are in the part uploaded for them. */
write_block:
        ldr     r11, [r0, #P_PSIZE]
        cmp     r11, #2
        bne     narrow_block

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

/* A block is written: on to where the caller pushed (record_written). */
block_done:
        pop     {pc}

bad_block:
        pop     {r3}
bad_stream:
        str     r3, [r0, #P_ERROR_AT]
        str     r9, [r0, #P_RP]
        movs    r11, #ST_BAD_STREAM
        b       finish

/* Reloads the watchdog and returns, unless the host asked to stop. */
wait_tick:
        movw    r11, #0xAAAA
        str     r11, [r10]
        ldr     r11, [r0, #P_ABORT]
        cmp     r11, #0
        bne     aborted
        bx      lr

word_erased:
        add     r7, r7, #4
        cmp     r3, r12
        bne     words
        b       block_done

word_error:
        sub     r7, r7, #4
        b       flash_error

/* A CRC operation: the range's CRC into the result its kind word names
 * above its low byte (the host's verification then needs no command of
 * its own, and its few results sit at the start, wherever the operations
 * are in the table). */
crc_op:
        push    {r1-r4, r9}
        bl      crc_unit_on
        ldr     r7, [r5, #4]
        ldr     r8, [r5, #8]
        bl      crc_unit_range
        ldr     r11, [r5, #0]
        lsrs    r11, r11, #8            /* its result's index */
        add     r12, r0, #RESULTS
        str     r1, [r12, r11, lsl #3]
        pop     {r1-r4, r9}
        b       op_done

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
        cmp     r11, #2
        bne     flash_error             /* an erase: the sector's address */
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

program_done:
        /* Every operation went through: the controller is locked again
         * (the host needs no round trip for it). */
        mov     r11, #CR_LOCK
        str     r11, [r4, #FLASH_CR]
        dsb

        b       done

/* Command 4, the job's end: the vector catches off (DEMCR: VC_CORERESET
 * and the fault catches the host set for the loader) and a system reset
 * (AIRCR SYSRESETREQ), so that the firmware starts as it would without a
 * debugger and the host needs no batch of its own for it. In the program
 * part: the host asks for it only after a program command ran (which
 * checked this part). */
reset_command:
        movw    r1, #0xEDFC
        movt    r1, #0xE000             /* DEMCR */
        ldr     r2, [r1]
        movw    r3, #0x7F1              /* VC_HARDERR .. VC_MMERR, VC_CORERESET */
        bic     r2, r2, r3
        str     r2, [r1]
        movw    r2, #0x0004
        movt    r2, #0x05FA             /* VECTKEY, SYSRESETREQ */
        str     r2, [r1, #-0xF0]        /* AIRCR */
        dsb
1:      b       1b

#include "kiln-flash-loader-narrow.S"
#include "kiln-flash-loader-lz4.S"

        .size kiln_flash_loader, . - kiln_flash_loader
