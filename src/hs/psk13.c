/*
 * TLS 1.3 resumption by ticket (RFC 8446 2.2, 4.2.9, 4.2.11, 4.6.1) on both sides: the
 * client offers a stored ticket as a PSK with its binder and follows the server's choice;
 * the server sends NewSessionTickets after the handshake, and on a ClientHello with
 * pre_shared_key picks the first identity that opens and fits, checks its age and its
 * binder, and resumes (psk_dhe_ke, or psk_ke when allowed). 0-RTT is never accepted.
 */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "hs/handlers.h"
#include "hs/resume.h"
#include "hs/ticket.h"
#include "hs/trace.h"

#define PSK_KE     0 /* PskKeyExchangeMode (4.2.9) */
#define PSK_DHE_KE 1

static size_t psk_hash_len(const cl_session *s)
{
    return cl_hash_len(cl_suite_find(s->suite)->hash);
}

/* ---- clients ---- */

/* The age the client sends (4.2.11.1): milliseconds since receipt plus ticket_age_add. */
static uint32_t obfuscated_age(const clasp_conn *c, const cl_session *s)
{
    uint64_t now = cl_now_ms(c->cfg);
    uint64_t age = now > s->issued_ms ? now - s->issued_ms : 0;
    return (uint32_t)age + s->age_add; /* modulo 2^32 */
}

int cl_c13_prepare_psk(clasp_conn *c)
{
    cl_hs *hs = c->hs;
    clasp_session *h = hs->offer;
    if (!h || h->s.version != CL_TLS13_VERSION || c->cfg->max_version < CL_TLS13_VERSION)
        return 0;
    const char *why = atomic_load(&h->dropped) ? "the session's connection ended with a fatal alert"
                                               : cl_c_cannot_offer(c, &h->s);
    /* RFC 8446 C.4: a ticket used once is not offered again, by any connection. */
    if (!why && atomic_exchange(&h->used, 1))
        why = "the ticket was offered before (each ticket is used once)";
    if (why) {
        cl_trace_note(c, "session_not_offered", 1, "why", why);
        return 0;
    }
    hs->psk_len = h->s.master_len;
    memcpy(hs->psk, h->s.master, hs->psk_len);
    hs->psk_offered = 1;
    cl_trace_note(c, "psk_offered", 2, "by", "a ticket from an earlier connection (TLS 1.3)",
                  "modes", c->cfg->psk_ke ? "psk_dhe_ke, psk_ke" : "psk_dhe_ke");
    return 0;
}

void cl_c13_write_psk_modes(clasp_conn *c, cl_writer *w)
{
    /* 4.2.9: our modes, which also bound the tickets the server may send (4.6.1). */
    cl_ext_open(w, CL_EXT_PSK_KEY_EXCHANGE_MODES);
    if (c->cfg->psk_ke)
        cl_write_vec(w, 1, (const uint8_t[]){PSK_DHE_KE, PSK_KE}, 2);
    else
        cl_write_vec(w, 1, (const uint8_t[]){PSK_DHE_KE}, 1);
    cl_ext_close(w);
}

/* 4.2.11: one identity, its binder zeroed until cl_c13_bind_psk fills it in. */
int cl_c13_write_psk(clasp_conn *c, cl_writer *w)
{
    const cl_session *s = &c->hs->offer->s;
    uint8_t zeros[CL_MAX_HASH_LEN] = {0};
    cl_ext_open(w, CL_EXT_PRE_SHARED_KEY);
    cl_write_open(w, 2);
    cl_write_vec(w, 2, s->ticket, s->ticket_len);
    cl_write_u32(w, obfuscated_age(c, s));
    cl_write_close(w);
    cl_write_open(w, 2);
    cl_write_vec(w, 1, zeros, psk_hash_len(s));
    cl_write_close(w);
    c->hs->offered |= 1u << CL_EXTI_PRE_SHARED_KEY;
    return cl_ext_close(w);
}

