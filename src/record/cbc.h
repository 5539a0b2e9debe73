/*
 * TLS 1.2 CBC-HMAC records (record/cbc.c), private to src/record/: protect.c dispatches a
 * CBC-HMAC epoch's records here, after its own checks (state, sizes, sequence number).
 */
#ifndef CLASP_RECORD_CBC_H
#define CLASP_RECORD_CBC_H

#include <stddef.h>
#include <stdint.h>

#include "record/protect.h"

#define CL_TLS12_MAC_HEADER_LEN 13 /* seq_num, type, version, length */

/* seq_num + type + version + length (RFC 5246 6.2.3.1, 6.2.3.3); shifts only: len may be secret. */
void cl_record_mac_header(uint64_t seq, uint8_t type, uint16_t version, size_t len,
                          uint8_t out[CL_TLS12_MAC_HEADER_LEN]);

/* The 5-byte record header: type, version 3.3, length (protect.c). */
void cl_record_write_header(uint8_t *rec, uint8_t type, size_t len);

/* Makes the cipher and MAC contexts (at the epoch's first record) and wipes the raw keys. */
int cl_record_cbc_ready(cl_record_prot *p);
/* Seals the pt_len bytes at rec + cl_record_prot_prefix(p): the whole record, header first. */
int cl_record_cbc_seal(cl_record_prot *p, uint8_t type, uint8_t *rec, size_t cap, size_t pt_len,
                       size_t *rec_len);
/*
 * Opens the record at rec, whose body is ct_len bytes; the plaintext is then at
 * rec + cl_record_prot_prefix(p), *pt_len bytes. bad_record_mac for anything that does not
 * authenticate, its plaintext wiped.
 */
int cl_record_cbc_open(cl_record_prot *p, uint8_t *rec, size_t ct_len, size_t *pt_len);

#endif /* CLASP_RECORD_CBC_H */
