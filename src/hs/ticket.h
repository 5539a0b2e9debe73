/*
 * Sealed session tickets: a session encrypted under the ticket keys so that a server keeps
 * no state (RFC 5077 4, RFC 8446 4.6.1). The layout is clasp's own (a ticket is opaque to
 * clients):
 *
 *     key_name[16] | salt[16] | AES-256-GCM(session encoding) | tag[16]
 *
 * with additional data = format byte | key_name. Each ticket has its own AES key,
 * HKDF-Expand(ticket key's AEAD key, "clasp ticket" | salt), so the GCM nonce may be fixed.
 * Why not one key with random nonces: a fleet sharing a key for 12 hours can seal billions
 * of tickets, and random 96-bit nonces under one key are safe only up to 2^32 messages (NIST
 * SP 800-38D 8.3); a 128-bit salt is not near its birthday bound at any rate, and the
 * derivation costs two HMACs per ticket.
 */
#ifndef CLASP_HS_TICKET_H
#define CLASP_HS_TICKET_H

#include <stddef.h>
#include <stdint.h>

#include "hs/session.h"
#include "hs/stek.h"

#define CL_TICKET_SALT_LEN 16
#define CL_TICKET_OVERHEAD (CLASP_TICKET_KEY_NAME_LEN + CL_TICKET_SALT_LEN + 16)

/*
 * Seals s (its client-side fields, ticket and verify_id, are left out) under the active
 * key at `now` (seconds): *out is allocated (free with cl_free(*out, *len)). *rotated as
 * cl_ticket_keys_current. CLASP_ERR_STATE when no key is active; CLASP_ERR_INVALID_ARG when
 * the ticket would exceed 2^16-1 bytes (a long client chain).
 */
int cl_ticket_seal(clasp_ticket_keys *tk, uint64_t now, const cl_session *s, uint8_t **out,
                   size_t *len, int *rotated);
/*
 * Opens a ticket into *s (cleared first). On failure *why says, for the trace, which of
 * these it was: too short, an unknown key name (never ours, or retired), a failed tag
 * (tampered, or another server's key under the same name), or contents that do not decode.
 */
int cl_ticket_open(clasp_ticket_keys *tk, uint64_t now, const uint8_t *t, size_t len, cl_session *s,
                   const char **why);

#endif /* CLASP_HS_TICKET_H */
