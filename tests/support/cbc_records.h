/*
 * TLS 1.2 CBC-HMAC records made by hand with libcrypto alone (EVP AES-CBC and HMAC()), from
 * RFC 5246 6.2.3.2 and RFC 7366 3, for the tests that judge clasp's CBC records against the
 * RFC's layout rather than against themselves: any padding length, a wrong padding byte, a
 * wrong MAC, a padding length longer than the record. Fixed keys; the content is a pattern
 * of its seed (cbc_fill). Include after <cmocka.h>.
 */
#ifndef CLASP_TEST_CBC_RECORDS_H
#define CLASP_TEST_CBC_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "record/protect.h"

typedef struct cbc_combo {
    cl_cbc_alg cipher;
    cl_hash_alg mac;
    int etm;
} cbc_combo;

/* The keys every hand-made record is under. */
extern const uint8_t cbc_key[32];
extern const uint8_t cbc_mac_key[48];

/* p keyed with them (seal or open), sequence number 0. */
void cbc_init(const cbc_combo *c, cl_record_prot *p, int seal);
size_t cbc_mac_len(const cbc_combo *c);
void cbc_fill(uint8_t *p, size_t n, unsigned seed);
/* HMAC(cbc_mac_key, seq || type || 3,3 || len || data[0..data_len)) into out. */
void cbc_hmac(const cbc_combo *c, uint64_t seq, uint8_t type, size_t len, const uint8_t *data,
              size_t data_len, uint8_t *out);
/* AES-CBC under cbc_key, in place, no padding. */
void cbc_aes(const cbc_combo *c, int encrypt, const uint8_t *iv, uint8_t *p, size_t n);

enum { CBC_GOOD = 0, CBC_BAD_MAC = 1, CBC_BAD_PAD = 2 };

/*
 * A MAC-then-encrypt application_data record into rec: n bytes of content, its MAC,
 * padding_length + 1 bytes of padding; CBC_BAD_MAC flips a MAC bit, CBC_BAD_PAD the first
 * padding byte (a padding of one byte, the length alone, is made to claim two). Returns the
 * record's length.
 */
size_t cbc_hand_mte(const cbc_combo *c, uint64_t seq, uint8_t *rec, size_t n, size_t padding,
                    int damage, unsigned seed);
/* An encrypt-then-MAC record: content, padding, encrypted; the MAC over header, IV, ciphertext. */
size_t cbc_hand_etm(const cbc_combo *c, uint64_t seq, uint8_t *rec, size_t n, size_t padding,
                    unsigned seed);
/* Sets the last plaintext byte (padding_length) of the MtE record rec[0..len) to v. */
void cbc_set_padding_length(const cbc_combo *c, uint8_t *rec, size_t len, uint8_t v);

#endif /* CLASP_TEST_CBC_RECORDS_H */
