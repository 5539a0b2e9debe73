/*
 * The engine's objects: a configuration, a connection, and the handshake state a connection
 * holds only while it handshakes. conn/ implements the public API over these; hs/ runs the
 * protocol on them.
 */
#ifndef CLASP_HS_ENGINE_H
#define CLASP_HS_ENGINE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <clasp/config.h>
#include <clasp/conn.h>
#include <clasp/session.h>
#include <clasp/trace.h>

#include "base/bytes.h"
#include "crypto/crypto.h"
#include "hs/keysched13.h"
#include "hs/params.h"
#include "hs/session.h"
#include "hs/stek.h"
#include "hs/transcript.h"
#include "record/layer.h"
#include "x509/x509.h"

#define CL_MAX_SUITES     32 /* cl_parse_name_list's bound */
#define CL_MAX_GROUPS     8
#define CL_MAX_SCHEMES    16
#define CL_MAX_CREDS      8
#define CL_MAX_KEY_SHARES 3
#define CL_MAX_ALPN_WIRE  512 /* the ALPN list in its wire form */
#define CL_MAX_TICKETS    10  /* TLS 1.3 tickets a server sends per handshake */
#define CL_KEPT_TICKETS   4   /* TLS 1.3 tickets a client connection keeps (the newest) */
/*
 * Certificates in a peer's chain: 10 by default (docs/security.md says why), 16 at most,
 * the most a stored session holds (session.c).
 */
#define CL_DEFAULT_CHAIN_COUNT 10
#define CL_MAX_CHAIN_COUNT     16

struct clasp_config {
    atomic_uint refs;
    atomic_int frozen;
    clasp_role role;
    uint16_t min_version, max_version;
    uint16_t suites[CL_MAX_SUITES];
    size_t n_suites;
    uint16_t groups[CL_MAX_GROUPS];
    size_t n_groups;
    uint16_t schemes[CL_MAX_SCHEMES];
    size_t n_schemes;
    unsigned key_shares;
    int server_pref;
    clasp_verify_mode verify;
    cl_credential *creds[CL_MAX_CREDS];
    size_t n_creds;
    cl_trust *trust;
    uint8_t alpn[CL_MAX_ALPN_WIRE]; /* ProtocolNameList contents */
    size_t alpn_len;
    clasp_servername_cb sni_cb;
    void *sni_arg;
    unsigned record_size_limit;
    size_t max_cert_chain;       /* bytes */
    size_t max_cert_chain_count; /* certificates */
    int ems_required;            /* TLS 1.2: refuse peers without extended master secret */
    uint8_t etm;                 /* TLS 1.2 CBC: offer (clients) or accept (servers) RFC 7366 */
    cl_session_cache cache;      /* servers: TLS 1.2 sessions */
    uint32_t session_lifetime;
    clasp_session_store store; /* servers: an external cache instead (store.get != NULL) */
    /* resumption (hs/resume.c, hs/psk13.c, hs/ticket12.c; docs/api.md "Sessions") */
    unsigned tickets;         /* TLS 1.3 tickets per handshake; TLS 1.2 tickets when > 0 */
    uint8_t tickets_stateful; /* clasp_ticket_mode */
    uint8_t psk_ke;           /* servers: accept psk_ke; clients: offer it */
    uint32_t ticket_age_window_ms;
    clasp_ticket_keys *ticket_keys; /* servers */
    uint8_t identity[32];           /* the configuration identity (random unless set) */
    uint8_t trust_id[32];           /* a digest of the trust anchors, as they were loaded */
    clasp_session_cb session_cb;
    void *session_arg;
    /* Tests only: the clock (milliseconds since the epoch); NULL: the real one. */
    uint64_t (*clock_ms)(void *arg);
    void *clock_arg;
    clasp_trace_cb trace_cb;
    void *trace_arg;
    unsigned trace_records; /* application_data records traced step by step (CBC) */
    clasp_keylog_cb keylog_cb;
    void *keylog_arg;
};

/* Where the handshake is. One table per role and version maps (state, message) to a handler. */
typedef enum cl_hs_state {
    CL_C_START = 0,
    CL_C_WAIT_SH,
    CL_C_WAIT_EE,
    CL_C_WAIT_CERT_CR,
    CL_C_WAIT_CERT,
    CL_C_WAIT_CV,
    CL_C_WAIT_FINISHED,
    CL_S_WAIT_CH,
    CL_S_WAIT_CH2,
    CL_S_WAIT_CERT,
    CL_S_WAIT_CV,
    CL_S_WAIT_FINISHED,
    /* TLS 1.2 (RFC 5246 7.3); an abbreviated handshake uses the CCS and Finished states */
    CL_C12_WAIT_CERT,
    CL_C12_WAIT_SKE,
    CL_C12_WAIT_CR_DONE,
    CL_C12_WAIT_DONE,
    CL_C12_WAIT_NST, /* RFC 5077 3.3: the server promised a NewSessionTicket */
    CL_C12_WAIT_CCS,
    CL_C12_WAIT_FINISHED,
    CL_S12_WAIT_CERT,
    CL_S12_WAIT_CKE,
    CL_S12_WAIT_CV,
    CL_S12_WAIT_CCS,
    CL_S12_WAIT_FINISHED,
    CL_CONNECTED,
} cl_hs_state;