/*
 * 4.2.11.2: the binder is an HMAC over the transcript up to the partial ClientHello (all of
 * it but the binders list, its length fields as if the binders were there), and after a
 * HelloRetryRequest over ClientHello1's message_hash and the HelloRetryRequest too.
 */
int cl_c13_bind_psk(clasp_conn *c, uint8_t *msg, size_t len)
{
    cl_hs *hs = c->hs;
    cl_hash_alg hash = cl_suite_find(hs->offer->s.suite)->hash;
    size_t h = cl_hash_len(hash), binders = 2 + 1 + h;
    uint8_t th[CL_MAX_HASH_LEN];
    CL_CHECK(len > binders, CLASP_ERR_INTERNAL);
    CL_TRY(cl_tr_hash_extra(&hs->tr, hash, msg, len - binders, th));
    return cl_ks13_binder(hash, hs->psk, hs->psk_len, th, msg + len - h);
}

void cl_c13_psk_after_hrr(clasp_conn *c)
{
    cl_hs *hs = c->hs;
    /* 4.1.2: the second hello may drop PSKs whose hash the HRR's suite does not have. */
    if (hs->psk_offered && cl_suite_find(hs->offer->s.suite)->hash != hs->suite->hash) {
        hs->psk_offered = 0;
        hs->offered &= ~(1u << CL_EXTI_PRE_SHARED_KEY);
        cl_trace_note(c, "session_not_offered", 1, "why",
                      "the HelloRetryRequest chose a suite with another hash than the ticket's");
    }
}

/*
 * 4.2.11: the server's selected_identity must be in range (we offer one), its suite must
 * have the ticket's hash, and without a key_share the mode is psk_ke, which we must have
 * offered; else illegal_parameter. *dhe tells the mode.
 */
int cl_c13_server_psk(clasp_conn *c, const cl_server_hello *sh, int *dhe)
{
    cl_hs *hs = c->hs;
    uint16_t selected;
    *dhe = cl_exts_has(&sh->exts, CL_EXTI_KEY_SHARE);
    if (!cl_exts_has(&sh->exts, CL_EXTI_PRE_SHARED_KEY))
        return *dhe ? 0 : cl_fail(c, CLASP_ERR_MISSING_EXTENSION, "ServerHello without key_share");
    if (!hs->psk_offered) /* 4.2: a response to an extension we did not send */
        return cl_fail(c, CLASP_ERR_UNSUPPORTED_EXTENSION,
                       "ServerHello selects a PSK, and none was offered");
    CL_TRY(cl_ext_pre_shared_key_sh(cl_exts_get(&sh->exts, CL_EXTI_PRE_SHARED_KEY), &selected));
    if (selected != 0)
        return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER,
                       "the server selected PSK identity %u; one was offered", selected);
    if (cl_suite_find(hs->offer->s.suite)->hash != hs->suite->hash)
        return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER,
                       "the server resumes the ticket with a suite of another hash");
    if (!*dhe && !c->cfg->psk_ke)
        return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER,
                       "the server chose psk_ke (no key_share), which was not offered");
    hs->psk_accepted = 1;
    hs->psk_dhe = (uint8_t)*dhe;
    hs->resumed = 1;
    cl_trace_note(c, "psk_accepted", 2, "identity", "0", "mode",
                  *dhe ? "psk_dhe_ke: the PSK and a fresh (EC)DHE"
                       : "psk_ke: the PSK alone, no forward secrecy");
    return 0;
}

