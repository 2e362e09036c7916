/*
 * aws_iam_role against tern-sim: create (one call), drift, update in
 * place, replace, delete (instance profiles and, with
 * force_detach_policies, policies first), import, read of a role deleted
 * outside tern, error cases, and a trust policy naming a role created a
 * moment earlier under 5 s of propagation delay.
 */
#include "runner.h"
#include "test_mod.h"

#include "lang/lang.h"
#include "tern/engine.h"
#include "util/alloc.h"

#include <stdlib.h>
#include <time.h>

extern const tern_module tern_module_aws_iam_role;
extern const tern_module tern_module_aws_iam_instance_profile;
extern const tern_bulk_op tern_bulk_aws_iam;
#define M (&tern_module_aws_iam_role)

static json_t *create(struct mod_fx *fx, const char *cfg_text)
{
    json_t *cfg = mod_json(cfg_text), *st = NULL;

    if (M->create(&st, &fx->op, cfg) != TERN_OK)
        FAIL("create: %s", mod_diag_text(fx));
    json_decref(cfg);
    return st;
}

TEST(mod_iam_role, create_one_call)
{
    struct mod_fx fx;
    json_t *st, *dump, *r, *want;

    mod_fx_start(&fx, NULL);
    fx.provider =
        mod_json("{\"default_tags\": {\"tags\": {\"env\": \"dev\"}}}");
    fx.op.provider = fx.provider;
    st = create(&fx, "{\"name\": \"app\", \"assume_role_policy\": "
                     "\"{\\n  \\\"Version\\\": \\\"2012-10-17\\\",\\n  "
                     "\\\"Statement\\\": [{\\\"Effect\\\": \\\"Allow\\\", "
                     "\\\"Principal\\\": {\\\"Service\\\": "
                     "\\\"ec2.amazonaws.com\\\"}, \\\"Action\\\": "
                     "\\\"sts:AssumeRole\\\"}]\\n}\", "
                     "\"description\": \"the app\", \"path\": \"/svc/\", "
                     "\"max_session_duration\": 7200, "
                     "\"tags\": {\"team\": \"ml\"}}");
    ASSERT_STR_EQ(mod_calls(&fx), "CreateRole");
    ASSERT_STR_EQ(mod_str(st, "id"), "app");
    ASSERT_STR_EQ(mod_str(st, "name"), "app");
    ASSERT_STR_EQ(mod_str(st, "arn"),
                  "arn:aws:iam::" MOD_ACCOUNT ":role/svc/app");
    ASSERT_STR_EQ(mod_str(st, "path"), "/svc/");
    ASSERT_STR_EQ(mod_str(st, "description"), "the app");
    ASSERT_STR_CONTAINS(mod_str(st, "unique_id"), "AROA");
    ASSERT_STR_CONTAINS(mod_str(st, "create_date"), "T");
    /* The configuration's text is kept, newlines and all. */
    ASSERT_STR_CONTAINS(mod_str(st, "assume_role_policy"), "{\n  \"Version\"");
    ASSERT_EQ(json_integer_value(json_object_get(st, "max_session_duration")),
              7200);
    want = mod_json("{\"team\": \"ml\"}");
    ASSERT(json_equal(json_object_get(st, "tags"), want));
    json_decref(want);
    want = mod_json("{\"team\": \"ml\", \"env\": \"dev\"}");
    ASSERT(json_equal(json_object_get(st, "tags_all"), want));

    dump = mod_dump(&fx);
    r = mod_dump_role(dump, "app");
    ASSERT_NOT_NULL(r);
    ASSERT(json_equal(json_object_get(r, "tags"), want));
    ASSERT_STR_EQ(mod_str(r, "description"), "the app");
    ASSERT_STR_EQ(mod_str(r, "path"), "/svc/");
    ASSERT_EQ(json_integer_value(json_object_get(r, "max_session_duration")),
              7200);
    ASSERT_STR_EQ(mod_str(r, "id"), mod_str(st, "unique_id"));
    json_decref(want);
    json_decref(dump);
    json_decref(st);
    mod_fx_stop(&fx);
}

