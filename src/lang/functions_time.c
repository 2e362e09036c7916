/*
 * The date and time functions: formatdate, timeadd, timecmp, timestamp,
 * plantimestamp. Timestamps are RFC 3339 strings, read as Go's time.Parse
 * reads time.RFC3339 (with cty's wording for what is wrong) and written as
 * time.RFC3339 (timestamp) or time.RFC3339Nano (timeadd) writes them,
 * keeping the UTC offset they were written with.
 *
 * timestamp() is impure (TERN__F_IMPURE): the evaluator makes it unknown
 * while planning (scope->apply unset), as Terraform does. plantimestamp() is
 * the plan's time, which the engine puts in scope->plan_timestamp; unknown
 * where there is none (validate).
 */
#include "lang/functions_int.h"
#include "util/alloc.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
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

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Local calendar fields of an instant in its own offset. */
struct civil {
    int64_t year;
    int month, day, hour, min, sec, wday;
};

static void to_civil(const struct tern__time *t, struct civil *cv)
{
    int64_t local = t->sec + t->offset, days = local / 86400,
            rem = local % 86400;

    if (rem < 0) {
        rem += 86400;
        days--;
    }
    civil_from_days(days, &cv->year, &cv->month, &cv->day);
    cv->hour = (int)(rem / 3600);
    cv->min = (int)(rem / 60 % 60);
    cv->sec = (int)(rem % 60);
    cv->wday = (int)((days % 7 + 11) % 7); /* 1970-01-01 was a Thursday */
}

/* ---- Parsing ------------------------------------------------------------ */

