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

/* Whether a client offered the extension of this index (-1: unknown, never offered). */
#define CL_OFFERED(hs, idx) ((idx) >= 0 && ((hs)->offered & (1u << (idx))))

/* ---- the server's ClientHello, any version (server_hello.c) ---- */
/*
 * Whether a configuration serves (or, for a client, offers) this version: in its range, and
 * with a cipher suite of it. A property of the configuration, never of a peer's hello, so
 * no edited ClientHello chooses the version, and the downgrade sentinel (RFC 8446 4.1.3) is
 * written and checked exactly when TLS 1.3 could have been used (docs/security.md).
 */
int cl_cfg_speaks(const clasp_config *cfg, uint16_t version);
/* 1 when the configuration can use the suite: its version enabled, and for DHE an FFDHE
 * group (a client offers, a server serves no other). */
int cl_cfg_suite_usable(const clasp_config *cfg, const cl_suite *s);
int cl_s_client_hello(clasp_conn *c, const uint8_t *msg, size_t len);
/* 1 when the ClientHello lists this cipher suite (or signalling value). */
int cl_ch_offers_suite(const cl_client_hello *ch, uint16_t suite);
/*
 * The cipher suite, by the server's order of preference or the client's as configured:
 * the first that both sides enable and `usable` accepts (arg is passed on). Unknown
 * suites, GREASE included, are ignored. Sets c->suite and c->suite_info; NULL when none.
 */
typedef int (*cl_suite_usable)(clasp_conn *c, const cl_suite *s, void *arg);
const cl_suite *cl_s_choose_suite(clasp_conn *c, const cl_client_hello *ch, cl_suite_usable usable,
                                  void *arg);
/*
 * The client answered a CertificateRequest with no certificate: an error when one is
 * required (`required_err`: the version's alert), else noted and accepted.
 */
int cl_s_no_client_certificate(clasp_conn *c, int required_err);
/* ALPN and the record size limit (the server name is read before the version is chosen). */
int cl_s_common_hello(clasp_conn *c, const cl_client_hello *ch);
int cl_s_write_alpn(clasp_conn *c, cl_writer *w);
int cl_s_write_record_size_limit(clasp_conn *c, cl_writer *w, int tls13);

/* ---- what the peer sends, both versions and roles (peer.c) ---- */
/* Keeps the schemes of a parsed list that clasp supports, once each, in hs->peer_schemes. */
void cl_keep_peer_schemes(cl_hs *hs, cl_reader list);
/* A signature_algorithms extension: parsed whole (decode_error), its schemes kept. */
int cl_peer_signature_algorithms(clasp_conn *c, cl_reader ext);
/*
 * A supported_groups extension: parsed whole (decode_error) into *list, and the groups
 * clasp knows kept in hs->peer_groups, in the peer's order, once each.
 */
int cl_peer_supported_groups(clasp_conn *c, cl_reader ext, cl_reader *list);
/* Servers: the groups both sides support, in the order that decides (the server's
 * preference or the client's, as configured); returns how many. */
size_t cl_s_common_groups(const clasp_conn *c, uint16_t out[CL_MAX_GROUPS]);
/*
 * Copies the n certificates of a parsed Certificate message's list (read one by one with
 * next) into c->peer_chain, so they outlive the handshake buffers.
 */
/*
 * The limits on a peer's chain, judged on its parsed Certificate: parse_rc is the parser's
 * result (which bounds the count), list_bytes the certificate_list's length.
 */
int cl_peer_chain_limits(clasp_conn *c, int parse_rc, size_t list_bytes);
typedef int (*cl_cert_next)(cl_reader *list, const uint8_t **der, size_t *len);
int cl_keep_peer_chain(clasp_conn *c, cl_reader list, size_t n, cl_cert_next next);

/* ---- clients, any version (client13.c) ---- */
/* The server's ALPN choice: one name, one we offered. */
int cl_c_accept_alpn(clasp_conn *c, cl_reader ext);
/* The server's record_size_limit; in TLS 1.3 it counts the inner content type. */
int cl_c_record_size_limit(clasp_conn *c, cl_reader ext, int tls13);

/* ---- TLS 1.3 client (client13.c) ---- */
int cl_c13_client_hello(clasp_conn *c);
int cl_c13_server_hello(clasp_conn *c, const uint8_t *msg, size_t len);
int cl_c13_encrypted_extensions(clasp_conn *c, const uint8_t *msg, size_t len);
int cl_c13_certificate_request(clasp_conn *c, const uint8_t *msg, size_t len);
int cl_c13_certificate(clasp_conn *c, const uint8_t *msg, size_t len);
int cl_c13_certificate_verify(clasp_conn *c, const uint8_t *msg, size_t len);
int cl_c13_finished(clasp_conn *c, const uint8_t *msg, size_t len);
int cl_c13_new_session_ticket(clasp_conn *c, const uint8_t *msg, size_t len);

