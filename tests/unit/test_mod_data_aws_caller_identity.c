/*
 * data "aws_caller_identity" against tern-sim's STS: one call, the
 * account, ARN and user id of the default key; a refused key's error.
 */
#include "runner.h"
#include "test_mod.h"

extern const tern_module tern_module_data_aws_caller_identity;
#define M (&tern_module_data_aws_caller_identity)

TEST(mod_data_aws_caller_identity, read)
{
    struct mod_fx fx;
    json_t *cfg = mod_json("{}"), *st = NULL;

    mod_fx_start(&fx, NULL);
    ASSERT_OK(M->read(&st, &fx.op, cfg));
    ASSERT_STR_EQ(mod_calls(&fx), "GetCallerIdentity");
    ASSERT_STR_EQ(mod_str(st, "account_id"), MOD_ACCOUNT);
    ASSERT_STR_EQ(mod_str(st, "id"), MOD_ACCOUNT);
    ASSERT_STR_CONTAINS(mod_str(st, "arn"), "arn:aws:iam::" MOD_ACCOUNT ":");
    ASSERT_NOT_NULL(mod_str(st, "user_id"));
    json_decref(st);
    json_decref(cfg);
    mod_fx_stop(&fx);
}

TEST(mod_data_aws_caller_identity, refused_key)
{
    static const char *const args[] = {"--no-default-key", NULL};
    struct mod_fx fx;
    json_t *cfg = mod_json("{}"), *st = NULL;

    mod_fx_start(&fx, args);
    ASSERT_EQ(M->read(&st, &fx.op, cfg), TERN_EAUTH);
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "Cannot read the caller identity");
    ASSERT_NULL(st);
    json_decref(cfg);
    mod_fx_stop(&fx);
}

const struct tern_test test_mod_data_aws_caller_identity_list[] = {
    TEST_MODULE(mod_data_aws_caller_identity, read),
    TEST_MODULE(mod_data_aws_caller_identity, refused_key), TEST_END};
