/*
 * What resumption shares across versions and roles: the clock, the binding digests (a
 * server's sid_ctx, a client's verify identity), the server's session storage (built-in
 * cache or the application's store), handing new sessions to a client application, and
 * dropping sessions after a fatal alert (RFC 5246 7.2). Private to src/hs/ and src/conn/.
 */
#ifndef CLASP_HS_RESUME_H
#define CLASP_HS_RESUME_H

#include <stddef.h>
#include <stdint.h>

#include "hs/engine.h"

/* The configuration's clock: milliseconds and seconds since the epoch. */
uint64_t cl_now_ms(const clasp_config *cfg);
uint64_t cl_now(const clasp_config *cfg);

/*
 * Servers: the session-ID context of a configuration: its identity and its client-auth
 * policy (verify mode, trust anchors). Sessions made under another one are not resumed.
 */
int cl_sid_ctx(const clasp_config *cfg, uint8_t out[CL_SESSION_CTX_LEN]);
/*
 * Clients: how this connection verifies its server: trust anchors, signature schemes and
 * the server name. A session is offered only where this matches the session's.
 */
int cl_verify_id(const clasp_conn *c, uint8_t out[CL_SESSION_CTX_LEN]);
/* Server names compare without regard to case (RFC 4343); NULL is the empty name. */
int cl_same_name(const char *a, const char *b);

/* Clients: why the session may not be offered by this connection, or NULL when it may. */
const char *cl_c_cannot_offer(const clasp_conn *c, const cl_session *s);
/*
 * Servers: why a session found (in the cache, the store or a ticket) may not be resumed by
 * this connection: its version, its configuration (sid_ctx), its lifetime, its server
 * name. NULL when it may.
 */
const char *cl_s_cannot_resume(const clasp_conn *c, const cl_session *s, uint16_t version);

/* Servers: the built-in cache, or the application's store when one is set. */
int cl_s_store_put(clasp_conn *c, const cl_session *s);
/* 0 and the session in *out (take: removed in the same step), or CLASP_ERR_STATE. */
int cl_s_store_get(clasp_conn *c, const uint8_t *id, size_t id_len, int take, cl_session *out);
void cl_s_store_remove(clasp_conn *c, const uint8_t *id, size_t id_len);

/*
 * Clients: a new session (takes over *s): kept by the connection (TLS 1.2: as its session;
 * TLS 1.3: with its tickets) and handed to the session callback.
 */
int cl_c_new_session(clasp_conn *c, cl_session *s);

/*
 * A fatal alert was sent or received: sessions this connection made or resumed are not
 * resumed again (RFC 5246 7.2): a server forgets them (cache entries, stateful tickets), a
 * client's handles are marked. Once per connection.
 */
void cl_drop_sessions(clasp_conn *c);

#endif /* CLASP_HS_RESUME_H */
