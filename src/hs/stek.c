/*
 * Session ticket encryption keys: rotation by the clock, keys set by the application or read
 * from a key file, and lookups that copy a key out under the lock.
 */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "crypto/crypto.h"
#include "hs/stek.h"

#define AEAD_KEY_INFO "clasp session ticket AES-256-GCM key"

int cl_ticket_keys_new(clasp_ticket_keys **out, unsigned rotate, unsigned keep)
{
    CL_CHECK(keep <= CL_STEK_MAX, CLASP_ERR_INVALID_ARG);
    clasp_ticket_keys *tk = cl_calloc(1, sizeof(*tk));
    CL_CHECK(tk, CLASP_ERR_NOMEM);
    if (pthread_mutex_init(&tk->lock, NULL) != 0) {
        cl_free(tk, sizeof(*tk));
        return CLASP_ERR_INTERNAL;
    }
    atomic_init(&tk->refs, 1);
    tk->rotate = rotate ? rotate : CL_STEK_DEFAULT_ROTATE;
    tk->keep = keep ? keep : CL_STEK_DEFAULT_KEEP;
    tk->automatic = 1;
    *out = tk;
    return 0;
}

void cl_ticket_keys_unref(clasp_ticket_keys *tk)
{
    if (!tk || atomic_fetch_sub(&tk->refs, 1) != 1)
        return;
    pthread_mutex_destroy(&tk->lock);
    cl_free_secret(tk, sizeof(*tk));
}

/* The AEAD key: HKDF (RFC 5869) over the secret, with a label naming its one purpose. */
static int derive(cl_stek *k, const uint8_t *name, const uint8_t *secret, uint64_t not_before)
{
    uint8_t prk[32];
    int rc = cl_hkdf_extract(CL_HASH_SHA256, NULL, 0, secret, CLASP_TICKET_KEY_SECRET_LEN, prk);
    if (rc == 0)
        rc = cl_hkdf_expand(CL_HASH_SHA256, prk, sizeof(prk), (const uint8_t *)AEAD_KEY_INFO,
                            strlen(AEAD_KEY_INFO), k->aead_key, sizeof(k->aead_key));
    cl_wipe(prk, sizeof(prk));
    memcpy(k->name, name, CLASP_TICKET_KEY_NAME_LEN);
    k->not_before = not_before;
    return rc;
}

/* Inserts k keeping the array sorted, newest not_before first; the oldest beyond max go. */
static void insert(clasp_ticket_keys *tk, const cl_stek *k, size_t max)
{
    size_t i = 0;
    while (i < tk->n && tk->keys[i].not_before > k->not_before)
        i++;
    if (i >= max) /* older than every key kept */
        return;
    size_t n = tk->n < max ? tk->n + 1 : max;
    /* The shift overwrites the key that falls off the end: no copy of it stays behind. */
    memmove(&tk->keys[i + 1], &tk->keys[i], (n - 1 - i) * sizeof(cl_stek));
    tk->keys[i] = *k;
    tk->n = n;
}

static void drop_all(clasp_ticket_keys *tk)
{
    cl_wipe(tk->keys, sizeof(tk->keys));
    tk->n = 0;
}

/* Whether the newest key is `span` seconds old or older (a clock that went back: no). */
static int older_than(const clasp_ticket_keys *tk, uint64_t now, uint64_t span)
{
    return now >= tk->keys[0].not_before && now - tk->keys[0].not_before >= span;
}

/*
 * Automatic rotation, under the lock: a new key each `rotate` seconds, dated on the schedule
 * so retirement follows the clock even when nothing happened for a while; after `keep`
 * periods of silence every key is retired at once.
 */
static int rotate(clasp_ticket_keys *tk, uint64_t now, int *rotated)
{
    uint64_t period = tk->rotate;
    if (tk->n && older_than(tk, now, (uint64_t)tk->keep * period))
        drop_all(tk);
    while (tk->n == 0 || older_than(tk, now, period)) {
        uint8_t name[CLASP_TICKET_KEY_NAME_LEN], secret[CLASP_TICKET_KEY_SECRET_LEN];
        cl_stek k;
        int rc = cl_random(name, sizeof(name));
        if (rc == 0)
            rc = cl_random(secret, sizeof(secret));
        if (rc == 0)
            rc = derive(&k, name, secret, tk->n ? tk->keys[0].not_before + period : now);
        cl_wipe(secret, sizeof(secret));
        if (rc == 0)
            insert(tk, &k, tk->keep);
        cl_wipe(&k, sizeof(k));
        CL_TRY(rc);
        if (rotated && tk->n > 1) /* a key replaced another, not the first one made */
            *rotated = 1;
        tk->rotations++;
    }
    return 0;
}