/* 4.6.1: a ticket's PSK is bound to the connection that made it; lifetime 0 is discarded. */
int cl_c13_new_session_ticket(clasp_conn *c, const uint8_t *msg, size_t len)
{
    cl_new_session_ticket13 nst;
    cl_session s;
    CL_TRY(cl_new_session_ticket13_parse(msg + CL_HS_HEADER_LEN, len - CL_HS_HEADER_LEN, &nst));
    if (nst.lifetime == 0)
        return 0;
    memset(&s, 0, sizeof(s));
    s.version = CL_TLS13_VERSION;
    s.suite = c->suite;
    s.master_len = (uint8_t)cl_hash_len(c->suite_info->hash);
    s.created = cl_now(c->cfg);
    s.issued_ms = cl_now_ms(c->cfg);
    s.lifetime = nst.lifetime;
    s.age_add = nst.age_add;
    snprintf(s.server_name, sizeof(s.server_name), "%s", c->server_name ? c->server_name : "");
    int rc = cl_ks13_ticket_psk(c->suite_info->hash, c->res_master, nst.nonce.p,
                                cl_reader_left(&nst.nonce), s.master);
    if (rc == 0)
        rc = cl_verify_id(c, s.verify_id);
    if (rc == 0)
        rc = cl_session_set_ticket(&s, nst.ticket.p, cl_reader_left(&nst.ticket));
    if (rc == 0)
        rc = cl_session_set_chain(&s, c->peer_chain, c->n_peer_chain);
    if (rc != 0) {
        cl_session_clear(&s);
        return rc;
    }
    return cl_c_new_session(c, &s);
}

/* ---- servers ---- */

int cl_s13_psk_check(clasp_conn *c, const cl_client_hello *ch)
{
    cl_hs *hs = c->hs;
    cl_reader modes, ids, binders;
    uint8_t m;
    hs->peer_psk_modes = 0;
    if (cl_exts_has(&ch->exts, CL_EXTI_PSK_KEY_EXCHANGE_MODES)) {
        CL_TRY(cl_ext_psk_modes(cl_exts_get(&ch->exts, CL_EXTI_PSK_KEY_EXCHANGE_MODES), &modes));
        while (cl_read_u8(&modes, &m) == 0)
            if (m <= PSK_DHE_KE) /* unknown modes are ignored */
                hs->peer_psk_modes |= (uint8_t)(1u << m);
    }
    if (!cl_exts_has(&ch->exts, CL_EXTI_PRE_SHARED_KEY))
        return 0;
    /* 4.2.9: "If clients offer "pre_shared_key" without a "psk_key_exchange_modes"
     * extension, servers MUST abort the handshake" (9.2: missing_extension). */
    if (!cl_exts_has(&ch->exts, CL_EXTI_PSK_KEY_EXCHANGE_MODES))
        return cl_fail(c, CLASP_ERR_MISSING_EXTENSION,
                       "pre_shared_key without psk_key_exchange_modes");
    int rc =
        cl_ext_pre_shared_key_ch(cl_exts_get(&ch->exts, CL_EXTI_PRE_SHARED_KEY), &ids, &binders);
    if (rc)
        return cl_fail(c, rc, "pre_shared_key: %s",
                       rc == CLASP_ERR_ILLEGAL_PARAMETER
                           ? "the identities and the binders differ in number"
                           : "malformed");
    return 0;
}

/* The session behind one identity: opened from the ticket, or taken from the cache. */
static const char *open_identity(clasp_conn *c, const uint8_t *id, size_t len, cl_session *s)
{
    const char *why = NULL;
    memset(s, 0, sizeof(*s));
    if (!c->cfg->tickets_stateful) {
        cl_ticket_open(c->cfg->ticket_keys, cl_now(c->cfg), id, len, s, &why);
        return why;
    }
    /* Read only: a stateful ticket is taken (used up) once its binder verified (claim). */
    if (len != CL_SESSION_ID_LEN || cl_s_store_get(c, id, len, 0, s) != 0)
        return "the ticket is not in the session cache (unknown, used, expired or evicted)";
    return NULL;
}

/*
 * Why an opened session may not be resumed by this hello: the common checks (version,
 * configuration, lifetime, server name), the hash of the chosen suite (4.6.1), and the
 * ticket's age as the client tells it against the server's view (4.2.11.1), which must
 * agree within the window.
 */
