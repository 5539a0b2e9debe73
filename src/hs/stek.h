/*
 * Session ticket encryption keys (the public clasp_ticket_keys): an active key that seals
 * and older ones that only open, rotated by the clock or replaced by the application, shared
 * between threads behind one mutex. Callers copy a key out and use the copy, so no lock is
 * held while a ticket is sealed or opened.
 */
#ifndef CLASP_HS_STEK_H
#define CLASP_HS_STEK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <clasp/session.h>

#define CL_STEK_MAX            16
#define CL_STEK_DEFAULT_ROTATE 43200 /* seconds: 12 hours */
#define CL_STEK_DEFAULT_KEEP   3
/* Key files are a few lines; anything much larger is not one. */
#define CL_KEY_FILE_MAX 65536

/* One key as used: its name and the AEAD key derived from its secret. */
typedef struct cl_stek {
    uint8_t name[CLASP_TICKET_KEY_NAME_LEN];
    uint8_t aead_key[32]; /* AES-256-GCM */
    uint64_t not_before;
} cl_stek;

struct clasp_ticket_keys {
    atomic_uint refs;
    pthread_mutex_t lock;
    unsigned rotate, keep;
    int automatic;             /* rotation by the clock (until keys are set) */
    cl_stek keys[CL_STEK_MAX]; /* newest not_before first */
    size_t n;
    uint64_t rotations; /* keys made by rotation so far (for the trace) */
};

int cl_ticket_keys_new(clasp_ticket_keys **out, unsigned rotate, unsigned keep);
void cl_ticket_keys_unref(clasp_ticket_keys *tk);
int cl_ticket_keys_set(clasp_ticket_keys *tk, const clasp_ticket_key *keys, size_t n);
/* Parses a key file (format in include/clasp/session.h) and sets its keys. */
int cl_ticket_keys_load_file(clasp_ticket_keys *tk, const char *path);
/*
 * The key that seals at `now` (seconds): with automatic rotation, keys are made and retired
 * first. *rotated (may be NULL) is set when this call made a new key. CLASP_ERR_STATE when
 * no key is active (none set, or all in the future).
 */
int cl_ticket_keys_current(clasp_ticket_keys *tk, uint64_t now, cl_stek *out, int *rotated);
/* The kept key of this name; CLASP_ERR_STATE when unknown (never known, or retired). */
int cl_ticket_keys_find(clasp_ticket_keys *tk, uint64_t now, const uint8_t *name, cl_stek *out);

/* ---- rings kept outside (stek_ring.c; the public forms are in clasp/session.h) ---- */

/* Key-file text into keys[0..cap); *n set. CLASP_ERR_INVALID_ARG when malformed. */
int cl_ticket_keys_parse(const char *text, size_t len, clasp_ticket_key *keys, size_t cap,
                         size_t *n);
/* keys in the key-file format into buf (NUL-terminated); *len: the text's length. */
int cl_ticket_keys_format(const clasp_ticket_key *keys, size_t n, char *buf, size_t cap,
                          size_t *len);
/* The fleet's rotation step (clasp_ticket_key_ring_rotate): 1 a key added, 0 none, < 0. */
int cl_ticket_ring_rotate(clasp_ticket_key *ring, size_t *n, size_t cap, uint64_t now,
                          unsigned period, unsigned announce, unsigned keep);

#endif /* CLASP_HS_STEK_H */
