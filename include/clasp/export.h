/* clasp: symbol visibility. Only functions marked CLASP_API leave the shared library. */
#ifndef CLASP_EXPORT_H
#define CLASP_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define CLASP_API __attribute__((visibility("default")))
#else
#define CLASP_API
#endif

#endif /* CLASP_EXPORT_H */
