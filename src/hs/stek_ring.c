/*
 * Ticket keys kept outside the process, as a fleet shares them: the key file's text format
 * (read and written) and the one rotation rule for a ring of keys, used alike by a key file
 * rotated from cron (clasp-server --rotate-ticket-keys) and a ring kept in memcached
 * (ext/memcached). Pure functions over arrays of clasp_ticket_key; nothing here is shared.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "crypto/crypto.h"
#include "hs/stek.h"

#define KEY_LINE_MAX 256

/* ---- the text format: "NAME SECRET NOT_BEFORE" a line ---- */

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* n bytes as 2n hex digits at *p, then at least one blank. */
static int hex_field(const char **p, const char *end, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        CL_CHECK(end - *p >= 2, CLASP_ERR_INVALID_ARG);
        int hi = hexval((*p)[0]), lo = hexval((*p)[1]);
        CL_CHECK(hi >= 0 && lo >= 0, CLASP_ERR_INVALID_ARG);
        out[i] = (uint8_t)(hi << 4 | lo);
        *p += 2;
    }
    CL_CHECK(*p < end && is_blank(**p), CLASP_ERR_INVALID_ARG);
    while (*p < end && is_blank(**p))
        (*p)++;
    return 0;
}

/* One line (without its newline): 32 hex digits, 64 hex digits, decimal seconds. */
static int parse_key_line(const char *p, const char *end, clasp_ticket_key *k)
{
    CL_TRY(hex_field(&p, end, k->name, sizeof(k->name)));
    CL_TRY(hex_field(&p, end, k->secret, sizeof(k->secret)));
    CL_CHECK(p < end && *p >= '0' && *p <= '9', CLASP_ERR_INVALID_ARG);
    uint64_t t = 0;
    for (; p < end && *p >= '0' && *p <= '9'; p++) {
        uint64_t d = (uint64_t)(*p - '0');
        CL_CHECK(t < UINT64_MAX / 10 || (t == UINT64_MAX / 10 && d <= UINT64_MAX % 10),
                 CLASP_ERR_INVALID_ARG);
        t = t * 10 + d;
    }
    while (p < end && (is_blank(*p) || *p == '\r'))
        p++;
    CL_CHECK(p == end, CLASP_ERR_INVALID_ARG);
    k->not_before = t;
    return 0;
}

static int blank_or_comment(const char *p, const char *end)
{
    while (p < end && is_blank(*p))
        p++;
    return p == end || *p == '#' || *p == '\r';
}

int cl_ticket_keys_parse(const char *text, size_t len, clasp_ticket_key *keys, size_t cap,
                         size_t *n)
{
    CL_CHECK((text || !len) && (keys || !cap) && n, CLASP_ERR_INVALID_ARG);
    CL_CHECK(len <= CL_KEY_FILE_MAX, CLASP_ERR_INVALID_ARG);
    const char *p = text, *end = text + len;
    int rc = 0;
    *n = 0;
    while (rc == 0 && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        if (eol - p >= KEY_LINE_MAX || memchr(p, '\0', (size_t)(eol - p)))
            rc = CLASP_ERR_INVALID_ARG; /* too long, or not text: not a key line */
        else if (!blank_or_comment(p, eol))
            rc = *n < cap ? parse_key_line(p, eol, &keys[(*n)++]) : CLASP_ERR_INVALID_ARG;
        p = nl ? nl + 1 : end;
    }
    if (rc != 0) {
        cl_wipe(keys, cap * sizeof(*keys));
        *n = 0;
    }
    return rc;
}

int cl_ticket_keys_format(const clasp_ticket_key *keys, size_t n, char *buf, size_t cap,
                          size_t *len)
{
    CL_CHECK((keys || !n) && len, CLASP_ERR_INVALID_ARG);
    char line[KEY_LINE_MAX];
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        size_t w = 0;
        for (size_t j = 0; j < sizeof(keys[i].name); j++)
            w += (size_t)snprintf(line + w, sizeof(line) - w, "%02x", keys[i].name[j]);
        line[w++] = ' ';
        for (size_t j = 0; j < sizeof(keys[i].secret); j++)
            w += (size_t)snprintf(line + w, sizeof(line) - w, "%02x", keys[i].secret[j]);
        w += (size_t)snprintf(line + w, sizeof(line) - w, " %" PRIu64 "\n", keys[i].not_before);
        if (buf && at + w <= cap)
            memcpy(buf + at, line, w);
        at += w;
    }
    cl_wipe(line, sizeof(line));
    *len = at;
    if (buf && at < cap)
        buf[at] = '\0';
    return buf && at < cap ? 0 : CLASP_ERR_BUFFER_TOO_SMALL;
}

/* ---- the rotation rule ---- */

/* Newest not_before first (insertion sort: a ring holds a few keys). */
static void sort_ring(clasp_ticket_key *ring, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        clasp_ticket_key k = ring[i];
        size_t j = i;
        for (; j > 0 && ring[j - 1].not_before < k.not_before; j--)
            ring[j] = ring[j - 1];
        ring[j] = k;
        cl_wipe(&k, sizeof(k));
    }
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/*
 * When the next key is due and when it seals. With a period: the newest key seals for
 * `period` seconds, and its successor is published `announce` seconds before it takes over,
 * so every server has read it before anyone seals with it; a ring left alone too long gets a
 * key announced from now. Without one (a rotation asked for by hand): a key announced from
 * now, always after the newest. An empty ring starts sealing at once: nobody has tickets.
 */
static int next_key_time(const clasp_ticket_key *ring, size_t n, uint64_t now, unsigned period,
                         unsigned announce, uint64_t *not_before)
{
    uint64_t ahead = add_sat(now, announce);
    if (n == 0) {
        *not_before = now;
        return 1;
    }
    uint64_t takeover = add_sat(ring[0].not_before, period ? period : 1);
    if (period && takeover > ahead)
        return 0;
    *not_before = takeover > ahead ? takeover : ahead;
    return 1;
}

int cl_ticket_ring_rotate(clasp_ticket_key *ring, size_t *n, size_t cap, uint64_t now,
                          unsigned period, unsigned announce, unsigned keep)
{
    CL_CHECK(ring && n && *n <= cap && keep >= 2 && keep <= CL_STEK_MAX, CLASP_ERR_INVALID_ARG);
    CL_CHECK(keep <= cap, CLASP_ERR_INVALID_ARG);
    sort_ring(ring, *n);
    uint64_t not_before;
    int added = next_key_time(ring, *n, now, period, announce, &not_before);
    if (added) {
        clasp_ticket_key k = {.not_before = not_before};
        int rc = cl_random_secret(k.name, sizeof(k.name));
        if (rc == 0)
            rc = cl_random_secret(k.secret, sizeof(k.secret));
        if (rc != 0) {
            cl_wipe(&k, sizeof(k));
            return rc;
        }
        /* The newest goes first; the oldest falls off the end if the ring is full. */
        size_t m = *n < cap ? *n + 1 : cap;
        memmove(&ring[1], &ring[0], (m - 1) * sizeof(*ring));
        ring[0] = k;
        cl_wipe(&k, sizeof(k));
        *n = m;
    }
    if (*n > keep) { /* the oldest beyond keep are retired: their tickets no longer open */
        cl_wipe(&ring[keep], (*n - keep) * sizeof(*ring));
        *n = keep;
    }
    return added;
}
