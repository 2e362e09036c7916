/*
 * The time provider's shared code (time_common.h).
 */
#include "time_common.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int tern__time_fail(tern_op *op, int error, const char *summary,
                    const char *fmt, ...)
{
    char detail[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    if (!tern_diags_add(op->diags, TERN_SEV_ERROR, NULL, summary, "%s", detail))
        return TERN_ENOMEM;
    return error;
}

static int digits(const char *s, int n, int *v)
{
    int i;

    *v = 0;
    for (i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        *v = *v * 10 + (s[i] - '0');
    }
    return 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int month_days(int y, int m)
{
    static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return md[m - 1];
}

int tern__rfc3339_parse(const char *s, struct tern__rfc3339 *t, char *why,
                        size_t why_size)
{
    const char *p = s;
    int oh = 0, om = 0, sign = 1;

    memset(t, 0, sizeof(*t));
    if (digits(p, 4, &t->year) || p[4] != '-' || digits(p + 5, 2, &t->month) ||
        p[7] != '-' || digits(p + 8, 2, &t->day) || p[10] != 'T' ||
        digits(p + 11, 2, &t->hour) || p[13] != ':' ||
        digits(p + 14, 2, &t->minute) || p[16] != ':' ||
        digits(p + 17, 2, &t->second))
        goto bad;
    p += 19;
    if (*p == '.') {
        if (!isdigit((unsigned char)p[1]))
            goto bad;
        for (p++; isdigit((unsigned char)*p); p++)
            ;
    }
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        sign = *p == '-' ? -1 : 1;
        if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om) ||
            oh > 23 || om > 59)
            goto bad;
        p += 6;
    } else {
        goto bad;
    }
    if (*p)
        goto bad;
    if (t->month < 1 || t->month > 12 || t->day < 1 ||
        t->day > month_days(t->year, t->month) || t->hour > 23 ||
        t->minute > 59 || t->second > 59) {
        snprintf(why, why_size, "parsing time \"%s\": %s out of range", s,
                 t->month < 1 || t->month > 12 ? "month"
                 : t->day < 1 || t->day > month_days(t->year, t->month) ? "day"
                 : t->hour > 23                                         ? "hour"
                 : t->minute > 59 ? "minute"
                                  : "second");
        return -1;
    }
    t->offset_s = sign * (oh * 3600 + om * 60);
    t->unix_ = days_from_civil(t->year, t->month, t->day) * 86400 +
               t->hour * 3600 + t->minute * 60 + t->second - t->offset_s;
    return 0;
bad:
    snprintf(why, why_size,
             "parsing time \"%s\" as \"2006-01-02T15:04:05Z07:00\": cannot "
             "parse it as RFC3339",
             s);
    return -1;
}

void tern__rfc3339_now(char out[32])
{
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

long tern__duration_ms(const char *s)
{
    const char *p = s;
    double v;
    char *end = NULL;

    if (!isdigit((unsigned char)*p))
        return -1;
    while (isdigit((unsigned char)*p))
        p++;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return -1;
        while (isdigit((unsigned char)*p))
            p++;
    }
    v = strtod(s, &end);
    if (end != p)
        return -1;
    if (strcmp(p, "ms") == 0)
        return lround(v);
    if (strcmp(p, "s") == 0)
        return lround(v * 1000);
    if (strcmp(p, "m") == 0)
        return lround(v * 60000);
    if (strcmp(p, "h") == 0)
        return lround(v * 3600000);
    return -1;
}

int tern__time_duration_check(const char *value, char *why, size_t why_size)
{
    if (tern__duration_ms(value) >= 0)
        return 0;
    snprintf(why, why_size,
             "must be a number immediately followed by ms (milliseconds), s "
             "(seconds), m (minutes), or h (hours). For example, \"30s\" for "
             "30 seconds, got: %s.",
             value);
    return 1;
}

int tern__time_rfc3339_check(const char *value, char *why, size_t why_size)
{
    struct tern__rfc3339 t;
    char msg[256];

    if (tern__rfc3339_parse(value, &t, msg, sizeof(msg)) == 0)
        return 0;
    snprintf(why, why_size, "must be an RFC 3339 timestamp: %s.", msg);
    return 1;
}

/* Go's time.quote: @s in double quotes, '"' and '\\' escaped, a byte
 * outside printable ASCII as \xHH. */
