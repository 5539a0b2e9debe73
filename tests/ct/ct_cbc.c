/*
 * The constant-time check of MAC-then-encrypt decoding (src/record/cbc.c, src/crypto/
 * hmac_ct.c) by valgrind's memcheck, in the manner of Adam Langley's ctgrind: memcheck
 * reports a branch or a memory address computed from an undefined value. Run under valgrind
 * (CTest does: ct.cbc), this marks each record's IV and ciphertext undefined just before
 * cl_record_open, so everything computed from them is undefined too: the plaintext, the
 * padding length and bytes, the plaintext length, the MAC's position and value, the verdict.
 * The record code is compiled into this program with CLASP_CT_VALGRIND, where the verdict
 * and (once authenticated) the length are declassified (CL_CT_DECLASSIFY, base/ct.h): the
 * only places a secret may decide anything. memcheck's error count must not move while the
 * records open, good and bad ones: every padding length class, a bad padding byte, a bad
 * MAC, both, a padding longer than the record, and full-size records.
 *
 * A control runs first: one deliberate branch on a marked byte must add an error, which
 * shows the marking and the counting work (memcheck prints it: it is expected). Without
 * valgrind the program refuses to run (it would prove nothing).
 *
 * Encrypt-then-MAC is not checked here: its MAC is verified before anything is decrypted,
 * and what follows handles authenticated data, which may branch (RFC 7366 3).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <valgrind/memcheck.h>

#include <clasp/errors.h>

#include "record/protect.h"
#include "cbc_records.h"

#define BUF_LEN (CL_RECORD_HEADER_LEN + CL_TLS12_MAX_CIPHERTEXT)

static const cbc_combo combos[] = {
    {CL_CBC_AES_128, CL_HASH_SHA1, 0},
    {CL_CBC_AES_256, CL_HASH_SHA1, 0},
    {CL_CBC_AES_128, CL_HASH_SHA256, 0},
    {CL_CBC_AES_256, CL_HASH_SHA384, 0},
};

static uint8_t buf[BUF_LEN];

/* Opens rec[0..len) with its IV and ciphertext secret; returns the result. */
static int open_secret(cl_record_prot *o, size_t len)
{
    uint8_t type;
    size_t off, pt_len;
    VALGRIND_MAKE_MEM_UNDEFINED(buf + CL_RECORD_HEADER_LEN, len - CL_RECORD_HEADER_LEN);
    int rc = cl_record_open(o, buf, len, &type, &off, &pt_len);
    VALGRIND_MAKE_MEM_DEFINED(buf, len); /* the test's own checks may look again */
    if (rc == 0)
        o->seq--; /* the next record at the same sequence number */
    return rc;
}

/* One record of `blocks` blocks of ciphertext with this padding and damage. */
static void one(const cbc_combo *c, cl_record_prot *o, size_t blocks, size_t padding, int damage)
{
    size_t total = 16 * blocks, m = cbc_mac_len(c), len;
    int fits = padding + 1 + m <= total;
    if (fits) {
        len = cbc_hand_mte(c, o->seq, buf, total - m - padding - 1, padding, damage,
                           (unsigned)(padding + damage));
    } else {
        len = cbc_hand_mte(c, o->seq, buf, total - m - 1, 0, damage, 1);
        cbc_set_padding_length(c, buf, len, (uint8_t)padding);
    }
    unsigned before = VALGRIND_COUNT_ERRORS;
    int rc = open_secret(o, len);
    unsigned after = VALGRIND_COUNT_ERRORS;
    if (after != before)
        fail_msg("hash %d, %zu blocks, padding %zu, damage %d: %u memcheck errors while "
                 "opening (a branch or an address depends on a secret)",
                 (int)c->mac, blocks, padding, damage, after - before);
    assert_int_equal(rc, fits && damage == CBC_GOOD ? 0 : CLASP_ERR_BAD_RECORD_MAC);
}

static void test_control(void **state)
{
    (void)state;
    volatile uint8_t secret = 1;
    volatile int taken = 0;
    assert_true(RUNNING_ON_VALGRIND);
    unsigned before = VALGRIND_COUNT_ERRORS;
    VALGRIND_MAKE_MEM_UNDEFINED((void *)&secret, 1);
    fprintf(stderr, "ct_cbc: the control's branch on a secret byte follows; memcheck must "
                    "report it (expected)\n");
    if (secret == 1)
        taken = 1;
    VALGRIND_MAKE_MEM_DEFINED((void *)&secret, 1);
    assert_int_equal(VALGRIND_COUNT_ERRORS, before + 1);
    (void)taken;
}

static void test_mac_then_encrypt(void **state)
{
    (void)state;
    static const size_t paddings[] = {0, 1, 2, 15, 16, 17, 100, 200, 254, 255};
    for (size_t i = 0; i < sizeof(combos) / sizeof(combos[0]); i++) {
        cl_record_prot o;
        cbc_init(&combos[i], &o, 0);
        for (size_t p = 0; p < sizeof(paddings) / sizeof(paddings[0]); p++)
            for (int damage = CBC_GOOD; damage <= (CBC_BAD_MAC | CBC_BAD_PAD); damage++)
                one(&combos[i], &o, 20, paddings[p], damage);
        /* padding lengths the record cannot hold */
        one(&combos[i], &o, 4, 100, CBC_GOOD);
        one(&combos[i], &o, 4, 255, CBC_GOOD);
        /* full-size records */
        one(&combos[i], &o, 1025, 0, CBC_GOOD);
        one(&combos[i], &o, 1025, 255, CBC_BAD_MAC);
        cl_record_prot_clear(&o);
    }
}

int main(void)
{
    if (!RUNNING_ON_VALGRIND) {
        fprintf(stderr, "ct_cbc: run under valgrind (ctest -R ct.cbc)\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_control),
        cmocka_unit_test(test_mac_then_encrypt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
