/*
 * pre_shared_key (RFC 8446 4.2.11):
 *
 *     struct { opaque identity<1..2^16-1>; uint32 obfuscated_ticket_age; } PskIdentity;
 *     opaque PskBinderEntry<32..255>;
 *     struct {
 *         PskIdentity identities<7..2^16-1>;
 *         PskBinderEntry binders<33..2^16-1>;
 *     } OfferedPsks;
 *     ClientHello: OfferedPsks;  ServerHello: uint16 selected_identity;
 */
#include "base/err.h"
#include "msg/internal.h"
#include "msg/msg.h"

int cl_ext_psk_identity_next(cl_reader *ids, const uint8_t **id, size_t *id_len, uint32_t *age)
{
    cl_reader save = *ids, one;
    int rc = cl_read_vec(ids, 2, 1, 0xffff, &one);
    if (rc == 0)
        rc = cl_read_u32(ids, age);
    if (rc != 0) {
        *ids = save;
        return rc;
    }
    cl_read_rest(&one, id, id_len);
    return 0;
}

int cl_ext_psk_binder_next(cl_reader *binders, const uint8_t **binder, size_t *len)
{
    cl_reader one;
    CL_TRY(cl_read_vec(binders, 1, 32, 255, &one));
    cl_read_rest(&one, binder, len);
    return 0;
}

/* Counts the identities and the binders, checking each. */
static int count_offers(cl_reader ids, cl_reader binders, size_t *n_ids, size_t *n_binders)
{
    const uint8_t *p;
    size_t len;
    uint32_t age;
    for (*n_ids = 0; cl_reader_left(&ids); (*n_ids)++)
        CL_TRY(cl_ext_psk_identity_next(&ids, &p, &len, &age));
    for (*n_binders = 0; cl_reader_left(&binders); (*n_binders)++)
        CL_TRY(cl_ext_psk_binder_next(&binders, &p, &len));
    return 0;
}

int cl_ext_pre_shared_key_ch(cl_reader ext, cl_reader *identities, cl_reader *binders)
{
    size_t n_ids, n_binders;
    CL_TRY(cl_read_vec(&ext, 2, 7, 0xffff, identities));
    CL_TRY(cl_read_vec(&ext, 2, 33, 0xffff, binders));
    CL_TRY(cl_read_end(&ext));
    CL_TRY(count_offers(*identities, *binders, &n_ids, &n_binders));
    /* 4.2.11: one binder per identity, "in the same order". The RFC names no alert for a
     * mismatch; the lists are well formed but disagree: illegal_parameter. */
    CL_CHECK(n_ids == n_binders, CLASP_ERR_ILLEGAL_PARAMETER);
    return 0;
}

int cl_ext_pre_shared_key_sh(cl_reader ext, uint16_t *selected)
{
    CL_TRY(cl_read_u16(&ext, selected));
    return cl_read_end(&ext);
}
