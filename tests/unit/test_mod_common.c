/*
 * The module tests' fixture (test_mod.h), and the tests of what the
 * modules share (modules/aws/iam_common.c): the propagation retry, the import
 * hint of EntityAlreadyExists, default_tags.
 */
#include "runner.h"
#include "test_mod.h"
#include "vclock.h"

#include "aws/credentials.h"
#include "aws/query.h"
#include "util/alloc.h"

#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void mod_fx_start(struct mod_fx *fx, const char *const *sim_args)
{
    tern_aws_client_opts opts = TERN_AWS_CLIENT_OPTS_INIT;
    tern_dbx_config cfg = TERN_DBX_CONFIG_INIT;
    struct tern_diags diags = TERN_DIAGS_INIT;

    memset(fx, 0, sizeof(*fx));
    unsetenv("AWS_ENDPOINT_URL");
    unsetenv("AWS_ENDPOINT_URL_IAM");
    unsetenv("AWS_ENDPOINT_URL_STS");
    unsetenv("AWS_ENDPOINT_URL_EC2");
    unsetenv("DATABRICKS_HOST");
    unsetenv("DATABRICKS_TOKEN");
    /* A test that waits for IAM waits seconds, not the 2 minutes. */
    setenv("TERN_PROPAGATION_TIMEOUT_MS", "20000", 1);
    ASSERT_OK(tt_sim_start(&fx->sim, sim_args));
    ASSERT_OK(tern_http_new(&fx->http, NULL));
    ASSERT_OK(tern_aws_credentials_new_static(&fx->creds,
                                              "AKIDTERNSIMDEFAULT01",
                                              "ternsim/default/"
                                              "SECRETKEY0000000000000001",
                                              NULL));
    opts.service = "iam";
    opts.endpoint = fx->sim.base_url;
    opts.max_retries = 3;
    opts.http = fx->http;
    opts.credentials = fx->creds;
    opts.seed = 7;
    ASSERT_OK(tern_aws_client_new(&fx->iam, &opts, &diags));
    opts.service = "sts";
    ASSERT_OK(tern_aws_client_new(&fx->sts, &opts, &diags));
    opts.service = "ec2";
    ASSERT_OK(tern_aws_client_new(&fx->ec2, &opts, &diags));
    cfg.host = fx->sim.base_url;
    cfg.token = "dapi-ternsim-default-token-0001";
    cfg.config_file = "/nonexistent/.databrickscfg";
    cfg.max_retries = 3;
    ASSERT_OK(tern_dbx_client_new(&fx->dbx, &cfg, fx->http, &diags));
    ASSERT_EQ(diags.count, 0);
    fx->op.version = TERN_OP_VERSION;
    fx->op.address = "aws_iam_role.test";
    fx->op.diags = &fx->diags;
    fx->aws.creds = fx->creds;
    fx->aws.iam = fx->iam;
    fx->aws.sts = fx->sts;
    fx->aws.ec2 = fx->ec2;
    ASSERT_OK(tern__iam_seen_new(&fx->aws.seen));
    /* Read as the provider's configure reads it. */
    tern__propagation_timeout_read();
    fx->op.client = &fx->aws;
    fx->op.cancel = &fx->cancel;
}

void mod_fx_stop(struct mod_fx *fx)
{
    tern_aws_client_free(fx->iam);
    tern_aws_client_free(fx->sts);
    tern_aws_client_free(fx->ec2);
    tern__iam_seen_free(fx->aws.seen);
    tern_dbx_client_free(fx->dbx);
    tern_aws_credentials_free(fx->creds);
    tern_http_free(fx->http);
    tern_diags_release(&fx->diags);
    json_decref(fx->provider);
    tt_sim_stop(&fx->sim);
}

json_t *mod_json(const char *text)
{
    json_error_t err;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &err);

    if (!v)
        FAIL("not JSON: %s: %s", err.text, text);
    return v;
}

json_t *mod_dump(struct mod_fx *fx)
{
    struct tt_response r;
    json_t *doc;

    ASSERT_OK(tt_sim_control(&r, &fx->sim, "GET", "dump", NULL));
    ASSERT_EQ(r.status, 200);
    doc = mod_json(r.body);
    tt_response_release(&r);
    return doc;
}

