/*
 * aws_iam_policy against tern-sim: create (one call), drift, update in
 * place (a new default version; the oldest other version deleted first at
 * 5), replace, delete (other versions first; DeleteConflict naming what
 * holds it), import, deleted outside, errors, lookup, the bulk refresh's
 * snapshot, and an attachment to a policy created a moment earlier under
 * 5 s of propagation.
 */
#include "runner.h"
#include "test_mod.h"

#include "util/alloc.h"

extern const tern_module tern_module_aws_iam_policy;
extern const tern_module tern_module_aws_iam_role_policy_attachment;
extern const tern_bulk_op tern_bulk_aws_iam;
#define M (&tern_module_aws_iam_policy)

#define ARN(p) "arn:aws:iam::" MOD_ACCOUNT ":policy/" p
/* Policy documents as configuration text (JSON string contents). */
#define DOC_Q(action)                                                          \
    "{\\\"Version\\\": \\\"2012-10-17\\\", \\\"Statement\\\": [{"              \
    "\\\"Effect\\\": \\\"Allow\\\", \\\"Action\\\": \\\"" action "\\\", "      \
    "\\\"Resource\\\": \\\"*\\\"}]}"
#define DOC(action)                                                            \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","        \
    "\"Action\":\"" action "\",\"Resource\":\"*\"}]}"

static json_t *create(struct mod_fx *fx, const char *cfg_text)
{
    json_t *cfg = mod_json(cfg_text), *st = NULL;

    if (M->create(&st, &fx->op, cfg) != TERN_OK)
        FAIL("create: %s", mod_diag_text(fx));
    json_decref(cfg);
    return st;
}

/* The policy of that name in /_sim/dump (borrowed from *dump), or NULL. */
static json_t *dump_policy(json_t *dump, const char *name)
{
    json_t *list = json_object_get(json_object_get(dump, "iam"), "policies");
    json_t *p;
    size_t i;

    json_array_foreach(list, i, p)
    {
        if (strcmp(json_string_value(json_object_get(p, "name")), name) == 0)
            return p;
    }
    return NULL;
}

/* The ids of a dumped policy's versions, "v1,v3", and its default. */
static const char *versions_of(struct mod_fx *fx, const char *name)
{
    static char out[256];
    json_t *dump = mod_dump(fx), *p = dump_policy(dump, name), *v;
    size_t i, len = 0;

    out[0] = '\0';
    ASSERT_NOT_NULL(p);
    json_array_foreach(json_object_get(p, "versions"), i, v)
    {
        len +=
            (size_t)snprintf(out + len, sizeof(out) - len, "%s%s", i ? "," : "",
                             json_string_value(json_object_get(v, "id")));
    }
    snprintf(out + len, sizeof(out) - len, " default %s",
             json_string_value(json_object_get(p, "default_version_id")));
    json_decref(dump);
    return out;
}

/* mod_diag_text() with each request id replaced by "REQ" (they are
 * random), to compare whole messages. */
static const char *diag_text(struct mod_fx *fx)
{
    static char out[8192];
    const char *text = mod_diag_text(fx);
    size_t i, len = 0;

    for (; *text && len + 4 < sizeof(out);) {
        int hit = 0;

        for (i = 0; i < fx->diags.count; i++) {
            const char *id = fx->diags.items[i].request_id;

            if (id && *id && strncmp(text, id, strlen(id)) == 0) {
                memcpy(out + len, "REQ", 3);
                len += 3;
                text += strlen(id);
                hit = 1;
                break;
            }
        }
        if (!hit)
            out[len++] = *text++;
    }
    out[len] = '\0';
    return out;
}