static const char *unusable(clasp_conn *c, const cl_session *s, uint32_t obfuscated_age)
{
    const char *why = cl_s_cannot_resume(c, s, CL_TLS13_VERSION);
    if (why)
        return why;
    if (cl_suite_find(s->suite)->hash != c->suite_info->hash)
        return "the ticket's hash is not the chosen cipher suite's";
    uint32_t client_age = obfuscated_age - s->age_add; /* modulo 2^32 */
    uint64_t now = cl_now_ms(c->cfg);
    uint64_t server_age = now > s->issued_ms ? now - s->issued_ms : 0;
    uint64_t diff = client_age > server_age ? client_age - server_age : server_age - client_age;
    if (diff > c->cfg->ticket_age_window_ms)
        return "the ticket's age as the client gives it is outside the window around the "
               "server's (a replayed or mistimed ticket)";
    return NULL;
}

/* 4.2.11: "Prior to accepting PSK key establishment, the server MUST validate the
 * corresponding binder value" (6.2: decrypt_error when it does not verify). */
static int verify_binder(clasp_conn *c, const cl_client_hello *ch, const uint8_t *msg,
                         const cl_session *s, const uint8_t *binder, size_t len)
{
    cl_hs *hs = c->hs;
    cl_hash_alg hash = c->suite_info->hash;
    size_t h = cl_hash_len(hash);
    uint8_t th[CL_MAX_HASH_LEN], want[CL_MAX_HASH_LEN];
    if (len != h)
        return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER,
                       "a PSK binder of %zu bytes for a ticket whose hash has %zu", len, h);
    CL_TRY(cl_tr_hash_extra(&hs->tr, hash, msg, CL_HS_HEADER_LEN + ch->binders_offset, th));
    CL_TRY(cl_ks13_binder(hash, s->master, s->master_len, th, want));
    int ok = cl_ct_memeq(binder, want, h);
    cl_wipe(want, sizeof(want));
    if (!ok)
        return cl_fail(c, CLASP_ERR_DECRYPT, "the PSK binder does not verify");
    hs->psk_binder_verified = 1;
    cl_trace_note(c, "binder_verified", 1, "binder",
                  "HMAC over the partial ClientHello, constant-time compare");
    return 0;
}

/*
 * Stateful tickets resume once: the session is taken out of the cache or store only after
 * the binder proved the client holds its PSK. Taking it on sight would let anyone who saw a
 * ClientHello (identities travel in the clear) use up other clients' tickets. Of two
 * connections presenting the same ticket, only the one whose take succeeds resumes.
 */
static int claim(clasp_conn *c, const uint8_t *id, size_t len)
{
    cl_session taken;
    if (!c->cfg->tickets_stateful)
        return 1;
    int rc = cl_s_store_get(c, id, len, 1, &taken);
    cl_session_clear(&taken);
    return rc == 0;
}

/* Takes over *s as the session resumed. */
static int accept_psk(clasp_conn *c, cl_session *s, uint16_t index, int dhe)
{
    cl_hs *hs = c->hs;
    char idx[8];
    hs->session = cl_calloc(1, sizeof(*hs->session));
    if (!hs->session) {
        cl_session_clear(s);
        return CLASP_ERR_NOMEM;
    }
    *hs->session = *s;
    cl_wipe(s, sizeof(*s));
    hs->psk_len = hs->session->master_len;
    memcpy(hs->psk, hs->session->master, hs->psk_len);
    hs->psk_accepted = 1;
    hs->psk_dhe = (uint8_t)dhe;
    hs->psk_identity = index;
    hs->resumed = 1;
    snprintf(idx, sizeof(idx), "%u", index);
    cl_trace_note(c, "psk_accepted", 2, "identity", idx, "mode",
                  dhe ? "psk_dhe_ke: the PSK and a fresh (EC)DHE"
                      : "psk_ke: the PSK alone, no forward secrecy");
    return 0;
}

/* The mode for this hello (4.2.9): psk_dhe_ke when a share fits, else psk_ke if allowed. */
static int choose_mode(clasp_conn *c, int have_share, int *dhe)
{
    uint8_t modes = c->hs->peer_psk_modes;
    *dhe = have_share && (modes & (1u << PSK_DHE_KE));
    return *dhe || (c->cfg->psk_ke && (modes & (1u << PSK_KE)));
}