static json_t *find_named(json_t *list, const char *name)
{
    size_t i;
    json_t *o;

    json_array_foreach(list, i, o)
    {
        if (strcmp(json_string_value(json_object_get(o, "name")), name) == 0)
            return o;
    }
    return NULL;
}

json_t *mod_dump_role(json_t *dump, const char *name)
{
    return find_named(json_object_get(json_object_get(dump, "iam"), "roles"),
                      name);
}

json_t *mod_dump_profile(json_t *dump, const char *name)
{
    return find_named(
        json_object_get(json_object_get(dump, "iam"), "instance_profiles"),
        name);
}

const char *mod_calls(struct mod_fx *fx)
{
    static char buf[8192];
    struct tt_response r;
    json_t *doc, *c;
    size_t i, len = 0;

    ASSERT_OK(tt_sim_control(&r, &fx->sim, "GET", "calls", NULL));
    doc = mod_json(r.body);
    buf[0] = '\0';
    json_array_foreach(json_object_get(doc, "calls"), i, c)
    {
        const char *a = json_string_value(json_object_get(c, "action"));
        int n = snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? "," : "",
                         a ? a : "?");

        if (n < 0 || (size_t)n >= sizeof(buf) - len)
            break;
        len += (size_t)n;
    }
    json_decref(doc);
    tt_response_release(&r);
    return buf;
}

void mod_clear_calls(struct mod_fx *fx)
{
    struct tt_response r;

    ASSERT_OK(tt_sim_control(&r, &fx->sim, "DELETE", "calls", NULL));
    tt_response_release(&r);
}

static void post(struct mod_fx *fx, const char *path, const char *json)
{
    struct tt_response r;

    ASSERT_OK(tt_sim_control(&r, &fx->sim, "POST", path, json));
    if (r.status != 200)
        FAIL("POST /_sim/%s: %ld %s", path, r.status, r.body);
    tt_response_release(&r);
}

void mod_load(struct mod_fx *fx, const char *json)
{
    post(fx, "load", json);
}

void mod_faults(struct mod_fx *fx, const char *json)
{
    post(fx, "faults", json);
}

int mod_iam(struct mod_fx *fx, const char *action, ...)
{
    tern_buf b = TERN_BUF_INIT;
    struct tern_diags diags = TERN_DIAGS_INIT;
    va_list ap;
    const char *k;
    int rc;

    va_start(ap, action);
    while ((k = va_arg(ap, const char *)) != NULL)
        tern_aws_query_add(&b, k, va_arg(ap, const char *));
    va_end(ap);
    rc = tern_aws_call(fx->iam, action, &b, NULL, &diags);
    tern_buf_release(&b);
    tern_diags_release(&diags);
    return rc;
}

const char *mod_diag_text(struct mod_fx *fx)
{
    static char buf[8192];
    size_t i, len = 0;

    buf[0] = '\0';
    for (i = 0; i < fx->diags.count; i++) {
        const struct tern_diag *d = &fx->diags.items[i];
        int n = snprintf(buf + len, sizeof(buf) - len, "%s%s [%s]: %s",
                         len ? "\n" : "", d->summary,
                         d->service_code ? d->service_code : "",
                         d->detail ? d->detail : "");

        if (n < 0 || (size_t)n >= sizeof(buf) - len)
            break;
        len += (size_t)n;
    }
    return buf;
}

void mod_diag_clear(struct mod_fx *fx)
{
    tern_diags_release(&fx->diags);
}

const char *mod_str(const json_t *state, const char *key)
{
    return json_string_value(json_object_get(state, key));
}

/* One run of @m's read (or create, when @create) of @arg with allocation
 * @n failing alone (0: none), tern-sim first reset and loaded with @load
 * when given (with every later one when fx->walk_sticky): the state as
 * sorted compact JSON without create_date (the
 * C library's, free()), or NULL with the code in *@rc. */