static int digits(const char **p, int n, int *out)
{
    int i, v = 0;

    for (i = 0; i < n; i++) {
        if ((*p)[i] < '0' || (*p)[i] > '9')
            return 0;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 1;
}

int tern__time_parse(const char *s, struct tern__time *t, char *why,
                     size_t why_size)
{
    static const struct {
        const char *what;
        int width;
        char sep;
    } parts[] = {{"year", 4, '-'}, {"month", 2, '-'},  {"day of month", 2, 'T'},
                 {"hour", 2, ':'}, {"minute", 2, ':'}, {"second", 2, 0}};
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const char *p = s;
    int v[6], i;
    int32_t nsec = 0, off = 0;

    for (i = 0; i < 6; i++) {
        size_t left = strlen(p);

        if (left == 0) {
            snprintf(why, why_size,
                     "not a valid RFC3339 timestamp: end of string before %s",
                     parts[i].what);
            return TERN_ERROR;
        }
        if ((size_t)parts[i].width > left ||
            !digits(&p, parts[i].width, &v[i])) {
            if (i == 3 && strchr(p, ':') && (size_t)(strchr(p, ':') - p) != 2)
                snprintf(why, why_size,
                         "not a valid RFC3339 timestamp: hour must have "
                         "exactly two digits");
            else if (i == 4 &&
                     (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9'))
                snprintf(why, why_size,
                         "not a valid RFC3339 timestamp: minute must have "
                         "exactly two digits");
            else
                snprintf(why, why_size,
                         "not a valid RFC3339 timestamp: cannot use \"%s\" as "
                         "%s",
                         p, parts[i].what);
            return TERN_ERROR;
        }
        if (i == 3 && v[3] > 23) {
            snprintf(why, why_size,
                     "not a valid RFC3339 timestamp: hour must be between 0 "
                     "and 23 inclusive");
            return TERN_ERROR;
        }
        if ((i == 4 || i == 5) && v[i] > 59) {
            snprintf(why, why_size,
                     "not a valid RFC3339 timestamp: %s out of range",
                     parts[i].what);
            return TERN_ERROR;
        }
        if (!parts[i].sep)
            break;
        if (*p != parts[i].sep) {
            if (parts[i].sep == 'T')
                snprintf(why, why_size,
                         "not a valid RFC3339 timestamp: missing required "
                         "time introducer 'T'");
            else if (!*p)
                snprintf(why, why_size,
                         "not a valid RFC3339 timestamp: end of string where "
                         "\"%c\" is expected",
                         parts[i].sep);
            else
                snprintf(why, why_size,
                         "not a valid RFC3339 timestamp: found \"%s\" where "
                         "\"%c\" is expected",
                         p, parts[i].sep);
            return TERN_ERROR;
        }
        p++;
    }
    if (*p == '.' || *p == ',') {
        int k = 0;

        p++;
        if (*p < '0' || *p > '9') {
            snprintf(why, why_size,
                     "not a valid RFC3339 timestamp: cannot use \"%s\" as "
                     "UTC offset",
                     p - 1);
            return TERN_ERROR;
        }
        while (*p >= '0' && *p <= '9') {
            if (k < 9) {
                nsec = nsec * 10 + (*p - '0');
                k++;
            }
            p++;
        }
        while (k++ < 9)
            nsec *= 10;
    }
    if (*p == 'Z') {
        p++;
    } else if ((*p == '+' || *p == '-') && strlen(p) >= 6 && p[3] == ':') {
        const char *q = p + 1;
        int oh, om;

        if (!digits(&q, 2, &oh) || *q++ != ':' || !digits(&q, 2, &om) ||
            oh > 23 || om > 59) {
            snprintf(why, why_size,
                     "not a valid RFC3339 timestamp: cannot use \"%s\" as "
                     "UTC offset",
                     p);
            return TERN_ERROR;
        }
        off = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
        p = q;
    } else if (!*p) {
        snprintf(why, why_size,
                 "not a valid RFC3339 timestamp: end of string before UTC "
                 "offset");
        return TERN_ERROR;
    } else {
        snprintf(why, why_size,
                 "not a valid RFC3339 timestamp: cannot use \"%s\" as UTC "
                 "offset",
                 p);
        return TERN_ERROR;
    }
    if (*p) {
        snprintf(why, why_size,
                 "not a valid RFC3339 timestamp: extra text: \"%s\"", p);
        return TERN_ERROR;
    }
    if (v[1] < 1 || v[1] > 12) {
        snprintf(why, why_size,
                 "not a valid RFC3339 timestamp: month out of range");
        return TERN_ERROR;
    }
    if (v[2] < 1 || v[2] > mdays[v[1] - 1] + (v[1] == 2 && leap(v[0]))) {
        snprintf(why, why_size,
                 "not a valid RFC3339 timestamp: day out of range");
        return TERN_ERROR;
    }
    t->sec = days_from_civil(v[0], v[1], v[2]) * 86400 + v[3] * 3600 +
             v[4] * 60 + v[5] - off;
    t->nsec = nsec;
    t->offset = off;
    return TERN_OK;
}

static int arg_time(struct tern__fcall *c, tern_value **args, size_t i,
                    const char *param, struct tern__time *t)
{
    tern_value *s = NULL;
    char why[256];
    int error;

    if ((error = tern__arg_string(c, args, i, &s)))
        return error;
    error = tern__time_parse(tern_value_get_string(s), t, why, sizeof(why));
    tern_value_decref(s);
    if (error)
        tern__fparam_error(c, i, param, "%s.", why);
    return error;
}

/* ---- Writing ------------------------------------------------------------ */

static void put_offset(tern_buf *b, int32_t off, int colon)
{
    int32_t a = off < 0 ? -off : off;

    tern_buf_printf(b, "%c%02d%s%02d", off < 0 ? '-' : '+', (int)(a / 3600),
                    colon ? ":" : "", (int)(a / 60 % 60));
}

/* time.RFC3339, or time.RFC3339Nano with @nano. */
void tern__time_format(tern_buf *b, const struct tern__time *t, int nano)
{
    struct civil cv;

    to_civil(t, &cv);
    tern_buf_printf(b, "%04lld-%02d-%02dT%02d:%02d:%02d", (long long)cv.year,
                    cv.month, cv.day, cv.hour, cv.min, cv.sec);
    if (nano && t->nsec) {
        char frac[16];
        int k;

        snprintf(frac, sizeof(frac), "%09d", (int)t->nsec);
        for (k = 8; k > 0 && frac[k] == '0'; k--)
            frac[k] = '\0';
        tern_buf_printf(b, ".%s", frac);
    }
    if (t->offset == 0)
        tern_buf_putc(b, 'Z');
    else
        put_offset(b, t->offset, 1);
}

static const char *const month_names[] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};
static const char *const day_names[] = {"Sunday",    "Monday",   "Tuesday",
                                        "Wednesday", "Thursday", "Friday",
                                        "Saturday"};

FN(formatdate)
{
    tern_value *spec = NULL;
    tern_buf b = TERN_BUF_INIT;
    struct tern__time t;
    struct civil cv;
    const char *p;
    int error;

    (void)n;
    if ((error = tern__arg_string(c, args, 0, &spec)))
        return error;
    if ((error = arg_time(c, args, 1, "time", &t))) {
        tern_value_decref(spec);
        return error;
    }
    to_civil(&t, &cv);
    for (p = tern_value_get_string(spec); *p;) {
        char ch = *p;
        size_t len = 1;
        const char *bad = NULL;

        if (ch == '\'') {
            /* A quoted literal; '' is a quote. */
            p++;
            if (*p == '\'') {
                tern_buf_putc(&b, '\'');
                p++;
                continue;
            }
            while (*p) {
                if (*p == '\'' && p[1] == '\'') {
                    tern_buf_putc(&b, '\'');
                    p += 2;
                } else if (*p == '\'') {
                    p++;
                    break;
                } else {
                    tern_buf_putc(&b, *p++);
                }
            }
            continue;
        }
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))) {
            tern_buf_putc(&b, ch);
            p++;
            continue;
        }
        while (p[len] == ch)
            len++;
        switch (ch) {
        case 'Y':
            if (len == 2)
                tern_buf_printf(&b, "%02d", (int)(cv.year % 100));
            else if (len == 4)
                tern_buf_printf(&b, "%04lld", (long long)cv.year);
            else
                bad = "year must either be \"YY\" or \"YYYY\"";
            break;
        case 'M':
            if (len == 1)
                tern_buf_printf(&b, "%d", cv.month);
            else if (len == 2)
                tern_buf_printf(&b, "%02d", cv.month);
            else if (len == 3)
                tern_buf_put(&b, month_names[cv.month - 1], 3);
            else if (len == 4)
                tern_buf_puts(&b, month_names[cv.month - 1]);
            else
                bad = "month must be \"M\", \"MM\", \"MMM\", or \"MMMM\"";
            break;
        case 'D':
            if (len == 1 || len == 2)
                tern_buf_printf(&b, len == 1 ? "%d" : "%02d", cv.day);
            else
                bad = "day of month must either be \"D\" or \"DD\"";
            break;
        case 'E':
            if (len == 3)
                tern_buf_put(&b, day_names[cv.wday], 3);
            else if (len == 4)
                tern_buf_puts(&b, day_names[cv.wday]);
            else
                bad = "day of week must either be \"EEE\" or \"EEEE\"";
            break;
        case 'h':
            if (len == 1 || len == 2)
                tern_buf_printf(&b, len == 1 ? "%d" : "%02d", cv.hour);
            else
                bad = "24-hour must either be \"h\" or \"hh\"";
            break;
        case 'H':
            if (len == 1 || len == 2)
                tern_buf_printf(&b, len == 1 ? "%d" : "%02d",
                                cv.hour % 12 ? cv.hour % 12 : 12);
            else
                bad = "12-hour must either be \"H\" or \"HH\"";
            break;
        case 'A':
        case 'a':
            if (len == 2)
                tern_buf_puts(&b, cv.hour < 12 ? (ch == 'A' ? "AM" : "am")
                                               : (ch == 'A' ? "PM" : "pm"));
            else
                bad = ch == 'A' ? "must be \"AA\"" : "must be \"aa\"";
            break;
        case 'm':
            if (len == 1 || len == 2)
                tern_buf_printf(&b, len == 1 ? "%d" : "%02d", cv.min);
            else
                bad = "minute must either be \"m\" or \"mm\"";
            break;
        case 's':
            if (len == 1 || len == 2)
                tern_buf_printf(&b, len == 1 ? "%d" : "%02d", cv.sec);
            else
                bad = "second must either be \"s\" or \"ss\"";
            break;
        case 'Z':
            if (len == 1 && t.offset == 0)
                tern_buf_putc(&b, 'Z');
            else if (len == 3 && t.offset == 0)
                tern_buf_puts(&b, "UTC");
            else if (len == 1 || len == 5)
                put_offset(&b, t.offset, 1);
            else if (len == 3 || len == 4)
                put_offset(&b, t.offset, 0);
            else
                bad = "timezone must be Z, ZZZZ, or ZZZZZ";
            break;
        default:
            bad = "";
            break;
        }
        if (bad) {
            tern__fparam_error(c, 0, "format",
                               "invalid date format verb \"%.*s\"%s%s.",
                               (int)len, p, *bad ? ": " : "", bad);
            tern_buf_release(&b);
            tern_value_decref(spec);
            return TERN_ERROR;
        }
        p += len;
    }
    tern_value_decref(spec);
    return tern__fret_buf(out, &b);
}

