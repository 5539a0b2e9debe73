/*
 * The tools' trace: options, where the narration goes, the JSON rendering (one object per
 * event per line) and the key log. The text narration is trace_text.c.
 */
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace_text.h"

/* ---- options ---- */

int tool_trace_parse_format(const char *prog, const char *arg, tool_trace_format *out)
{
    if (!arg || strcmp(arg, "text") == 0)
        *out = TOOL_TRACE_TEXT;
    else if (strcmp(arg, "json") == 0)
        *out = TOOL_TRACE_JSON;
    else {
        fprintf(stderr, "%s: --trace: '%s' is neither text nor json\n", prog, arg);
        return -1;
    }
    return 0;
}

int tool_trace_parse_color(const char *prog, const char *arg)
{
    if (strcmp(arg, "never") == 0 || strcmp(arg, "always") == 0 || strcmp(arg, "auto") == 0)
        return 0;
    fprintf(stderr, "%s: --color: '%s' is none of never, always, auto\n", prog, arg);
    return -1;
}

/* Colour by default on a terminal, unless NO_COLOR is set to something (no-color.org). */
static int auto_color(FILE *f)
{
    const char *no = getenv("NO_COLOR");
    return isatty(fileno(f)) && !(no && *no);
}

int tool_trace_open(const char *prog, tool_trace_out *out, tool_trace_format format,
                    const char *color, const char *path, FILE *dflt)
{
    memset(out, 0, sizeof(*out));
    out->format = format;
    out->f = dflt;
    if (path && format != TOOL_TRACE_OFF) {
        out->f = fopen(path, "a");
        if (!out->f) {
            fprintf(stderr, "%s: --trace-file %s: %s\n", prog, path, strerror(errno));
            out->f = dflt;
            return -1;
        }
        out->owned = 1;
    }
    if (!color || strcmp(color, "auto") == 0)
        out->color = auto_color(out->f);
    else
        out->color = strcmp(color, "always") == 0;
    return 0;
}

void tool_trace_close(tool_trace_out *out)
{
    if (out->owned)
        fclose(out->f);
    else if (out->f)
        fflush(out->f);
    out->f = NULL;
    out->owned = 0;
}

/* ---- JSON ---- */

/* The length of the valid UTF-8 sequence at p (1 to 4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *p)
{
    unsigned c = p[0];
    size_t n = c < 0x80             ? 1
               : (c & 0xe0) == 0xc0 ? 2
               : (c & 0xf0) == 0xe0 ? 3
               : (c & 0xf8) == 0xf0 ? 4
                                    : 0;
    if (n <= 1)
        return n;
    unsigned long cp = c & (0x3f >> (n - 1));
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    static const unsigned long min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0; /* overlong, too large, or a surrogate */
    return n;
}

/* A JSON string: quotes, escapes, and U+FFFD for bytes that are not UTF-8. */
static void json_str(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    fputc('"', f);
    while (*p) {
        size_t n = utf8_len(p);
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p == '\t')
            fputs("\\t", f);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\u%04x", *p);
        else if (n == 0)
            fputs("\\ufffd", f);
        else
            fwrite(p, 1, n, f);
        p += n ? n : 1;
    }
    fputc('"', f);
}