static char *walk_run(struct mod_fx *fx, const tern_module *m, int create,
                      const json_t *arg, const char *load, unsigned long n,
                      int *rc, unsigned long *made)
{
    json_t *out = NULL;
    char *text = NULL;

    if (load) {
        struct tt_response r;

        ASSERT_OK(tt_sim_control(&r, &fx->sim, "POST", "reset", NULL));
        tt_response_release(&r);
        mod_load(fx, load);
    }
    if (fx->walk_sticky)
        tern__alloc_fail_after(n);
    else
        tern__alloc_fail_once(n);
    *rc = create ? m->create(&out, &fx->op, arg) : m->read(&out, &fx->op, arg);
    *made = tern__alloc_fail_after(0);
    if (*rc == TERN_OK) {
        ASSERT_NOT_NULL(out);
        json_object_del(out, "create_date"); /* the sim's clock */
        text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
        ASSERT_NOT_NULL(text);
    }
    json_decref(out);
    return text;
}

static unsigned long walk(struct mod_fx *fx, const tern_module *m, int create,
                          const json_t *arg, const char *load)
{
    unsigned long n, total, made;
    char *want, *got;
    int rc;

    want = walk_run(fx, m, create, arg, load, 0, &rc, &total);
    if (rc != TERN_OK)
        FAIL("unhindered, rc %d: %s", rc, mod_diag_text(fx));
    for (n = 1; n <= total; n++) {
        got = walk_run(fx, m, create, arg, load, n, &rc, &made);
        if (rc == TERN_OK && strcmp(got, want) != 0)
            FAIL("allocation %lu of %lu failed, yet the %s gave a state "
                 "that differs:\n%s\nnot\n%s",
                 n, total, create ? "create" : "read", got, want);
        if (rc != TERN_OK && rc != TERN_ENOMEM)
            FAIL("allocation %lu of %lu failed: rc %d, not out of memory: %s",
                 n, total, rc, mod_diag_text(fx));
        if (rc != TERN_OK && fx->diags.errors != 0)
            FAIL("allocation %lu of %lu failed: out of memory blamed on the "
                 "input: %s",
                 n, total, mod_diag_text(fx));
        free(got); /* Jansson's */
        mod_diag_clear(fx);
    }
    free(want);
    return total;
}

unsigned long mod_read_walk(struct mod_fx *fx, const tern_module *m,
                            const char *arg_text)
{
    json_t *arg = mod_json(arg_text);
    unsigned long total = walk(fx, m, 0, arg, NULL);

    json_decref(arg);
    return total;
}

unsigned long mod_read_walk_state(struct mod_fx *fx, const tern_module *m,
                                  const json_t *prior)
{
    return walk(fx, m, 0, prior, NULL);
}

unsigned long mod_create_walk(struct mod_fx *fx, const tern_module *m,
                              const char *cfg_text, const char *load)
{
    json_t *cfg = mod_json(cfg_text);
    unsigned long total = walk(fx, m, 1, cfg, load);

    json_decref(cfg);
    return total;
}

/*
 * Tests of iam_common.c.
 */

/* The ceiling is read from the environment when a provider is configured,
 * never by a module on a worker: a later change of the environment does
 * not reach a call (issue 20). */
TEST(mod_common, ceiling_read_once)
{
    setenv("TERN_PROPAGATION_TIMEOUT_MS", "4500", 1);
    tern__propagation_timeout_read();
    setenv("TERN_PROPAGATION_TIMEOUT_MS", "7", 1);
    ASSERT_EQ(tern__propagation_timeout_ms(), 4500);
    tern__propagation_timeout_read();
    ASSERT_EQ(tern__propagation_timeout_ms(), 7);
    setenv("TERN_PROPAGATION_TIMEOUT_MS", "-1", 1);
    tern__propagation_timeout_read();
    ASSERT_EQ(tern__propagation_timeout_ms(), 120000);
    unsetenv("TERN_PROPAGATION_TIMEOUT_MS");
    tern__propagation_timeout_read();
    ASSERT_EQ(tern__propagation_timeout_ms(), 120000);
}