/* Go's time.ParseDuration, in nanoseconds. */
static int parse_duration(const char *s, int64_t *out, char *why,
                          size_t why_size)
{
    static const struct {
        const char *unit;
        int64_t ns;
    } units[] = {{"ns", 1},
                 {"us", 1000},
                 {"\xc2\xb5s", 1000}, /* U+00B5 micro sign */
                 {"\xce\xbcs", 1000}, /* U+03BC Greek mu */
                 {"ms", 1000000},
                 {"s", 1000000000},
                 {"m", 60000000000LL},
                 {"h", 3600000000000LL}};
    const char *p = s;
    long double total = 0;
    int neg = 0;

    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    if (strcmp(p, "0") == 0) {
        *out = 0;
        return TERN_OK;
    }
    if (!*p)
        goto invalid;
    while (*p) {
        long double v = 0, scale = 1;
        int have = 0;
        size_t ulen = 0, u;
        const char *unit;

        while (*p >= '0' && *p <= '9') {
            v = v * 10 + (*p++ - '0');
            have = 1;
        }
        if (*p == '.') {
            p++;
            while (*p >= '0' && *p <= '9') {
                scale /= 10;
                v += (*p++ - '0') * scale;
                have = 1;
            }
        }
        if (!have)
            goto invalid;
        unit = p;
        while (*p && *p != '.' && (*p < '0' || *p > '9')) {
            p++;
            ulen++;
        }
        if (ulen == 0) {
            snprintf(why, why_size, "time: missing unit in duration \"%s\"", s);
            return TERN_ERROR;
        }
        for (u = 0; u < sizeof(units) / sizeof(units[0]); u++)
            if (strlen(units[u].unit) == ulen &&
                memcmp(units[u].unit, unit, ulen) == 0)
                break;
        if (u == sizeof(units) / sizeof(units[0])) {
            snprintf(why, why_size,
                     "time: unknown unit \"%.*s\" in duration "
                     "\"%s\"",
                     (int)ulen, unit, s);
            return TERN_ERROR;
        }
        total += v * (long double)units[u].ns;
        if (total > 9223372036854775807.0L)
            goto invalid;
    }
    *out = (int64_t)(neg ? -total : total);
    return TERN_OK;

invalid:
    snprintf(why, why_size, "time: invalid duration \"%s\"", s);
    return TERN_ERROR;
}