/* ---- TLS 1.3 resumption by ticket (psk13.c) ---- */
/* Clients: whether the hello offers the session set (a TLS 1.3 ticket); sets hs->psk. */
int cl_c13_prepare_psk(clasp_conn *c);
/* Clients: psk_key_exchange_modes, and pre_shared_key (last, its binder zeroed). */
void cl_c13_write_psk_modes(clasp_conn *c, cl_writer *w);
int cl_c13_write_psk(clasp_conn *c, cl_writer *w);
/* Clients: fills in the binder of the complete ClientHello msg (RFC 8446 4.2.11.2). */
int cl_c13_bind_psk(clasp_conn *c, uint8_t *msg, size_t len);
/* Clients: after a HelloRetryRequest, drops a PSK whose hash its suite does not have. */
void cl_c13_psk_after_hrr(clasp_conn *c);
/* Clients: the ServerHello's answer to the PSK; *dhe says whether a key_share came. */
int cl_c13_server_psk(clasp_conn *c, const cl_server_hello *sh, int *dhe);
/* Servers: the hello's psk_key_exchange_modes and pre_shared_key, checked (fatal errors). */
int cl_s13_psk_check(clasp_conn *c, const cl_client_hello *ch);
/* Servers: resumes the first offered ticket that opens, fits and binds (hs->psk_accepted). */
int cl_s13_psk_choose(clasp_conn *c, const cl_client_hello *ch, const uint8_t *msg, int have_share);
/* Servers: the NewSessionTickets after the client's Finished. */
int cl_s13_send_tickets(clasp_conn *c);

/* ---- TLS 1.3 server (server13.c) ---- */
int cl_s13_client_hello(clasp_conn *c, const cl_client_hello *ch, const uint8_t *msg, size_t len);
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
/*
 * Verifies the kept peer chain (c->peer_chain): as a server's for a client (with its name),
 * or as a client's, whose leaf must allow the key usages `need` (CL_KU_SIGN for a peer that
 * signs, CL_KU_ENCIPHER for TLS 1.2 RSA key exchange); sets hs->peer_key and the chain's
 * verified mark.
 */
int cl_verify_peer_chain(clasp_conn *c, unsigned need);
/* Checks the peer's CertificateVerify against the transcript so far. */
int cl_13_peer_certificate_verify(clasp_conn *c, const uint8_t *msg, size_t len);
/* Checks the peer's Finished against the transcript so far. */
int cl_13_peer_finished(clasp_conn *c, const uint8_t *msg, size_t len);
/* Chooses our credential and signature scheme from the peer's list; 0 when found. */
int cl_13_choose_credential(clasp_conn *c);
/* The handshake is complete: checks the verified marks, then switches to CONNECTED. */
int cl_13_complete(clasp_conn *c);

/* ---- TLS 1.2 client (client12.c) ---- */
int cl_c12_server_hello(clasp_conn *c, const cl_server_hello *sh, const uint8_t *msg, size_t len);
int cl_c12_certificate(clasp_conn *c, const uint8_t *msg, size_t len);
int cl_c12_server_key_exchange(clasp_conn *c, const uint8_t *msg, size_t len);
int cl_c12_certificate_request(clasp_conn *c, const uint8_t *msg, size_t len);
int cl_c12_server_hello_done(clasp_conn *c, const uint8_t *msg, size_t len);
int cl_c12_change_cipher_spec(clasp_conn *c, const uint8_t *msg, size_t len);
int cl_c12_finished(clasp_conn *c, const uint8_t *msg, size_t len);

/* ---- TLS 1.2 server (server12.c) ---- */
int cl_s12_client_hello(clasp_conn *c, const cl_client_hello *ch, const uint8_t *msg, size_t len);
int cl_s12_certificate(clasp_conn *c, const uint8_t *msg, size_t len);
int cl_s12_client_key_exchange(clasp_conn *c, const uint8_t *msg, size_t len);
int cl_s12_certificate_verify(clasp_conn *c, const uint8_t *msg, size_t len);
int cl_s12_change_cipher_spec(clasp_conn *c, const uint8_t *msg, size_t len);
int cl_s12_finished(clasp_conn *c, const uint8_t *msg, size_t len);

