/*
 * aws_iam_instance_profile against tern-sim: create (two calls with a
 * role), drift, a new role in place (remove + add), replace, delete (the
 * role first, whatever IAM reports), import, read of a profile deleted
 * outside tern, errors, and a role added to a profile created a moment
 * earlier under 5 s of propagation.
 */
#include "runner.h"
#include "test_mod.h"

#include "lang/lang.h"
#include "tern/engine.h"
#include "util/alloc.h"

extern const tern_module tern_module_aws_iam_instance_profile;
#define M (&tern_module_aws_iam_instance_profile)

static void role(struct mod_fx *fx, const char *name)
{
    ASSERT_OK(mod_iam(fx, "CreateRole", "RoleName", name,
                      "AssumeRolePolicyDocument", MOD_TRUST_EC2, NULL));
}

static json_t *create(struct mod_fx *fx, const char *cfg_text)
{
    json_t *cfg = mod_json(cfg_text), *st = NULL;

    if (M->create(&st, &fx->op, cfg) != TERN_OK)
        FAIL("create: %s", mod_diag_text(fx));
    json_decref(cfg);
    return st;
}

static const char *profile_role(struct mod_fx *fx, const char *name)
{
    static char buf[128];
    json_t *dump = mod_dump(fx);
    json_t *p = mod_dump_profile(dump, name);
    const char *r;

    ASSERT_NOT_NULL(p);
    r = json_string_value(json_array_get(json_object_get(p, "roles"), 0));
    snprintf(buf, sizeof(buf), "%s", r ? r : "(none)");
    json_decref(dump);
    return buf;
}

TEST(mod_iam_instance_profile, create_two_calls)
{
    struct mod_fx fx;
    json_t *st, *want;

    mod_fx_start(&fx, NULL);
    fx.provider =
        mod_json("{\"default_tags\": {\"tags\": {\"env\": \"dev\"}}}");
    fx.op.provider = fx.provider;
    role(&fx, "app");
    mod_clear_calls(&fx);
    st = create(&fx, "{\"name\": \"app\", \"path\": \"/ml/\", \"role\": "
                     "\"app\", \"tags\": {\"t\": \"1\"}}");
    ASSERT_STR_EQ(mod_calls(&fx),
                  "CreateInstanceProfile,AddRoleToInstanceProfile");
    ASSERT_STR_EQ(mod_str(st, "arn"),
                  "arn:aws:iam::" MOD_ACCOUNT ":instance-profile/ml/app");
    ASSERT_STR_EQ(mod_str(st, "id"), "app");
    ASSERT_STR_EQ(mod_str(st, "role"), "app");
    ASSERT_STR_CONTAINS(mod_str(st, "unique_id"), "AIPA");
    want = mod_json("{\"t\": \"1\", \"env\": \"dev\"}");
    ASSERT(json_equal(json_object_get(st, "tags_all"), want));
    ASSERT_STR_EQ(profile_role(&fx, "app"), "app");
    json_decref(want);
    json_decref(st);
    mod_fx_stop(&fx);
}

TEST(mod_iam_instance_profile, drift_and_role_in_place)
{
    struct mod_fx fx;
    json_t *st, *now = NULL, *cfg, *st2 = NULL;

    mod_fx_start(&fx, NULL);
    role(&fx, "a");
    role(&fx, "b");
    st = create(&fx, "{\"name\": \"p\", \"role\": \"a\"}");
    /* The role taken out by hand: read shows no role. */
    ASSERT_OK(mod_iam(&fx, "RemoveRoleFromInstanceProfile",
                      "InstanceProfileName", "p", "RoleName", "a", NULL));
    mod_clear_calls(&fx);
    ASSERT_OK(M->read(&now, &fx.op, st));
    ASSERT_STR_EQ(mod_calls(&fx), "GetInstanceProfile");
    ASSERT(json_is_null(json_object_get(now, "role")));
    ASSERT_STR_EQ(mod_str(now, "arn"), mod_str(st, "arn"));
    /* Plan: role "b" in place. */
    cfg = mod_json("{\"name\": \"p\", \"role\": \"b\"}");
    mod_clear_calls(&fx);
    ASSERT_OK(M->update(&st2, &fx.op, now, cfg));
    ASSERT_STR_EQ(mod_calls(&fx), "AddRoleToInstanceProfile");
    ASSERT_STR_EQ(profile_role(&fx, "p"), "b");
    json_decref(now);
    /* And back to "a": remove, then add. */
    json_decref(cfg);
    cfg = mod_json("{\"name\": \"p\", \"role\": \"a\"}");
    mod_clear_calls(&fx);
    ASSERT_OK(M->update(&now, &fx.op, st2, cfg));
    ASSERT_STR_EQ(mod_calls(&fx),
                  "RemoveRoleFromInstanceProfile,AddRoleToInstanceProfile");
    ASSERT_STR_EQ(profile_role(&fx, "p"), "a");
    ASSERT_STR_EQ(mod_str(now, "role"), "a");
    json_decref(now);
    json_decref(st2);
    json_decref(cfg);
    json_decref(st);
    mod_fx_stop(&fx);
}

