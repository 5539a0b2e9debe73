/*
 * Emitting trace events and key log lines (include/clasp/trace.h). Every function is cheap
 * when nothing listens: it checks the configuration's callback first and builds nothing.
 */
#ifndef CLASP_HS_TRACE_H
#define CLASP_HS_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include <clasp/trace.h>

#include "hs/engine.h"
#include "x509/x509.h"

/* A handshake message (header included) sent or received; its fields describe it. */
void cl_trace_message(clasp_conn *c, int outgoing, const uint8_t *msg, size_t len);
void cl_trace_ccs(clasp_conn *c, int outgoing);
/*
 * A record: type as carried (the inner type when protected), header version, body length;
 * with steps, its sealing step by step as fields (clasp_config_set_trace_records).
 */
void cl_trace_record(clasp_conn *c, int outgoing, uint8_t type, uint16_t version, size_t len,
                     int protected_, const cl_record_steps *steps);
/* A secret or key derived by this side: its name and length only. */
void cl_trace_key(clasp_conn *c, const char *name, size_t len);
void cl_trace_alert(clasp_conn *c, int outgoing, uint8_t level, uint8_t description);
/* A decision or check: name, then n_pairs (field name, value) string pairs. */
void cl_trace_note(clasp_conn *c, const char *name, int n_pairs, ...);
/* The peer's chain verified: the anchor it ends at by name, and the host name checked. */
void cl_trace_verified(clasp_conn *c, const cl_verify_result *res, const char *host);
/* An NSS key log line "LABEL <client random> <secret>", when a key log callback is set. */
void cl_keylog(clasp_conn *c, const char *label, const uint8_t *secret, size_t len);

/*
 * The fields describing a message (for cl_trace_message): fills up to cap fields whose
 * strings live in buf (buf_len bytes); returns how many. Unparsable messages get none.
 */
size_t cl_trace_describe(const clasp_conn *c, const uint8_t *msg, size_t len,
                         clasp_trace_field *fields, size_t cap, char *buf, size_t buf_len);
/* The event name of a message: its type's name, or "HelloRetryRequest". */
const char *cl_trace_message_name(const uint8_t *msg, size_t len);

#endif /* CLASP_HS_TRACE_H */