int cl_s13_psk_choose(clasp_conn *c, const cl_client_hello *ch, const uint8_t *msg, int have_share)
{
    cl_reader ids, binders;
    int dhe;
    if (!cl_exts_has(&ch->exts, CL_EXTI_PRE_SHARED_KEY))
        return 0;
    if (!choose_mode(c, have_share, &dhe)) {
        cl_trace_note(c, "session_not_resumed", 1, "why",
                      "no PSK key exchange mode that both sides allow");
        return 0;
    }
    CL_TRY(
        cl_ext_pre_shared_key_ch(cl_exts_get(&ch->exts, CL_EXTI_PRE_SHARED_KEY), &ids, &binders));
    /* 4.2.11: the first identity that opens and fits is the one; its binder alone is
     * checked ("Servers SHOULD NOT attempt to validate multiple binders"). */
    for (uint16_t i = 0; cl_reader_left(&ids); i++) {
        const uint8_t *id, *binder;
        size_t id_len, binder_len;
        uint32_t age;
        cl_session s;
        CL_TRY(cl_ext_psk_identity_next(&ids, &id, &id_len, &age));
        CL_TRY(cl_ext_psk_binder_next(&binders, &binder, &binder_len));
        const char *why = open_identity(c, id, id_len, &s);
        if (!why)
            why = unusable(c, &s, age);
        if (why) {
            cl_session_clear(&s);
            cl_trace_note(c, "session_not_resumed", 1, "why", why);
            continue;
        }
        int rc = verify_binder(c, ch, msg, &s, binder, binder_len);
        if (rc) {
            cl_session_clear(&s);
            return rc;
        }
        if (!claim(c, id, id_len)) {
            cl_session_clear(&s);
            cl_trace_note(c, "session_not_resumed", 1, "why",
                          "the ticket was used by another connection meanwhile (single use)");
            return 0;
        }
        return accept_psk(c, &s, i, dhe);
    }
    return 0;
}

/* ---- NewSessionTicket (4.6.1) ---- */

/*
 * The session behind the ticket of this nonce: PSK = HKDF-Expand-Label(resumption_master
 * _secret, "resumption", nonce). A ticket issued on a resumed connection keeps the time the
 * client was authenticated, so a chain of resumptions cannot outlive the lifetime.
 */
static int ticket_session(clasp_conn *c, uint8_t nonce, cl_session *s)
{
    const cl_hs *hs = c->hs;
    memset(s, 0, sizeof(*s));
    s->version = CL_TLS13_VERSION;
    s->suite = c->suite;
    s->master_len = (uint8_t)cl_hash_len(c->suite_info->hash);
    snprintf(s->server_name, sizeof(s->server_name), "%s", c->server_name ? c->server_name : "");
    s->created = hs->session ? hs->session->created : cl_now(c->cfg);
    s->lifetime = c->cfg->session_lifetime < CL_TICKET13_MAX_LIFETIME ? c->cfg->session_lifetime
                                                                      : CL_TICKET13_MAX_LIFETIME;
    s->issued_ms = cl_now_ms(c->cfg);
    int rc = cl_ks13_ticket_psk(c->suite_info->hash, c->res_master, &nonce, 1, s->master);
    if (rc == 0) /* 4.6.1: "a fresh value for each ticket" */
        rc = cl_random((uint8_t *)&s->age_add, sizeof(s->age_add));
    if (rc == 0)
        rc = cl_sid_ctx(c->cfg, s->sid_ctx);
    if (rc == 0) /* the client's leaf: who the client is, on a resumed connection too */
        rc = cl_session_set_chain(s, c->peer_chain, c->n_peer_chain ? 1 : 0);
    if (rc != 0)
        cl_session_clear(s);
    return rc;
}

