/*
 * aws_iam_role's inline_policy blocks and managed_policy_arns through the
 * built binary against a tern-sim on 127.0.0.1: a role that uses them
 * applies and re-plans empty; what is added outside tern to a role that
 * sets them is drift the next apply removes, while a role that does not
 * set them is never read for them; one empty inline_policy block and
 * managed_policy_arns = [] mean none.
 */
#include "runner.h"

#include "run_tern.h"
#include "aws_call.h"
#include "support.h"
#include "cli_test.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define RO "arn:aws:iam::aws:policy/ReadOnlyAccess"
#define S3 "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"

#define TRUST                                                                  \
    "  assume_role_policy = jsonencode({\n"                                    \
    "    Version = \"2012-10-17\"\n"                                           \
    "    Statement = [{\n"                                                     \
    "      Effect    = \"Allow\"\n"                                            \
    "      Principal = { Service = \"ec2.amazonaws.com\" }\n"                  \
    "      Action    = \"sts:AssumeRole\"\n"                                   \
    "    }]\n"                                                                 \
    "  })\n"

static const char with_sets[] =
    "resource \"aws_iam_role\" \"svc\" {\n"
    "  name = \"svc\"\n" TRUST "  managed_policy_arns = [\"" RO "\"]\n"
    "  inline_policy {\n"
    "    name = \"s3\"\n"
    "    policy = jsonencode({\n"
    "      Version = \"2012-10-17\"\n"
    "      Statement = [{ Effect = \"Allow\", Action = [\"s3:GetObject\"], "
    "Resource = \"*\" }]\n"
    "    })\n"
    "  }\n"
    "  inline_policy {\n"
    "    name = \"logs\"\n"
    "    policy = <<-EOT\n"
    "      {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": "
    "\"Allow\", \"Action\": \"logs:PutLogEvents\", \"Resource\": \"*\"}]}\n"
    "    EOT\n"
    "  }\n"
    "}\n"
    "resource \"aws_iam_role\" \"plain\" {\n"
    "  name = \"plain\"\n" TRUST "}\n";

static const char emptied[] =
    "resource \"aws_iam_role\" \"svc\" {\n"
    "  name = \"svc\"\n" TRUST "  managed_policy_arns = []\n"
    "  inline_policy {}\n"
    "}\n"
    "resource \"aws_iam_role\" \"plain\" {\n"
    "  name = \"plain\"\n" TRUST "}\n";

/* An IAM call made outside tern: name, value, ..., NULL. */
static void iam(const char *action, ...)
{
    const char *params[16];
    struct tt_response resp;
    va_list ap;
    size_t n = 0;

    va_start(ap, action);
    while (n + 1 < sizeof(params) / sizeof(params[0]) &&
           (params[n] = va_arg(ap, const char *)) != NULL)
        n++;
    va_end(ap);
    params[n] = NULL;
    ASSERT_OK(tt_iam(&resp, &sim, action, params));
    ASSERT_EQ(resp.status, 200);
    tt_response_release(&resp);
}

static json_t *sim_get(const char *path)
{
    struct tt_response resp;
    json_t *doc;

    ASSERT_OK(tt_sim_control(&resp, &sim, "GET", path, NULL));
    ASSERT_EQ(resp.status, 200);
    doc = json_loads(resp.body, 0, NULL);
    ASSERT_NOT_NULL(doc);
    tt_response_release(&resp);
    return doc;
}

/* "inline: a,b; attached: x,y" for role @p name (static buffer). */
static const char *holds(const char *name)
{
    static char out[2048];
    json_t *dump = sim_get("dump"), *role = NULL, *v;
    const char *k;
    size_t i, len;

    json_array_foreach(json_object_get(json_object_get(dump, "iam"), "roles"),
                       i, v)
    {
        if (strcmp(json_string_value(json_object_get(v, "name")), name) == 0)
            role = v;
    }
    ASSERT_NOT_NULL(role);
    len = (size_t)snprintf(out, sizeof(out), "inline:");
    json_object_foreach(json_object_get(role, "inline_policies"), k, v)
    {
        len += (size_t)snprintf(out + len, sizeof(out) - len, " %s", k);
    }
    len += (size_t)snprintf(out + len, sizeof(out) - len, "; attached:");
    json_array_foreach(json_object_get(role, "attached_policies"), i, v)
    {
        len += (size_t)snprintf(out + len, sizeof(out) - len, " %s",
                                json_string_value(v));
    }
    json_decref(dump);
    return out;
}