TEST(mod_iam_instance_profile, replace_delete_gone)
{
    struct mod_fx fx;
    json_t *st, *st2, *now = NULL, *dump;

    mod_fx_start(&fx, NULL);
    ASSERT(tern_schema_attr(M->schema, "name")->flags & TERN_ATTR_FORCE_NEW);
    ASSERT(tern_schema_attr(M->schema, "path")->flags & TERN_ATTR_FORCE_NEW);
    ASSERT_FALSE(tern_schema_attr(M->schema, "role")->flags &
                 TERN_ATTR_FORCE_NEW);
    role(&fx, "a");
    role(&fx, "other");
    /* The role the state names comes out, then the profile goes: two
     * calls, no read (as the provider does). */
    st = create(&fx, "{\"name\": \"plain\", \"role\": \"a\"}");
    mod_clear_calls(&fx);
    if (M->delete_(&fx.op, st) != TERN_OK)
        FAIL("delete: %s", mod_diag_text(&fx));
    ASSERT_STR_EQ(mod_calls(&fx), "RemoveRoleFromInstanceProfile,"
                                  "DeleteInstanceProfile");
    json_decref(st);
    st = create(&fx, "{\"name\": \"p\", \"role\": \"a\"}");
    /* Someone swapped the role: the profile still holds one, so delete
     * reads it and removes the one IAM reports. */
    ASSERT_OK(mod_iam(&fx, "RemoveRoleFromInstanceProfile",
                      "InstanceProfileName", "p", "RoleName", "a", NULL));
    ASSERT_OK(mod_iam(&fx, "AddRoleToInstanceProfile", "InstanceProfileName",
                      "p", "RoleName", "other", NULL));
    mod_clear_calls(&fx);
    if (M->delete_(&fx.op, st) != TERN_OK)
        FAIL("delete: %s", mod_diag_text(&fx));
    ASSERT_STR_EQ(mod_calls(&fx), "RemoveRoleFromInstanceProfile,"
                                  "DeleteInstanceProfile,"
                                  "GetInstanceProfile,"
                                  "RemoveRoleFromInstanceProfile,"
                                  "DeleteInstanceProfile");
    ASSERT_EQ(fx.diags.count, 0);
    st2 = create(&fx, "{\"name_prefix\": \"q-\"}");
    dump = mod_dump(&fx);
    ASSERT_NULL(mod_dump_profile(dump, "p"));
    ASSERT_NOT_NULL(mod_dump_profile(dump, mod_str(st2, "name")));
    json_decref(dump);
    ASSERT_OK(mod_iam(&fx, "DeleteInstanceProfile", "InstanceProfileName",
                      mod_str(st2, "name"), NULL));
    ASSERT_EQ(M->read(&now, &fx.op, st2), TERN_ENOTFOUND);
    ASSERT_OK(M->delete_(&fx.op, st2));
    ASSERT_EQ(fx.diags.count, 0);
    json_decref(st);
    json_decref(st2);
    mod_fx_stop(&fx);
}

