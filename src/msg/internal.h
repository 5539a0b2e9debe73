/*
 * Helpers shared by the msg/ codecs; not part of the contract in msg.h.
 */
#ifndef CLASP_MSG_INTERNAL_H
#define CLASP_MSG_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "msg/msg.h"

/*
 * A set of uint16 values, for duplicate detection on hostile input (a 64 KiB block holds
 * 16383 empty extensions; a key_share 13107 entries). The first few values live in a short
 * array, scanned linearly; past it an 8 KiB bitmap is allocated, so n insertions cost O(n)
 * and ordinary messages allocate nothing.
 */
#define CL_U16SET_SMALL 16

typedef struct cl_u16set {
    uint16_t small[CL_U16SET_SMALL];
    size_t n;
    uint8_t *bits; /* 65536 bits, once more than CL_U16SET_SMALL values were added */
} cl_u16set;

void cl_u16set_init(cl_u16set *s);
/* Adds v; *dup is 1 when it was already there. Fails only with CLASP_ERR_NOMEM. */
int cl_u16set_add(cl_u16set *s, uint16_t v, int *dup);
void cl_u16set_free(cl_u16set *s);

/*
 * 1 when the well-formed prefix of an extensions block holds an extension of this type.
 * Stops quietly at the first malformed extension: the real parse reports it.
 */
int cl_exts_scan(cl_reader block, uint16_t type);

/*
 * Bodies of extensions clasp does not act on (ext/checked.c): each fails with decode_error
 * when it does not parse, illegal_parameter for a value its RFC rules out.
 */
int cl_ext_max_fragment_length(cl_reader ext);
int cl_ext_status_request(cl_reader ext);     /* CertificateStatusRequest (ClientHello) */
int cl_ext_certificate_status(cl_reader ext); /* CertificateStatus (CertificateEntry) */
int cl_ext_use_srtp(cl_reader ext);
int cl_ext_heartbeat(cl_reader ext);
int cl_ext_cert_types(cl_reader ext, int list); /* a list (ClientHello), or one type */
int cl_ext_padding(cl_reader ext);
int cl_ext_sct_list(cl_reader ext);
int cl_ext_oid_filters(cl_reader ext);

/* legacy_session_id<0..32> (RFC 8446 4.1.2, 4.1.3), copied out. */
int cl_read_session_id(cl_reader *r, uint8_t id[CL_MAX_SESSION_ID_LEN], uint8_t *len);

/* Points *p at all that is left of r (a sub-reader) and consumes it. */
void cl_read_rest(cl_reader *r, const uint8_t **p, size_t *len);

#endif /* CLASP_MSG_INTERNAL_H */
