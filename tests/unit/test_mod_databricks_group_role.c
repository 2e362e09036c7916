/*
 * The SCIM pair resources against tern-sim: databricks_group_instance_
 * profile, databricks_user_instance_profile and databricks_group_role.
 * Create (one PATCH), read, drift (the role taken away outside tern: gone),
 * delete (gone is success, a deleted group too), import by
 * "<principal>|<value>", and the service's rule that an instance profile
 * is registered before a group or user gets it.
 */
#include "runner.h"
#include "test_mod.h"

extern const tern_module tern_module_databricks_group_instance_profile;
extern const tern_module tern_module_databricks_user_instance_profile;
extern const tern_module tern_module_databricks_group_role;
#define GIP (&tern_module_databricks_group_instance_profile)
#define UIP (&tern_module_databricks_user_instance_profile)
#define GR  (&tern_module_databricks_group_role)

#define ARN      "arn:aws:iam::" MOD_ACCOUNT ":instance-profile/shared"
#define ME_ID    "7000000000001031"
#define USERS_ID "7000000000003093"

static void register_profile(struct mod_fx *fx)
{
    mod_load(fx, "{\"databricks\": {\"instance_profiles\": "
                 "[{\"instance_profile_arn\": \"" ARN "\"}]}}");
}

/* The roles of a group or user in the dump, as compact JSON (static). */
static const char *roles(struct mod_fx *fx, const char *kind, const char *id)
{
    static char buf[1024];
    json_t *dump = mod_dump(fx), *o;
    size_t i;
    char *text = NULL;

    buf[0] = '\0';
    json_array_foreach(
        json_object_get(json_object_get(dump, "databricks"), kind), i, o)
    {
        if (strcmp(mod_str(o, "id"), id) == 0) {
            text = json_dumps(json_object_get(o, "roles"),
                              JSON_COMPACT | JSON_ENCODE_ANY);
            snprintf(buf, sizeof(buf), "%s", text ? text : "null");
        }
    }
    free(text);
    json_decref(dump);
    return buf;
}

static void scim(struct mod_fx *fx, const char *method, const char *path,
                 const char *body)
{
    struct tern_diags d = TERN_DIAGS_INIT;
    json_t *b = body ? mod_json(body) : NULL;

    if (tern_dbx_call(fx->dbx, method, path, b, NULL, &d) != TERN_OK)
        FAIL("%s %s failed", method, path);
    json_decref(b);
    tern_diags_release(&d);
}

TEST(mod_databricks_group_role, group_instance_profile)
{
    struct mod_fx fx;
    json_t *cfg, *st = NULL, *now = NULL;
    char *text;

    mod_fx_start(&fx, NULL);
    fx.op.client = fx.dbx;
    register_profile(&fx);
    ASSERT(tern_schema_attr(GIP->schema, "group_id")->flags &
           TERN_ATTR_FORCE_NEW);
    ASSERT(tern_schema_attr(GIP->schema, "instance_profile_id")->flags &
           TERN_ATTR_FORCE_NEW);
    cfg = mod_json("{\"group_id\": \"" USERS_ID "\", "
                   "\"instance_profile_id\": \"" ARN "\"}");
    mod_clear_calls(&fx);
    ASSERT_OK(GIP->create(&st, &fx.op, cfg));
    ASSERT_STR_EQ(mod_calls(&fx), "preview/scim/v2/Groups/" USERS_ID);
    text = json_dumps(st, JSON_COMPACT | JSON_SORT_KEYS);
    ASSERT_STR_EQ(text, "{\"group_id\":\"" USERS_ID "\",\"id\":\"" USERS_ID
                        "|" ARN "\",\"instance_profile_id\":\"" ARN "\"}");
    free(text);
    ASSERT_STR_EQ(roles(&fx, "groups", USERS_ID), "[{\"value\":\"" ARN "\"}]");
    ASSERT_OK(GIP->read(&now, &fx.op, st));
    ASSERT(json_equal(now, st));
    json_decref(now);
    now = NULL;
    /* Taken away outside tern: gone, so the plan adds it again. */
    scim(&fx, "PATCH", "/api/2.0/preview/scim/v2/Groups/" USERS_ID,
         "{\"schemas\": [\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"], "
         "\"Operations\": [{\"op\": \"remove\", \"path\": \"roles\"}]}");
    ASSERT_EQ(GIP->read(&now, &fx.op, st), TERN_ENOTFOUND);
    ASSERT_EQ(fx.diags.count, 0);
    json_decref(st);
    ASSERT_OK(GIP->create(&st, &fx.op, cfg));
    /* Import by its id. */
    ASSERT_OK(GIP->import(&now, &fx.op, USERS_ID "|" ARN));
    ASSERT(json_equal(now, st));
    json_decref(now);
    now = NULL;
    mod_clear_calls(&fx);
    ASSERT_OK(GIP->delete_(&fx.op, st));
    ASSERT_STR_EQ(mod_calls(&fx), "preview/scim/v2/Groups/" USERS_ID);
    ASSERT_STR_EQ(roles(&fx, "groups", USERS_ID), "null");
    ASSERT_OK(GIP->delete_(&fx.op, st));
    ASSERT_EQ(GIP->import(&now, &fx.op, USERS_ID "|" ARN), TERN_ENOTFOUND);
    ASSERT_STR_EQ(
        mod_diag_text(&fx),
        "Cannot read databricks_group_instance_profile []: Group " USERS_ID
        " has no instance profile " ARN ".");
    mod_diag_clear(&fx);
    ASSERT_EQ(GIP->import(&now, &fx.op, "no-bar"), TERN_EINVALID);
    /* common.Pair.Unpack's three messages, word for word. */
    ASSERT_STR_EQ(mod_diag_text(&fx),
                  "Cannot import resource []: invalid ID: no-bar");
    mod_diag_clear(&fx);
    ASSERT_EQ(GIP->import(&now, &fx.op, "|" ARN), TERN_EINVALID);
    ASSERT_STR_EQ(mod_diag_text(&fx),
                  "Cannot import resource []: group_id cannot be empty");
    mod_diag_clear(&fx);
    ASSERT_EQ(GIP->import(&now, &fx.op, USERS_ID "|"), TERN_EINVALID);
    ASSERT_STR_EQ(
        mod_diag_text(&fx),
        "Cannot import resource []: instance_profile_id cannot be empty");
    mod_diag_clear(&fx);
    json_decref(cfg);
    json_decref(st);
    mod_fx_stop(&fx);
}

