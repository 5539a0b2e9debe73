/*
 * The message handlers of the state machines, and what they share. Private to src/hs/.
 * A handler receives one complete handshake message (header included), already known to be
 * expected in the current state; it validates, acts, and moves the state on. Handlers add
 * their message to the transcript themselves, at the point the RFC's hash needs it.
 */
#ifndef CLASP_HS_HANDLERS_H
#define CLASP_HS_HANDLERS_H

#include "hs/engine.h"
#include "msg/msg.h"

typedef int (*cl_handler)(clasp_conn *c, const uint8_t *msg, size_t len);

/* ---- TLS 1.3 client (client13.c) ---- */
int cl_c13_client_hello(clasp_conn *c);
int cl_c13_server_hello(clasp_conn *c, const uint8_t *msg, size_t len);
int cl_c13_encrypted_extensions(clasp_conn *c, const uint8_t *msg, size_t len);
int cl_c13_certificate_request(clasp_conn *c, const uint8_t *msg, size_t len);
int cl_c13_certificate(clasp_conn *c, const uint8_t *msg, size_t len);
int cl_c13_certificate_verify(clasp_conn *c, const uint8_t *msg, size_t len);
int cl_c13_finished(clasp_conn *c, const uint8_t *msg, size_t len);
int cl_c13_new_session_ticket(clasp_conn *c, const uint8_t *msg, size_t len);

/* ---- TLS 1.3 server (server13.c) ---- */
int cl_s13_client_hello(clasp_conn *c, const uint8_t *msg, size_t len);
int cl_s13_certificate(clasp_conn *c, const uint8_t *msg, size_t len);
int cl_s13_certificate_verify(clasp_conn *c, const uint8_t *msg, size_t len);
int cl_s13_finished(clasp_conn *c, const uint8_t *msg, size_t len);

/* ---- both roles (common13.c) ---- */
int cl_13_key_update(clasp_conn *c, const uint8_t *msg, size_t len);
/* Sends a KeyUpdate (asking the peer to update too when request_peer) and new write keys. */
int cl_13_request_key_update(clasp_conn *c, int request_peer);
/* Client and server handshake traffic secrets from the (EC)DHE secret; installs read and
 * write keys for the handshake epoch is left to the caller. */
int cl_13_handshake_secrets(clasp_conn *c, const uint8_t *dhe, size_t dhe_len);
/* Application traffic secrets (the transcript must end with the server Finished). */
int cl_13_application_secrets(clasp_conn *c);
/* New keys for one direction from a traffic secret. */
int cl_13_set_read_secret(clasp_conn *c, const uint8_t *secret);
int cl_13_set_write_secret(clasp_conn *c, const uint8_t *secret);
/* Queues our Certificate (context + our chain, or an empty list when cred is NULL). */
int cl_13_send_certificate(clasp_conn *c, const uint8_t *context, size_t context_len);
/* Queues our CertificateVerify, signed with hs->cred under hs->our_scheme. */
int cl_13_send_certificate_verify(clasp_conn *c);
/* Queues our Finished, from our handshake traffic secret. */
int cl_13_send_finished(clasp_conn *c);
/* Checks the peer's Certificate (chain, size, verification) and keeps the chain. */
int cl_13_peer_certificate(clasp_conn *c, const uint8_t *msg, size_t len);
/* Checks the peer's CertificateVerify against the transcript so far. */
int cl_13_peer_certificate_verify(clasp_conn *c, const uint8_t *msg, size_t len);
/* Checks the peer's Finished against the transcript so far. */
int cl_13_peer_finished(clasp_conn *c, const uint8_t *msg, size_t len);
/* Chooses our credential and signature scheme from the peer's list; 0 when found. */
int cl_13_choose_credential(clasp_conn *c);
/* The handshake is complete: checks the verified marks, then switches to CONNECTED. */
int cl_13_complete(clasp_conn *c);

/* Builds a handshake message in a growable writer and queues it (cl_hs_queue). */
int cl_hs_queue_writer(clasp_conn *c, cl_writer *w);

#endif /* CLASP_HS_HANDLERS_H */
