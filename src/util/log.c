/*
 * The one log sink: stderr, level from TERN_LOG, every line redacted.
 * Terraform's variables are aliases: TF_LOG when TERN_LOG is unset (a
 * value that is no level is "trace", as Terraform's logging.go treats
 * it), and TF_LOG_PATH (or TERN_LOG_PATH) appends the lines to that file
 * instead of stderr.
 */
#include "tern/log.h"
#include "util/alloc.h"
#include "util/vec.h"

#include <ctype.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static pthread_once_t level_once = PTHREAD_ONCE_INIT;
/* Read by every thread that logs, written by tern_log_set_level. */
static atomic_int current_level = TERN_LOG_WARN;
static FILE *sink; /* TF_LOG_PATH; NULL: stderr */
static pthread_mutex_t sink_lock = PTHREAD_MUTEX_INITIALIZER;

/* Literal secrets to mask wherever they appear; grows as credentials are
 * refreshed during a long run. */
static char **secrets;
static size_t nsecrets, secrets_alloc;
/* A secret could not be registered (out of memory): from then on no line
 * can be shown safely, so each is masked whole. */
static int secret_lost;

static const char *const level_names[] = {"error", "warn", "info", "debug",
                                          "trace"};

static void read_level(void)
{
    const char *env = getenv("TERN_LOG");
    const char *path = getenv("TERN_LOG_PATH");
    int i, tf = 0;

    if (!path || !*path)
        path = getenv("TF_LOG_PATH");
    if (!env || !*env) {
        env = getenv("TF_LOG");
        tf = 1;
    }
    if (!env || !*env)
        return;
    if (path && *path) {
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

        sink = fd >= 0 ? fdopen(fd, "a") : NULL;
        if (fd >= 0 && !sink)
            close(fd);
    }
    for (i = 0; i <= TERN_LOG_TRACE; i++) {
        if (strcasecmp(env, level_names[i]) == 0) {
            atomic_store(&current_level, i);
            return;
        }
    }
    /* logging.go: TF_LOG=JSON or an unknown level logs everything. */
    if (tf)
        atomic_store(&current_level, TERN_LOG_TRACE);
}

enum tern_log_level tern_log_level(void)
{
    pthread_once(&level_once, read_level);
    return (enum tern_log_level)atomic_load(&current_level);
}

void tern_log_set_level(enum tern_log_level level)
{
    pthread_once(&level_once, read_level);
    atomic_store(&current_level, (int)level);
}

void tern_log_add_secret(const char *value)
{
    size_t i;

    if (!value || !*value)
        return;
    pthread_mutex_lock(&sink_lock);
    for (i = 0; i < nsecrets; i++) {
        if (strcmp(secrets[i], value) == 0)
            break;
    }
    if (i == nsecrets &&
        TERN_VEC_RESERVE(secrets, secrets_alloc, nsecrets + 1) == TERN_OK) {
        secrets[nsecrets] = tern_strdup(value);
        if (secrets[nsecrets])
            nsecrets++;
    }
    if (i == nsecrets)
        secret_lost = 1;
    pthread_mutex_unlock(&sink_lock);
}

/* Overwrite [p, p+len) with "[REDACTED]", shifting the rest left. */
static size_t mask(char *p, size_t len)
{
    static const char repl[] = "[REDACTED]";
    size_t rlen = sizeof(repl) - 1;

    if (len >= rlen) {
        memcpy(p, repl, rlen);
        memmove(p + rlen, p + len, strlen(p + len) + 1);
        return rlen;
    }
    memset(p, '*', len);
    return len;
}

/*
 * Keys whose value is secret. The value follows the key after optional
 * quotes and one of ':', '=', '>' (header, form/query/ini, JSON, XML).
 */
static const char *const secret_keys[] = {"authorization",
                                          "x-amz-security-token",
                                          "securitytoken",
                                          "sessiontoken",
                                          "session_token",
                                          "secretaccesskey",
                                          "secret_access_key",
                                          "secretkey",
                                          "password",
                                          "token",
                                          "x-aws-ec2-metadata-token"};

static int is_word(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

static char *redact_value(char *v)
{
    char *start, *end;
    char sep;

    /* Closing quote of the key, then the separator. */
    if (*v == '"' || *v == '\'')
        v++;
    while (*v == ' ' || *v == '\t')
        v++;
    sep = *v;
    if (sep != ':' && sep != '=' && sep != '>')
        return v;
    v++;
    while (*v == ' ' || *v == '\t')
        v++;
    if (*v == '"' || *v == '\'') {
        char q = *v++;

        start = v;
        end = strchr(v, q);
        if (!end)
            end = v + strlen(v);
    } else if (sep == '>') {
        start = v;
        end = strchr(v, '<');
        if (!end)
            end = v + strlen(v);
    } else if (sep == ':') {
        start = v;
        end = v + strcspn(v, "\r\n");
    } else {
        start = v;
        end = v + strcspn(v, "&\"', \t\r\n;");
    }
    if (end == start)
        return end;
    return start + mask(start, (size_t)(end - start));
}

void tern_log_redact(char *text)
{
    size_t i, k;
    char *p;

    if (!text)
        return;
    for (p = text; *p; p++) {
        if (strncasecmp(p, "bearer ", 7) == 0 &&
            (p == text || !is_word(p[-1]))) {
            char *start = p + 7;
            size_t len = strcspn(start, "\"', \t\r\n");

            if (len)
                p = start + mask(start, len) - 1;
            continue;
        }
        for (k = 0; k < sizeof(secret_keys) / sizeof(*secret_keys); k++) {
            size_t klen = strlen(secret_keys[k]);

            if (strncasecmp(p, secret_keys[k], klen) != 0)
                continue;
            if (p != text &&
                (is_word(p[-1]) && strcmp(secret_keys[k], "token") == 0))
                continue;
            if (is_word(p[klen]) || p[klen] == '-')
                continue;
            /* "</SessionToken>" closes a value; it does not start one. */
            if (p != text && p[-1] == '/')
                continue;
            p = redact_value(p + klen) - 1;
            break;
        }
        if (!*p)
            break;
    }
    pthread_mutex_lock(&sink_lock);
    if (secret_lost) {
        mask(text, strlen(text));
        pthread_mutex_unlock(&sink_lock);
        return;
    }
    for (i = 0; i < nsecrets; i++) {
        size_t slen = strlen(secrets[i]);

        /* Search on after each mask: a secret made of '*' (or one that
         * "[REDACTED]" contains) must not be found in its own mask. */
        for (p = strstr(text, secrets[i]); p; p = strstr(p, secrets[i]))
            p += mask(p, slen);
    }
    pthread_mutex_unlock(&sink_lock);
}

void tern_log_write(enum tern_log_level level, const char *fmt, ...)
{
    va_list ap;
    int len;
    char *line;
    struct timespec ts;
    struct tm tm;

    va_start(ap, fmt);
    len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0)
        return;
    line = tern_malloc((size_t)len + 1);
    if (!line)
        return;
    va_start(ap, fmt);
    vsnprintf(line, (size_t)len + 1, fmt, ap);
    va_end(ap);
    tern_log_redact(line);
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    pthread_mutex_lock(&sink_lock);
    fprintf(
        sink ? sink : stderr, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ [%s] %s\n",
        tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
        tm.tm_sec, ts.tv_nsec / 1000000,
        level_names[level <= TERN_LOG_TRACE ? level : TERN_LOG_TRACE], line);
    if (sink)
        fflush(sink);
    pthread_mutex_unlock(&sink_lock);
    tern_free(line);
}