/* What this side offered (client) or was offered (server), as extension bits. */
typedef struct cl_hs {
    cl_hs_state state;
    cl_transcript tr;
    uint8_t client_random[32], server_random[32];
    uint8_t session_id[32];
    uint8_t session_id_len;
    const cl_suite *suite;
    /* key exchange: the client's offered shares, or the server's one */
    cl_kex *kex[CL_MAX_KEY_SHARES];
    size_t n_kex;
    uint16_t hrr_group; /* the group a HelloRetryRequest asked for (0: no HRR) */
    uint8_t *cookie;    /* HRR cookie: sent by the server, echoed by the client */
    size_t cookie_len;
    uint8_t *ch1; /* server: ClientHello1 body, to compare ClientHello2 with */
    size_t ch1_len;
    cl_ks13 ks;
    uint8_t c_hs[CL_MAX_SECRET_LEN], s_hs[CL_MAX_SECRET_LEN];
    uint8_t c_ap[CL_MAX_SECRET_LEN], s_ap[CL_MAX_SECRET_LEN];
    /* signature schemes the peer accepts for our CertificateVerify */
    uint16_t peer_schemes[CL_MAX_SCHEMES * 2];
    size_t n_peer_schemes;
    const cl_credential *cred; /* what we authenticate with (NULL: nothing) */
    uint16_t our_scheme;
    uint32_t offered;        /* client: extension indexes offered (bitmask of cl_ext_idx) */
    uint8_t cert_requested;  /* the peer asked for our certificate */
    uint8_t cr_context[255]; /* client: the CertificateRequest context to echo */
    uint8_t cr_context_len;
    uint8_t compat_ccs_sent;
    uint8_t peer_cert_empty; /* server: the client sent no certificate */
    cl_pubkey *peer_key;     /* the peer's verified leaf key */
    /* Verified marks, set only by the function that performed the check (design rule 5). */
    uint8_t peer_chain_verified, peer_cv_verified, peer_finished_verified;
    /* TLS 1.2 */
    uint16_t client_version; /* ClientHello.legacy_version, inside an RSA pre-master */
    uint8_t ems;             /* extended master secret negotiated */
    uint8_t etm_offered;     /* server: the client sent encrypt_then_mac (RFC 7366) */
    uint8_t etm;             /* encrypt-then-MAC negotiated (a CBC suite only) */
    uint8_t resumed;         /* abbreviated handshake */
    uint8_t master[CL_SESSION_MASTER_LEN];
    uint8_t pms[CL_MAX_KEX_SECRET_LEN]; /* pre-master, until the master secret is made */
    /* the key block (RFC 5246 6.3), made once for both directions, wiped when both have it */
    uint8_t key_block[2 * CL_MAX_MAC_KEY_LEN + 2 * CL_MAX_AEAD_KEY_LEN + 2 * CL_AEAD_NONCE_LEN];
    uint8_t key_block_len;
    uint8_t keys_installed;  /* bit 0: read keys, bit 1: write keys */
    cl_hmac_ctx *master_mac; /* the PRF keyed with the master secret, once it is final */
    size_t pms_len;
    cl_session *session;  /* server: the session resumed */
    clasp_session *offer; /* client: the session to offer (a reference) */
    /* TLS 1.3 PSK (hs/psk13.c): the offered or accepted ticket's PSK and its schedule */
    uint8_t psk[CL_MAX_SECRET_LEN];
    uint8_t psk_len;
    uint8_t psk_offered;         /* client: the hello carries pre_shared_key */
    uint8_t psk_accepted;        /* both: the handshake is keyed by the PSK */
    uint8_t psk_dhe;             /* the mode: psk_dhe_ke (1) or psk_ke (0) */
    uint8_t psk_binder_verified; /* server: the verified mark of the binder */
    uint8_t peer_psk_modes;      /* server: the client's psk_key_exchange_modes, as bits */
    /* TLS 1.2 tickets (RFC 5077, hs/ticket12.c) */
    uint8_t ticket_expected; /* a NewSessionTicket comes (client) / is to be sent (server) */
    uint8_t offered_ticket;  /* client: the hello presented a ticket */
    uint8_t by_ticket;       /* server: the session resumed came from a ticket */
    uint8_t new_ticket;      /* client: the server sent a new ticket (kept here until then) */
    uint8_t *ticket12;
    size_t ticket12_len;
    uint32_t ticket12_hint;
    uint16_t psk_identity;  /* server: the index of the identity accepted */
    uint8_t offered_id[32]; /* client: the session ID the hello carried */
    uint8_t offered_id_len;
    uint8_t rsl_offered; /* server: the client sent record_size_limit */
    /* servers: the client's supported_groups that clasp knows, in its order, once each (TLS
     * 1.2: they also bound ECDSA certificates) */
    uint16_t peer_groups[CL_MAX_GROUPS];
    size_t n_peer_groups;
    uint8_t peer_groups_sent;
    uint8_t peer_ffdhe_sent; /* the list had an FFDHE code point, known or not (RFC 7919 4) */
    uint8_t cert_types;      /* client: CertificateRequest types (bit 0 RSA, bit 1 ECDSA) */
    cl_writer out;           /* outgoing handshake messages not yet framed into records */
} cl_hs;

