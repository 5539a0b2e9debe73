/* Inside the trace module: the text narration (trace_text.c), called by trace.c. */
#ifndef CLASP_TOOLS_TRACE_TEXT_H
#define CLASP_TOOLS_TRACE_TEXT_H

#include "trace.h"

void trace_text_event(tool_trace *t, int side, const clasp_trace_event *ev);
void trace_text_end(tool_trace *t);
void trace_text_heading(tool_trace *t, const char *text);
void trace_text_prose(tool_trace *t, const char *text);
void trace_text_verdict(tool_trace *t, int ok, const char *text);

#endif /* CLASP_TOOLS_TRACE_TEXT_H */