TEST(mod_iam_policy, create_drift_update)
{
    struct mod_fx fx;
    json_t *st, *now = NULL, *cfg, *dump, *want;

    mod_fx_start(&fx, NULL);
    st = create(&fx,
                "{\"name\": \"app-s3\", \"path\": \"/app/\", "
                "\"description\": \"Read the bucket\", \"policy\": \"" DOC_Q(
                    "s3:GetObject") "\", \"tags\": {\"team\": \"ml\"}}");
    ASSERT_STR_EQ(mod_calls(&fx), "CreatePolicy");
    ASSERT_STR_EQ(mod_str(st, "arn"), ARN("app/app-s3"));
    ASSERT_STR_EQ(mod_str(st, "id"), ARN("app/app-s3"));
    ASSERT_EQ(strncmp(mod_str(st, "policy_id"), "ANPA", 4), 0);
    ASSERT_STR_EQ(mod_str(st, "description"), "Read the bucket");
    ASSERT_EQ(json_integer_value(json_object_get(st, "attachment_count")), 0);
    ASSERT_TRUE(json_is_null(json_object_get(st, "name_prefix")));
    ASSERT_STR_EQ(mod_str(st, "policy"), "{\"Version\": \"2012-10-17\", "
                                         "\"Statement\": [{\"Effect\": "
                                         "\"Allow\", \"Action\": "
                                         "\"s3:GetObject\", \"Resource\": "
                                         "\"*\"}]}");
    want = mod_json("{\"team\": \"ml\"}");
    ASSERT(json_equal(json_object_get(st, "tags_all"), want));
    json_decref(want);
    dump = mod_dump(&fx);
    ASSERT_STR_EQ(json_string_value(json_object_get(dump_policy(dump, "app-s3"),
                                                    "description")),
                  "Read the bucket");
    json_decref(dump);

    /* Read returns what create did, keeping the configuration's layout. */
    mod_clear_calls(&fx);
    ASSERT_OK(M->read(&now, &fx.op, st));
    ASSERT_STR_EQ(mod_calls(&fx), "GetPolicy,GetPolicyVersion");
    ASSERT(json_equal(now, st));
    json_decref(now);

    /* Changed outside tern: a new default version and a tag. */
    ASSERT_OK(mod_iam(&fx, "CreatePolicyVersion", "PolicyArn",
                      ARN("app/app-s3"), "PolicyDocument", DOC("s3:*"),
                      "SetAsDefault", "true", NULL));
    ASSERT_OK(mod_iam(&fx, "TagPolicy", "PolicyArn", ARN("app/app-s3"),
                      "Tags.member.1.Key", "extra", "Tags.member.1.Value", "x",
                      NULL));
    ASSERT_OK(M->read(&now, &fx.op, st));
    ASSERT_STR_EQ(mod_str(now, "policy"), DOC("s3:*"));
    want = mod_json("{\"team\": \"ml\", \"extra\": \"x\"}");
    ASSERT(json_equal(json_object_get(now, "tags"), want));
    json_decref(want);

    /* Update: a new default version with the configuration's document,
     * and the tag removed. */
    cfg = mod_json("{\"name\": \"app-s3\", \"path\": \"/app/\", "
                   "\"description\": \"Read the bucket\", \"policy\": "
                   "\"" DOC_Q("s3:PutObject") "\", \"tags\": {\"team\": "
                                              "\"ml\"}}");
    json_decref(st);
    st = NULL;
    mod_clear_calls(&fx);
    ASSERT_OK(M->update(&st, &fx.op, now, cfg));
    ASSERT_STR_EQ(mod_calls(&fx),
                  "ListPolicyVersions,CreatePolicyVersion,UntagPolicy");
    ASSERT_STR_EQ(versions_of(&fx, "app-s3"), "v1,v2,v3 default v3");
    json_decref(now);
    ASSERT_OK(M->read(&now, &fx.op, st));
    ASSERT(json_equal(now, st));
    json_decref(now);
    json_decref(cfg);
    json_decref(st);
    mod_fx_stop(&fx);
}