TEST(mod_iam_role, name_prefix)
{
    struct mod_fx fx;
    json_t *st;

    mod_fx_start(&fx, NULL);
    st = create(
        &fx,
        "{\"name_prefix\": \"job-\", \"assume_role_policy\": " MOD_TRUST_EC2_Q
        "}");
    ASSERT(strncmp(mod_str(st, "name"), "job-", 4) == 0);
    ASSERT_EQ(strlen(mod_str(st, "name")), 4 + 26);
    ASSERT_STR_EQ(mod_str(st, "name_prefix"), "job-");
    ASSERT(json_is_null(json_object_get(st, "tags")));
    json_decref(st);
    mod_fx_stop(&fx);
}

static const char cfg_app[] =
    "{\"name\": \"app\", \"assume_role_policy\": "
    "\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{"
    "\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":{\\\"Service\\\":"
    "\\\"ec2.amazonaws.com\\\"},\\\"Action\\\":\\\"sts:AssumeRole\\\"}]}\", "
    "\"description\": \"one\", \"tags\": {\"a\": \"1\", \"b\": \"2\"}}";

TEST(mod_iam_role, read_after_drift)
{
    struct mod_fx fx;
    json_t *st, *now = NULL;

    mod_fx_start(&fx, NULL);
    st = create(&fx, cfg_app);
    ASSERT_OK(mod_iam(&fx, "UpdateRole", "RoleName", "app", "Description",
                      "changed by hand", NULL));
    ASSERT_OK(mod_iam(&fx, "TagRole", "RoleName", "app", "Tags.member.1.Key",
                      "c", "Tags.member.1.Value", "3", NULL));
    mod_clear_calls(&fx);
    ASSERT_OK(M->read(&now, &fx.op, st));
    ASSERT_STR_EQ(mod_calls(&fx), "GetRole");
    ASSERT_STR_EQ(mod_str(now, "description"), "changed by hand");
    ASSERT_STR_EQ(mod_str(json_object_get(now, "tags"), "c"), "3");
    ASSERT_STR_EQ(mod_str(json_object_get(now, "tags_all"), "c"), "3");
    /* Unchanged trust policy: the state's text, not IAM's. */
    ASSERT_STR_EQ(mod_str(now, "assume_role_policy"),
                  mod_str(st, "assume_role_policy"));
    ASSERT_STR_EQ(mod_str(now, "arn"), mod_str(st, "arn"));
    json_decref(now);
    /* A trust policy changed outside tern shows IAM's document. */
    ASSERT_OK(mod_iam(&fx, "UpdateAssumeRolePolicy", "RoleName", "app",
                      "PolicyDocument", MOD_TRUST_LAMBDA, NULL));
    ASSERT_OK(M->read(&now, &fx.op, st));
    ASSERT_STR_CONTAINS(mod_str(now, "assume_role_policy"),
                        "lambda.amazonaws.com");
    json_decref(now);
    json_decref(st);
    mod_fx_stop(&fx);
}

TEST(mod_iam_role, update_in_place)
{
    struct mod_fx fx;
    json_t *st, *cfg, *now = NULL, *dump, *r, *want;

    mod_fx_start(&fx, NULL);
    st = create(&fx, cfg_app);
    cfg = mod_json("{\"name\": \"app\", \"assume_role_policy\": \""
                   "{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{"
                   "\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":{"
                   "\\\"Service\\\":\\\"lambda.amazonaws.com\\\"},"
                   "\\\"Action\\\":\\\"sts:AssumeRole\\\"}]}\", "
                   "\"description\": \"two\", \"max_session_duration\": 7200, "
                   "\"tags\": {\"b\": \"20\", \"c\": \"3\"}}");
    mod_clear_calls(&fx);
    if (M->update(&now, &fx.op, st, cfg) != TERN_OK)
        FAIL("update: %s", mod_diag_text(&fx));
    ASSERT_STR_EQ(mod_calls(&fx),
                  "UpdateAssumeRolePolicy,UpdateRole,UntagRole,TagRole");
    ASSERT_STR_EQ(mod_str(now, "description"), "two");
    ASSERT_STR_EQ(mod_str(now, "unique_id"), mod_str(st, "unique_id"));
    want = mod_json("{\"b\": \"20\", \"c\": \"3\"}");
    ASSERT(json_equal(json_object_get(now, "tags_all"), want));
    dump = mod_dump(&fx);
    r = mod_dump_role(dump, "app");
    ASSERT(json_equal(json_object_get(r, "tags"), want));
    ASSERT_STR_EQ(mod_str(r, "description"), "two");
    ASSERT_EQ(json_integer_value(json_object_get(r, "max_session_duration")),
              7200);
    ASSERT_STR_CONTAINS(mod_str(r, "assume_role_policy"), "lambda");
    /* Nothing to change: no call. */
    json_decref(st);
    st = now;
    now = NULL;
    mod_clear_calls(&fx);
    ASSERT_OK(M->update(&now, &fx.op, st, cfg));
    ASSERT_STR_EQ(mod_calls(&fx), "");
    json_decref(now);
    json_decref(want);
    json_decref(dump);
    json_decref(cfg);
    json_decref(st);
    mod_fx_stop(&fx);
}

TEST(mod_iam_role, replace_on_name_or_path)
{
    struct mod_fx fx;
    json_t *st, *st2, *dump;

    mod_fx_start(&fx, NULL);
    ASSERT(tern_schema_attr(M->schema, "name")->flags & TERN_ATTR_FORCE_NEW);
    ASSERT(tern_schema_attr(M->schema, "path")->flags & TERN_ATTR_FORCE_NEW);
    ASSERT(tern_schema_attr(M->schema, "name_prefix")->flags &
           TERN_ATTR_FORCE_NEW);
    ASSERT_FALSE(tern_schema_attr(M->schema, "assume_role_policy")->flags &
                 TERN_ATTR_FORCE_NEW);
    st = create(&fx, cfg_app);
    /* The engine replaces by delete then create. */
    ASSERT_OK(M->delete_(&fx.op, st));
    st2 = create(&fx, "{\"name\": \"app2\", \"path\": \"/x/\", "
                      "\"assume_role_policy\": " MOD_TRUST_EC2_Q "}");
    dump = mod_dump(&fx);
    ASSERT_NULL(mod_dump_role(dump, "app"));
    ASSERT_NOT_NULL(mod_dump_role(dump, "app2"));
    ASSERT_STR_EQ(mod_str(st2, "arn"),
                  "arn:aws:iam::" MOD_ACCOUNT ":role/x/app2");
    json_decref(dump);
    json_decref(st);
    json_decref(st2);
    mod_fx_stop(&fx);
}

TEST(mod_iam_role, delete_detaches_first)
{
    struct mod_fx fx;
    json_t *st, *dump;

    mod_fx_start(&fx, NULL);
    mod_load(&fx, "{\"iam\": {\"instance_profiles\": [{\"name\": \"p\"}]}}");
    st = create(&fx, "{\"name\": \"app\", \"force_detach_policies\": true, "
                     "\"assume_role_policy\": " MOD_TRUST_EC2_Q "}");
    ASSERT_OK(mod_iam(&fx, "AddRoleToInstanceProfile", "InstanceProfileName",
                      "p", "RoleName", "app", NULL));
    ASSERT_OK(mod_iam(&fx, "AttachRolePolicy", "RoleName", "app", "PolicyArn",
                      "arn:aws:iam::aws:policy/ReadOnlyAccess", NULL));
    ASSERT_OK(mod_iam(&fx, "PutRolePolicy", "RoleName", "app", "PolicyName",
                      "inl", "PolicyDocument",
                      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
                      "\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":"
                      "\"*\"}]}",
                      NULL));
    mod_clear_calls(&fx);
    if (M->delete_(&fx.op, st) != TERN_OK)
        FAIL("delete: %s", mod_diag_text(&fx));
    ASSERT_STR_EQ(mod_calls(&fx),
                  "ListInstanceProfilesForRole,RemoveRoleFromInstanceProfile,"
                  "ListAttachedRolePolicies,DetachRolePolicy,"
                  "ListRolePolicies,DeleteRolePolicy,DeleteRole");
    dump = mod_dump(&fx);
    ASSERT_NULL(mod_dump_role(dump, "app"));
    ASSERT_EQ(
        json_array_size(json_object_get(mod_dump_profile(dump, "p"), "roles")),
        0);
    json_decref(dump);
    /* Deleting again: already gone is success. */
    ASSERT_OK(M->delete_(&fx.op, st));
    ASSERT_EQ(fx.diags.count, 0);
    json_decref(st);
    mod_fx_stop(&fx);
}

/* After a bulk refresh (a destroy's): a role the refresh saw in profiles
 * that tern has since left is deleted without ListInstanceProfilesForRole;
 * one put into a profile after the refresh, or seen in a profile tern did
 * not leave, is listed and taken out first. */
TEST(mod_iam_role, delete_after_bulk_refresh)
{
    struct mod_fx fx;
    json_t *app, *late, *kept, *pst, *dump;
    void *snapshot = NULL;

    mod_fx_start(&fx, NULL);
    mod_load(&fx, "{\"iam\": {\"instance_profiles\": [{\"name\": \"p\"}, "
                  "{\"name\": \"q\"}, {\"name\": \"r\"}]}}");
    app = create(&fx, "{\"name\": \"app\", "
                      "\"assume_role_policy\": " MOD_TRUST_EC2_Q "}");
    late = create(&fx, "{\"name\": \"late\", "
                       "\"assume_role_policy\": " MOD_TRUST_EC2_Q "}");
    kept = create(&fx, "{\"name\": \"kept\", "
                       "\"assume_role_policy\": " MOD_TRUST_EC2_Q "}");
    ASSERT_OK(mod_iam(&fx, "AddRoleToInstanceProfile", "InstanceProfileName",
                      "p", "RoleName", "app", NULL));
    ASSERT_OK(mod_iam(&fx, "AddRoleToInstanceProfile", "InstanceProfileName",
                      "r", "RoleName", "kept", NULL));
    ASSERT_OK(tern_bulk_aws_iam.fetch(&snapshot, &fx.op));
    tern_bulk_aws_iam.free(snapshot);
    /* The destroy takes app out of p (the profile's delete), then app
     * goes by itself. */
    pst = mod_json("{\"id\": \"p\", \"name\": \"p\", \"role\": \"app\"}");
    ASSERT_OK(tern_module_aws_iam_instance_profile.delete_(&fx.op, pst));
    mod_clear_calls(&fx);
    if (M->delete_(&fx.op, app) != TERN_OK)
        FAIL("delete: %s", mod_diag_text(&fx));
    ASSERT_STR_EQ(mod_calls(&fx), "DeleteRole");
    /* late was put into q after the refresh: DeleteConflict, then the
     * list. */
    ASSERT_OK(mod_iam(&fx, "AddRoleToInstanceProfile", "InstanceProfileName",
                      "q", "RoleName", "late", NULL));
    mod_clear_calls(&fx);
    if (M->delete_(&fx.op, late) != TERN_OK)
        FAIL("delete: %s", mod_diag_text(&fx));
    ASSERT_STR_EQ(mod_calls(&fx), "DeleteRole,ListInstanceProfilesForRole,"
                                  "RemoveRoleFromInstanceProfile,DeleteRole");
    /* kept is still in r, as the refresh saw: listed first. */
    mod_clear_calls(&fx);
    if (M->delete_(&fx.op, kept) != TERN_OK)
        FAIL("delete: %s", mod_diag_text(&fx));
    ASSERT_STR_EQ(mod_calls(&fx), "ListInstanceProfilesForRole,"
                                  "RemoveRoleFromInstanceProfile,DeleteRole");
    ASSERT_EQ(fx.diags.count, 0);
    dump = mod_dump(&fx);
    ASSERT_NULL(mod_dump_role(dump, "app"));
    ASSERT_NULL(mod_dump_role(dump, "late"));
    ASSERT_NULL(mod_dump_role(dump, "kept"));
    ASSERT_EQ(
        json_array_size(json_object_get(mod_dump_profile(dump, "q"), "roles")),
        0);
    json_decref(dump);
    json_decref(pst);
    json_decref(app);
    json_decref(late);
    json_decref(kept);
    mod_fx_stop(&fx);
}

TEST(mod_iam_role, delete_conflict_says_what_to_do)
{
    struct mod_fx fx;
    json_t *st;

    mod_fx_start(&fx, NULL);
    tern__propagation_timeout_set(300);
    st = create(&fx, "{\"name\": \"app\", "
                     "\"assume_role_policy\": " MOD_TRUST_EC2_Q "}");
    ASSERT_OK(mod_iam(&fx, "AttachRolePolicy", "RoleName", "app", "PolicyArn",
                      "arn:aws:iam::aws:policy/ReadOnlyAccess", NULL));
    mod_clear_calls(&fx);
    ASSERT_EQ(M->delete_(&fx.op, st), TERN_ECONFLICT);
    ASSERT_STR_CONTAINS(mod_diag_text(&fx),
                        "Cannot delete IAM role 'app' [DeleteConflict]");
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "force_detach_policies = true");
    /* Retried while IAM might catch up, then given up. */
    ASSERT_STR_CONTAINS(mod_calls(&fx), "DeleteRole,DeleteRole");
    json_decref(st);
    mod_fx_stop(&fx);
}

TEST(mod_iam_role, import_by_name)
{
    struct mod_fx fx;
    json_t *st = NULL;

    mod_fx_start(&fx, NULL);
    mod_load(&fx, "{\"iam\": {\"roles\": [{\"name\": \"legacy\", \"path\": "
                  "\"/old/\", \"description\": \"hand made\", "
                  "\"assume_role_policy\": " MOD_TRUST_EC2 ", "
                  "\"tags\": {\"k\": \"v\"}}]}}");
    mod_clear_calls(&fx);
    ASSERT_OK(M->import(&st, &fx.op, "legacy"));
    ASSERT_STR_EQ(mod_calls(&fx), "GetRole");
    ASSERT_STR_EQ(mod_str(st, "id"), "legacy");
    ASSERT_STR_EQ(mod_str(st, "path"), "/old/");
    ASSERT_STR_EQ(mod_str(st, "description"), "hand made");
    ASSERT_STR_EQ(mod_str(json_object_get(st, "tags"), "k"), "v");
    ASSERT_STR_CONTAINS(mod_str(st, "assume_role_policy"), "ec2.amazonaws.com");
    ASSERT(json_is_false(json_object_get(st, "force_detach_policies")));
    json_decref(st);
    st = NULL;
    ASSERT_EQ(M->import(&st, &fx.op, "nope"), TERN_ENOTFOUND);
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "[NoSuchEntity]");
    mod_fx_stop(&fx);
}

