/* Sealing sessions into tickets and opening them (layout in ticket.h). */
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "crypto/crypto.h"
#include "hs/ticket.h"

#define NAME_LEN      CLASP_TICKET_KEY_NAME_LEN
#define SALT_LEN      CL_TICKET_SALT_LEN
#define TICKET_FORMAT 2 /* bound in the additional data: a new layout cannot be misread */

static void additional_data(uint8_t ad[1 + NAME_LEN], const uint8_t *name)
{
    ad[0] = TICKET_FORMAT;
    memcpy(ad + 1, name, NAME_LEN);
}

/* The encoding of what the server needs back, without what only clients keep. */
static int encode_for_ticket(const cl_session *s, uint8_t **enc, size_t *len, size_t *cap)
{
    cl_session view = *s;
    view.ticket = NULL;
    view.ticket_len = 0;
    memset(view.verify_id, 0, sizeof(view.verify_id));
    int rc = cl_session_encode(&view, enc, len, cap);
    cl_wipe(&view, sizeof(view));
    return rc;
}

/* This ticket's own AES-256 key, from the ticket key and the ticket's salt (ticket.h). */
static int ticket_key(const cl_stek *k, const uint8_t *salt, uint8_t key[32])
{
    static const char label[] = "clasp ticket";
    uint8_t info[sizeof(label) - 1 + SALT_LEN];
    memcpy(info, label, sizeof(label) - 1);
    memcpy(info + sizeof(label) - 1, salt, SALT_LEN);
    return cl_hkdf_expand(CL_HASH_SHA256, k->aead_key, sizeof(k->aead_key), info, sizeof(info), key,
                          32);
}

/* AES-256-GCM in place over buf[0..len): sealing writes the tag, opening checks it. The key
 * is used for this ticket alone, so the nonce is fixed. */
static int crypt(const cl_stek *k, int seal, const uint8_t *salt, uint8_t *buf, size_t len,
                 uint8_t *tag)
{
    static const uint8_t nonce[CL_AEAD_NONCE_LEN] = {0};
    uint8_t ad[1 + NAME_LEN], key[32];
    cl_aead *a = NULL;
    additional_data(ad, k->name);
    int rc = ticket_key(k, salt, key);
    if (rc == 0)
        rc = cl_aead_new(&a, CL_AEAD_AES_256_GCM, seal, key, sizeof(key));
    cl_wipe(key, sizeof(key));
    if (rc == 0)
        rc = seal ? cl_aead_seal(a, nonce, ad, sizeof(ad), buf, len, tag)
                  : cl_aead_open(a, nonce, ad, sizeof(ad), buf, len, tag);
    cl_aead_free(a);
    return rc;
}

static int seal_with(const cl_stek *k, const uint8_t *pt, size_t pt_len, uint8_t *t)
{
    memcpy(t, k->name, NAME_LEN);
    CL_TRY(cl_random(t + NAME_LEN, SALT_LEN));
    uint8_t *body = t + NAME_LEN + SALT_LEN;
    memcpy(body, pt, pt_len);
    return crypt(k, 1, t + NAME_LEN, body, pt_len, body + pt_len);
}

int cl_ticket_seal(clasp_ticket_keys *tk, uint64_t now, const cl_session *s, uint8_t **out,
                   size_t *len, int *rotated)
{
    uint8_t *enc;
    size_t enc_len, enc_cap;
    cl_stek k;
    *out = NULL;
    *len = 0;
    CL_TRY(cl_ticket_keys_current(tk, now, &k, rotated));
    int rc = encode_for_ticket(s, &enc, &enc_len, &enc_cap);
    if (rc == 0 && enc_len + CL_TICKET_OVERHEAD > CL_SESSION_MAX_TICKET)
        rc = CLASP_ERR_INVALID_ARG;
    if (rc == 0 && !(*out = cl_alloc(enc_len + CL_TICKET_OVERHEAD)))
        rc = CLASP_ERR_NOMEM;
    if (rc == 0)
        rc = seal_with(&k, enc, enc_len, *out);
    if (rc == 0)
        *len = enc_len + CL_TICKET_OVERHEAD;
    else if (*out)
        cl_free_secret(*out, enc_len + CL_TICKET_OVERHEAD);
    if (rc != 0)
        *out = NULL;
    cl_free_secret(enc, enc_cap);
    cl_wipe(&k, sizeof(k));
    return rc;
}

/* Decrypts the body of t into pt (ct_len bytes); CLASP_ERR_BAD_RECORD_MAC on a bad tag. */
static int open_with(const cl_stek *k, const uint8_t *t, size_t ct_len, uint8_t *pt)
{
    uint8_t tag[CL_AEAD_TAG_LEN];
    const uint8_t *body = t + NAME_LEN + SALT_LEN;
    memcpy(pt, body, ct_len);
    memcpy(tag, body + ct_len, sizeof(tag));
    return crypt(k, 0, t + NAME_LEN, pt, ct_len, tag);
}

int cl_ticket_open(clasp_ticket_keys *tk, uint64_t now, const uint8_t *t, size_t len, cl_session *s,
                   const char **why)
{
    cl_stek k;
    memset(s, 0, sizeof(*s));
    *why = "the ticket is too short to be one of ours";
    if (len <= CL_TICKET_OVERHEAD)
        return CLASP_ERR_DECODE;
    *why = "the ticket's key name is unknown (another server's, or a retired key)";
    CL_TRY(cl_ticket_keys_find(tk, now, t, &k));
    size_t ct_len = len - CL_TICKET_OVERHEAD;
    uint8_t *pt = cl_alloc(ct_len);
    int rc = pt ? open_with(&k, t, ct_len, pt) : CLASP_ERR_NOMEM;
    *why = rc == CLASP_ERR_NOMEM ? "out of memory"
                                 : "the ticket does not open (tampered, or sealed by another key)";
    if (rc == 0) {
        rc = cl_session_decode(s, pt, ct_len);
        *why = "the ticket's contents are not a session";
    }
    if (rc == 0)
        *why = NULL;
    cl_free_secret(pt, ct_len);
    cl_wipe(&k, sizeof(k));
    return rc;
}