TEST(mod_iam_policy, update_rotates_versions_at_five)
{
    struct mod_fx fx;
    json_t *st, *next = NULL, *cfg;
    int i;

    mod_fx_start(&fx, NULL);
    st = create(
        &fx, "{\"name\": \"busy\", \"policy\": \"" DOC_Q("s3:GetObject") "\"}");
    /* Four versions made outside tern, none the default: 5 in all. */
    for (i = 0; i < 4; i++)
        ASSERT_OK(mod_iam(&fx, "CreatePolicyVersion", "PolicyArn", ARN("busy"),
                          "PolicyDocument", DOC("s3:ListBucket"), NULL));
    ASSERT_STR_EQ(versions_of(&fx, "busy"), "v1,v2,v3,v4,v5 default v1");
    /* The oldest version that is not the default goes first (all were made
     * in the same second: the lowest number is the oldest). */
    cfg = mod_json(
        "{\"name\": \"busy\", \"policy\": \"" DOC_Q("s3:PutObject") "\"}");
    mod_clear_calls(&fx);
    ASSERT_OK(M->update(&next, &fx.op, st, cfg));
    ASSERT_STR_EQ(mod_calls(&fx),
                  "ListPolicyVersions,DeletePolicyVersion,CreatePolicyVersion");
    ASSERT_STR_EQ(versions_of(&fx, "busy"), "v1,v3,v4,v5,v6 default v6");
    json_decref(cfg);
    /* Again: now v1 is the oldest that is not the default. */
    cfg = mod_json(
        "{\"name\": \"busy\", \"policy\": \"" DOC_Q("s3:DeleteObject") "\"}");
    json_decref(st);
    st = next;
    next = NULL;
    ASSERT_OK(M->update(&next, &fx.op, st, cfg));
    ASSERT_STR_EQ(versions_of(&fx, "busy"), "v3,v4,v5,v6,v7 default v7");
    ASSERT_EQ(fx.diags.count, 0);
    json_decref(cfg);
    json_decref(st);
    json_decref(next);
    mod_fx_stop(&fx);
}

TEST(mod_iam_policy, replace_and_name_prefix)
{
    struct mod_fx fx;
    json_t *st, *now = NULL;
    static const char *const force_new[] = {"description", "name",
                                            "name_prefix", "path"};
    size_t i;

    mod_fx_start(&fx, NULL);
    for (i = 0; i < sizeof(force_new) / sizeof(force_new[0]); i++)
        ASSERT(tern_schema_attr(M->schema, force_new[i])->flags &
               TERN_ATTR_FORCE_NEW);
    ASSERT_FALSE(tern_schema_attr(M->schema, "policy")->flags &
                 TERN_ATTR_FORCE_NEW);
    ASSERT_FALSE(tern_schema_attr(M->schema, "tags")->flags &
                 TERN_ATTR_FORCE_NEW);
    st = create(&fx, "{\"name_prefix\": \"pass-\", \"policy\": \"" DOC_Q(
                         "iam:PassRole") "\"}");
    ASSERT_EQ(strncmp(mod_str(st, "name"), "pass-", 5), 0);
    ASSERT_EQ(strlen(mod_str(st, "name")), strlen("pass-") + 26);
    ASSERT_STR_EQ(mod_str(st, "name_prefix"), "pass-");
    ASSERT_STR_EQ(mod_str(st, "path"), "/");
    ASSERT_OK(M->read(&now, &fx.op, st));
    ASSERT(json_equal(now, st));
    json_decref(now);
    /* Replaced: the old one deleted, a new one made. */
    ASSERT_OK(M->delete_(&fx.op, st));
    json_decref(st);
    st = create(&fx, "{\"name_prefix\": \"pass-\", \"path\": \"/dbx/\", "
                     "\"policy\": \"" DOC_Q("iam:PassRole") "\"}");
    ASSERT_STR_EQ(mod_str(st, "path"), "/dbx/");
    {
        json_t *dump = mod_dump(&fx);

        ASSERT_EQ(json_array_size(json_object_get(json_object_get(dump, "iam"),
                                                  "policies")),
                  1);
        json_decref(dump);
    }
    json_decref(st);
    mod_fx_stop(&fx);
}