TEST(cli_iam_role_sets, inline_policy_apply_replan_empty)
{
    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&env, &sim);
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", with_sets));
    RUN(0, "init", "-input=false");
    RUN(0, "apply", "-auto-approve");
    ASSERT_STR_CONTAINS(r.out, "Apply complete! Resources: 2 added, 0 "
                               "changed, 0 destroyed.");
    ASSERT_STR_EQ(holds("svc"), "inline: logs s3; attached: " RO);
    RUN(0, "plan", "-detailed-exitcode");
    ASSERT_STR_CONTAINS(r.out, "No changes. Your infrastructure matches the "
                               "configuration.");

    /* Outside tern: an inline policy and an attachment on each role. */
    iam("PutRolePolicy", "RoleName", "svc", "PolicyName", "extra",
        "PolicyDocument",
        "{\"Version\":\"2012-10-17\",\"Statement\":[{"
        "\"Effect\":\"Allow\",\"Action\":\"s3:*\","
        "\"Resource\":\"*\"}]}",
        NULL);
    iam("AttachRolePolicy", "RoleName", "svc", "PolicyArn", S3, NULL);
    iam("AttachRolePolicy", "RoleName", "plain", "PolicyArn", S3, NULL);
    RUN(2, "plan", "-detailed-exitcode");
    ASSERT_STR_CONTAINS(r.out,
                        "  # aws_iam_role.svc will be updated in-place\n");
    ASSERT_STR_CONTAINS(r.out, "Plan: 0 to add, 1 to change, 0 to destroy.");
    RUN(0, "apply", "-auto-approve");
    ASSERT_STR_EQ(holds("svc"), "inline: logs s3; attached: " RO);
    /* Not managed on plain: its attachment stays. */
    ASSERT_STR_EQ(holds("plain"), "inline:; attached: " S3);
    RUN(0, "plan", "-detailed-exitcode");

    /* One empty block and [] mean none. */
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", emptied));
    RUN(0, "apply", "-auto-approve");
    ASSERT_STR_CONTAINS(r.out, "Apply complete! Resources: 0 added, 1 "
                               "changed, 0 destroyed.");
    ASSERT_STR_EQ(holds("svc"), "inline:; attached:");
    RUN(0, "plan", "-detailed-exitcode");
    ASSERT_STR_CONTAINS(r.out, "No changes. Your infrastructure matches the "
                               "configuration.");
    /* plain's attachment is not tern's: taken off before its role goes. */
    iam("DetachRolePolicy", "RoleName", "plain", "PolicyArn", S3, NULL);
    RUN(0, "destroy", "-auto-approve");
    ASSERT_STR_CONTAINS(r.out, "Destroy complete! Resources: 2 destroyed.");
    tt_sim_stop(&sim);
}

/* Both arguments warn as deprecated (the provider's text), and a resource
 * that manages the same role's policies besides them is a conflict, said
 * at validate with both places: a reference to the role or its name. */
static const char conflicting[] =
    "resource \"aws_iam_role\" \"svc\" {\n"
    "  name               = \"svc\"\n"
    "  assume_role_policy = jsonencode({ Version = \"2012-10-17\", Statement = "
    "[{ Effect = \"Allow\", Principal = { Service = \"ec2.amazonaws.com\" }, "
    "Action = \"sts:AssumeRole\" }] })\n"
    "  managed_policy_arns = [\"arn:aws:iam::aws:policy/ReadOnlyAccess\"]\n"
    "  inline_policy {}\n"
    "}\n"
    "\n"
    "resource \"aws_iam_role_policy_attachment\" \"extra\" {\n"
    "  role       = aws_iam_role.svc.name\n"
    "  policy_arn = \"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess\"\n"
    "}\n"
    "\n"
    "resource \"aws_iam_role_policy\" \"lit\" {\n"
    "  role   = \"svc\"\n"
    "  name   = \"x\"\n"
    "  policy = jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = "
    "\"Allow\", Action = \"s3:GetObject\", Resource = \"*\" }] })\n"
    "}\n";

