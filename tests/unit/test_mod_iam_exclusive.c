/*
 * aws_iam_role_policies_exclusive and
 * aws_iam_role_policy_attachments_exclusive against tern-sim: create
 * removes what the configuration does not name, drift added outside tern
 * shows in a read and an update removes it, replace, a delete that
 * leaves the role as it is, import by role name, a role deleted outside
 * tern, errors with whole messages, the bulk refresh's snapshot, and an
 * attachment under 5 s of propagation.
 */
#include "runner.h"
#include "test_mod.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const tern_module tern_module_aws_iam_role_policies_exclusive;
extern const tern_module tern_module_aws_iam_role_policy_attachments_exclusive;
extern const tern_bulk_op tern_bulk_aws_iam;
#define P (&tern_module_aws_iam_role_policies_exclusive)
#define A (&tern_module_aws_iam_role_policy_attachments_exclusive)

#define RO  "arn:aws:iam::aws:policy/ReadOnlyAccess"
#define S3  "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
#define EC2 "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
#define DOC                                                                    \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","        \
    "\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}"
#define DOC_Q                                                                  \
    "\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{"               \
    "\\\"Effect\\\":\\\"Allow\\\",\\\"Action\\\":\\\"s3:GetObject\\\","        \
    "\\\"Resource\\\":\\\"*\\\"}]}\""

/* Role "app" with inline policies a, b, c and attachments RO, S3. */
static void load_app(struct mod_fx *fx)
{
    mod_load(fx, "{\"iam\": {\"roles\": [{\"name\": \"app\", "
                 "\"assume_role_policy\": " MOD_TRUST_EC2_Q
                 ", \"inline_policies\": {\"a\": " DOC_Q ", \"b\": " DOC_Q
                 ", \"c\": " DOC_Q "}, \"attached_policies\": [\"" RO
                 "\", \"" S3 "\"]}]}}");
}

/* mod_diag_text() with the request id and the attempt count, which vary
 * from run to run, written as "*" (static buffer). */
static const char *diag_text(struct mod_fx *fx)
{
    static char buf[8192];
    const char *s = mod_diag_text(fx);
    size_t n = 0;

    while (*s && n + 2 < sizeof(buf)) {
        if (strncmp(s, "request id ", 11) == 0) {
            memcpy(buf + n, "request id *", 12);
            n += 12;
            s += 11;
            while (*s && *s != ',' && *s != ')')
                s++;
            if (strncmp(s, ", ", 2) == 0 && s[2] >= '0' && s[2] <= '9') {
                memcpy(buf + n, ", *", 3);
                n += 3;
                s += 2;
                while (*s >= '0' && *s <= '9')
                    s++;
            }
            continue;
        }
        buf[n++] = *s++;
    }
    buf[n] = '\0';
    return buf;
}

/* A state as compact JSON with sorted keys (static buffer). */
static const char *compact(const json_t *st)
{
    static char buf[1024];
    char *s = json_dumps(st, JSON_COMPACT | JSON_SORT_KEYS);

    snprintf(buf, sizeof(buf), "%s", s ? s : "(null)");
    free(s);
    return buf;
}

static json_t *apply(struct mod_fx *fx, const tern_module *m,
                     const char *cfg_text)
{
    json_t *cfg = mod_json(cfg_text), *st = NULL;

    if (m->create(&st, &fx->op, cfg) != TERN_OK)
        FAIL("create: %s", mod_diag_text(fx));
    json_decref(cfg);
    return st;
}

/* The role's inline policy names ("a,b") or attached ARNs, from the dump
 * (static buffer). */
static const char *held(struct mod_fx *fx, const char *what)
{
    static char buf[1024];
    json_t *dump = mod_dump(fx);
    json_t *role = mod_dump_role(dump, "app"), *v;
    const char *k;
    size_t i, len = 0;

    buf[0] = '\0';
    if (strcmp(what, "inline") == 0) {
        json_object_foreach(json_object_get(role, "inline_policies"), k, v)
        {
            len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
                                    len ? "," : "", k);
        }
    } else {
        json_array_foreach(json_object_get(role, "attached_policies"), i, v)
        {
            len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
                                    len ? "," : "", json_string_value(v));
        }
    }
    json_decref(dump);
    return buf;
}