TEST(mod_iam_role, read_deleted_outside)
{
    struct mod_fx fx;
    json_t *st, *now = NULL;

    mod_fx_start(&fx, NULL);
    st = create(&fx, cfg_app);
    ASSERT_OK(mod_iam(&fx, "DeleteRole", "RoleName", "app", NULL));
    ASSERT_EQ(M->read(&now, &fx.op, st), TERN_ENOTFOUND);
    ASSERT_NULL(now);
    ASSERT_EQ(fx.diags.count, 0);
    json_decref(st);
    mod_fx_stop(&fx);
}

TEST(mod_iam_role, errors)
{
    struct mod_fx fx;
    json_t *st, *cfg, *out = NULL;

    mod_fx_start(&fx, NULL);
    st = create(&fx, cfg_app);
    cfg = mod_json(cfg_app);
    ASSERT_EQ(M->create(&out, &fx.op, cfg), TERN_EEXISTS);
    ASSERT_STR_CONTAINS(mod_diag_text(&fx),
                        "Cannot create IAM role 'app' [EntityAlreadyExists]");
    ASSERT_STR_CONTAINS(mod_diag_text(&fx),
                        "tern import aws_iam_role.test app");
    ASSERT_EQ(fx.diags.items[0].request_id != NULL, 1);
    mod_diag_clear(&fx);
    json_decref(cfg);
    cfg =
        mod_json("{\"name\": \"bad\", \"assume_role_policy\": \"{not json\"}");
    ASSERT_EQ(M->create(&out, &fx.op, cfg), TERN_EINVALID);
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "[MalformedPolicyDocument]");
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "Fix the policy document");
    mod_diag_clear(&fx);
    json_decref(cfg);
    cfg = mod_json("{\"name\": \"bad\", \"max_session_duration\": 60, "
                   "\"assume_role_policy\": " MOD_TRUST_EC2_Q "}");
    ASSERT_EQ(M->create(&out, &fx.op, cfg), TERN_EINVALID);
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "maxSessionDuration");
    ASSERT_NULL(out);
    json_decref(cfg);
    json_decref(st);
    mod_fx_stop(&fx);
}