TEST(mod_iam_policy, delete_versions_then_policy)
{
    struct mod_fx fx;
    json_t *st, *dump;

    mod_fx_start(&fx, NULL);
    st = create(
        &fx, "{\"name\": \"old\", \"policy\": \"" DOC_Q("s3:GetObject") "\"}");
    ASSERT_OK(mod_iam(&fx, "CreatePolicyVersion", "PolicyArn", ARN("old"),
                      "PolicyDocument", DOC("s3:PutObject"), "SetAsDefault",
                      "true", NULL));
    ASSERT_OK(mod_iam(&fx, "CreatePolicyVersion", "PolicyArn", ARN("old"),
                      "PolicyDocument", DOC("s3:ListBucket"), NULL));
    mod_clear_calls(&fx);
    ASSERT_OK(M->delete_(&fx.op, st));
    ASSERT_STR_EQ(mod_calls(&fx), "ListPolicyVersions,DeletePolicyVersion,"
                                  "DeletePolicyVersion,DeletePolicy");
    dump = mod_dump(&fx);
    ASSERT_NULL(dump_policy(dump, "old"));
    json_decref(dump);
    /* Already gone: done, quietly. */
    mod_clear_calls(&fx);
    ASSERT_OK(M->delete_(&fx.op, st));
    ASSERT_STR_EQ(mod_calls(&fx), "ListPolicyVersions");
    ASSERT_EQ(fx.diags.count, 0);
    json_decref(st);
    mod_fx_stop(&fx);
}

TEST(mod_iam_policy, delete_conflict_names_holders)
{
    struct mod_fx fx;
    json_t *st;

    mod_fx_start(&fx, NULL);
    tern__propagation_timeout_set(300);
    st = create(
        &fx, "{\"name\": \"held\", \"policy\": \"" DOC_Q("s3:GetObject") "\"}");
    ASSERT_OK(mod_iam(&fx, "CreateRole", "RoleName", "databricks-ws",
                      "AssumeRolePolicyDocument", MOD_TRUST_EC2, NULL));
    ASSERT_OK(mod_iam(&fx, "CreateRole", "RoleName", "app",
                      "AssumeRolePolicyDocument", MOD_TRUST_EC2, NULL));
    ASSERT_OK(mod_iam(&fx, "AttachRolePolicy", "RoleName", "databricks-ws",
                      "PolicyArn", ARN("held"), NULL));
    ASSERT_OK(mod_iam(&fx, "AttachRolePolicy", "RoleName", "app", "PolicyArn",
                      ARN("held"), NULL));
    mod_clear_calls(&fx);
    ASSERT_EQ(M->delete_(&fx.op, st), TERN_ECONFLICT);
    ASSERT_EQ(fx.diags.count, 1);
    ASSERT_STR_EQ(
        diag_text(&fx),
        "Cannot delete IAM policy '" ARN(
            "held") "' [DeleteConflict]: IAM DeletePolicy: DeleteConflict: "
                    "Cannot delete a policy attached to entities. (HTTP 409, "
                    "request id REQ, 1 attempt). It is still attached to IAM "
                    "role 'app', IAM role 'databricks-ws': detach it from "
                    "them first (tern detaches it only where an "
                    "aws_iam_role_policy_attachment of this configuration "
                    "attached it).");
    /* Retried while a detach might still propagate, then given up. */
    ASSERT_STR_CONTAINS(mod_calls(&fx), "DeletePolicy,DeletePolicy");
    ASSERT_STR_CONTAINS(mod_calls(&fx), ",ListEntitiesForPolicy");
    json_decref(st);
    mod_fx_stop(&fx);
}