/* The ticket: s sealed (stateless), or a random ID under which s is stored (stateful). */
static int make_ticket(clasp_conn *c, cl_session *s, uint8_t **t, size_t *len)
{
    int rotated = 0;
    if (!c->cfg->tickets_stateful) {
        CL_TRY(cl_ticket_seal(c->cfg->ticket_keys, cl_now(c->cfg), s, t, len, &rotated));
        if (rotated)
            cl_trace_note(c, "ticket_keys_rotated", 1, "why",
                          "the active key had sealed for its whole period: a new one seals now");
        return 0;
    }
    s->id_len = CL_SESSION_ID_LEN;
    CL_TRY(cl_random(s->id, s->id_len));
    CL_CHECK(c->n_issued < CL_MAX_TICKETS, CLASP_ERR_INTERNAL);
    if (!c->issued && !(c->issued = cl_calloc(CL_MAX_TICKETS, CL_SESSION_ID_LEN)))
        return CLASP_ERR_NOMEM;
    CL_TRY(cl_s_store_put(c, s));
    memcpy(c->issued[c->n_issued++], s->id, CL_SESSION_ID_LEN);
    *t = cl_memdup(s->id, s->id_len);
    *len = s->id_len;
    return *t ? 0 : CLASP_ERR_NOMEM;
}

static int send_one_ticket(clasp_conn *c)
{
    cl_session s;
    uint8_t *t = NULL, nonce = c->tickets_sent;
    size_t len = 0;
    CL_TRY(ticket_session(c, nonce, &s));
    uint64_t now = cl_now(c->cfg), age = now > s.created ? now - s.created : 0;
    uint32_t lifetime = age < s.lifetime ? s.lifetime - (uint32_t)age : 0;
    int rc = lifetime ? make_ticket(c, &s, &t, &len) : CLASP_ERR_STATE;
    cl_writer w;
    if (rc == 0)
        rc = cl_writer_growable(&w, len + 32, len + 32);
    if (rc == 0) {
        cl_msg_open(&w, CL_HS_NEW_SESSION_TICKET);
        cl_write_u32(&w, lifetime);
        cl_write_u32(&w, s.age_add);
        cl_write_vec(&w, 1, &nonce, 1); /* unique on this connection */
        cl_write_vec(&w, 2, t, len);
        cl_write_u16(&w, 0); /* no extensions: early_data is never offered */
        cl_msg_close(&w);
        rc = cl_hs_queue_writer(c, &w);
    }
    if (rc == 0) {
        char life[32];
        snprintf(life, sizeof(life), "%u s", (unsigned)lifetime);
        c->tickets_sent++;
        cl_trace_note(c, "ticket_issued", 2, "lifetime", life, "holds",
                      c->cfg->tickets_stateful
                          ? "an ID of the session in the server's cache (used once)"
                          : "the session, sealed under the server's ticket key");
    }
    cl_free(t, len);
    cl_session_clear(&s);
    return rc;
}

int cl_s13_send_tickets(clasp_conn *c)
{
    const clasp_config *cfg = c->cfg;
    uint8_t usable = (uint8_t)(1u << PSK_DHE_KE | (cfg->psk_ke ? 1u << PSK_KE : 0));
    const char *why = NULL;
    if (!cfg->tickets)
        return 0;
    /* 4.2.9: "Servers SHOULD NOT send NewSessionTicket with tickets that are not compatible
     * with the advertised modes". */
    if (!(c->hs->peer_psk_modes & usable))
        why = "the client's psk_key_exchange_modes allow no mode the server accepts";
    else if (cfg->tickets_stateful && !cfg->cache.capacity && !cfg->store.put)
        why = "stateful tickets need the session cache or a store";
    for (unsigned i = 0; !why && i < cfg->tickets; i++)
        if (send_one_ticket(c) != 0)
            why = "a ticket could not be made (no active ticket key, or too large)";
    if (why)
        cl_trace_note(c, "ticket_not_issued", 1, "why", why);
    return cl_hs_flush(c);
}
