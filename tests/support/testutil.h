/*
 * Test support: hex, vector files, and a checker that counts mismatches instead of aborting,
 * so a whole known-answer run can be replayed with one vector mutated (vec_mutation_check).
 */
#ifndef CLASP_TESTUTIL_H
#define CLASP_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Decodes hex (spaces, newlines and colons ignored) into a malloc'd buffer; aborts on bad hex. */
uint8_t *hex_decode(const char *hex, size_t *len);
/* Prints "label: hex" to stderr. */
void hex_dump(const char *label, const uint8_t *p, size_t len);

/*
 * A vector file: lines "key = hex", '#' comments, blank lines ignored; a value may continue
 * on following lines that start with whitespace. Keys are unique. Loaded from
 * CLASP_VECTORS_DIR/<name>.
 */
typedef struct vecfile vecfile;

vecfile *vec_load(const char *name);
void vec_free(vecfile *v);
/* The value of key; aborts the test (with the key's name) when it is missing. Marks it used. */
const uint8_t *vec_get(vecfile *v, const char *key, size_t *len);
/* Whether a key exists (does not mark it used). */
int vec_has(const vecfile *v, const char *key);
size_t vec_count(const vecfile *v);

/* Counts comparisons and mismatches of one known-answer run. */
typedef struct vcheck {
    int checks;
    int failures;
    int quiet; /* set by vec_mutation_check: mutated runs are expected to fail */
} vcheck;

/* Compares got with want; a mismatch (length or content) counts a failure and is printed. */
void vcheck_eq(vcheck *c, const char *what, const uint8_t *got, size_t got_len, const uint8_t *want,
               size_t want_len);
/* Compares got with the vector named key. */
void vcheck_vec(vcheck *c, vecfile *v, const char *key, const uint8_t *got, size_t got_len);
/* Counts a failure when rc is not 0 (for steps that must succeed). */
void vcheck_ok(vcheck *c, const char *what, int rc);

/*
 * The test of the test: runs `run` once to learn which vectors it uses (it must pass), then
 * once per used vector with one byte of that vector flipped, and returns how many of those
 * mutated runs still passed (0 means every vector is really checked). `run` returns the
 * number of failures it saw.
 */
typedef int (*vec_run_fn)(vecfile *v, vcheck *c, void *arg);
int vec_mutation_check(vecfile *v, vec_run_fn run, void *arg);

#endif /* CLASP_TESTUTIL_H */
