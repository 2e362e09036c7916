#include "tern/diag.h"
#include "util/alloc.h"
#include "util/vec.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *tern_strerror(int error)
{
    switch (error) {
    case TERN_OK:
        return "success";
    case TERN_ENOTFOUND:
        return "not found";
    case TERN_EEXISTS:
        return "already exists";
    case TERN_ECONFLICT:
        return "conflict";
    case TERN_ETHROTTLED:
        return "throttled";
    case TERN_EAUTH:
        return "authentication failed";
    case TERN_EINVALID:
        return "invalid input";
    case TERN_ECANCELED:
        return "canceled";
    case TERN_ENOMEM:
        return "out of memory";
    default:
        return "error";
    }
}

struct tern_diag *tern_diags_add(struct tern_diags *diags,
                                 enum tern_severity severity,
                                 const struct tern_range *range,
                                 const char *summary, const char *detail_fmt,
                                 ...)
{
    struct tern_diag *d;
    va_list ap;

    if (TERN_VEC_RESERVE(diags->items, diags->alloc, diags->count + 1) !=
        TERN_OK)
        return NULL;
    d = &diags->items[diags->count];
    memset(d, 0, sizeof(*d));
    d->severity = severity;
    d->summary = tern_strdup(summary ? summary : "");
    if (!d->summary)
        return NULL;
    if (detail_fmt) {
        int len;

        va_start(ap, detail_fmt);
        len = vsnprintf(NULL, 0, detail_fmt, ap);
        va_end(ap);
        d->detail = len >= 0 ? tern_malloc((size_t)len + 1) : NULL;
        if (!d->detail) {
            tern_free(d->summary);
            return NULL;
        }
        va_start(ap, detail_fmt);
        vsnprintf(d->detail, (size_t)len + 1, detail_fmt, ap);
        va_end(ap);
    }
    if (range) {
        d->range = *range;
        d->has_range = 1;
    }
    diags->count++;
    if (severity == TERN_SEV_ERROR)
        diags->errors++;
    return d;
}

int tern_diags_move(struct tern_diags *to, struct tern_diags *from)
{
    size_t need = to->count + from->count;

    if (from->count == 0)
        return TERN_OK;
    if (TERN_VEC_RESERVE(to->items, to->alloc, need) != TERN_OK)
        return TERN_ENOMEM;
    memcpy(to->items + to->count, from->items,
           from->count * sizeof(*from->items));
    to->count = need;
    to->errors += from->errors;
    tern_free(from->items);
    from->items = NULL;
    from->count = from->alloc = from->errors = 0;
    return TERN_OK;
}

void tern_diags_release(struct tern_diags *diags)
{
    size_t i;

    for (i = 0; i < diags->count; i++) {
        tern_free(diags->items[i].summary);
        tern_free(diags->items[i].detail);
        tern_free(diags->items[i].service_code);
        tern_free(diags->items[i].request_id);
    }
    tern_free(diags->items);
    diags->items = NULL;
    diags->count = diags->alloc = diags->errors = 0;
}