TEST(mod_iam_exclusive, policies_create_read_delete)
{
    struct mod_fx fx;
    json_t *st, *now = NULL;

    mod_fx_start(&fx, NULL);
    load_app(&fx);
    mod_clear_calls(&fx);
    st = apply(&fx, P, "{\"role_name\": \"app\", \"policy_names\": [\"b\"]}");
    ASSERT_STR_EQ(mod_calls(&fx),
                  "ListRolePolicies,DeleteRolePolicy,DeleteRolePolicy");
    ASSERT_STR_EQ(held(&fx, "inline"), "b");
    /* Attachments are not this resource's. */
    ASSERT_STR_EQ(held(&fx, "attached"), RO "," S3);
    mod_clear_calls(&fx);
    ASSERT_OK(P->read(&now, &fx.op, st));
    ASSERT_STR_EQ(mod_calls(&fx), "ListRolePolicies");
    ASSERT(json_equal(now, st));
    json_decref(now);
    /* Delete leaves the role as it is, with no call. */
    mod_clear_calls(&fx);
    ASSERT_OK(P->delete_(&fx.op, st));
    ASSERT_STR_EQ(mod_calls(&fx), "");
    ASSERT_STR_EQ(held(&fx, "inline"), "b");
    ASSERT_EQ(fx.diags.count, 0);
    json_decref(st);
    mod_fx_stop(&fx);
}

TEST(mod_iam_exclusive, policies_drift_update_gone)
{
    struct mod_fx fx;
    json_t *st, *now = NULL, *cfg, *st2 = NULL;

    mod_fx_start(&fx, NULL);
    load_app(&fx);
    st = apply(&fx, P,
               "{\"role_name\": \"app\", \"policy_names\": [\"c\", \"a\"]}");
    ASSERT_OK(mod_iam(&fx, "PutRolePolicy", "RoleName", "app", "PolicyName",
                      "extra", "PolicyDocument", DOC, NULL));
    ASSERT_OK(P->read(&now, &fx.op, st));
    ASSERT_STR_EQ(compact(now),
                  "{\"id\":\"app\",\"policy_names\":[\"a\",\"c\",\"extra\"],"
                  "\"role_name\":\"app\"}");
    /* The plan removes the drift: update to the configuration. */
    cfg =
        mod_json("{\"role_name\": \"app\", \"policy_names\": [\"a\", \"c\"]}");
    mod_clear_calls(&fx);
    ASSERT_OK(P->update(&st2, &fx.op, now, cfg));
    ASSERT_STR_EQ(mod_calls(&fx), "ListRolePolicies,DeleteRolePolicy");
    ASSERT_STR_EQ(held(&fx, "inline"), "a,c");
    ASSERT_STR_EQ(compact(st2), "{\"id\":\"app\",\"policy_names\":[\"a\","
                                "\"c\"],\"role_name\":\"app\"}");
    json_decref(now);
    now = NULL;
    /* The role deleted outside tern: gone, quietly. */
    ASSERT_OK(mod_iam(&fx, "DeleteRolePolicy", "RoleName", "app", "PolicyName",
                      "a", NULL));
    ASSERT_OK(mod_iam(&fx, "DeleteRolePolicy", "RoleName", "app", "PolicyName",
                      "c", NULL));
    ASSERT_OK(mod_iam(&fx, "DetachRolePolicy", "RoleName", "app", "PolicyArn",
                      RO, NULL));
    ASSERT_OK(mod_iam(&fx, "DetachRolePolicy", "RoleName", "app", "PolicyArn",
                      S3, NULL));
    ASSERT_OK(mod_iam(&fx, "DeleteRole", "RoleName", "app", NULL));
    ASSERT_EQ(P->read(&now, &fx.op, st), TERN_ENOTFOUND);
    json_decref(cfg);
    cfg = mod_json("{\"role_name\": \"app\", \"policy_arns\": []}");
    ASSERT_EQ(A->read(&now, &fx.op, cfg), TERN_ENOTFOUND);
    ASSERT_EQ(fx.diags.count, 0);
    json_decref(cfg);
    json_decref(st);
    json_decref(st2);
    mod_fx_stop(&fx);
}