int cl_ticket_keys_current(clasp_ticket_keys *tk, uint64_t now, cl_stek *out, int *rotated)
{
    int rc = CLASP_ERR_STATE;
    if (rotated)
        *rotated = 0;
    pthread_mutex_lock(&tk->lock);
    int err = tk->automatic ? rotate(tk, now, rotated) : 0;
    /* Automatic keys seal from the start; the application's from their not_before. */
    for (size_t i = 0; err == 0 && i < tk->n && rc != 0; i++)
        if (tk->automatic || tk->keys[i].not_before <= now) {
            *out = tk->keys[i];
            rc = 0;
        }
    pthread_mutex_unlock(&tk->lock);
    return err ? err : rc;
}

int cl_ticket_keys_find(clasp_ticket_keys *tk, uint64_t now, const uint8_t *name, cl_stek *out)
{
    int rc = CLASP_ERR_STATE;
    pthread_mutex_lock(&tk->lock);
    int err = tk->automatic ? rotate(tk, now, NULL) : 0;
    /* Key names travel in the clear: comparing them in variable time reveals nothing. */
    for (size_t i = 0; err == 0 && i < tk->n && rc != 0; i++)
        if (memcmp(tk->keys[i].name, name, CLASP_TICKET_KEY_NAME_LEN) == 0) {
            *out = tk->keys[i];
            rc = 0;
        }
    pthread_mutex_unlock(&tk->lock);
    return err ? err : rc;
}

static int distinct_names(const clasp_ticket_key *keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (memcmp(keys[i].name, keys[j].name, CLASP_TICKET_KEY_NAME_LEN) == 0)
                return 0;
    return 1;
}

int cl_ticket_keys_set(clasp_ticket_keys *tk, const clasp_ticket_key *keys, size_t n)
{
    CL_CHECK(tk && keys && n >= 1 && n <= CL_STEK_MAX, CLASP_ERR_INVALID_ARG);
    CL_CHECK(distinct_names(keys, n), CLASP_ERR_INVALID_ARG);
    /* Derived outside the lock, swapped in at once. */
    clasp_ticket_keys fresh;
    memset(&fresh, 0, sizeof(fresh));
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        cl_stek k;
        rc = derive(&k, keys[i].name, keys[i].secret, keys[i].not_before);
        if (rc == 0)
            insert(&fresh, &k, CL_STEK_MAX);
        cl_wipe(&k, sizeof(k));
    }
    if (rc == 0) {
        pthread_mutex_lock(&tk->lock);
        memcpy(tk->keys, fresh.keys, sizeof(tk->keys));
        tk->n = fresh.n;
        tk->automatic = 0;
        pthread_mutex_unlock(&tk->lock);
    }
    cl_wipe(&fresh, sizeof(fresh));
    return rc;
}

/* ---- the key file ---- */

int cl_ticket_keys_load_file(clasp_ticket_keys *tk, const char *path)
{
    CL_CHECK(tk && path, CLASP_ERR_INVALID_ARG);
    FILE *f = fopen(path, "r");
    CL_CHECK(f, CLASP_ERR_FILE);
    char *text = cl_alloc(CL_KEY_FILE_MAX + 1);
    size_t len = text ? fread(text, 1, CL_KEY_FILE_MAX + 1, f) : 0;
    int rc = !text ? CLASP_ERR_NOMEM : ferror(f) ? CLASP_ERR_FILE : 0;
    fclose(f);
    clasp_ticket_key keys[CL_STEK_MAX];
    size_t n = 0;
    if (rc == 0)
        rc = len > CL_KEY_FILE_MAX ? CLASP_ERR_INVALID_ARG
                                   : cl_ticket_keys_parse(text, len, keys, CL_STEK_MAX, &n);
    if (rc == 0)
        rc = n ? cl_ticket_keys_set(tk, keys, n) : CLASP_ERR_INVALID_ARG;
    cl_wipe(keys, sizeof(keys));
    if (text)
        cl_free_secret(text, CL_KEY_FILE_MAX + 1);
    return rc;
}
