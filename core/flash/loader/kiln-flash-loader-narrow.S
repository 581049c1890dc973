/* kiln-flash-loader-narrow.S — the writes at x8, x16 and x64 of Kiln's
 * flash loader, included at the end of kiln-flash-loader.S, before the LZ4
 * decoder (its registers and labels are that file's)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* ---- x8, x16 and x64: uploaded only for a run at those PSIZEs ------- */
/* The host writes the code from here on to kiln_flash_loader_lz4 before
 * the first program run at x8, x16 or x64 (most runs program at x32); runs
 * at x32 never branch here. No literal pool below this point. */
        .balign 4
        .global kiln_flash_loader_narrow
kiln_flash_loader_narrow:
narrow_block:
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