/* With 5 s of propagation, a trust policy naming a role created just
 * before is refused for a while: create retries until IAM takes it. */
TEST(mod_iam_role, trust_names_new_role_propagation_5s)
{
    static const char *const args[] = {"--propagation-ms", "5000", NULL};
    struct mod_fx fx;
    json_t *a, *b;
    struct timespec t0, t1;
    char cfg[1024];

    mod_fx_start(&fx, args);
    a = create(&fx, "{\"name\": \"first\", "
                    "\"assume_role_policy\": " MOD_TRUST_EC2_Q "}");
    snprintf(cfg, sizeof(cfg),
             "{\"name\": \"second\", \"assume_role_policy\": "
             "\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{"
             "\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":{\\\"AWS\\\":"
             "\\\"%s\\\"},\\\"Action\\\":\\\"sts:AssumeRole\\\"}]}\"}",
             mod_str(a, "arn"));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    b = create(&fx, cfg);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ASSERT_STR_EQ(mod_str(b, "name"), "second");
    ASSERT_CMP(t1.tv_sec - t0.tv_sec, <, 9);
    ASSERT_STR_CONTAINS(mod_calls(&fx), "CreateRole,CreateRole,CreateRole");
    ASSERT_EQ(fx.diags.count, 0);
    json_decref(a);
    json_decref(b);
    mod_fx_stop(&fx);
}

/* tern validate on one file: its diagnostics in @d, which borrow the
 * names of *cfg (free it after them). */
static int validate(const char *text, struct tern_lang_config **cfg,
                    struct tern_diags *d)
{
    *cfg = tern_lang_config_new(".");
    ASSERT_OK(
        tern_lang_config_add_file(*cfg, "main.tf", text, strlen(text), d));
    return tern_engine_validate(*cfg, d);
}

/*
 * The provider's limits (name 64 characters, name_prefix 38, which with
 * the 26 characters of the unique suffix makes 64): validate reports a
 * longer constant value at its range, as IAM would refuse it only at
 * apply; the longest allowed values are created.
 */
TEST(mod_iam_role, name_limits_are_the_providers)
{
    struct tern_diags d = TERN_DIAGS_INIT;
    struct tern_lang_config *lc = NULL;
    struct mod_fx fx;
    char *text, *cfg;
    json_t *st;

    ASSERT_EQ(tern_schema_attr(M->schema, "name")->max_items, 64);
    ASSERT_EQ(tern_schema_attr(M->schema, "name_prefix")->max_items, 38);
    text = tern_asprintf("variable \"v\" {\n  default = \"%065d\"\n}\n"
                         "resource \"aws_iam_role\" \"long\" {\n"
                         "  name = \"%065d\"\n"
                         "  assume_role_policy = \"{}\"\n"
                         "}\n"
                         "resource \"aws_iam_role\" \"prefix\" {\n"
                         "  name_prefix = \"%039d\"\n"
                         "  assume_role_policy = \"{}\"\n"
                         "}\n"
                         "resource \"aws_iam_role\" \"fits\" {\n"
                         "  name = \"%064d\"\n"
                         "  assume_role_policy = \"{}\"\n"
                         "}\n"
                         "resource \"aws_iam_role\" \"later\" {\n"
                         "  name = var.v\n" /* the plan's to check */
                         "  assume_role_policy = \"{}\"\n"
                         "}\n",
                         0, 0, 0, 0);
    ASSERT_EQ(validate(text, &lc, &d), TERN_ERROR);
    ASSERT_EQ(d.count, 2);
    ASSERT_STR_EQ(d.items[0].summary, "Value too long");
    ASSERT_STR_EQ(d.items[0].detail, "The argument \"name\" takes at most "
                                     "64 characters; this value has 65.");
    ASSERT_STR_EQ(d.items[0].range.file, "main.tf");
    ASSERT_EQ(d.items[0].range.start.line, 5);
    ASSERT_EQ(d.items[0].range.start.column, 10);
    ASSERT_EQ(d.items[0].range.end.column, 77);
    ASSERT_STR_EQ(d.items[1].summary, "Value too long");
    ASSERT_STR_EQ(d.items[1].detail, "The argument \"name_prefix\" takes at "
                                     "most 38 characters; this value has 39.");
    ASSERT_EQ(d.items[1].range.start.line, 9);
    ASSERT_EQ(d.items[1].range.start.column, 17);
    tern_diags_release(&d);
    tern_lang_config_free(lc);
    tern_free(text);

    /* At the limits, IAM takes them. */
    mod_fx_start(&fx, NULL);
    cfg = tern_asprintf("{\"name_prefix\": \"%038d\", "
                        "\"assume_role_policy\": " MOD_TRUST_EC2_Q "}",
                        0);
    st = create(&fx, cfg);
    ASSERT_EQ(strlen(mod_str(st, "name")), 64);
    json_decref(st);
    tern_free(cfg);
    cfg = tern_asprintf("{\"name\": \"%064d\", "
                        "\"assume_role_policy\": " MOD_TRUST_EC2_Q "}",
                        1);
    st = create(&fx, cfg);
    ASSERT_EQ(strlen(mod_str(st, "name")), 64);
    json_decref(st);
    tern_free(cfg);
    mod_fx_stop(&fx);
}

/*
 * The provider's character set for name and name_prefix, [\w+=,.@-]:
 * create refuses anything else before calling IAM, naming the argument
 * and the character; every allowed character is accepted.
 */
TEST(mod_iam_role, name_character_set_is_the_providers)
{
    static const char trust[] =
        "\"assume_role_policy\": \"{\\\"Version\\\": \\\"2012-10-17\\\", "
        "\\\"Statement\\\": [{\\\"Effect\\\": \\\"Allow\\\", "
        "\\\"Principal\\\": {\\\"Service\\\": \\\"ec2.amazonaws.com\\\"}, "
        "\\\"Action\\\": \\\"sts:AssumeRole\\\"}]}\"";
    static const struct {
        const char *arg, *value_json, *detail;
    } bad[] = {
        {"name", "\"my role\"",
         "The argument \"name\" may contain only ASCII letters, digits and "
         "_+=,.@- (the AWS provider's [\\w+=,.@-]), not \" \" (character 3 "
         "of \"my role\")."},
        {"name", "\"a/b\"", "not \"/\" (character 2 of \"a/b\")"},
        {"name", "\"caf\u00e9\"", "not \"\u00e9\" (character 4 of"},
        {"name", "\"tab\\there\"", "not \"\\x09\" (character 4 of"},
        {"name", "\"say\\\"hi\"", "not \"\\\"\" (character 4 of"},
        {"name_prefix", "\"team:\"",
         "The argument \"name_prefix\" may contain only ASCII letters, "
         "digits and _+=,.@- (the AWS provider's [\\w+=,.@-]), not \":\" "
         "(character 5 of \"team:\")."},
    };
    struct mod_fx fx;
    json_t *cfg, *st = NULL;
    char *text;
    size_t i;

    mod_fx_start(&fx, NULL);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        text = tern_asprintf("{\"%s\": %s, %s}", bad[i].arg, bad[i].value_json,
                             trust);
        cfg = mod_json(text);
        mod_clear_calls(&fx);
        ASSERT_EQ(M->create(&st, &fx.op, cfg), TERN_EINVALID);
        ASSERT_NULL(st);
        ASSERT_STR_EQ(mod_calls(&fx), "");
        ASSERT_STR_CONTAINS(mod_diag_text(&fx), "Invalid IAM role name");
        ASSERT_STR_CONTAINS(mod_diag_text(&fx), bad[i].detail);
        mod_diag_clear(&fx);
        json_decref(cfg);
        tern_free(text);
    }
    /* Every allowed character, in a name and in a prefix. */
    text = tern_asprintf("{\"name\": \"Az09_+=,.@-\", %s}", trust);
    st = create(&fx, text);
    ASSERT_STR_EQ(mod_str(st, "name"), "Az09_+=,.@-");
    json_decref(st);
    tern_free(text);
    text = tern_asprintf("{\"name_prefix\": \"p_+=,.@-\", %s}", trust);
    st = create(&fx, text);
    ASSERT_STR_CONTAINS(mod_str(st, "name"), "p_+=,.@-");
    json_decref(st);
    tern_free(text);
    mod_fx_stop(&fx);
}

