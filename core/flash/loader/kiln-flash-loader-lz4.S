/* kiln-flash-loader-lz4.S — the LZ4 decoder of Kiln's flash loader,
 * included at the end of kiln-flash-loader.S (its registers and labels are
 * that file's)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* ---- LZ4: uploaded only for a run that sends compressed records ------ */
/* The host writes the code from here on (kiln_flash_loader_lz4) before
 * the first program run with a compressed record; runs without one never
 * branch here. No literal pool below this point. */
        .balign 4
        .global kiln_flash_loader_lz4
kiln_flash_loader_lz4:
        /* An LZ4 block (all of it is there): decoded, then written. */
compressed:
        add     r12, r3, r12            /* the stored bytes: r3 to r12 */
        bl      lz4_decode
        cmp     r11, #0
        bne     bad_block
        ldr     r3, [r0, #P_STACK]      /* the decoded bytes: above the stack */
        adr     r11, record_written
        orr     r11, r11, #1
        push    {r11}
        b       write_block

/* Decodes one LZ4 block (the block format: sequences of a token, literals
 * and a match) from r3 up to r12 into the scratch buffer, which it must
 * fill exactly: r11 holds the raw length, and is 0 on return when the
 * block was sound. Every length and offset is checked against both
 * buffers first: a malformed block writes nothing outside the scratch
 * buffer and reads nothing outside its own bytes. On success, r12 is the
 * end of the decoded bytes. */
lz4_decode:
        push    {r4-r9, lr}
        ldr     r4, [r0, #P_STACK]      /* r4 start, r5 next byte, r6 end */
        mov     r5, r4
        add     r6, r4, r11
lz4_sequence:
        cmp     r3, r12
        bhs     lz4_bad                 /* a sequence starts with its token */
        ldrb    r7, [r3], #1
        lsr     r8, r7, #4              /* literals */
        cmp     r8, #15
        bne     2f
1:      cmp     r3, r12
        bhs     lz4_bad
        ldrb    r9, [r3], #1
        add     r8, r8, r9
        cmp     r9, #255
        beq     1b
2:      sub     r9, r12, r3
        cmp     r8, r9
        bhi     lz4_bad
        sub     r9, r6, r5
        cmp     r8, r9
        bhi     lz4_bad
3:      cmp     r8, #0
        beq     4f
        ldrb    r9, [r3], #1
        strb    r9, [r5], #1
        subs    r8, r8, #1
        b       3b
4:      cmp     r3, r12
        beq     lz4_end                 /* the last sequence has no match */
        sub     r9, r12, r3
        cmp     r9, #2
        blo     lz4_bad
        ldrb    r8, [r3], #1
        ldrb    r9, [r3], #1
        orr     r8, r8, r9, lsl #8      /* the match's offset */
        cmp     r8, #0
        beq     lz4_bad
        sub     r9, r5, r4
        cmp     r8, r9
        bhi     lz4_bad
        sub     r8, r5, r8              /* the match's first byte */
        and     r7, r7, #15
        cmp     r7, #15
        bne     6f
5:      cmp     r3, r12
        bhs     lz4_bad
        ldrb    r9, [r3], #1
        add     r7, r7, r9
        cmp     r9, #255
        beq     5b
6:      add     r7, r7, #4
        sub     r9, r6, r5
        cmp     r7, r9
        bhi     lz4_bad
7:      ldrb    r9, [r8], #1
        strb    r9, [r5], #1
        subs    r7, r7, #1
        bne     7b
        b       lz4_sequence
lz4_end:
        cmp     r5, r6
        bne     lz4_bad
        mov     r12, r6                 /* the end of the decoded bytes */
        movs    r11, #0
        pop     {r4-r9, pc}
lz4_bad:
        movs    r11, #1
        pop     {r4-r9, pc}