/* ---- TLS 1.2, both roles (common12.c) ---- */
/* The master secret from the pre-master (RFC 5246 8.1, RFC 7627 4); wipes nothing of pms. */
int cl_12_master_secret(clasp_conn *c, const uint8_t *pms, size_t pms_len);
/*
 * The DHE pre-master secret (RFC 5246 8.1.2: Z without its leading zero bytes) from our key
 * and the peer's public value y (with or without leading zeros) into pms, which holds
 * CL_MAX_KEX_SECRET_LEN bytes. CLASP_ERR_ILLEGAL_PARAMETER unless 1 < y < p - 1.
 */
int cl_12_dh_premaster(const cl_kex *k, const uint8_t *y, size_t y_len, uint8_t *pms,
                       size_t *pms_len);
/* Sends ChangeCipherSpec, switches to the new write keys, and queues our Finished. */
int cl_12_send_ccs_finished(clasp_conn *c);
/* The peer's ChangeCipherSpec: its body is the single byte 1; the new read keys apply. */
int cl_12_peer_ccs(clasp_conn *c, const uint8_t *body, size_t len);
/* Checks the peer's Finished (12 bytes) against the transcript so far, then adds it. */
int cl_12_peer_finished(clasp_conn *c, const uint8_t *msg, size_t len);
/* Queues our Certificate (TLS 1.2 form; empty when hs->cred is NULL). */
int cl_12_send_certificate(clasp_conn *c);
/* Checks and keeps the peer's Certificate; *empty tells whether it was empty. */
int cl_12_peer_certificate(clasp_conn *c, const uint8_t *msg, size_t len, int *empty);
/* Signs msg with hs->cred under hs->our_scheme into a digitally-signed struct. */
int cl_12_write_signed(clasp_conn *c, cl_writer *w, const uint8_t *msg, size_t msg_len);
/* Verifies a digitally-signed struct by the peer (scheme offered by us, fitting its key). */
int cl_12_verify_signed(clasp_conn *c, uint16_t scheme, const uint8_t *sig, size_t sig_len,
                        const uint8_t *msg, size_t msg_len, const char *what);
/*
 * Chooses our credential and signature scheme for TLS 1.2 from the peer's schemes: keys
 * allowed by key_mask (bit 0: RSA and RSA-PSS; bit 1: ECDSA and Ed25519), any curve.
 */
int cl_12_choose_credential(clasp_conn *c, unsigned key_mask);
/* The first RSA (rsaEncryption) credential, for RSA key exchange. */
int cl_12_choose_rsa_credential(clasp_conn *c);
/* A TLS 1.2 handshake is complete: checks the verified marks, fills c->session. */
int cl_12_complete(clasp_conn *c);
/* The session this handshake made (what a server caches or seals, a client keeps). */
int cl_12_new_session(clasp_conn *c, cl_session *s);
/*
 * Servers (by session ID or ticket), RFC 5246 7.4.1.2, RFC 7627 5.3, RFC 7366 3.1: why a
 * TLS 1.2 session may not be resumed by this hello (its configuration, age or name; the
 * extended master secret or encrypt-then-MAC this hello would choose; its suite no longer
 * offered by both sides); NULL when it may.
 */
const char *cl_s12_not_resumable(clasp_conn *c, const cl_client_hello *ch, const cl_session *s);

/* ---- TLS 1.2 session tickets, RFC 5077 (ticket12.c) ---- */
/* Servers: whether to answer this hello's SessionTicket extension (stateless tickets on). */
int cl_s12_tickets_on(const clasp_conn *c, const cl_client_hello *ch);
/*
 * Servers: opens the hello's ticket and checks it may be resumed here: 0 and the session,
 * CLASP_ERR_STATE with *why when not (a full handshake follows), or a fatal error.
 */
int cl_s12_open_ticket(clasp_conn *c, const cl_client_hello *ch, cl_session *s, const char **why);
/* Servers: queues a NewSessionTicket holding this handshake's session. */
int cl_s12_send_ticket(clasp_conn *c);
/* Clients: the server's SessionTicket extension (empty: a NewSessionTicket follows). */
int cl_c12_server_ticket_ext(clasp_conn *c, cl_reader ext);
int cl_c12_new_session_ticket(clasp_conn *c, const uint8_t *msg, size_t len);
/* Keeps the peer's signature schemes that clasp supports and TLS 1.2 allows (no SHA-1). */
/* A warning alert (TLS 1.2: no_renegotiation). */
int cl_send_warning(clasp_conn *c, int description);

/* Builds a handshake message in a growable writer and queues it (cl_hs_queue). */
int cl_hs_queue_writer(clasp_conn *c, cl_writer *w);

#endif /* CLASP_HS_HANDLERS_H */