TEST(mod_common, retry_only_named_errors_until_ceiling)
{
    struct mod_fx fx;
    tern_buf b = TERN_BUF_INIT;
    struct tt_vclock vc;

    mod_fx_start(&fx, NULL);
    tern__propagation_timeout_set(1000);
    /* The waits and the ceiling count on op->clock, a virtual one. */
    tt_vclock_init(&vc, 0);
    fx.op.clock = &vc.clock;
    tern_aws_query_add(&b, "RoleName", "nobody");
    /* Not named: one call, at once. */
    ASSERT_EQ(
        tern__iam_call(&fx.op, "GetRole", &b, NULL, 0, "Cannot read", NULL),
        TERN_ENOTFOUND);
    ASSERT_STR_EQ(mod_calls(&fx), "GetRole");
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "Cannot read [NoSuchEntity]");
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "check the name");
    mod_diag_clear(&fx);
    mod_clear_calls(&fx);
    /* Named: retried with backoff (200, 400, then what is left of 1 s). */
    ASSERT_EQ(tern__iam_call(&fx.op, "GetRole", &b, NULL,
                             TERN__RETRY_NOSUCHENTITY | TERN__QUIET_NOTFOUND,
                             "Cannot read", NULL),
              TERN_ENOTFOUND);
    ASSERT_EQ(atomic_load(&vc.slept), 1000);
    ASSERT_EQ(atomic_load(&vc.sleeps), 3);
    ASSERT_STR_EQ(mod_calls(&fx), "GetRole,GetRole,GetRole,GetRole");
    ASSERT_EQ(fx.diags.count, 0);
    tern_buf_release(&b);
    mod_fx_stop(&fx);
}

TEST(mod_common, cancel_stops_the_wait)
{
    struct mod_fx fx;
    tern_buf b = TERN_BUF_INIT;

    mod_fx_start(&fx, NULL);
    tern_aws_query_add(&b, "RoleName", "nobody");
    fx.cancel = 1;
    ASSERT_EQ(tern__iam_call(&fx.op, "GetRole", &b, NULL,
                             TERN__RETRY_NOSUCHENTITY, "Cannot read", NULL),
              TERN_ECANCELED);
    ASSERT_STR_EQ(mod_calls(&fx), "");
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "interrupted");
    tern_buf_release(&b);
    mod_fx_stop(&fx);
}

TEST(mod_common, default_tags_and_names)
{
    tern_op op;
    json_t *provider = mod_json(
        "{\"default_tags\": {\"tags\": {\"env\": \"dev\", \"team\": \"ml\"}}}");
    json_t *tags = mod_json("{\"team\": \"data\", \"app\": \"x\"}");
    json_t *all, *own, *want;
    json_t *cfg = mod_json("{\"name_prefix\": \"svc-\"}");
    char *name;

    memset(&op, 0, sizeof(op));
    op.provider = provider;
    all = tern__tags_all(&op, tags);
    want = mod_json("{\"env\": \"dev\", \"team\": \"data\", \"app\": \"x\"}");
    ASSERT(json_equal(all, want));
    own = tern__tags_own(&op, all);
    ASSERT(json_equal(own, tags));
    name = tern__resource_name(cfg);
    ASSERT_EQ(strlen(name), strlen("svc-") + 26);
    ASSERT(strncmp(name, "svc-20", 6) == 0);
    tern_free(name);
    json_decref(all);
    json_decref(own);
    json_decref(want);
    json_decref(tags);
    json_decref(provider);
    json_decref(cfg);
}

TEST(mod_common, policy_equivalence)
{
    json_t *a = json_string("{\"Version\":\"2012-10-17\",\"Statement\":[]}");
    json_t *b =
        json_string(" {\"Statement\": [], \"Version\": \"2012-10-17\"}");
    json_t *c = json_string(
        "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D");
    json_t *d = json_string("{\"Version\":\"2008-10-17\",\"Statement\":[]}");

    int same = -1;

    ASSERT_OK(tern__policy_equiv(&same, a, b));
    ASSERT_EQ(same, 1);
    ASSERT_OK(tern__policy_equiv(&same, a, c));
    ASSERT_EQ(same, 1);
    ASSERT_OK(tern__policy_equiv(&same, a, d));
    ASSERT_EQ(same, 0);
    ASSERT_OK(tern__policy_equiv(&same, NULL, json_null()));
    ASSERT_EQ(same, 1);
    json_decref(a);
    json_decref(b);
    json_decref(c);
    json_decref(d);
}