TEST(mod_iam_instance_profile, import_and_errors)
{
    struct mod_fx fx;
    json_t *st = NULL, *cfg;

    mod_fx_start(&fx, NULL);
    fx.op.address = "aws_iam_instance_profile.web";
    tern__propagation_timeout_set(300);
    mod_load(&fx, "{\"iam\": {\"roles\": [{\"name\": \"r\", "
                  "\"assume_role_policy\": " MOD_TRUST_EC2 "}], "
                  "\"instance_profiles\": [{\"name\": \"old\", \"roles\": "
                  "[\"r\"], \"tags\": {\"k\": \"v\"}}]}}");
    ASSERT_OK(M->import(&st, &fx.op, "old"));
    ASSERT_STR_EQ(mod_str(st, "role"), "r");
    ASSERT_STR_EQ(mod_str(json_object_get(st, "tags"), "k"), "v");
    json_decref(st);
    st = NULL;
    cfg = mod_json("{\"name\": \"old\"}");
    ASSERT_EQ(M->create(&st, &fx.op, cfg), TERN_EEXISTS);
    ASSERT_STR_CONTAINS(mod_diag_text(&fx),
                        "tern import aws_iam_instance_profile.web old");
    mod_diag_clear(&fx);
    json_decref(cfg);
    /* A role that does not exist: the profile is made, the role is not
     * added, and the error says which role. */
    cfg = mod_json("{\"name\": \"new\", \"role\": \"ghost\"}");
    ASSERT_EQ(M->create(&st, &fx.op, cfg), TERN_ENOTFOUND);
    ASSERT_STR_CONTAINS(mod_diag_text(&fx),
                        "Cannot add IAM role 'ghost' to instance profile "
                        "'new' [NoSuchEntity]");
    ASSERT_NOT_NULL(st);
    ASSERT(json_is_null(json_object_get(st, "role")));
    json_decref(st);
    st = NULL;
    mod_diag_clear(&fx);
    json_decref(cfg);
    ASSERT_EQ(M->import(&st, &fx.op, "nothing"), TERN_ENOTFOUND);
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "[NoSuchEntity]");
    mod_fx_stop(&fx);
}

TEST(mod_iam_instance_profile, add_role_propagation_5s)
{
    static const char *const args[] = {"--propagation-ms", "5000", NULL};
    struct mod_fx fx;
    json_t *st;

    mod_fx_start(&fx, args);
    role(&fx, "fresh");
    mod_clear_calls(&fx);
    st = create(&fx, "{\"name\": \"fresh\", \"role\": \"fresh\"}");
    ASSERT_STR_CONTAINS(mod_calls(&fx), "CreateInstanceProfile,"
                                        "AddRoleToInstanceProfile,"
                                        "AddRoleToInstanceProfile");
    ASSERT_EQ(fx.diags.count, 0);
    ASSERT_STR_EQ(profile_role(&fx, "fresh"), "fresh");
    json_decref(st);
    mod_fx_stop(&fx);
}

/*
 * The provider's limits (name 128 characters, name_prefix 102, which with
 * the 26 characters of the unique suffix makes 128): validate reports a
 * longer constant value at its range; the longest allowed are created.
 */
TEST(mod_iam_instance_profile, name_limits_are_the_providers)
{
    struct tern_lang_config *lc = tern_lang_config_new(".");
    struct tern_diags d = TERN_DIAGS_INIT;
    struct mod_fx fx;
    char *text, *cfg;
    json_t *st;

    ASSERT_EQ(tern_schema_attr(M->schema, "name")->max_items, 128);
    ASSERT_EQ(tern_schema_attr(M->schema, "name_prefix")->max_items, 102);
    text = tern_asprintf("resource \"aws_iam_instance_profile\" \"a\" {\n"
                         "  name = \"%0129d\"\n"
                         "}\n"
                         "resource \"aws_iam_instance_profile\" \"b\" {\n"
                         "  name_prefix = \"%0103d\"\n"
                         "}\n"
                         "resource \"aws_iam_instance_profile\" \"c\" {\n"
                         "  name = \"%0128d\"\n"
                         "}\n",
                         0, 0, 0);
    ASSERT_OK(tern_lang_config_add_file(lc, "main.tf", text, strlen(text), &d));
    ASSERT_EQ(tern_engine_validate(lc, &d), TERN_ERROR);
    ASSERT_EQ(d.count, 2);
    ASSERT_STR_EQ(d.items[0].summary, "Value too long");
    ASSERT_STR_EQ(d.items[0].detail, "The argument \"name\" takes at most "
                                     "128 characters; this value has 129.");
    ASSERT_EQ(d.items[0].range.start.line, 2);
    ASSERT_EQ(d.items[0].range.start.column, 10);
    ASSERT_STR_EQ(d.items[1].detail,
                  "The argument \"name_prefix\" takes at most 102 "
                  "characters; this value has 103.");
    ASSERT_EQ(d.items[1].range.start.line, 5);
    tern_diags_release(&d);
    tern_lang_config_free(lc);
    tern_free(text);

    mod_fx_start(&fx, NULL);
    cfg = tern_asprintf("{\"name_prefix\": \"%0102d\"}", 0);
    st = create(&fx, cfg);
    ASSERT_EQ(strlen(mod_str(st, "name")), 128);
    json_decref(st);
    tern_free(cfg);
    cfg = tern_asprintf("{\"name\": \"%0128d\"}", 1);
    st = create(&fx, cfg);
    ASSERT_EQ(strlen(mod_str(st, "name")), 128);
    json_decref(st);
    tern_free(cfg);
    mod_fx_stop(&fx);
}

