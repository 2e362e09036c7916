/*
 * bench_calls: sum up a tern-sim call log, for scripts/bench.sh (a
 * program, not a timed test).
 *
 *     bench_calls CALLS.json
 *
 * CALLS.json is what GET /_sim/calls answered. Prints one line:
 *
 *     calls=N errors=E depth=D span_ms=S actions=A:n,B:m,...
 *
 * calls: the requests the simulator served (control requests are never
 * logged); errors: those answered with an error code; span: from the
 * first request's start to the last one's end; depth: the longest chain
 * of requests each of which started only after the previous one had
 * ended, that is the round trips the run actually waited for one after
 * another; actions: how many of each, in order of first appearance.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct call {
    long long start, end;
};

static int by_start(const void *a, const void *b)
{
    const struct call *x = a, *y = b;

    return x->start < y->start ? -1 : x->start > y->start;
}

int main(int argc, char **argv)
{
    json_error_t err;
    json_t *doc, *calls, *c, *counts;
    struct call *v;
    size_t n, i, j, errors = 0;
    long long first = 0, last = 0;
    unsigned *depth;
    unsigned maxd = 0;
    const char *k;
    json_t *val;
    int sep = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: bench_calls CALLS.json\n");
        return 2;
    }
    doc = json_load_file(argv[1], 0, &err);
    calls = json_object_get(doc, "calls");
    if (!json_is_array(calls)) {
        fprintf(stderr, "bench_calls: %s: no call log (%s)\n", argv[1],
                doc ? "no \"calls\"" : err.text);
        return 1;
    }
    n = json_array_size(calls);
    v = calloc(n + 1, sizeof(*v));
    depth = calloc(n + 1, sizeof(*depth));
    counts = json_object();
    if (!v || !depth || !counts)
        return 1;
    json_array_foreach(calls, i, c)
    {
        const char *action = json_string_value(json_object_get(c, "action"));
        const char *code = json_string_value(json_object_get(c, "error_code"));
        json_int_t have;

        v[i].start = json_integer_value(json_object_get(c, "start_ms"));
        v[i].end = json_integer_value(json_object_get(c, "end_ms"));
        if (i == 0 || v[i].start < first)
            first = v[i].start;
        if (i == 0 || v[i].end > last)
            last = v[i].end;
        if (code && *code)
            errors++;
        action = action ? action : "?";
        have = json_integer_value(json_object_get(counts, action));
        json_object_set_new(counts, action, json_integer(have + 1));
    }
    /* Longest chain of calls that waited for one another: O(n^2) over
     * the calls sorted by start, fine for the few thousand of a run. */
    qsort(v, n, sizeof(*v), by_start);
    for (i = 0; i < n; i++) {
        depth[i] = 1;
        for (j = 0; j < i; j++)
            if (v[j].end <= v[i].start && depth[j] + 1 > depth[i])
                depth[i] = depth[j] + 1;
        if (depth[i] > maxd)
            maxd = depth[i];
    }
    printf("calls=%zu errors=%zu depth=%u span_ms=%lld actions=", n, errors,
           maxd, n ? last - first : 0);
    json_object_foreach(counts, k, val)
    {
        printf("%s%s:%lld", sep ? "," : "", k,
               (long long)json_integer_value(val));
        sep = 1;
    }
    printf("\n");
    json_decref(doc);
    json_decref(counts);
    free(v);
    free(depth);
    return 0;
}