/* Each allocation of a read failing alone: the whole state or out of
 * memory (issue 20). */
TEST(mod_iam_role, alloc_walk)
{
    struct mod_fx fx;
    json_t *st;

    mod_fx_start(&fx, NULL);
    st =
        create(&fx, "{\"name\": \"r\", \"assume_role_policy\": " MOD_TRUST_EC2_Q
                    ", \"description\": \"d\", \"tags\": "
                    "{\"env\": \"prod\"}}");
    ASSERT_CMP(mod_read_walk_state(&fx, M, st), >, 100);
    json_decref(st);
    mod_fx_stop(&fx);
}

const struct tern_test test_mod_iam_role_list[] = {
    TEST_MODULE(mod_iam_role, create_one_call),
    TEST_MODULE(mod_iam_role, name_prefix),
    TEST_MODULE(mod_iam_role, name_limits_are_the_providers),
    TEST_MODULE(mod_iam_role, name_character_set_is_the_providers),
    TEST_MODULE(mod_iam_role, read_after_drift),
    TEST_MODULE(mod_iam_role, update_in_place),
    TEST_MODULE(mod_iam_role, replace_on_name_or_path),
    TEST_MODULE(mod_iam_role, delete_detaches_first),
    TEST_MODULE(mod_iam_role, delete_after_bulk_refresh),
    TEST_MODULE(mod_iam_role, delete_conflict_says_what_to_do),
    TEST_MODULE(mod_iam_role, import_by_name),
    TEST_MODULE(mod_iam_role, read_deleted_outside),
    TEST_MODULE(mod_iam_role, errors),
    TEST_MODULE(mod_iam_role, trust_names_new_role_propagation_5s),
    TEST_MODULE(mod_iam_role, alloc_walk),
    TEST_END};