TEST(mod_iam_policy, import_and_deleted_outside)
{
    struct mod_fx fx;
    json_t *st, *imp = NULL, *now = NULL;
    int same = 0;

    mod_fx_start(&fx, NULL);
    st = create(&fx, "{\"name\": \"imp\", \"policy\": \"" DOC_Q(
                         "s3:GetObject") "\", \"tags\": {\"a\": \"b\"}}");
    ASSERT_OK(M->import(&imp, &fx.op, ARN("imp")));
    ASSERT_STR_EQ(mod_str(imp, "id"), ARN("imp"));
    ASSERT_STR_EQ(mod_str(imp, "name"), "imp");
    ASSERT_STR_EQ(mod_str(imp, "policy_id"), mod_str(st, "policy_id"));
    ASSERT(
        json_equal(json_object_get(imp, "tags"), json_object_get(st, "tags")));
    ASSERT_OK(tern_schema_attr(M->schema, "policy")
                  ->equivalent(&same, json_object_get(imp, "policy"),
                               json_object_get(st, "policy")));
    ASSERT_EQ(same, 1);
    ASSERT_EQ(M->import(&now, &fx.op, "imp"), TERN_EINVALID);
    ASSERT_STR_EQ(mod_diag_text(&fx),
                  "Invalid import ID []: 'imp' is not the ARN of an IAM "
                  "policy, e.g. arn:aws:iam::123456789012:policy/my-policy.");
    mod_diag_clear(&fx);
    ASSERT_EQ(M->import(&now, &fx.op, ARN("nothing")), TERN_ENOTFOUND);
    ASSERT_STR_EQ(diag_text(&fx),
                  "Cannot read IAM policy '" ARN(
                      "nothing") "' [NoSuchEntity]: IAM GetPolicy: "
                                 "NoSuchEntity: Policy " ARN(
                                     "nothing") " was not found. (HTTP 404, "
                                                "request id REQ, 1 attempt). "
                                                "The object it names does not "
                                                "exist (or was deleted outside "
                                                "tern): check the name, or "
                                                "create it first.");
    mod_diag_clear(&fx);
    /* Deleted outside tern: read says gone, quietly; delete says done. */
    ASSERT_OK(mod_iam(&fx, "DeletePolicy", "PolicyArn", ARN("imp"), NULL));
    ASSERT_EQ(M->read(&now, &fx.op, st), TERN_ENOTFOUND);
    ASSERT_OK(M->delete_(&fx.op, st));
    ASSERT_EQ(fx.diags.count, 0);
    json_decref(imp);
    json_decref(st);
    mod_fx_stop(&fx);
}

TEST(mod_iam_policy, errors)
{
    struct mod_fx fx;
    json_t *st = NULL, *cfg;
    char *big, *text;
    size_t i;

    mod_fx_start(&fx, NULL);
    cfg = mod_json("{\"name\": \"p\", \"policy\": \"{\\\"Statement\\\": "
                   "1}\"}");
    ASSERT_EQ(M->create(&st, &fx.op, cfg), TERN_EINVALID);
    ASSERT_STR_EQ(diag_text(&fx),
                  "Cannot create IAM policy 'p' [MalformedPolicyDocument]: "
                  "IAM CreatePolicy: MalformedPolicyDocument: Syntax errors "
                  "in policy. (HTTP 400, request id REQ, 1 attempt). Fix the "
                  "policy document: it must be valid JSON with Version and "
                  "Statement, and every principal it names must exist.");
    ASSERT_NULL(st);
    mod_diag_clear(&fx);
    json_decref(cfg);

    /* Over IAM's 6,144 characters. */
    big = tern_calloc(1, 8000);
    strcpy(big, "{\"name\": \"p\", \"policy\": \"{\\\"Version\\\": "
                "\\\"2012-10-17\\\", \\\"Statement\\\": [{\\\"Effect\\\": "
                "\\\"Allow\\\", \\\"Action\\\": \\\"s3:GetObject\\\", "
                "\\\"Resource\\\": \\\"arn:aws:s3:::");
    for (i = strlen(big); i < 6300; i++)
        big[i] = 'b';
    strcat(big, "\\\"}]}\"}");
    cfg = mod_json(big);
    ASSERT_EQ(M->create(&st, &fx.op, cfg), TERN_ERROR);
    ASSERT_STR_EQ(diag_text(&fx),
                  "Cannot create IAM policy 'p' [LimitExceeded]: IAM "
                  "CreatePolicy: LimitExceeded: Cannot exceed quota for "
                  "PolicySize: 6144 (HTTP 409, request id REQ, 1 attempt). "
                  "An IAM quota was reached: remove objects that are no "
                  "longer needed, or ask AWS to raise the quota.");
    mod_diag_clear(&fx);
    json_decref(cfg);
    tern_free(big);

    /* The provider's character set, before any call. */
    mod_clear_calls(&fx);
    cfg = mod_json("{\"name\": \"a b\", \"policy\": \"" DOC_Q("s3:*") "\"}");
    ASSERT_EQ(M->create(&st, &fx.op, cfg), TERN_EINVALID);
    ASSERT_STR_EQ(mod_diag_text(&fx),
                  "Invalid IAM policy name []: The argument \"name\" may "
                  "contain only ASCII letters, digits and _+=,.@- (the AWS "
                  "provider's [\\w+=,.@-]), not \" \" (character 2 of \"a "
                  "b\").");
    ASSERT_STR_EQ(mod_calls(&fx), "");
    mod_diag_clear(&fx);
    json_decref(cfg);

    /* Made outside tern: the import command names its ARN. */
    ASSERT_OK(mod_iam(&fx, "CreatePolicy", "PolicyName", "taken", "Path", "/x/",
                      "PolicyDocument", DOC("s3:*"), NULL));
    cfg = mod_json("{\"name\": \"taken\", \"path\": \"/x/\", \"policy\": "
                   "\"" DOC_Q("s3:*") "\"}");
    ASSERT_EQ(M->create(&st, &fx.op, cfg), TERN_EEXISTS);
    text = tern_strdup(diag_text(&fx));
    ASSERT_STR_EQ(text,
                  "Cannot create IAM policy 'taken' [EntityAlreadyExists]: IAM "
                  "CreatePolicy: EntityAlreadyExists: A policy called taken "
                  "already exists. Duplicate names are not allowed. (HTTP 409, "
                  "request id REQ, 1 attempt). It already exists, but not in "
                  "tern's state. To manage the existing one with tern, import "
                  "it: tern import aws_iam_role.test " ARN(
                      "x/taken") "; or give this one another name.");
    tern_free(text);
    json_decref(cfg);
    mod_fx_stop(&fx);
}

