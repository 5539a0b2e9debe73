/*
 * key_share (RFC 8446 4.2.8):
 *
 *     struct { NamedGroup group; opaque key_exchange<1..2^16-1>; } KeyShareEntry;
 *     ClientHello:        KeyShareEntry client_shares<0..2^16-1>;
 *     HelloRetryRequest:  NamedGroup selected_group;
 *     ServerHello:        KeyShareEntry server_share;
 *
 * Whether each key_exchange has the right size for its group is the key exchange's
 * business (4.2.8.1, 4.2.8.2): hs/ checks it with the group known.
 */
#include "base/err.h"
#include "msg/internal.h"
#include "msg/msg.h"

int cl_ext_key_share_next(cl_reader *shares, cl_key_share_entry *out)
{
    cl_reader save = *shares, key;
    int rc = cl_read_u16(shares, &out->group);
    if (rc == 0)
        rc = cl_read_vec(shares, 2, 1, 0xffff, &key);
    if (rc != 0) {
        *shares = save;
        return rc;
    }
    cl_read_rest(&key, &out->key, &out->key_len);
    return 0;
}

/* Every entry well formed, no group twice. */
static int check_shares(cl_reader walk, cl_u16set *seen)
{
    cl_key_share_entry e;
    int dup;
    while (cl_reader_left(&walk)) {
        CL_TRY(cl_ext_key_share_next(&walk, &e));
        CL_TRY(cl_u16set_add(seen, e.group, &dup));
        /* 4.2.8: "Clients MUST NOT offer multiple KeyShareEntry values for the same group
         * ... Servers MAY check for violations of these rules and abort the handshake with
         * an "illegal_parameter" alert". We check. */
        CL_CHECK(!dup, CLASP_ERR_ILLEGAL_PARAMETER);
    }
    return 0;
}

int cl_ext_key_share_ch(cl_reader ext, cl_reader *shares)
{
    CL_TRY(cl_read_vec16(&ext, shares));
    CL_TRY(cl_read_end(&ext));
    cl_u16set seen;
    cl_u16set_init(&seen);
    int rc = check_shares(*shares, &seen);
    cl_u16set_free(&seen);
    return rc;
}

/* The groups go into a set (a bitmap past a few), then each share looks its group up. */
static int first_unlisted(cl_reader shares, cl_reader groups, cl_u16set *listed, uint16_t *group)
{
    cl_key_share_entry e;
    uint16_t g;
    int dup;
    while (cl_read_u16(&groups, &g) == 0)
        CL_TRY(cl_u16set_add(listed, g, &dup));
    while (cl_ext_key_share_next(&shares, &e) == 0) {
        CL_TRY(cl_u16set_add(listed, e.group, &dup)); /* already there: listed */
        if (!dup) {
            *group = e.group;
            return 1;
        }
    }
    return 0;
}

int cl_ext_key_share_unlisted(cl_reader shares, cl_reader groups, uint16_t *group)
{
    cl_u16set listed;
    cl_u16set_init(&listed);
    int rc = first_unlisted(shares, groups, &listed, group);
    cl_u16set_free(&listed);
    return rc;
}

int cl_ext_key_share_sh(cl_reader ext, cl_key_share_entry *out)
{
    CL_TRY(cl_ext_key_share_next(&ext, out));
    return cl_read_end(&ext);
}

int cl_ext_key_share_hrr(cl_reader ext, uint16_t *group)
{
    CL_TRY(cl_read_u16(&ext, group));
    return cl_read_end(&ext);
}
