/*
 * bench_state: figures for the state store (not a timed test).
 *
 *     bench_state [DIR] [INSTANCES]      (defaults: $TMPDIR or /tmp, 10000)
 *
 * Builds a state of INSTANCES IAM-role-sized instances (one push, so the
 * build itself is quick), then measures, warm cache:
 *   - open + load everything (tern_state_open, tern_state_list,
 *     tern_state_outputs): median of 7 runs; target < 150 ms at 10,000;
 *   - one apply step (tern_state_intent_begin + tern_state_commit_step,
 *     each its own fsync'ed transaction): median of 200; target < 2 ms
 *     for the commit;
 *   - the database's size after closing; target < 30 MB;
 *   - tern_state_export of the whole state.
 *
 * Not wired into CMake; build by hand against a build tree, e.g.
 *     cc -std=c11 -D_GNU_SOURCE -O2 -Iinclude -Isrc -DTERN_VERSION='"dev"' \
 *        tests/bench/bench_state.c build/libtern_core.a \
 *        $(pkg-config --libs sqlite3 jansson libcrypto libcurl libuv expat) \
 *        -lm -lpthread -o bench_state
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tern/state.h"
#include "util/alloc.h"

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), cmp_double);
    return v[n / 2];
}

/* Attributes shaped like an aws_iam_role's (about 1 KB as JSON). */
static json_t *role_attrs(long i)
{
    char name[64], arn[128], id[32];

    snprintf(name, sizeof(name), "svc-%06ld-execution-role", i);
    snprintf(arn, sizeof(arn), "arn:aws:iam::123456789012:role/%s", name);
    snprintf(id, sizeof(id), "AROA%016ldXYZ", i);
    return json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:o,s:o,s:[],s:[]}", "id", name,
        "name", name, "arn", arn, "unique_id", id, "path", "/service/",
        "description", "Execution role for a batch service; managed by tern.",
        "max_session_duration", 3600, "create_date", "2026-11-28T00:00:00Z",
        "assume_role_policy",
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
        "\"Principal\":{\"Service\":[\"ec2.amazonaws.com\",\"sagemaker."
        "amazonaws.com\"]},\"Action\":\"sts:AssumeRole\",\"Condition\":{"
        "\"StringEquals\":{\"aws:SourceAccount\":\"123456789012\"}}}]}",
        "tags",
        json_pack("{s:s,s:s,s:s}", "team", "ml-platform", "env", "prod",
                  "cost-center", "cc-4242"),
        "tags_all",
        json_pack("{s:s,s:s,s:s,s:s}", "team", "ml-platform", "env", "prod",
                  "cost-center", "cc-4242", "managed-by", "tern"),
        "managed_policy_arns", "inline_policy");
}

static json_t *build_doc(long n)
{
    json_t *resources = json_array(), *insts = json_array();
    long i;

    for (i = 0; i < n; i++)
        json_array_append_new(
            insts, json_pack("{s:I,s:i,s:o,s:[],s:[s]}", "index_key",
                             (json_int_t)i, "schema_version", 0, "attributes",
                             role_attrs(i), "sensitive_attributes",
                             "dependencies", "aws_iam_policy.base"));
    json_array_append_new(
        resources,
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:o}", "mode", "managed", "type",
                  "aws_iam_role", "name", "svc", "each", "list", "provider",
                  "provider[\"registry.terraform.io/hashicorp/aws\"]",
                  "instances", insts));
    return json_pack("{s:i,s:s,s:i,s:s,s:{},s:o}", "version", 4,
                     "terraform_version", "1.5.7", "serial", 1, "lineage",
                     "00000000-0000-4000-8000-000000000000", "outputs",
                     "resources", resources);
}

static tern_state *open_or_die(const char *path)
{
    tern_state_open_options opts = TERN_STATE_OPEN_OPTIONS_INIT;
    struct tern_diags d = TERN_DIAGS_INIT;
    tern_state *st = NULL;

    opts.path = path;
    opts.create = 1;
    opts.operation = "bench";
    if (tern_state_open(&st, &opts, &d) != 0) {
        fprintf(stderr, "open: %s\n", d.count ? d.items[0].detail : "?");
        exit(1);
    }
    tern_diags_release(&d);
    return st;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : getenv("TMPDIR");
    long n = argc > 2 ? strtol(argv[2], NULL, 10) : 10000;
    char path[4096], side[4200];
    double opens[7], opens_only[7], steps[200], commits[200], t0, t1;
    size_t total = 0;
    const json_t *res;
    tern_state *st;
    tern_state_resource *list = NULL;
    tern_state_resource r = TERN_STATE_RESOURCE_INIT;
    json_t *doc, *outs = NULL, *attrs;
    size_t count = 0, i;
    struct stat sb;
    int64_t id;

    snprintf(path, sizeof(path), "%s/bench-%ld.tfstate.db",
             dir && *dir ? dir : "/tmp", (long)getpid());
    st = open_or_die(path);
    doc = build_doc(n);
    t0 = now_ms();
    if (tern_state_import(st, doc, 0, NULL) != 0)
        return 1;
    printf("push of %ld instances (one transaction): %.1f ms\n", n,
           now_ms() - t0);
    json_decref(doc);
    tern_state_free(st);

    for (i = 0; i < 7; i++) {
        t0 = now_ms();
        st = open_or_die(path);
        opens_only[i] = now_ms() - t0;
        tern_state_list(st, &list, &count, NULL);
        tern_state_outputs(st, &outs, NULL);
        t1 = now_ms();
        opens[i] = t1 - t0;
        if ((long)count != n)
            return 1;
        tern_state_resources_free(list, count);
        json_decref(outs);
        tern_state_free(st);
    }
    printf("open + load all %ld instances: median %.1f ms, of which open "
           "(lock, quick_check, meta): %.1f ms\n",
           n, median(opens, 7), median(opens_only, 7));

    st = open_or_die(path);
    r.type = "aws_iam_role";
    r.name = "step";
    r.key_kind = TERN_STATE_KEY_INT;
    for (i = 0; i < 200; i++) {
        attrs = role_attrs(100000 + (long)i);
        r.key_int = (long long)i;
        r.attributes = attrs;
        t0 = now_ms();
        tern_state_intent_begin(st, &id, "aws_iam_role.step", "create", NULL,
                                NULL);
        t1 = now_ms();
        if (tern_state_commit_step(st, id, &r, NULL) != 0)
            return 1;
        steps[i] = now_ms() - t0;
        commits[i] = now_ms() - t1;
        json_decref(attrs);
    }
    printf("commit_step: median %.2f ms; intent + commit: median %.2f ms\n",
           median(commits, 200), median(steps, 200));
    t0 = now_ms();
    tern_state_export(st, -1, &doc, NULL);
    t1 = now_ms() - t0;
    json_array_foreach(json_object_get(doc, "resources"), i, res) total +=
        json_array_size(json_object_get(res, "instances"));
    printf("export (state pull) of %zu instances: %.1f ms\n", total, t1);
    json_decref(doc);
    tern_state_free(st);
    if (stat(path, &sb) == 0)
        printf("file size: %.1f MB\n", (double)sb.st_size / 1e6);
    unlink(path);
    snprintf(side, sizeof(side), "%s.lock", path);
    unlink(side);
    return 0;
}