/*
 * Tests only: sees every outgoing handshake message before it enters the transcript and the
 * records. It may write a replacement into `out` (the message is then sent as rewritten, so
 * the sender's own transcript stays consistent and only the receiver sees the change), or
 * return 1 to drop the message. Not reachable through the public API.
 */
typedef int (*cl_test_msg_hook)(void *arg, clasp_conn *c, const uint8_t *msg, size_t len,
                                cl_writer *out);

struct clasp_conn {
    cl_test_msg_hook test_hook;
    void *test_hook_arg;
    clasp_config *cfg;
    clasp_role role;
    int fd; /* the socket io.h drives (clasp_conn_set_fd), -1 when none */
    cl_rl rl;
    cl_hs *hs;    /* NULL once the handshake is over */
    char *detail; /* CL_DETAIL_LEN bytes, made at the first failure: idle connections have none */
    int err;      /* sticky: the first failure */
    int alert_sent, alert_received;
    uint8_t started, handshake_done, close_sent, close_received;
    uint16_t version, suite, group, peer_scheme;
    char *alpn;
    char *server_name;
    cl_cert_der *peer_chain;
    size_t n_peer_chain;
    cl_writer hsin; /* handshake message reassembly */
    /* the application data record being read */
    cl_record cur;
    size_t cur_off;
    /* TLS 1.3 after the handshake: KeyUpdate and tickets */
    const cl_suite *suite_info;
    uint8_t read_secret[CL_MAX_SECRET_LEN], write_secret[CL_MAX_SECRET_LEN];
    uint8_t res_master[CL_MAX_SECRET_LEN];
    /* clients, TLS 1.3: the tickets received (newest last) */
    clasp_session *tickets[CL_KEPT_TICKETS];
    /* TLS 1.2: the session this connection made or resumed */
    clasp_session *session;
    /* servers, TLS 1.3: stateful tickets issued here, forgotten if the connection fails
     * (allocated with the first: most connections never need it) */
    uint8_t (*issued)[CL_SESSION_ID_LEN];
    /* counters against floods of records that carry nothing */
    unsigned empty_records, key_updates;
    unsigned renegotiations; /* TLS 1.2 renegotiation requests refused since application data */
    /* The one-byte fields together: an idle connection's size is a feature (no padding). */
    uint8_t have_cur;
    uint8_t n_tickets;
    uint8_t resumed;
    uint8_t n_issued;
    uint8_t tickets_sent; /* NewSessionTickets sent so far: the next ticket_nonce */
    uint8_t dropped;      /* sessions dropped after a fatal alert (once) */
};

/* ---- the driver (hs/driver.c) ---- */

/*
 * Processes every complete record received so far, as far as the state allows. After the
 * handshake it stops while the output is over its bound (cl_engine_output_blocked): records
 * that make us answer (KeyUpdate with update_requested, a TLS 1.2 renegotiation request) wait
 * until the output drains, so a peer that sends them and never reads cannot make the output
 * grow without end; the transport pushes back instead.
 */
int cl_engine_process(clasp_conn *c);
int cl_engine_output_blocked(const clasp_conn *c);
/* Client: builds and queues the ClientHello. */
int cl_engine_start(clasp_conn *c);
/*
 * Records the first error, with a detail for people (printf-style), queues its alert, and
 * returns the error. Later errors are ignored: the first one is the cause.
 */
int cl_fail(clasp_conn *c, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The detail cl_fail keeps (for failures found outside the engine, e.g. the transport's). */
#define CL_DETAIL_LEN 224
void cl_set_detail(clasp_conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Frees the handshake state (on success and on failure). */
void cl_hs_free(cl_hs *hs);

/* ---- sending (hs/send.c) ---- */

/* Adds a complete handshake message to the transcript and to the pending flight. */
int cl_hs_queue(clasp_conn *c, const uint8_t *msg, size_t len);
/* Frames the pending flight into records under the current write keys. */
int cl_hs_flush(clasp_conn *c);
/* Queues one alert (fatal level) and records it as sent. */
int cl_send_alert(clasp_conn *c, int description);
/* A dummy change_cipher_spec record (RFC 8446 D.4). */
int cl_send_compat_ccs(clasp_conn *c);

#endif /* CLASP_HS_ENGINE_H */
