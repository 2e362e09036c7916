/*
 * Helpers for tests: a tern-sim child process on a port the OS picks, and
 * plain HTTP calls to it. Signed AWS calls are in aws_call.h.
 */
#ifndef TERN_TEST_SUPPORT_H
#define TERN_TEST_SUPPORT_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * 1 in a ThreadSanitizer build, where every process runs several times
 * slower (5 to 15 on the project's machine): the few tests whose bound is
 * wall-clock time (a latency that must outlast 200 connections, a window
 * that must outlast a run of tern) take a longer one there.
 */
#if defined(__SANITIZE_THREAD__)
#define TT_THREAD_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TT_THREAD_SANITIZER 1
#endif
#endif
#ifndef TT_THREAD_SANITIZER
#define TT_THREAD_SANITIZER 0
#endif

struct tt_sim {
    pid_t pid;
    int port;
    char base_url[64]; /* "http://127.0.0.1:PORT" */
};

/*
 * Start tern-sim with the given extra arguments (NULL-terminated, may be
 * NULL) and wait until it reports its port. The child is killed when the
 * test process exits. Returns 0 or -1.
 */
int tt_sim_start(struct tt_sim *sim, const char *const *extra_args);
/* Stop it (SIGTERM, then SIGKILL after 2 s) and reap it. */
void tt_sim_stop(struct tt_sim *sim);

/*
 * Wait up to @ms for child @pid to exit, blocked in poll on a pidfd (no
 * polling loop), and reap it into *status. 1 when reaped, 0 when it is
 * still running. Without pidfds it waits as long as the child runs.
 */
int tt_reap_within(pid_t pid, int ms, int *status);

struct tt_response {
    long status;
    char *body; /* NUL-terminated; owned, free with tt_response_release */
    size_t len;
    char *headers;  /* raw response headers */
    int curl_error; /* CURLcode when the transfer itself failed */
};

/*
 * One HTTP request. headers is a NULL-terminated array of "Name: value"
 * lines (may be NULL); body may be NULL. Returns 0 when a response arrived
 * (whatever its status), -1 on a transport failure (see curl_error).
 */
int tt_http(struct tt_response *out, const char *method, const char *url,
            const char *const *headers, const char *body, size_t body_len);
void tt_response_release(struct tt_response *r);

/* Convenience: call tern-sim's control endpoint (path under /_sim/). */
int tt_sim_control(struct tt_response *out, const struct tt_sim *sim,
                   const char *method, const char *path, const char *json);

/*
 * The body of the object at @key in tern-sim's first S3 bucket (its dump),
 * parsed as JSON: a new reference, or NULL when there is no such object (a
 * deleted one included), its body is not JSON or the sim did not answer.
 */
json_t *tt_sim_s3_json(const struct tt_sim *sim, const char *key);

/*
 * The text between <tag> and </tag> in an XML body, in a static buffer
 * (first occurrence), or NULL. Good enough to assert on error codes.
 */
const char *tt_xml_text(const char *xml, const char *tag);

/* Read a whole file into a new string (NULL on failure). */
char *tt_read_file(const char *path, size_t *len);

/*
 * The arguments of an aws_iam_role that EC2 may assume, for test
 * configurations in HCL: its assume_role_policy, one argument ending in a
 * newline (no '%', so it may sit in a printf format).
 */
#define TT_HCL_TRUST_EC2                                                       \
    "  assume_role_policy = jsonencode({\n"                                    \
    "    Version = \"2012-10-17\"\n"                                           \
    "    Statement = [{\n"                                                     \
    "      Effect    = \"Allow\"\n"                                            \
    "      Principal = { Service = \"ec2.amazonaws.com\" }\n"                  \
    "      Action    = \"sts:AssumeRole\"\n"                                   \
    "    }]\n"                                                                 \
    "  })\n"

#endif