static void go_quote(char *out, size_t size, const char *s)
{
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)s;

    n += (size_t)snprintf(out + n, size - n, "\"");
    for (; *p && n + 8 < size; p++) {
        if (*p >= 0x80 || *p < ' ')
            n += (size_t)snprintf(out + n, size - n, "\\x%02x", *p);
        else
            n += (size_t)snprintf(out + n, size - n, "%s%c",
                                  *p == '"' || *p == '\\' ? "\\" : "", *p);
    }
    snprintf(out + n, size - n, "\"");
}

/* Go's unitMap, in nanoseconds: 0 when @u (of @len bytes) is none. */
static uint64_t go_unit(const char *u, size_t len)
{
    static const struct {
        const char *name;
        uint64_t ns;
    } units[] = {{"ns", 1ULL},           {"us", 1000ULL},
                 {"\xc2\xb5s", 1000ULL}, /* U+00B5 */
                 {"\xce\xbcs", 1000ULL}, /* U+03BC */
                 {"ms", 1000000ULL},     {"s", 1000000000ULL},
                 {"m", 60000000000ULL},  {"h", 3600000000000ULL}};
    size_t i;

    for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (strlen(units[i].name) == len && memcmp(units[i].name, u, len) == 0)
            return units[i].ns;
    return 0;
}

/* One "[0-9]*(.[0-9]*)?UNIT" of a Go duration at *@pp, its nanoseconds
 * added to *@d: 0, or 1 (invalid), 2 (missing unit), 3 (unknown unit,
 * its text in @unit). */
static int go_duration_part(const char **pp, uint64_t *d, char *unit,
                            size_t unit_size)
{
    const char *p = *pp, *start = p, *u;
    uint64_t v = 0, f = 0, ns;
    double scale = 1;
    int pre, post = 0, overflow = 0;

    if (*p != '.' && !isdigit((unsigned char)*p))
        return 1;
    for (; isdigit((unsigned char)*p); p++) {
        if (v > (1ULL << 63) / 10)
            return 1;
        v = v * 10 + (uint64_t)(*p - '0');
        if (v > 1ULL << 63)
            return 1;
    }
    pre = p != start;
    if (*p == '.') {
        for (start = ++p; isdigit((unsigned char)*p); p++) {
            if (overflow)
                continue;
            if (f > (UINT64_MAX >> 1) / 10) {
                overflow = 1;
                continue;
            }
            f = f * 10 + (uint64_t)(*p - '0');
            scale *= 10;
        }
        post = p != start;
    }
    if (!pre && !post)
        return 1;
    for (u = p; *p && *p != '.' && !isdigit((unsigned char)*p); p++)
        ;
    if (p == u)
        return 2;
    ns = go_unit(u, (size_t)(p - u));
    if (!ns) {
        snprintf(unit, unit_size, "%.*s", (int)(p - u), u);
        return 3;
    }
    if (v > (1ULL << 63) / ns)
        return 1;
    v *= ns;
    if (f > 0) {
        v += (uint64_t)((double)f * ((double)ns / scale));
        if (v > 1ULL << 63)
            return 1;
    }
    *d += v;
    if (*d > 1ULL << 63)
        return 1;
    *pp = p;
    return 0;
}

/* Go's time.ParseDuration (src/time/format.go), for its errors. */
int tern__go_duration_check(const char *s, char *msg, size_t msg_size)
{
    const char *p = s;
    char q[256], uq[128], unit[64];
    uint64_t d = 0;
    int neg = 0, why = 0;

    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    if (strcmp(p, "0") == 0)
        return 0;
    if (!*p)
        why = 1;
    while (!why && *p)
        why = go_duration_part(&p, &d, unit, sizeof(unit));
    if (!why && !neg && d > (1ULL << 63) - 1)
        why = 1;
    if (!why)
        return 0;
    go_quote(q, sizeof(q), s);
    if (why == 2) {
        snprintf(msg, msg_size, "time: missing unit in duration %s", q);
    } else if (why == 3) {
        go_quote(uq, sizeof(uq), unit);
        snprintf(msg, msg_size, "time: unknown unit %s in duration %s", uq, q);
    } else {
        snprintf(msg, msg_size, "time: invalid duration %s", q);
    }
    return -1;
}