TEST(cli_iam_role_sets, deprecated_and_conflicting)
{
    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&env, &sim);
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", conflicting));
    RUN(0, "init", "-input=false");
    RUN(0, "validate");
    ASSERT_STR_EQ(
        r.out,
        "Warning: Argument is deprecated\n"
        "\n"
        "  on main.tf line 5, in resource \"aws_iam_role\" \"svc\":\n"
        "   5:   inline_policy {}\n"
        "        ^^^^^^^^^^^^^\n"
        "\n"
        "inline_policy is deprecated. Use the aws_iam_role_policy resource "
        "instead. If Terraform should exclusively manage all inline policy "
        "associations (the current behavior of this argument), use the "
        "aws_iam_role_policies_exclusive resource as well.\n"
        "\n"
        "Warning: Argument is deprecated\n"
        "\n"
        "  on main.tf line 4, in resource \"aws_iam_role\" \"svc\":\n"
        "   4:   managed_policy_arns = "
        "[\"arn:aws:iam::aws:policy/ReadOnlyAccess\"]\n"
        "        "
        "^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "\n"
        "managed_policy_arns is deprecated. Use the "
        "aws_iam_role_policy_attachment resource instead. If Terraform should "
        "exclusively manage all managed policy attachments (the current "
        "behavior of this argument), use the "
        "aws_iam_role_policy_attachments_exclusive resource as well.\n"
        "\n"
        "Warning: Conflicting policy management\n"
        "\n"
        "  on main.tf line 9, in resource \"aws_iam_role_policy_attachment\" "
        "\"extra\":\n"
        "   9:   role       = aws_iam_role.svc.name\n"
        "        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "\n"
        "aws_iam_role.svc sets managed_policy_arns (main.tf line 4), which "
        "owns the whole set on the role, and "
        "aws_iam_role_policy_attachment.extra also manages the role's policies "
        "through \"role\". tern plans aws_iam_role.svc to leave what "
        "aws_iam_role_policy_attachment.extra manages in place, but with "
        "Terraform each apply would undo what the other did. Manage them in "
        "one place: list them in managed_policy_arns, or remove "
        "managed_policy_arns and use aws_iam_role_policy_attachment alone.\n"
        "\n"
        "Warning: Conflicting policy management\n"
        "\n"
        "  on main.tf line 14, in resource \"aws_iam_role_policy\" \"lit\":\n"
        "  14:   role   = \"svc\"\n"
        "        ^^^^^^^^^^^^^^\n"
        "\n"
        "aws_iam_role.svc sets inline_policy (main.tf line 5), which owns the "
        "whole set on the role, and aws_iam_role_policy.lit also manages the "
        "role's policies through \"role\". tern plans aws_iam_role.svc to "
        "leave what aws_iam_role_policy.lit manages in place, but with "
        "Terraform each apply would undo what the other did. Manage them in "
        "one place: list them in inline_policy, or remove inline_policy and "
        "use aws_iam_role_policy alone.\n"
        "\n"
        "Success! The configuration is valid, but there were some validation "
        "warnings as shown above.\n");
    ASSERT_STR_EQ(r.err, "");
    tt_sim_stop(&sim);
}

/* The same configuration applied: the role leaves the attachment and the
 * policy that the other two resources manage to them, so plans do not
 * flip; what nobody manages still goes. */
TEST(cli_iam_role_sets, claimed_stable)
{
    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&env, &sim);
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", conflicting));
    RUN(0, "init", "-input=false");
    RUN(0, "apply", "-auto-approve", "-no-color");
    ASSERT_STR_CONTAINS(r.out, "Apply complete! Resources: 3 added, 0 "
                               "changed, 0 destroyed.");
    ASSERT_STR_EQ(holds("svc"), "inline: x; attached: " RO " " S3);
    RUN(0, "plan", "-detailed-exitcode", "-no-color");
    RUN(0, "apply", "-auto-approve", "-no-color");
    ASSERT_STR_CONTAINS(r.out, "Apply complete! Resources: 0 added, 0 "
                               "changed, 0 destroyed.");
    ASSERT_STR_EQ(holds("svc"), "inline: x; attached: " RO " " S3);

    iam("PutRolePolicy", "RoleName", "svc", "PolicyName", "extra",
        "PolicyDocument",
        "{\"Version\":\"2012-10-17\",\"Statement\":[{"
        "\"Effect\":\"Allow\",\"Action\":\"s3:*\","
        "\"Resource\":\"*\"}]}",
        NULL);
    RUN(2, "plan", "-detailed-exitcode", "-no-color");
    /* Only the policy nobody manages goes. */
    ASSERT_STR_CONTAINS(
        r.out, "tern will perform the following actions:\n"
               "\n"
               "  # aws_iam_role.svc will be updated in-place\n"
               "  ~ resource \"aws_iam_role\" \"svc\" {\n"
               "        id            = \"svc\"\n"
               "      ~ inline_policy = [\n"
               "          - {\n"
               "              - name   = \"extra\" -> null\n"
               "              - policy = jsonencode(\n"
               "                    {\n"
               "                      - Statement = [\n"
               "                          - {\n"
               "                              - Action   = \"s3:*\" -> null\n"
               "                              - Effect   = \"Allow\" -> null\n"
               "                              - Resource = \"*\" -> null\n"
               "                            },\n"
               "                        ] -> null\n"
               "                      - Version   = \"2012-10-17\" -> null\n"
               "                    } -> null\n"
               "                ) -> null\n"
               "            },\n"
               "            # (1 unchanged element hidden)\n"
               "        ]\n"
               "        name          = \"svc\"\n"
               "        # (9 unchanged attributes hidden)\n"
               "    }\n"
               "\n"
               "Plan: 0 to add, 1 to change, 0 to destroy.\n");
    RUN(0, "apply", "-auto-approve", "-no-color");
    ASSERT_STR_EQ(holds("svc"), "inline: x; attached: " RO " " S3);
    RUN(0, "plan", "-detailed-exitcode", "-no-color");
    RUN(0, "destroy", "-auto-approve", "-no-color");
    ASSERT_STR_CONTAINS(r.out, "Destroy complete! Resources: 3 destroyed.");
    tt_sim_stop(&sim);
}