/*
 * The provider's character set for name and name_prefix, [\w+=,.@-]:
 * create refuses anything else before calling IAM, naming the argument;
 * every allowed character is accepted.
 */
TEST(mod_iam_instance_profile, name_character_set_is_the_providers)
{
    struct mod_fx fx;
    json_t *cfg, *st = NULL;

    mod_fx_start(&fx, NULL);
    cfg = mod_json("{\"name\": \"my profile\"}");
    ASSERT_EQ(M->create(&st, &fx.op, cfg), TERN_EINVALID);
    ASSERT_NULL(st);
    ASSERT_STR_EQ(mod_calls(&fx), "");
    ASSERT_STR_CONTAINS(mod_diag_text(&fx),
                        "Invalid IAM instance profile name []: The "
                        "argument \"name\" may contain only ASCII letters, "
                        "digits and _+=,.@- (the AWS provider's "
                        "[\\w+=,.@-]), not \" \" (character 3 of \"my "
                        "profile\").");
    mod_diag_clear(&fx);
    json_decref(cfg);
    cfg = mod_json("{\"name_prefix\": \"a/b\", \"role\": \"r\"}");
    ASSERT_EQ(M->create(&st, &fx.op, cfg), TERN_EINVALID);
    ASSERT_STR_EQ(mod_calls(&fx), "");
    ASSERT_STR_CONTAINS(mod_diag_text(&fx),
                        "The argument \"name_prefix\" may contain only");
    ASSERT_STR_CONTAINS(mod_diag_text(&fx), "not \"/\" (character 2 of");
    mod_diag_clear(&fx);
    json_decref(cfg);
    st = create(&fx, "{\"name\": \"Az09_+=,.@-\"}");
    ASSERT_STR_EQ(mod_str(st, "name"), "Az09_+=,.@-");
    json_decref(st);
    st = create(&fx, "{\"name_prefix\": \"p_+=,.@-\"}");
    ASSERT_STR_CONTAINS(mod_str(st, "name"), "p_+=,.@-");
    json_decref(st);
    mod_fx_stop(&fx);
}

/* Each allocation of a read failing alone: the whole state or out of
 * memory (issue 20). */
TEST(mod_iam_instance_profile, alloc_walk)
{
    struct mod_fx fx;
    json_t *st;

    mod_fx_start(&fx, NULL);
    role(&fx, "a");
    st = create(&fx, "{\"name\": \"p\", \"role\": \"a\", \"tags\": "
                     "{\"env\": \"prod\"}}");
    ASSERT_CMP(mod_read_walk_state(&fx, M, st), >, 100);
    json_decref(st);
    ASSERT_CMP(mod_create_walk(&fx, M,
                               "{\"name\": \"q\", \"role\": \"a\", "
                               "\"tags\": {\"env\": \"prod\"}}",
                               "{\"iam\": {\"roles\": [{\"name\": \"a\", "
                               "\"assume_role_policy\": \"{}\"}]}}"),
               >, 100);
    mod_fx_stop(&fx);
}

const struct tern_test test_mod_iam_instance_profile_list[] = {
    TEST_MODULE(mod_iam_instance_profile, create_two_calls),
    TEST_MODULE(mod_iam_instance_profile, name_limits_are_the_providers),
    TEST_MODULE(mod_iam_instance_profile, name_character_set_is_the_providers),
    TEST_MODULE(mod_iam_instance_profile, drift_and_role_in_place),
    TEST_MODULE(mod_iam_instance_profile, replace_delete_gone),
    TEST_MODULE(mod_iam_instance_profile, import_and_errors),
    TEST_MODULE(mod_iam_instance_profile, add_role_propagation_5s),
    TEST_MODULE(mod_iam_instance_profile, alloc_walk),
    TEST_END};