TEST(mod_iam_exclusive, replace_and_import)
{
    struct mod_fx fx;
    json_t *st = NULL;

    mod_fx_start(&fx, NULL);
    ASSERT(tern_schema_attr(P->schema, "role_name")->flags &
           TERN_ATTR_FORCE_NEW);
    ASSERT(tern_schema_attr(A->schema, "role_name")->flags &
           TERN_ATTR_FORCE_NEW);
    ASSERT_FALSE(tern_schema_attr(P->schema, "policy_names")->flags &
                 TERN_ATTR_FORCE_NEW);
    load_app(&fx);
    ASSERT_OK(P->import(&st, &fx.op, "app"));
    ASSERT_STR_EQ(compact(st),
                  "{\"id\":\"app\",\"policy_names\":[\"a\",\"b\",\"c\"],"
                  "\"role_name\":\"app\"}");
    json_decref(st);
    st = NULL;
    ASSERT_OK(A->import(&st, &fx.op, "app"));
    ASSERT_STR_EQ(compact(st),
                  "{\"id\":\"app\",\"policy_arns\":[\"" S3 "\",\"" RO "\"],"
                  "\"role_name\":\"app\"}");
    json_decref(st);
    st = NULL;
    ASSERT_EQ(P->import(&st, &fx.op, "nobody"), TERN_ENOTFOUND);
    ASSERT_STR_EQ(diag_text(&fx),
                  "Cannot read the inline policy set of IAM role 'nobody' "
                  "[NoSuchEntity]: IAM ListRolePolicies: NoSuchEntity: The "
                  "role with name nobody cannot be found. (HTTP 404, request "
                  "id *, * attempt). The object it names does not exist (or "
                  "was deleted outside tern): check the name, or create it "
                  "first.");
    ASSERT_NULL(st);
    mod_fx_stop(&fx);
}

TEST(mod_iam_exclusive, policies_errors)
{
    struct mod_fx fx;
    json_t *cfg, *st = NULL;

    mod_fx_start(&fx, NULL);
    load_app(&fx);
    /* A name the role lacks: refused before any change. */
    cfg = mod_json(
        "{\"role_name\": \"app\", \"policy_names\": [\"a\", \"nope\"]}");
    mod_clear_calls(&fx);
    ASSERT_EQ(P->create(&st, &fx.op, cfg), TERN_ENOTFOUND);
    ASSERT_STR_EQ(mod_calls(&fx), "ListRolePolicies");
    ASSERT_STR_EQ(diag_text(&fx),
                  "Cannot apply the inline policy set of IAM role 'app' []: "
                  "The role has no inline policy 'nope'. This resource only "
                  "removes the role's others; create it with "
                  "aws_iam_role_policy.");
    ASSERT_STR_EQ(held(&fx, "inline"), "a,b,c");
    ASSERT_NULL(st);
    json_decref(cfg);
    mod_diag_clear(&fx);
    tern__propagation_timeout_set(300);
    cfg = mod_json("{\"role_name\": \"gone\", \"policy_names\": []}");
    ASSERT_EQ(P->create(&st, &fx.op, cfg), TERN_ENOTFOUND);
    ASSERT_STR_EQ(diag_text(&fx),
                  "Cannot read the inline policy set of IAM role 'gone' "
                  "[NoSuchEntity]: IAM ListRolePolicies: NoSuchEntity: The "
                  "role with name gone cannot be found. (HTTP 404, request "
                  "id *, * attempt). The object it names does not exist (or "
                  "was deleted outside tern): check the name, or create it "
                  "first.");
    json_decref(cfg);
    mod_fx_stop(&fx);
}