/* aws_iam_role_policies_exclusive owns the role's inline policy names;
 * an aws_iam_role_policy it does not list is left to that resource. */
static const char exclusive[] =
    "resource \"aws_iam_role\" \"svc\" {\n"
    "  name = \"svc\"\n" TRUST "}\n"
    "resource \"aws_iam_role_policy\" \"p\" {\n"
    "  for_each = toset([\"a\", \"b\"])\n"
    "  role     = aws_iam_role.svc.name\n"
    "  name     = each.key\n"
    "  policy = jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = "
    "\"Allow\", Action = \"s3:GetObject\", Resource = \"*\" }] })\n"
    "}\n"
    "resource \"aws_iam_role_policies_exclusive\" \"all\" {\n"
    "  role_name    = aws_iam_role.svc.name\n"
    "  policy_names = [aws_iam_role_policy.p[\"a\"].name]\n"
    "}\n";

TEST(cli_iam_role_sets, exclusive_stable)
{
    ASSERT_OK(tt_sim_start(&sim, NULL));
    tt_sim_env_init(&env, &sim);
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", exclusive));
    RUN(0, "init", "-input=false");
    RUN(0, "apply", "-auto-approve", "-no-color");
    /* Created in one run, the exclusive set takes b away (it has no prior
     * to leave b in, and it may run before b's own create)... */
    ASSERT_STR_EQ(holds("svc"), "inline: a; attached:");
    RUN(0, "apply", "-auto-approve", "-no-color");
    ASSERT_STR_CONTAINS(r.out, "Apply complete! Resources: 1 added, 0 "
                               "changed, 0 destroyed.");
    /* ...once: from then on the plans stay empty. */
    ASSERT_STR_EQ(holds("svc"), "inline: a b; attached:");
    RUN(0, "plan", "-detailed-exitcode", "-no-color");
    RUN(0, "apply", "-auto-approve", "-no-color");
    ASSERT_STR_CONTAINS(r.out, "Apply complete! Resources: 0 added, 0 "
                               "changed, 0 destroyed.");
    iam("PutRolePolicy", "RoleName", "svc", "PolicyName", "c", "PolicyDocument",
        "{\"Version\":\"2012-10-17\",\"Statement\":[{"
        "\"Effect\":\"Allow\",\"Action\":\"s3:*\","
        "\"Resource\":\"*\"}]}",
        NULL);
    RUN(2, "plan", "-detailed-exitcode", "-no-color");
    ASSERT_STR_CONTAINS(r.out,
                        "  # aws_iam_role_policies_exclusive.all will be "
                        "updated in-place\n"
                        "  ~ resource \"aws_iam_role_policies_exclusive\" "
                        "\"all\" {\n"
                        "        id           = \"svc\"\n"
                        "      ~ policy_names = [\n"
                        "          - \"c\",\n"
                        "            # (2 unchanged elements hidden)\n"
                        "        ]\n"
                        "        # (1 unchanged attribute hidden)\n"
                        "    }\n"
                        "\n"
                        "Plan: 0 to add, 1 to change, 0 to destroy.\n");
    RUN(0, "apply", "-auto-approve", "-no-color");
    ASSERT_STR_EQ(holds("svc"), "inline: a b; attached:");
    RUN(0, "plan", "-detailed-exitcode", "-no-color");
    RUN(0, "destroy", "-auto-approve", "-no-color");
    tt_sim_stop(&sim);
}

const struct tern_test test_cli_iam_role_sets_list[] = {
    TEST_INTEGRATION(cli_iam_role_sets, exclusive_stable),
    TEST_INTEGRATION(cli_iam_role_sets, claimed_stable),
    TEST_INTEGRATION(cli_iam_role_sets, inline_policy_apply_replan_empty),
    TEST_INTEGRATION(cli_iam_role_sets, deprecated_and_conflicting), TEST_END};