FN(timeadd)
{
    struct tern__time t;
    tern_value *d = NULL;
    tern_buf b = TERN_BUF_INIT;
    char why[256];
    int64_t ns, sec, rem;
    int error;

    (void)n;
    if ((error = arg_time(c, args, 0, "timestamp", &t)) ||
        (error = tern__arg_string(c, args, 1, &d)))
        return error;
    error = parse_duration(tern_value_get_string(d), &ns, why, sizeof(why));
    tern_value_decref(d);
    if (error) {
        tern__fparam_error(c, 1, "duration", "%s.", why);
        return error;
    }
    sec = ns / 1000000000;
    rem = ns % 1000000000 + t.nsec;
    if (rem < 0) {
        rem += 1000000000;
        sec--;
    } else if (rem >= 1000000000) {
        rem -= 1000000000;
        sec++;
    }
    t.sec += sec;
    t.nsec = (int32_t)rem;
    tern__time_format(&b, &t, 1);
    return tern__fret_buf(out, &b);
}

FN(timecmp)
{
    struct tern__time a, b;
    int error;

    (void)n;
    if ((error = arg_time(c, args, 0, "timestamp_a", &a)) ||
        (error = arg_time(c, args, 1, "timestamp_b", &b)))
        return error;
    if (a.sec != b.sec)
        return tern__fret(out, tern_value_int(a.sec < b.sec ? -1 : 1));
    if (a.nsec != b.nsec)
        return tern__fret(out, tern_value_int(a.nsec < b.nsec ? -1 : 1));
    return tern__fret(out, tern_value_int(0));
}

FN(timestamp)
{
    struct tern__time t;
    struct timespec now;
    tern_buf b = TERN_BUF_INIT;

    (void)c;
    (void)args;
    (void)n;
    clock_gettime(CLOCK_REALTIME, &now);
    t.sec = (int64_t)now.tv_sec;
    t.nsec = 0;
    t.offset = 0;
    tern__time_format(&b, &t, 0);
    return tern__fret_buf(out, &b);
}

FN(plantimestamp)
{
    (void)args;
    (void)n;
    if (!c->scope || !c->scope->plan_timestamp)
        return tern__fret(out, tern_value_unknown());
    return tern__fret(out, tern_value_string(c->scope->plan_timestamp));
}