TEST(mod_iam_exclusive, attachments_create_drift_update)
{
    struct mod_fx fx;
    json_t *st, *now = NULL, *cfg, *st2 = NULL;

    mod_fx_start(&fx, NULL);
    load_app(&fx);
    mod_clear_calls(&fx);
    st = apply(&fx, A,
               "{\"role_name\": \"app\", \"policy_arns\": [\"" S3 "\", \"" EC2
               "\"]}");
    ASSERT_STR_EQ(mod_calls(&fx),
                  "ListAttachedRolePolicies,AttachRolePolicy,DetachRolePolicy");
    ASSERT_STR_EQ(held(&fx, "attached"), S3 "," EC2);
    ASSERT_STR_EQ(held(&fx, "inline"), "a,b,c");
    mod_clear_calls(&fx);
    ASSERT_OK(A->read(&now, &fx.op, st));
    ASSERT_STR_EQ(mod_calls(&fx), "ListAttachedRolePolicies");
    ASSERT_STR_EQ(compact(now),
                  "{\"id\":\"app\",\"policy_arns\":[\"" S3 "\",\"" EC2 "\"],"
                  "\"role_name\":\"app\"}");
    json_decref(now);
    now = NULL;
    /* Attached outside tern: a read shows it, an update detaches it. */
    ASSERT_OK(mod_iam(&fx, "AttachRolePolicy", "RoleName", "app", "PolicyArn",
                      RO, NULL));
    ASSERT_OK(A->read(&now, &fx.op, st));
    ASSERT_EQ(json_array_size(json_object_get(now, "policy_arns")), 3);
    cfg = mod_json("{\"role_name\": \"app\", \"policy_arns\": [\"" EC2 "\"]}");
    mod_clear_calls(&fx);
    ASSERT_OK(A->update(&st2, &fx.op, now, cfg));
    ASSERT_STR_EQ(mod_calls(&fx),
                  "ListAttachedRolePolicies,DetachRolePolicy,DetachRolePolicy");
    ASSERT_STR_EQ(held(&fx, "attached"), EC2);
    ASSERT_STR_EQ(compact(st2), "{\"id\":\"app\",\"policy_arns\":[\"" EC2
                                "\"],\"role_name\":\"app\"}");
    /* Delete: no call, the attachment stays. */
    mod_clear_calls(&fx);
    ASSERT_OK(A->delete_(&fx.op, st2));
    ASSERT_STR_EQ(mod_calls(&fx), "");
    ASSERT_STR_EQ(held(&fx, "attached"), EC2);
    ASSERT_EQ(fx.diags.count, 0);
    json_decref(now);
    json_decref(cfg);
    json_decref(st);
    json_decref(st2);
    mod_fx_stop(&fx);
}

TEST(mod_iam_exclusive, attachments_errors)
{
    struct mod_fx fx;
    json_t *cfg, *st = NULL;

    mod_fx_start(&fx, NULL);
    tern__propagation_timeout_set(300);
    load_app(&fx);
    cfg = mod_json("{\"role_name\": \"app\", \"policy_arns\": "
                   "[\"arn:aws:iam::aws:policy/NoSuchPolicy\"]}");
    ASSERT_EQ(A->create(&st, &fx.op, cfg), TERN_ENOTFOUND);
    ASSERT_STR_EQ(diag_text(&fx),
                  "Cannot apply the attached policy set of IAM role 'app' "
                  "[NoSuchEntity]: IAM AttachRolePolicy: NoSuchEntity: Policy "
                  "arn:aws:iam::aws:policy/NoSuchPolicy does not exist or is "
                  "not attachable. (HTTP 404, request id *, * attempt). The "
                  "object it names does not exist (or was deleted outside "
                  "tern): check the name, or create it first.");
    /* Nothing detached while the attach failed. */
    ASSERT_STR_EQ(held(&fx, "attached"), RO "," S3);
    ASSERT_NULL(st);
    json_decref(cfg);
    mod_fx_stop(&fx);
}

