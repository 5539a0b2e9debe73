#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

uint8_t *hex_decode(const char *hex, size_t *len)
{
    size_t n = strlen(hex);
    uint8_t *out = malloc(n / 2 + 1);
    size_t o = 0;
    int hi = -1;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)hex[i];
        if (isspace(c) || c == ':')
            continue;
        int v = hexval(c);
        if (v < 0 || !out) {
            fprintf(stderr, "hex_decode: bad character '%c'\n", c);
            abort();
        }
        if (hi < 0) {
            hi = v;
        } else {
            out[o++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    if (hi >= 0) {
        fprintf(stderr, "hex_decode: odd number of digits\n");
        abort();
    }
    *len = o;
    return out;
}

void hex_dump(const char *label, const uint8_t *p, size_t len)
{
    fprintf(stderr, "%s (%zu):", label, len);
    for (size_t i = 0; i < len; i++)
        fprintf(stderr, "%s%02x", i % 32 ? "" : "\n  ", p[i]);
    fprintf(stderr, "\n");
}

struct vec_entry {
    char *key;
    uint8_t *val;
    size_t len;
    int used;
};

struct vecfile {
    struct vec_entry *e;
    size_t n;
};

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = 0;
    return s;
}

static void vec_add(vecfile *v, const char *key, const char *hex)
{
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->e[i].key, key) == 0) {
            fprintf(stderr, "vector file: duplicate key %s\n", key);
            abort();
        }
    v->e = realloc(v->e, (v->n + 1) * sizeof(*v->e));
    if (!v->e)
        abort();
    struct vec_entry *e = &v->e[v->n++];
    e->key = strdup(key);
    e->val = hex_decode(hex, &e->len);
    e->used = 0;
}

/* Reads the whole file; a value continues on lines that begin with whitespace. */
vecfile *vec_load(const char *name)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", CLASP_VECTORS_DIR, name);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cannot open vector file %s\n", path);
        abort();
    }
    vecfile *v = calloc(1, sizeof(*v));
    char line[4096], key[256] = "";
    size_t cap = 1 << 16, used = 0;
    char *hex = calloc(1, cap);
    while (fgets(line, sizeof(line), f)) {
        int cont = isspace((unsigned char)line[0]) && key[0];
        char *s = trim(line);
        if (*s == '#' || (!*s && !cont))
            continue;
        if (!cont || !*s) {
            if (key[0])
                vec_add(v, key, hex);
            key[0] = 0;
            used = 0;
            hex[0] = 0;
            if (!*s)
                continue;
            /* "key = hex", or "key =" for an empty value */
            char *eq = strstr(s, " = ");
            size_t n = strlen(s);
            if (!eq && n >= 2 && strcmp(s + n - 2, " =") == 0)
                eq = s + n - 2;
            if (!eq) {
                fprintf(stderr, "%s: bad line: %s\n", path, s);
                abort();
            }
            char *val = eq[2] ? eq + 3 : eq + 2;
            *eq = 0;
            snprintf(key, sizeof(key), "%s", trim(s));
            s = trim(val);
        }
        size_t n = strlen(s);
        while (used + n + 2 > cap)
            hex = realloc(hex, cap *= 2);
        memcpy(hex + used, s, n);
        used += n;
        hex[used++] = ' ';
        hex[used] = 0;
    }
    if (key[0])
        vec_add(v, key, hex);
    free(hex);
    fclose(f);
    return v;
}

void vec_free(vecfile *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++) {
        free(v->e[i].key);
        free(v->e[i].val);
    }
    free(v->e);
    free(v);
}

const uint8_t *vec_get(vecfile *v, const char *key, size_t *len)
{
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->e[i].key, key) == 0) {
            v->e[i].used = 1;
            *len = v->e[i].len;
            return v->e[i].val;
        }
    fprintf(stderr, "vector %s missing\n", key);
    abort();
}

int vec_has(const vecfile *v, const char *key)
{
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->e[i].key, key) == 0)
            return 1;
    return 0;
}

size_t vec_count(const vecfile *v)
{
    return v->n;
}

void vcheck_eq(vcheck *c, const char *what, const uint8_t *got, size_t got_len, const uint8_t *want,
               size_t want_len)
{
    c->checks++;
    if (got_len == want_len && (want_len == 0 || memcmp(got, want, want_len) == 0))
        return;
    c->failures++;
    if (c->quiet)
        return;
    fprintf(stderr, "MISMATCH %s\n", what);
    hex_dump("  got ", got, got_len);
    hex_dump("  want", want, want_len);
}

void vcheck_vec(vcheck *c, vecfile *v, const char *key, const uint8_t *got, size_t got_len)
{
    size_t len;
    const uint8_t *want = vec_get(v, key, &len);
    vcheck_eq(c, key, got, got_len, want, len);
}

void vcheck_ok(vcheck *c, const char *what, int rc)
{
    c->checks++;
    if (rc == 0)
        return;
    c->failures++;
    if (!c->quiet)
        fprintf(stderr, "FAILED %s: rc=%d\n", what, rc);
}

int vec_mutation_check(vecfile *v, vec_run_fn run, void *arg)
{
    for (size_t i = 0; i < v->n; i++)
        v->e[i].used = 0;
    vcheck base = {0};
    if (run(v, &base, arg) != 0 || base.failures != 0) {
        fprintf(stderr, "vec_mutation_check: the unmutated run fails\n");
        return -1;
    }
    int undetected = 0;
    for (size_t i = 0; i < v->n; i++) {
        if (!v->e[i].used || v->e[i].len == 0)
            continue;
        size_t at = v->e[i].len / 2;
        v->e[i].val[at] ^= 0x01;
        vcheck c = {.quiet = 1};
        int failures = run(v, &c, arg) + c.failures;
        v->e[i].val[at] ^= 0x01;
        if (failures == 0) {
            fprintf(stderr, "mutating vector %s went unnoticed\n", v->e[i].key);
            undetected++;
        }
    }
    return undetected;
}
