/*
 * aws_iam_role's inline_policy and managed_policy_arns against tern-sim:
 * create puts and attaches them (no read-back), a read of a role that
 * sets them lists them and equals what create returned, a role that does
 * not set them is read with GetRole alone, the bulk snapshot answers
 * without a call, an update removes what was added outside, and delete
 * takes them off first.
 */
#include "runner.h"
#include "test_mod.h"

#include <string.h>

extern const tern_module tern_module_aws_iam_role;
extern const tern_bulk_op tern_bulk_aws_iam;
#define M (&tern_module_aws_iam_role)

#define RO "arn:aws:iam::aws:policy/ReadOnlyAccess"
#define S3 "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
#define DOC                                                                    \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","        \
    "\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}"
#define DOC_Q                                                                  \
    "\"{\\\"Version\\\": \\\"2012-10-17\\\", \\\"Statement\\\": [{"            \
    "\\\"Effect\\\": \\\"Allow\\\", \\\"Action\\\": \\\"s3:GetObject\\\", "    \
    "\\\"Resource\\\": \\\"*\\\"}]}\""

static json_t *create(struct mod_fx *fx, const char *cfg_text)
{
    json_t *cfg = mod_json(cfg_text), *st = NULL;

    if (M->create(&st, &fx->op, cfg) != TERN_OK)
        FAIL("create: %s", mod_diag_text(fx));
    json_decref(cfg);
    return st;
}

TEST(mod_iam_role_sets, create_read_bulk_update_delete)
{
    struct mod_fx fx;
    json_t *st, *plain, *now = NULL, *cfg, *st2 = NULL, *dump;
    void *snapshot = NULL;

    mod_fx_start(&fx, NULL);
    mod_clear_calls(&fx);
    st = create(&fx,
                "{\"name\": \"svc\", \"assume_role_policy\": " MOD_TRUST_EC2_Q
                ", \"inline_policy\": [{\"name\": \"s3\", \"policy\": " DOC_Q
                "}], \"managed_policy_arns\": [\"" RO "\"]}");
    ASSERT_STR_EQ(mod_calls(&fx), "CreateRole,PutRolePolicy,AttachRolePolicy");
    plain = create(
        &fx,
        "{\"name\": \"plain\", \"assume_role_policy\": " MOD_TRUST_EC2_Q "}");
    ASSERT(json_is_null(json_object_get(plain, "inline_policy")));
    ASSERT(json_is_null(json_object_get(plain, "managed_policy_arns")));
    /* A read gives back exactly what create returned (the user's text). */
    mod_clear_calls(&fx);
    ASSERT_OK(M->read(&now, &fx.op, st));
    ASSERT_STR_EQ(mod_calls(&fx), "GetRole,ListRolePolicies,GetRolePolicy,"
                                  "ListAttachedRolePolicies");
    ASSERT(json_equal(now, st));
    json_decref(now);
    now = NULL;
    /* Not set: never read for them, whatever the role holds. */
    ASSERT_OK(mod_iam(&fx, "AttachRolePolicy", "RoleName", "plain", "PolicyArn",
                      S3, NULL));
    mod_clear_calls(&fx);
    ASSERT_OK(M->read(&now, &fx.op, plain));
    ASSERT_STR_EQ(mod_calls(&fx), "GetRole");
    ASSERT(json_equal(now, plain));
    json_decref(now);
    now = NULL;
    /* The bulk snapshot: no call, the same state. */
    ASSERT_OK(tern_bulk_aws_iam.fetch(&snapshot, &fx.op));
    fx.op.bulk = snapshot;
    mod_clear_calls(&fx);
    ASSERT_OK(M->read(&now, &fx.op, st));
    ASSERT_STR_EQ(mod_calls(&fx), "");
    ASSERT(json_equal(now, st));
    fx.op.bulk = NULL;
    tern_bulk_aws_iam.free(snapshot);
    json_decref(now);
    now = NULL;
    /* Added outside: a read shows it, an update removes it. */
    ASSERT_OK(mod_iam(&fx, "PutRolePolicy", "RoleName", "svc", "PolicyName",
                      "extra", "PolicyDocument", DOC, NULL));
    ASSERT_OK(mod_iam(&fx, "AttachRolePolicy", "RoleName", "svc", "PolicyArn",
                      S3, NULL));
    ASSERT_OK(M->read(&now, &fx.op, st));
    ASSERT_EQ(json_array_size(json_object_get(now, "inline_policy")), 2);
    ASSERT_EQ(json_array_size(json_object_get(now, "managed_policy_arns")), 2);
    cfg = json_deep_copy(st);
    mod_clear_calls(&fx);
    ASSERT_OK(M->update(&st2, &fx.op, now, cfg));
    ASSERT_STR_EQ(mod_calls(&fx), "ListRolePolicies,DeleteRolePolicy,"
                                  "ListAttachedRolePolicies,DetachRolePolicy");
    dump = mod_dump(&fx);
    ASSERT_EQ(json_object_size(json_object_get(mod_dump_role(dump, "svc"),
                                               "inline_policies")),
              1);
    ASSERT_EQ(json_array_size(json_object_get(mod_dump_role(dump, "svc"),
                                              "attached_policies")),
              1);
    json_decref(dump);
    ASSERT(json_equal(json_object_get(st2, "inline_policy"),
                      json_object_get(st, "inline_policy")));
    /* Delete takes them off before DeleteRole (no force_detach_policies).
     * The bulk refresh above saw the role in no instance profile: no
     * ListInstanceProfilesForRole. */
    mod_clear_calls(&fx);
    ASSERT_OK(M->delete_(&fx.op, st2));
    ASSERT_STR_EQ(mod_calls(&fx),
                  "ListAttachedRolePolicies,DetachRolePolicy,"
                  "ListRolePolicies,DeleteRolePolicy,DeleteRole");
    ASSERT_EQ(fx.diags.count, 0);
    json_decref(now);
    json_decref(cfg);
    json_decref(st);
    json_decref(st2);
    json_decref(plain);
    mod_fx_stop(&fx);
}

const struct tern_test test_mod_iam_role_sets_list[] = {
    TEST_MODULE(mod_iam_role_sets, create_read_bulk_update_delete), TEST_END};