TEST(mod_iam_policy, lookup_adopts_by_name_and_path)
{
    struct mod_fx fx;
    json_t *st, *found = NULL, *cfg;

    mod_fx_start(&fx, NULL);
    st = create(&fx, "{\"name\": \"adopt\", \"path\": \"/a/\", \"policy\": "
                     "\"" DOC_Q("s3:GetObject") "\"}");
    cfg = mod_json("{\"name\": \"adopt\", \"path\": \"/a/\", \"policy\": "
                   "\"" DOC_Q("s3:GetObject") "\"}");
    mod_clear_calls(&fx);
    ASSERT_OK(M->lookup(&found, &fx.op, cfg));
    ASSERT_STR_EQ(mod_calls(&fx), "ListPolicies,GetPolicy,GetPolicyVersion");
    ASSERT(json_equal(found, st));
    json_decref(found);
    json_decref(cfg);
    /* Another path is another policy; a prefix names none. */
    cfg = mod_json("{\"name\": \"adopt\", \"path\": \"/b/\", \"policy\": "
                   "\"" DOC_Q("s3:GetObject") "\"}");
    ASSERT_EQ(M->lookup(&found, &fx.op, cfg), TERN_ENOTFOUND);
    json_decref(cfg);
    cfg = mod_json("{\"name_prefix\": \"adopt\", \"policy\": "
                   "\"" DOC_Q("s3:GetObject") "\"}");
    mod_clear_calls(&fx);
    ASSERT_EQ(M->lookup(&found, &fx.op, cfg), TERN_ENOTFOUND);
    ASSERT_STR_EQ(mod_calls(&fx), "");
    ASSERT_EQ(fx.diags.count, 0);
    json_decref(cfg);
    json_decref(st);
    mod_fx_stop(&fx);
}