/* The ARN check's sections (written out since they were compiled as
 * regular expressions on every call) against the AWS provider's ValidARN
 * expressions themselves, compiled here. */
static int posix_match(const char *re, const char *s, size_t n)
{
    regex_t rx;
    char copy[128];
    int ok;

    snprintf(copy, sizeof(copy), "%.*s", (int)n, s);
    if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0)
        return -1;
    ok = regexec(&rx, copy, 0, NULL, 0) == 0;
    regfree(&rx);
    return ok;
}

TEST(mod_common, arn_sections_as_regex)
{
    static const char *const part[] = {
        "aws",  "aws-cn", "aws-us-gov", "aws-iso-b", "aws-", "aws--cn",
        "awsx", "aw",     "aws-CN",     "aws-c1",    "xaws", "aws-cn-"};
    static const char *const region[] = {
        "us-east-1",       "eu-central-1", "us-gov-west-1", "cn-north-1",
        "ab-c-1",          "us-east-12",   "us-east",       "useast-1",
        "us--1",           "us-1",         "u-east-1",      "US-east-1",
        "us-east-x",       "us-east1",     "us-east--1",    "us-ea5t-1",
        "ap-south-east-9", "us-east-1-",   "-us-east-1"};
    static const char *const account[] = {
        "aws",         "aws-managed",   "third-party",  "123456789012",
        "12345678901", "1234567890123", "12345678901a", "cw0123456789",
        "cw012345678", "cw01234567890", "cwxxxxxxxxxx", "cw-_x/yz.abc",
        "AWS",         "aws-manage",    "third_party",  ""};
    char arn[256], why[512];
    size_t i;

    for (i = 0; i < sizeof(part) / sizeof(part[0]); i++) {
        snprintf(arn, sizeof(arn), "arn:%s:iam::123456789012:role/r", part[i]);
        if ((tern__aws_arn_check(arn, why, sizeof(why)) == 0) !=
            posix_match("^aws(-[a-z]+)*$", part[i], strlen(part[i])))
            FAIL("partition %s: the check and ValidARN differ", part[i]);
    }
    for (i = 0; i < sizeof(region) / sizeof(region[0]); i++) {
        snprintf(arn, sizeof(arn), "arn:aws:s3:%s:123456789012:b", region[i]);
        if ((tern__aws_arn_check(arn, why, sizeof(why)) == 0) !=
            posix_match("^[a-z]{2}(-[a-z]+)+-[0-9]$", region[i],
                        strlen(region[i])))
            FAIL("region %s: the check and ValidARN differ", region[i]);
    }
    for (i = 0; i < sizeof(account) / sizeof(account[0]); i++) {
        snprintf(arn, sizeof(arn), "arn:aws:iam::%s:role/r", account[i]);
        if ((tern__aws_arn_check(arn, why, sizeof(why)) == 0) !=
            (!*account[i] ||
             posix_match("^(aws|aws-managed|third-party|[0-9]{12}|cw.{10})$",
                         account[i], strlen(account[i]))))
            FAIL("account %s: the check and ValidARN differ", account[i]);
    }
    ASSERT_EQ(tern__aws_arn_check("arn:aws:iam::12345678901:role/r", why,
                                  sizeof(why)),
              1);
    ASSERT_STR_EQ(why,
                  "is not a valid ARN: \"arn:aws:iam::12345678901:role/r\" "
                  "has an invalid account ID (12 digits, or aws).");
    ASSERT_EQ(tern__aws_arn_check("arn:aws:s3:us-east:123456789012:b", why,
                                  sizeof(why)),
              1);
    ASSERT_STR_EQ(why,
                  "is not a valid ARN: \"arn:aws:s3:us-east:123456789012:b\" "
                  "has an invalid region.");
}

const struct tern_test test_mod_common_list[] = {
    TEST_UNIT(mod_common, ceiling_read_once),
    TEST_MODULE(mod_common, retry_only_named_errors_until_ceiling),
    TEST_MODULE(mod_common, cancel_stops_the_wait),
    TEST_MODULE(mod_common, default_tags_and_names),
    TEST_MODULE(mod_common, policy_equivalence),
    TEST_UNIT(mod_common, arn_sections_as_regex),
    TEST_END};