TEST(mod_databricks_group_role, unregistered_and_gone_group)
{
    struct mod_fx fx;
    json_t *cfg, *st = NULL;

    mod_fx_start(&fx, NULL);
    fx.op.client = fx.dbx;
    /* The workspace refuses a profile it does not know. */
    cfg = mod_json("{\"group_id\": \"" USERS_ID "\", "
                   "\"instance_profile_id\": \"" ARN "\"}");
    ASSERT_EQ(GIP->create(&st, &fx.op, cfg), TERN_EINVALID);
    ASSERT_STR_EQ(mod_diag_text(&fx),
                  "Cannot give group " USERS_ID " the instance profile " ARN
                  " [SCIM_400]: PATCH /api/2.0/preview/scim/v2/Groups/" USERS_ID
                  ": SCIM_400: invalidValue Instance profile " ARN
                  " is not registered with this workspace. Add it to the "
                  "workspace before assigning it. (HTTP 400, 1 attempt)");
    mod_diag_clear(&fx);
    json_decref(cfg);
    /* A group deleted outside tern: its role is gone, delete succeeds. */
    register_profile(&fx);
    mod_load(&fx, "{\"databricks\": {\"groups\": [{\"id\": \"42\", "
                  "\"displayName\": \"data-eng\"}]}}");
    cfg = mod_json("{\"group_id\": \"42\", \"role\": \"" ARN "\"}");
    ASSERT_OK(GR->create(&st, &fx.op, cfg));
    ASSERT_STR_EQ(roles(&fx, "groups", "42"), "[{\"value\":\"" ARN "\"}]");
    scim(&fx, "DELETE", "/api/2.0/preview/scim/v2/Groups/42", NULL);
    json_decref(cfg);
    cfg = NULL;
    ASSERT_EQ(GR->read(&cfg, &fx.op, st), TERN_ENOTFOUND);
    ASSERT_OK(GR->delete_(&fx.op, st));
    ASSERT_EQ(fx.diags.count, 0);
    json_decref(st);
    mod_fx_stop(&fx);
}

TEST(mod_databricks_group_role, user_instance_profile)
{
    struct mod_fx fx;
    json_t *cfg, *st = NULL, *now = NULL;

    mod_fx_start(&fx, NULL);
    fx.op.client = fx.dbx;
    register_profile(&fx);
    cfg = mod_json("{\"user_id\": \"" ME_ID "\", "
                   "\"instance_profile_id\": \"" ARN "\"}");
    ASSERT_OK(UIP->create(&st, &fx.op, cfg));
    ASSERT_STR_EQ(mod_str(st, "id"), ME_ID "|" ARN);
    ASSERT_STR_EQ(roles(&fx, "users", ME_ID), "[{\"value\":\"" ARN "\"}]");
    ASSERT_OK(UIP->read(&now, &fx.op, st));
    ASSERT(json_equal(now, st));
    json_decref(now);
    now = NULL;
    ASSERT_OK(UIP->delete_(&fx.op, st));
    ASSERT_EQ(UIP->read(&now, &fx.op, st), TERN_ENOTFOUND);
    ASSERT_EQ(UIP->import(&now, &fx.op, "999|" ARN), TERN_ENOTFOUND);
    ASSERT_STR_EQ(mod_diag_text(&fx),
                  "Cannot read databricks_user_instance_profile [SCIM_404]: "
                  "GET /api/2.0/preview/scim/v2/Users/999?attributes=roles: "
                  "SCIM_404: User with id 999 not found. (HTTP 404, 1 "
                  "attempt)");
    json_decref(cfg);
    json_decref(st);
    mod_fx_stop(&fx);
}

const struct tern_test test_mod_databricks_group_role_list[] = {
    TEST_MODULE(mod_databricks_group_role, group_instance_profile),
    TEST_MODULE(mod_databricks_group_role, unregistered_and_gone_group),
    TEST_MODULE(mod_databricks_group_role, user_instance_profile), TEST_END};