static void json_key(FILE *f, const char *key)
{
    fputc(',', f);
    json_str(f, key);
    fputc(':', f);
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* The fields as an object; a repeated name gets "#2", "#3" so every key stays unique. */
static void json_fields(FILE *f, const clasp_trace_event *ev)
{
    json_key(f, "fields");
    fputc('{', f);
    for (size_t i = 0; i < ev->n_fields; i++) {
        const char *name = ev->fields[i].name ? ev->fields[i].name : "";
        int seen = 1;
        for (size_t j = 0; j < i; j++)
            seen += ev->fields[j].name && strcmp(ev->fields[j].name, name) == 0;
        if (i)
            fputc(',', f);
        if (seen > 1) {
            char key[96];
            snprintf(key, sizeof(key), "%s#%d", name, seen);
            json_str(f, key);
        } else {
            json_str(f, name);
        }
        fputc(':', f);
        json_str(f, ev->fields[i].value);
    }
    fputc('}', f);
}

static const char *field_value(const clasp_trace_event *ev, const char *name)
{
    for (size_t i = 0; i < ev->n_fields; i++)
        if (ev->fields[i].name && strcmp(ev->fields[i].name, name) == 0)
            return ev->fields[i].value;
    return NULL;
}

static const char *kind_name(clasp_trace_kind k)
{
    switch (k) {
    case CLASP_TRACE_MESSAGE: return "message";
    case CLASP_TRACE_RECORD: return "record";
    case CLASP_TRACE_KEY: return "key";
    case CLASP_TRACE_ALERT: return "alert";
    case CLASP_TRACE_NOTE: return "note";
    }
    return "unknown";
}

/* What each kind of event adds after its name. */
static void json_body(FILE *f, const clasp_trace_event *ev)
{
    switch (ev->kind) {
    case CLASP_TRACE_MESSAGE:
        fprintf(f, ",\"length\":%zu", ev->len);
        json_fields(f, ev);
        break;
    case CLASP_TRACE_RECORD:
        fprintf(f, ",\"type\":%u,\"version\":\"0x%04x\",\"length\":%zu,\"protected\":%s",
                ev->content_type, ev->record_version, ev->len, ev->protected_ ? "true" : "false");
        if (ev->n_fields) /* a record told step by step (clasp_config_set_trace_records) */
            json_fields(f, ev);
        break;
    case CLASP_TRACE_KEY: fprintf(f, ",\"length\":%zu", ev->len); break;
    case CLASP_TRACE_ALERT: {
        const char *level = field_value(ev, "level"), *desc = field_value(ev, "description");
        json_key(f, "level");
        json_str(f, level);
        json_key(f, "description");
        if (desc && all_digits(desc) && strlen(desc) < 4)
            fputs(desc, f);
        else
            json_str(f, desc);
        break;
    }
    case CLASP_TRACE_NOTE: json_fields(f, ev); break;
    }
}

static void json_event(tool_trace *t, int side, const clasp_trace_event *ev)
{
    FILE *f = t->out->f;
    fputs("{\"side\":", f);
    json_str(f, side == TOOL_SERVER ? "server" : "client");
    if (t->section > 0)
        fprintf(f, ",\"section\":%d", t->section);
    if (t->connection > 0)
        fprintf(f, ",\"connection\":%ld", t->connection);
    if (t->peer[0]) {
        json_key(f, "peer");
        json_str(f, t->peer);
    }
    json_key(f, "kind");
    json_str(f, kind_name(ev->kind));
    if (ev->kind == CLASP_TRACE_MESSAGE || ev->kind == CLASP_TRACE_RECORD ||
        ev->kind == CLASP_TRACE_ALERT) {
        json_key(f, "dir");
        json_str(f, ev->outgoing ? "out" : "in");
    }
    json_key(f, "name");
    json_str(f, ev->name);
    json_body(f, ev);
    fputs("}\n", f);
    fflush(f);
}

/* ---- dispatch ---- */

void tool_trace_init(tool_trace *t, const tool_trace_out *out, int side)
{
    memset(t, 0, sizeof(*t));
    t->out = out;
    t->side = side;
    t->key_side = -1;
    t->rec_side = -1;
}

void tool_trace_event(tool_trace *t, int side, const clasp_trace_event *ev)
{
    if (!t || !t->out || !ev->name)
        return;
    if (t->out->format == TOOL_TRACE_JSON)
        json_event(t, side, ev);
    else if (t->out->format == TOOL_TRACE_TEXT)
        trace_text_event(t, side, ev);
}

void tool_trace_cb(void *arg, clasp_conn *conn, const clasp_trace_event *ev)
{
    tool_trace *t = arg;
    (void)conn;
    tool_trace_event(t, t->side, ev);
}

void tool_trace_end(tool_trace *t)
{
    if (t && t->out && t->out->format == TOOL_TRACE_TEXT)
        trace_text_end(t);
}

void tool_trace_heading(tool_trace *t, const char *text)
{
    if (t && t->out && t->out->format == TOOL_TRACE_TEXT)
        trace_text_heading(t, text);
}

void tool_trace_prose(tool_trace *t, const char *text)
{
    if (t && t->out && t->out->format == TOOL_TRACE_TEXT)
        trace_text_prose(t, text);
}

void tool_trace_verdict(tool_trace *t, int ok, const char *text)
{
    if (t && t->out && t->out->format == TOOL_TRACE_TEXT)
        trace_text_verdict(t, ok, text);
}

/* ---- the key log ---- */

static FILE *keylog_file;

static void keylog_line(void *arg, clasp_conn *conn, const char *line)
{
    (void)conn;
    fprintf(arg, "%s\n", line);
    fflush(arg);
}

/* The file, made readable by its owner only: it holds keys. */
static FILE *keylog_open(const char *path)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "a");
    if (!f)
        close(fd);
    return f;
}

int tool_keylog_setup(const char *prog, clasp_config *cfg)
{
    const char *path = getenv("SSLKEYLOGFILE");
    if (!path || !*path)
        return 0;
    if (!keylog_file) {
        keylog_file = keylog_open(path);
        if (!keylog_file) {
            fprintf(stderr, "%s: SSLKEYLOGFILE %s: %s\n", prog, path, strerror(errno));
            return -1;
        }
        fprintf(stderr,
                "%s: warning: SSLKEYLOGFILE: appending this run's TLS secrets to %s; whoever "
                "reads that file can decrypt the traffic\n",
                prog, path);
    }
    int rc = clasp_config_set_keylog(cfg, keylog_line, keylog_file);
    if (rc != CLASP_OK) {
        fprintf(stderr, "%s: SSLKEYLOGFILE: %s\n", prog, clasp_strerror(rc));
        return -1;
    }
    return 0;
}

void tool_keylog_close(void)
{
    if (keylog_file)
        fclose(keylog_file);
    keylog_file = NULL;
}