TEST(mod_iam_exclusive, bulk_snapshot)
{
    struct mod_fx fx;
    json_t *p, *a, *now = NULL, *plain = NULL;
    void *snapshot = NULL;

    mod_fx_start(&fx, NULL);
    load_app(&fx);
    p = mod_json("{\"role_name\": \"app\", \"policy_names\": [\"a\"]}");
    a = mod_json("{\"role_name\": \"app\", \"policy_arns\": [\"" RO "\"]}");
    ASSERT_OK(tern_bulk_aws_iam.fetch(&snapshot, &fx.op));
    fx.op.bulk = snapshot;
    mod_clear_calls(&fx);
    ASSERT_OK(P->read(&now, &fx.op, p));
    ASSERT_STR_EQ(mod_calls(&fx), "");
    fx.op.bulk = NULL;
    ASSERT_OK(P->read(&plain, &fx.op, p));
    ASSERT(json_equal(now, plain));
    json_decref(now);
    json_decref(plain);
    now = plain = NULL;
    fx.op.bulk = snapshot;
    mod_clear_calls(&fx);
    ASSERT_OK(A->read(&now, &fx.op, a));
    ASSERT_STR_EQ(mod_calls(&fx), "");
    fx.op.bulk = NULL;
    ASSERT_OK(A->read(&plain, &fx.op, a));
    ASSERT(json_equal(now, plain));
    json_decref(now);
    json_decref(plain);
    now = NULL;
    /* A role the snapshot lacks is listed. */
    ASSERT_OK(mod_iam(&fx, "CreateRole", "RoleName", "later",
                      "AssumeRolePolicyDocument", MOD_TRUST_EC2, NULL));
    json_decref(p);
    p = mod_json("{\"role_name\": \"later\", \"policy_names\": []}");
    fx.op.bulk = snapshot;
    mod_clear_calls(&fx);
    ASSERT_OK(P->read(&now, &fx.op, p));
    ASSERT_STR_EQ(mod_calls(&fx), "ListRolePolicies");
    ASSERT_STR_EQ(compact(now), "{\"id\":\"later\",\"policy_names\":[],"
                                "\"role_name\":\"later\"}");
    fx.op.bulk = NULL;
    tern_bulk_aws_iam.free(snapshot);
    json_decref(now);
    json_decref(p);
    json_decref(a);
    mod_fx_stop(&fx);
}

TEST(mod_iam_exclusive, new_role_propagation_5s)
{
    static const char *const args[] = {"--propagation-ms", "5000", NULL};
    struct mod_fx fx;
    json_t *st;
    const char *calls;

    mod_fx_start(&fx, args);
    ASSERT_OK(mod_iam(&fx, "CreateRole", "RoleName", "app",
                      "AssumeRolePolicyDocument", MOD_TRUST_EC2, NULL));
    mod_clear_calls(&fx);
    st = apply(&fx, A,
               "{\"role_name\": \"app\", \"policy_arns\": [\"" RO "\"]}");
    /* The new role was listed again until IAM knew it, then attached. */
    calls = mod_calls(&fx);
    ASSERT_STR_CONTAINS(calls,
                        "ListAttachedRolePolicies,ListAttachedRolePolicies");
    ASSERT_STR_EQ(strrchr(calls, ','), ",AttachRolePolicy");
    ASSERT_STR_EQ(held(&fx, "attached"), RO);
    ASSERT_EQ(fx.diags.count, 0);
    json_decref(st);
    mod_fx_stop(&fx);
}

const struct tern_test test_mod_iam_exclusive_list[] = {
    TEST_MODULE(mod_iam_exclusive, policies_create_read_delete),
    TEST_MODULE(mod_iam_exclusive, policies_drift_update_gone),
    TEST_MODULE(mod_iam_exclusive, replace_and_import),
    TEST_MODULE(mod_iam_exclusive, policies_errors),
    TEST_MODULE(mod_iam_exclusive, attachments_create_drift_update),
    TEST_MODULE(mod_iam_exclusive, attachments_errors),
    TEST_MODULE(mod_iam_exclusive, bulk_snapshot),
    TEST_MODULE(mod_iam_exclusive, new_role_propagation_5s),
    TEST_END};