TEST(mod_iam_policy, bulk_snapshot)
{
    struct mod_fx fx;
    json_t *st, *later, *now = NULL, *plain = NULL;
    void *snapshot = NULL;

    mod_fx_start(&fx, NULL);
    st = create(&fx, "{\"name\": \"bulk\", \"policy\": \"" DOC_Q(
                         "s3:GetObject") "\", \"tags\": {\"k\": \"v\"}}");
    ASSERT_OK(mod_iam(&fx, "CreateRole", "RoleName", "r",
                      "AssumeRolePolicyDocument", MOD_TRUST_EC2, NULL));
    ASSERT_OK(mod_iam(&fx, "AttachRolePolicy", "RoleName", "r", "PolicyArn",
                      ARN("bulk"), NULL));
    mod_clear_calls(&fx);
    ASSERT_OK(tern_bulk_aws_iam.fetch(&snapshot, &fx.op));
    ASSERT_STR_EQ(mod_calls(&fx), "GetAccountAuthorizationDetails,ListRoles");
    later = create(&fx, "{\"name\": \"later\", \"policy\": \"" DOC_Q(
                            "s3:GetObject") "\"}");
    fx.op.bulk = snapshot;
    /* From the snapshot: only the tags are asked for. */
    mod_clear_calls(&fx);
    ASSERT_OK(M->read(&now, &fx.op, st));
    ASSERT_STR_EQ(mod_calls(&fx), "ListPolicyTags");
    ASSERT_EQ(json_integer_value(json_object_get(now, "attachment_count")), 1);
    fx.op.bulk = NULL;
    ASSERT_OK(M->read(&plain, &fx.op, st));
    ASSERT(json_equal(now, plain));
    json_decref(now);
    /* Not in the snapshot: read by itself. */
    fx.op.bulk = snapshot;
    mod_clear_calls(&fx);
    ASSERT_OK(M->read(&now, &fx.op, later));
    ASSERT_STR_EQ(mod_calls(&fx), "GetPolicy,GetPolicyVersion");
    ASSERT(json_equal(now, later));
    tern_bulk_aws_iam.free(snapshot);
    json_decref(now);
    json_decref(plain);
    json_decref(later);
    json_decref(st);
    mod_fx_stop(&fx);
}

/* An attachment right after its policy was made, IAM taking 5 s. */
TEST(mod_iam_policy, new_policy_propagation_5s)
{
    static const char *const args[] = {"--propagation-ms", "5000", NULL};
    const tern_module *att = &tern_module_aws_iam_role_policy_attachment;
    struct mod_fx fx;
    json_t *st, *cfg, *ast = NULL;

    mod_fx_start(&fx, args);
    mod_load(&fx, "{\"iam\": {\"roles\": [{\"name\": \"ws\", "
                  "\"assume_role_policy\": " MOD_TRUST_EC2_Q "}]}}");
    st = create(&fx, "{\"name\": \"fresh\", \"policy\": \"" DOC_Q(
                         "iam:PassRole") "\"}");
    cfg = mod_json("{\"role\": \"ws\", \"policy_arn\": \"" ARN("fresh") "\"}");
    mod_clear_calls(&fx);
    ASSERT_OK(att->create(&ast, &fx.op, cfg));
    ASSERT_STR_CONTAINS(mod_calls(&fx), "AttachRolePolicy,AttachRolePolicy");
    ASSERT_EQ(fx.diags.count, 0);
    json_decref(ast);
    json_decref(cfg);
    json_decref(st);
    mod_fx_stop(&fx);
}

const struct tern_test test_mod_iam_policy_list[] = {
    TEST_MODULE(mod_iam_policy, create_drift_update),
    TEST_MODULE(mod_iam_policy, update_rotates_versions_at_five),
    TEST_MODULE(mod_iam_policy, replace_and_name_prefix),
    TEST_MODULE(mod_iam_policy, delete_versions_then_policy),
    TEST_MODULE(mod_iam_policy, delete_conflict_names_holders),
    TEST_MODULE(mod_iam_policy, import_and_deleted_outside),
    TEST_MODULE(mod_iam_policy, errors),
    TEST_MODULE(mod_iam_policy, lookup_adopts_by_name_and_path),
    TEST_MODULE(mod_iam_policy, bulk_snapshot),
    TEST_MODULE(mod_iam_policy, new_policy_propagation_5s),
    TEST_END};
