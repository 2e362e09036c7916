/*
 * data "aws_iam_role" against tern-sim: one GetRole, every attribute; a
 * missing role is an error with the service's code.
 */
#include "runner.h"
#include "test_mod.h"

extern const tern_module tern_module_data_aws_iam_role;
#define M (&tern_module_data_aws_iam_role)

TEST(mod_data_aws_iam_role, read_and_missing)
{
    struct mod_fx fx;
    json_t *cfg, *st = NULL;

    mod_fx_start(&fx, NULL);
    mod_load(&fx, "{\"iam\": {\"roles\": [{\"name\": \"ws\", \"path\": "
                  "\"/dbx/\", \"description\": \"workspace\", "
                  "\"max_session_duration\": 7200, \"permissions_boundary\": "
                  "\"arn:aws:iam::aws:policy/PowerUserAccess\", "
                  "\"assume_role_policy\": " MOD_TRUST_EC2 ", "
                  "\"tags\": {\"k\": \"v\"}}]}}");
    cfg = mod_json("{\"name\": \"ws\"}");
    ASSERT_OK(M->read(&st, &fx.op, cfg));
    ASSERT_STR_EQ(mod_calls(&fx), "GetRole");
    ASSERT_STR_EQ(mod_str(st, "arn"),
                  "arn:aws:iam::" MOD_ACCOUNT ":role/dbx/ws");
    ASSERT_STR_EQ(mod_str(st, "id"), "ws");
    ASSERT_STR_EQ(mod_str(st, "path"), "/dbx/");
    ASSERT_STR_EQ(mod_str(st, "description"), "workspace");
    ASSERT_STR_EQ(mod_str(st, "permissions_boundary"),
                  "arn:aws:iam::aws:policy/PowerUserAccess");
    ASSERT_EQ(json_integer_value(json_object_get(st, "max_session_duration")),
              7200);
    ASSERT_STR_CONTAINS(mod_str(st, "assume_role_policy"), "ec2.amazonaws.com");
    ASSERT_STR_EQ(mod_str(json_object_get(st, "tags"), "k"), "v");
    ASSERT_STR_CONTAINS(mod_str(st, "unique_id"), "AROA");
    ASSERT_EQ(json_array_size(json_object_get(st, "role_last_used")), 1);
    json_decref(st);
    st = NULL;
    json_decref(cfg);
    cfg = mod_json("{\"name\": \"nope\"}");
    ASSERT_EQ(M->read(&st, &fx.op, cfg), TERN_ENOTFOUND);
    ASSERT_STR_CONTAINS(mod_diag_text(&fx),
                        "Cannot read IAM role 'nope' [NoSuchEntity]");
    json_decref(cfg);
    mod_fx_stop(&fx);
}

const struct tern_test test_mod_data_aws_iam_role_list[] = {
    TEST_MODULE(mod_data_aws_iam_role, read_and_missing), TEST_END};
